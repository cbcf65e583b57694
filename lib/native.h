/* native.h: a native stage's step, run inside the target under qemu. */

struct defs;
struct step;

/* the control directory ctl for the guest: the phase's script, its
 * environment (NAME=VALUE lines), the project's files, every source */
int native_control(struct defs *defs, const char *ctl, const char *script, char **env);
/* the command that runs the step in the guest: this program's guest
 * command, its scratch disk in dir, its output to out; NULL on error */
char **native_argv(struct step *s, struct defs *defs, const char *dir, const char *script, char **env, const char *out);
