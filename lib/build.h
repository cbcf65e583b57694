/* build.h: carrying out a plan: the steps that are not cached, then each
 * stage's output directory and manifest. */

#include <stdio.h>

struct plan;
struct stage;
struct step;

/* build what the plan needs; 0 when every stage is complete */
int build_plan(struct plan *plan);
/* a shell in the tree of the plan's last stage's step PKG PHASE, in that
 * step's environment (bootstrap shell); its exit status */
int build_shell(struct plan *plan, const char *pkg, const char *phase);
/* WORK/out/NAME: a stage's output */
char *stage_out(const char *name);
/* the variable that holds a needed stage's output: cross -> CROSS, host-tools -> HOST_TOOLS */
char *stage_var(const char *kind);
/* plan's word on a step not cached: running now, or stopped in its tree
 * after some time (the next run goes on there) */
void build_where(struct step *s, FILE *f);
/* take the work tree for this run; stops the leftovers of a killed run */
void build_lock(void);
/* let go of the work tree, for another run to take */
void build_unlock(void);
