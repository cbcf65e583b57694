/* report.h: a run's timeline (WORK/logs/timeline.csv and .svg) and the
 * history of step times (CACHE/state/history.csv). */

/* the run begins now: steps' starts are counted from here */
void report_start(void);
/* a step ran from start (now()'s clock) for secs, total with its earlier
 * attempts' time; status: ok, failed, stopped */
void report_step(const char *stage, const char *step, double start, double secs, double total, const char *status);
/* write the timeline and append to the history; says where */
void report_write(void);
