/* proc.h: running helper commands (tar, patch, curl, apt-get). */

struct buf;

/* as an outfd or errfd: the output is thrown away */
#define PROC_NULL (-2)

/* run argv, found in PATH, in dir (NULL: here) with stdout and stderr on
 * outfd (-1: inherited, PROC_NULL: discarded); returns the exit status, or
 * -1 if it did not run */
int proc_run(char *const argv[], const char *dir, int outfd);
/* proc_run's, for a script that starts programs of its own (a test that
 * boots a guest): in a process group of its own, the whole of which a
 * stop of the runner stops */
int proc_rungroup(char *const argv[]);
/* the same, collecting stdout into out; stderr goes to errfd (-1, PROC_NULL) */
int proc_capture(char *const argv[], struct buf *out, int errfd);
