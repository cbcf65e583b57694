/* native.h: a native stage's step, run inside the target under qemu. */

#include <stdio.h>

struct defs;
struct stage;
struct step;

/* the control directory ctl for the guest: the phase's script, its
 * environment (NAME=VALUE lines), the project's files, every source */
int native_control(struct defs *defs, const char *ctl, const char *script, char **env);
/* the command that runs the step in the guest: this program's guest
 * command, its scratch disk in dir, its output to out; NULL on error */
char **native_argv(struct step *s, struct defs *defs, const char *dir, const char *script, char **env, const char *out);
/* what a native stage's guest disk holds, for a plan: the steps built
 * inside, and those stopped in their trees with the time spent; nothing
 * without a disk */
void native_progress(struct stage *st, FILE *f);
/* how a native stage's estimate was made, counted in its guest's steps */
struct estimate {
	int byref;	/* timed by the reference machine */
	int other;	/* of those, by another target's guest */
	int never;	/* never timed */
};
/* what a native stage's step has left to do, in seconds: the guest's
 * steps not yet in its cache, each by its last time inside (or the
 * reference machine's guest), less what a tree stopped on it spent;
 * -1 when none is timed. e (may be null) says how */
double native_timeleft(struct step *s, struct estimate *e);
