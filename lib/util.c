/* util.c: errors, allocation, strings and small file helpers. */

#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "util.h"

const char *argv0 = "bootstrap";
char firsterr[512];

/* the message as one write: stderr is unbuffered, and a line written in
 * pieces can be split by another writer's output to the same terminal */
static void vwarn(const char *fmt, va_list ap)
{
	size_t n = strlen(fmt);
	int err = errno, k;
	char line[1024];

	fflush(stdout);
	k = snprintf(line, sizeof(line), "%s: ", argv0);
	k += vsnprintf(line + k, sizeof(line) - k, fmt, ap);
	if (k < (int)sizeof(line) && n && fmt[n - 1] == ':')
		k += snprintf(line + k, sizeof(line) - k, " %s", strerror(err));
	if (k > (int)sizeof(line) - 2)
		k = sizeof(line) - 2;
	line[k++] = '\n';
	fwrite(line, 1, k, stderr);
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	exit(1);
}

void misuse(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	exit(2);
}

int perr(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	char msg[sizeof(firsterr)];

	n = snprintf(msg, sizeof(msg), "%s:%d: ", file, line);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	fflush(stdout);
	fprintf(stderr, "%s\n", msg);
	if (!firsterr[0])
		memcpy(firsterr, msg, sizeof(msg));
	return -1;
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		fatal("malloc:");
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		fatal("calloc:");
	return p;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		fatal("allocation overflow");
	size_t total = n * size;

	p = realloc(p, total ? total : 1);
	if (!p)
		fatal("realloc:");
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

static char *vfmt(const char *fmt, va_list ap)
{
	va_list ap2;
	char *s;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		fatal("vsnprintf:");
	s = xmalloc(n + 1);
	vsnprintf(s, n + 1, fmt, ap);
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vfmt(fmt, ap);
	va_end(ap);
	return s;
}

void **vpush(void **v, size_t *n, void *p)
{
	/* capacity is implicit: grow at every power of two */
	if ((*n & (*n + 1)) == 0 || !v)
		v = xreallocarray(v, (*n + 1) * 2, sizeof(*v));
	v[(*n)++] = p;
	v[*n] = NULL;
	return v;
}

void bufadd(struct buf *b, const void *p, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->s = xreallocarray(b->s, b->cap, 1);
	}
	memcpy(b->s + b->n, p, n);
	b->n += n;
	b->s[b->n] = 0;
}

void bufputs(struct buf *b, const char *s)
{
	bufadd(b, s, strlen(s));
}

void bufprintf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vfmt(fmt, ap);
	va_end(ap);
	bufputs(b, s);
	free(s);
}

char *readfile(const char *path, size_t *len)
{
	struct buf b = {0};
	char tmp[65536];
	ssize_t r;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	bufadd(&b, "", 0);
	while ((r = read(fd, tmp, sizeof(tmp))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			free(b.s);
			close(fd);
			return NULL;
		}
		bufadd(&b, tmp, r);
	}
	close(fd);
	if (len)
		*len = b.n;
	return b.s;
}

int writefile(const char *path, const void *p, size_t n)
{
	char *tmp = xasprintf("%s.tmp", path);
	const char *s = p;
	ssize_t w;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		goto err;
	while (n) {
		w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto err;
		s += w;
		n -= w;
	}
	if (close(fd) < 0) {
		fd = -1;
		goto err;
	}
	if (rename(tmp, path) < 0)
		goto err;
	free(tmp);
	return 0;
err:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

int mkdirp(const char *path)
{
	char *p = xstrdup(path), *s;
	int r = 0;

	for (s = p + 1; r == 0; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;
		*s = 0;
		if (mkdir(p, 0777) < 0 && errno != EEXIST)
			r = -1;
		else if (!c)
			break;
		*s = c;
	}
	if (r == 0 && !isdir(path)) {
		errno = ENOTDIR;
		r = -1;
	}
	free(p);
	return r;
}

int rmtree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int r = 0;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	/* installed trees hold read-only directories (make install does that) */
	if ((st.st_mode & 0700) != 0700)
		chmod(path, st.st_mode | 0700);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *sub = xasprintf("%s/%s", path, e->d_name);
		if (rmtree(sub) < 0)
			r = -1;
		free(sub);
	}
	closedir(d);
	if (rmdir(path) < 0)
		r = -1;
	return r;
}

int exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int isdir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* path is an executable file */
static int runnable(const char *path)
{
	return access(path, X_OK) == 0 && !isdir(path);
}

char *which(const char *cmd)
{
	/* sbin last: mke2fs and debugfs live there, and a user's PATH may lack it */
	static const char *sbin[] = {"/usr/sbin", "/sbin"};
	const char *path = getenv("PATH"), *p, *e;
	char *full;

	if (strchr(cmd, '/'))
		return access(cmd, X_OK) == 0 ? xstrdup(cmd) : NULL;
	if (!path)
		path = "/usr/bin:/bin";
	for (p = path;; p = e + 1) {
		e = strchr(p, ':');
		if (!e)
			e = p + strlen(p);
		full = xasprintf("%.*s/%s", (int)(e - p), e > p ? p : ".", cmd);
		if (runnable(full))
			return full;
		free(full);
		if (!*e)
			break;
	}
	for (size_t i = 0; i < LEN(sbin); i++) {
		full = xasprintf("%s/%s", sbin[i], cmd);
		if (runnable(full))
			return full;
		free(full);
	}
	return NULL;
}

char *abspath(const char *path)
{
	char cwd[4096];

	if (path[0] == '/')
		return xstrdup(path);
	if (!getcwd(cwd, sizeof(cwd)))
		fatal("getcwd:");
	if (!strcmp(path, "."))
		return xstrdup(cwd);
	return xasprintf("%s/%s", cwd, path);
}

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

char *fmtdur(double secs, char out[32])
{
	long s = secs < 0 ? 0 : (long)(secs + 0.5);

	if (s >= 3600)
		snprintf(out, 32, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(out, 32, "%ld:%02ld", s / 60, s % 60);
	return out;
}

char *fmtutc(time_t t, char out[32])
{
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	return out;
}

char **splitws(const char *s, size_t *np)
{
	char **v = NULL;
	size_t n = 0, len;

	v = xcalloc(1, sizeof(*v));
	for (;;) {
		s += strspn(s, " \t");
		if (!*s)
			break;
		len = strcspn(s, " \t");
		v = (char **)vpush((void **)v, &n, xstrndup(s, len));
		s += len;
	}
	if (np)
		*np = n;
	return v;
}

int startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

void msleep(int ms)
{
	struct timespec ts = {ms / 1000, ms % 1000 * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void lines_feed(struct lines *l, const char *buf, size_t n, void (*fn)(const char *line, void *arg), void *arg)
{
	for (size_t i = 0; i < n; i++) {
		if (buf[i] != '\n' && l->n < sizeof(l->line) - 1) {
			if (buf[i] != '\r')
				l->line[l->n++] = buf[i];
			continue;
		}
		l->line[l->n] = 0;
		fn(l->line, arg);
		l->n = 0;
	}
}

int digits(const char *s, char **end, long min, long max, long *n)
{
	*n = strtol(s, end, 10);
	return *s >= '0' && *s <= '9' && *n >= min && *n <= max ? 0 : -1;
}

/* edits (insert, delete, change a letter) from a to b, for "did you mean" */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64];

	if (lb >= LEN(row))
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

const char *nearest(const char *word, const char **names, size_t n)
{
	const char *near = NULL;
	size_t best = 3; /* two edits at most: 'stag', 'armv7', 'riscv' */

	for (size_t i = 0; i < n; i++) {
		size_t d = distance(word, names[i]);
		if (d < best)
			best = d, near = names[i];
	}
	return near;
}
