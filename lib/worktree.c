/* worktree.c: who owns the work tree. One run at a time builds in it:
 * it takes the tree's locks, and keeps a record of each step it has
 * running (WORK/running.STAGE.PKG.PHASE) so that the next run, should
 * this one be killed, stops what it left and only that. A package's build
 * tree in a stage, WORK/work/STAGE/PKG, is where a stopped step goes on;
 * plan reads both to say where each step stands. */

#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "defs.h"
#include "opts.h"
#include "os.h"
#include "plan.h"
#include "util.h"
#include "worktree.h"

/* Two locks on the work tree. WORK/lock is a POSIX lock of the runner
 * alone, gone when it dies, however it dies. WORK/lock.steps is a flock()
 * lock whose descriptor the steps inherit, so that a runner killed with
 * SIGKILL leaves it held for as long as its steps live on. */
static int lockfd = -1, stepsfd = -1;

char *worktree_dir(struct step *s)
{
	return xasprintf("%s/work/%s/%s", opts.work, s->stage->name, s->pkg->name);
}

/* more than one with --steps, written by the runner that holds the work
 * tree's lock and by no one else (run.c) */
char *worktree_record(struct step *s)
{
	char *slot = step_slot(s), *r = xasprintf("%s/running.%s.%s", opts.work, s->stage->name, slot);

	free(slot);
	return r;
}

/* leftover processes of a killed run hold the inherited lock: stop what
 * its records name, and only that ("running" alone: an older runner's).
 * Build trees hold unpacked sources: no file in them is ever read for a
 * process number. */
static void killorphans(void)
{
	DIR *d = opendir(opts.work);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, "running") && !startswith(e->d_name, "running."))
			continue;
		char *path = xasprintf("%s/%s", opts.work, e->d_name), *s = readfile(path, NULL);
		if (s)
			os_stoprecorded(s, path);
		unlink(path);
		free(s);
		free(path);
	}
	if (d)
		closedir(d);
}

/* wait for the steps' lock, saying who holds it while we do */
static void waitsteps(const char *steps)
{
	char *who = NULL;

	for (int i = 0; flock(stepsfd, LOCK_EX | LOCK_NB) < 0; i++) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			fatal("cannot lock %s:", steps);
		if (i % 600 == 10) { /* killed processes take a moment to go */
			free(who);
			who = os_holders(steps);
			/* not ours to kill: it carries no step's mark (a test's helper) */
			fprintf(stderr, "waiting for %s: held open by %s, left running by a killed run "
			        "(stop it, and this run goes on)\n", steps, who ? who : "processes this user cannot see");
		}
		msleep(100);
	}
	free(who);
}

/* the process holding the runner's lock on fd's file, 0 if none */
static long holder(int fd)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};

	return fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK ? (long)fl.l_pid : 0;
}

void worktree_lock(void)
{
	char *path = xasprintf("%s/lock", opts.work);
	char *steps = xasprintf("%s/lock.steps", opts.work);
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};

	if (mkdirp(opts.work) < 0)
		fatal("cannot create %s:", opts.work);
	lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	stepsfd = open(steps, O_RDWR | O_CREAT, 0644);
	if (lockfd < 0 || stepsfd < 0)
		fatal("cannot open %s:", lockfd < 0 ? path : steps);
	if (fcntl(lockfd, F_SETLK, &fl) < 0) {
		long pid = holder(lockfd);
		if (pid)
			fatal("another bootstrap run (pid %ld) is using %s", pid, opts.work);
		fatal("cannot lock %s:", path);
	}
	if (flock(stepsfd, LOCK_EX | LOCK_NB) < 0) {
		killorphans();
		waitsteps(steps);
	}
	free(path);
	free(steps);
}

/* for plan, a step that is not cached: whether its build tree holds an
 * attempt at this key, and so where the next run goes on; running now when
 * its record is there and a run holds the work tree (else the record is a
 * killed run's) */
void worktree_where(struct step *s, FILE *f)
{
	char *dir = worktree_dir(s), *attempt = xasprintf("%s/attempt", dir), *spentf = xasprintf("%s/spent", dir);
	char *rec = worktree_record(s), *lock = xasprintf("%s/lock", opts.work);
	char *was = readfile(attempt, NULL), *spent = readfile(spentf, NULL);
	double before = spent ? atof(spent) : 0;
	struct stat st;
	char d[32], d2[32], when[32];
	int fd = open(lock, O_RDONLY | O_CLOEXEC);
	int held = fd >= 0 && holder(fd);

	if (fd >= 0)
		close(fd);
	/* a tree of other inputs is built afresh, unless it is running now:
	 * then a file it reads was changed under the run */
	int same = was && !strcmp(was, s->key);
	if (was && held && stat(rec, &st) == 0) {
		fprintf(f, "      running now, since %s (%s so far", fmtutc(st.st_mtime, when),
		        fmtdur(difftime(time(NULL), st.st_mtime), d));
		if (same && before > 0)
			fprintf(f, ", %s before in its tree", fmtdur(before, d2));
		fprintf(f, same ? ")\n" : "), from inputs changed since it started\n");
	} else if (same && before > 0) {
		fprintf(f, "      stopped in its tree after %s: the next run goes on there\n", fmtdur(before, d));
	}
	free(dir), free(attempt), free(spentf), free(rec), free(lock), free(was), free(spent);
}

void worktree_unlock(void)
{
	if (lockfd >= 0)
		close(lockfd), close(stepsfd);
	lockfd = stepsfd = -1;
}

