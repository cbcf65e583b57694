/* util.h: errors, allocation, strings and small file helpers. */

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#if defined(__GNUC__)
#define PRINTF(a, b) __attribute__((format(printf, a, b)))
#define NORETURN __attribute__((noreturn))
#else
#define PRINTF(a, b)
#define NORETURN
#endif

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* growable byte buffer, always NUL-terminated once anything was added */
struct buf {
	char *s;
	size_t n, cap;
};

extern const char *argv0;
/* the first message given to perr() since this was last cleared */
extern char firsterr[512];

/* print "argv0: msg"; a format ending in ':' appends strerror(errno) */
void warn(const char *fmt, ...) PRINTF(1, 2);
NORETURN void fatal(const char *fmt, ...) PRINTF(1, 2);
/* the same for a mistake in how the runner was called: exit status 2 */
NORETURN void misuse(const char *fmt, ...) PRINTF(1, 2);
/* print "file:line: msg" and return -1 */
int perr(const char *file, int line, const char *fmt, ...) PRINTF(3, 4);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF(1, 2);
/* append one pointer to a NULL-terminated growable array */
void **vpush(void **v, size_t *n, void *p);
/* append x to the array v of n elements (any pointer type) */
#define PUSH(v, n, x) ((v) = (void *)vpush((void **)(v), &(n), (x)))

void bufadd(struct buf *b, const void *p, size_t n);
void bufputs(struct buf *b, const char *s);
void bufprintf(struct buf *b, const char *fmt, ...) PRINTF(2, 3);

/* whole file into a NUL-terminated buffer, NULL with errno on failure */
char *readfile(const char *path, size_t *len);
/* write through path.tmp and rename, so readers never see half a file */
int writefile(const char *path, const void *p, size_t n);
int mkdirp(const char *path);
/* remove a tree, making unwritable directories writable first */
int rmtree(const char *path);
int exists(const char *path);
int isdir(const char *path);
/* find an executable in $PATH, then in /usr/sbin and /sbin; NULL if none */
char *which(const char *cmd);
/* absolute form of a path that need not exist yet */
char *abspath(const char *path);
/* monotonic seconds */
double now(void);
/* "4:31" or "1:02:03" */
char *fmtdur(double secs, char out[32]);
/* t as UTC in ISO 8601, 2026-11-29T22:08:27Z */
char *fmtutc(time_t t, char out[32]);
/* sleep, resuming after signals */
void msleep(int ms);
/* split on blanks into a NULL-terminated array */
char **splitws(const char *s, size_t *n);
int startswith(const char *s, const char *prefix);
/* a whole number at s, of digits alone (no sign, no space), from min to
 * max: 0 and *n, *end after it; -1 when not */
int digits(const char *s, char **end, long min, long max, long *n);
/* of names, the nearest to a mistyped word (two edits at most), for "did
 * you mean"; NULL when none is that near */
const char *nearest(const char *word, const char **names, size_t n);
/* s as a JSON string, quoted and escaped */
void json_str(FILE *f, const char *s);
/* a console's output cut into lines as it comes: each whole line, without
 * its '\r's, to fn; a line longer than the buffer is cut there */
struct lines {
	char line[512];
	size_t n;
};
void lines_feed(struct lines *l, const char *buf, size_t n, void (*fn)(const char *line, void *arg), void *arg);
