/* os.h: the runner's processes as Linux's /proc shows them. */

/* a process id from text: digits only, > 1 and <= the kernel's pid_max;
 * -1 otherwise (so that no record can name init, ourselves or "all") */
int os_parsepid(const char *s, long *pid);
/* a process's group and start time (clock ticks after boot); -1 if gone */
int os_procstat(long pid, long *pgrp, unsigned long long *start);
/* send sig to every other process whose environment carries
 * BOOTSTRAP_MARK=mark; sig 0 only counts them. Returns how many */
int os_signalmarked(const char *mark, int sig);
/* stop what a killed run's record "PGID STARTTIME MARK" names: the group,
 * if its leader is still the process that was recorded, and every process
 * with the mark. TERM, then KILL after 5 seconds. Returns 1 if anything
 * was stopped; what describes the record in messages */
int os_stoprecorded(const char *record, const char *what);
/* "pid (name), ..." of the processes that have path open; NULL if none */
char *os_holders(const char *path);
/* in a child: be killed when the parent dies, however it dies (Linux) */
void os_dieswithparent(void);
/* this program's path, to run it again (even after it was rebuilt) */
char *os_self(void);
