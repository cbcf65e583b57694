/* build.h: carrying out a plan: the steps that are not cached, then each
 * stage's output directory and manifest. */

struct plan;
struct stage;

/* build what the plan needs; 0 when every stage is complete */
int build_plan(struct plan *plan);
/* a shell in the tree of the plan's last stage's step PKG PHASE, in that
 * step's environment (bootstrap shell); its exit status */
int build_shell(struct plan *plan, const char *pkg, const char *phase);
/* WORK/out/NAME: a stage's output */
char *stage_out(const char *name);
/* the variable that holds a needed stage's output: cross -> CROSS, host-tools -> HOST_TOOLS */
char *stage_var(const char *kind);
