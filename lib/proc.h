/* proc.h: running helper commands (tar, patch, curl, apt-get). */

struct buf;

/* run argv, found in PATH, in dir (NULL: here) with stdout and stderr on
 * outfd (-1: inherited); returns the exit status, or -1 if it did not run */
int proc_run(char *const argv[], const char *dir, int outfd);
/* the same, collecting stdout into out; stderr goes to errfd (-1: inherited) */
int proc_capture(char *const argv[], struct buf *out, int errfd);
