/* worktree.h: who owns the work tree: its locks, the records of the steps
 * running now, and where a step's build tree is. */

#include <stdio.h>

struct step;

/* WORK/work/STAGE/PKG: the package's build tree in the stage, shared by
 * its phases */
char *worktree_dir(struct step *s);
/* WORK/running.STAGE.PKG.PHASE: the record of a step running now */
char *worktree_record(struct step *s);
/* take the work tree for this run; stops the leftovers of a killed run */
void worktree_lock(void);
/* let go of the work tree, for another run to take */
void worktree_unlock(void);
/* plan's word on a step not cached: running now, or stopped in its tree
 * after some time (the next run goes on there) */
void worktree_where(struct step *s, FILE *f);
