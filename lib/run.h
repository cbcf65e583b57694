/* run.h: running one step's script in its clean environment, with its log
 * and a progress line. */

#include <stdio.h>
#include <sys/types.h>

struct job {
	const char *label;   /* "[3/7] cross-x86_64 gcc compiler" */
	char **argv;         /* the shell and the script */
	char **env;          /* the whole environment, NULL-terminated */
	const char *dir;     /* working directory */
	const char *log;     /* the step's whole output goes here */
	const char *record;  /* while it runs: "PGID STARTTIME MARK" of the step */
	double estimate;     /* seconds, 0 if never timed */
	double start;        /* when the step began (unpacking included); 0: now */
	double grace;        /* seconds from asking it to stop to killing it; 0: 5 */
	double after;        /* what the run's later steps should take; 0: unknown */
	int relay;           /* a guest: show its runner's step lines as they come */
	int append;          /* it goes on from an earlier attempt: its log too */
};

/* catch SIGINT, SIGTERM and SIGHUP so a step can be stopped cleanly */
void run_signals(void);
/* in a process forked to build a step: stop when parent is gone */
void run_watch(pid_t parent);
/* the signal that asked us to stop, 0 if none (SIGHUP: the runner died) */
int run_stopped(void);
/* run the job; returns its exit status (128+N for signal N) and its time
 * since j->start */
int run_job(struct job *j, double *secs);
/* whether a line of a guest's output is one its runner and init say for
 * people (a step's start, its minutes, its end or failure, what a step
 * took over several runs; "guest: ..."): shown under the step's line as
 * it comes, the rest only in the log */
int run_showable(const char *line);
/* the last n lines of a file to f */
void run_tail(const char *path, int n, FILE *f);
