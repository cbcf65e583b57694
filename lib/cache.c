/* cache.c: the content-addressed step cache, outside the work tree.
 * Entries appear by rename only, so an entry that exists is complete. */

#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cache.h"
#include "tree.h"
#include "util.h"

static char *root;

void cache_init(const char *dir)
{
	static const char *sub[] = {"steps", "tmp", "locks", "state", "sources"};

	free(root);
	root = abspath(dir);
	for (size_t i = 0; i < LEN(sub); i++) {
		char *p = xasprintf("%s/%s", root, sub[i]);
		if (mkdirp(p) < 0)
			fatal("cannot create cache directory %s:", p);
		free(p);
	}
}

const char *cache_root(void)
{
	return root;
}

int cache_has(const char *key)
{
	char *p = xasprintf("%s/steps/%s/out", root, key);
	int r = isdir(p);

	free(p);
	return r;
}

char *cache_out(const char *key)
{
	return cache_file(key, "out");
}

char *cache_file(const char *key, const char *name)
{
	return xasprintf("%s/steps/%s/%s", root, key, name);
}

/* the lock on key; without wait, -1 when another run holds it */
static int lockfile(const char *key, int wait)
{
	char *p = xasprintf("%s/locks/%s", root, key);
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		fatal("cannot open lock %s:", p);
	while (fcntl(fd, wait ? F_SETLKW : F_SETLK, &fl) < 0) {
		if (!wait && (errno == EAGAIN || errno == EACCES)) {
			close(fd);
			fd = -1;
			break;
		}
		if (errno != EINTR)
			fatal("cannot lock %s:", p);
	}
	free(p);
	return fd;
}

int cache_lock(const char *key)
{
	int fd = lockfile(key, 0);

	if (fd >= 0)
		return fd;
	/* step keys are long hashes: their first 12 digits name them */
	fprintf(stderr, "waiting for another run building %.*s...\n",
	        strlen(key) == 64 ? 12 : (int)strlen(key), key);
	return lockfile(key, 1);
}

void cache_unlock(int fd)
{
	close(fd);
}

static int kept(const char *key, size_t n, char **keep, size_t nkeep)
{
	for (size_t i = 0; i < nkeep; i++)
		if (strlen(keep[i]) == n && !strncmp(keep[i], key, n))
			return 1;
	return 0;
}

static long long bytes(const char *dir)
{
	size_t n;
	struct entry *e = tree_list(dir, &n);
	long long sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += S_ISREG(e[i].mode) ? e[i].size : 0;
	tree_free(e, n);
	return sum;
}

/* An entry goes out of the way by rename, so that a run looking for it
 * finds it whole or not at all, then is removed; one being built (its
 * lock held) is left alone. tmp/ holds the leftovers of killed runs */
long cache_prune(char **keep, size_t nkeep, long long *freed)
{
	static const char *sub[] = {"steps", "tmp"};
	long count = 0;

	*freed = 0;
	for (size_t k = 0; k < LEN(sub); k++) {
		char *dir = xasprintf("%s/%s", root, sub[k]);
		DIR *d = opendir(dir);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			size_t n = strcspn(e->d_name, ".");
			if (n != 64 || kept(e->d_name, n, keep, nkeep))
				continue;
			char *key = xstrndup(e->d_name, n);
			char *p = xasprintf("%s/%s", dir, e->d_name);
			char *gone = xasprintf("%s/tmp/%s.pruned.%ld", root, key, (long)getpid());
			int fd = lockfile(key, 0);
			if (fd >= 0 && (k == 1 || rename(p, gone) == 0)) {
				*freed += bytes(k == 1 ? p : gone);
				rmtree(k == 1 ? p : gone);
				count += k == 0;
			}
			if (fd >= 0)
				cache_unlock(fd);
			free(key), free(p), free(gone);
		}
		if (d)
			closedir(d);
		free(dir);
	}
	return count;
}

char *cache_tmp(const char *key)
{
	char *dir = xasprintf("%s/tmp", root);
	char *tmp = xasprintf("%s/%s.%ld", dir, key, (long)getpid());
	char *out = xasprintf("%s/out", tmp);
	size_t n = strlen(key);
	struct dirent *e;
	DIR *d = opendir(dir);

	/* under the lock, any other tmp of this key is a killed run's leftover */
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, key, n) || e->d_name[n] != '.')
			continue;
		char *old = xasprintf("%s/%s", dir, e->d_name);
		rmtree(old);
		free(old);
	}
	if (d)
		closedir(d);
	if (mkdirp(out) < 0)
		fatal("cannot create %s:", out);
	free(dir);
	free(out);
	return tmp;
}

int cache_commit(const char *tmp, const char *key)
{
	char *dst = xasprintf("%s/steps/%s", root, key);
	/* on the disk before it is named: a machine that stops (a guest's
	 * emulator killed) must not leave a cached step half-written */
	int r = tree_sync(tmp) < 0 ? -1 : rename(tmp, dst);

	free(dst);
	return r;
}

static char *statefile(const char *stage, const char *slot, const char *ext)
{
	char *dir = xasprintf("%s/state/%s", root, stage);

	mkdirp(dir);
	free(dir);
	return xasprintf("%s/state/%s/%s.%s", root, stage, slot, ext);
}

/* the reference machine's times: "STAGE SLOT SECONDS" lines */
static char *reftext;

void cache_reference(const char *path)
{
	free(reftext);
	reftext = readfile(path, NULL);
}

/* the kinds of a stage's name, its targets left out: cross-x86_64 is
 * "cross", rebuild-armv7l/cross-armv7l (a step in a rebuild's guest)
 * "rebuild/cross"; n its length (to free) */
static char *kinds(const char *stage, size_t n)
{
	struct buf b = {0};

	bufputs(&b, "");
	while (n) {
		const char *slash = memchr(stage, '/', n), *end = slash ? slash : stage + n;
		const char *dash = end;
		while (dash > stage && dash[-1] != '-')
			dash--;
		bufprintf(&b, "%.*s%s", (int)(dash > stage ? dash - 1 - stage : end - stage), stage, slash ? "/" : "");
		n -= end - stage + !!slash;
		stage = slash ? slash + 1 : end;
	}
	return b.s;
}

double cache_reftime(const char *stage, const char *slot, int *other)
{
	size_t nl = strlen(slot);
	char *want = kinds(stage, strlen(stage));
	double t = -1;

	/* that stage's own time, else the first of the same kind (another
	 * target's: a cross compiler takes about as long for each) */
	for (const char *l = reftext; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : "") {
		size_t ns = strcspn(l, " \n");
		if (l[ns] != ' ' || strncmp(l + ns + 1, slot, nl) || l[ns + 1 + nl] != ' ')
			continue;
		if (ns == strlen(stage) && !strncmp(l, stage, ns)) {
			t = atof(l + ns + 2 + nl);
			if (other)
				*other = 0;
			break;
		}
		char *k = kinds(l, ns);
		if (t < 0 && !strcmp(k, want)) {
			t = atof(l + ns + 2 + nl);
			if (other)
				*other = 1;
		}
		free(k);
	}
	free(want);
	return t;
}

double cache_gettime(const char *stage, const char *slot, int *byref)
{
	char *p = statefile(stage, slot, "time"), *s = readfile(p, NULL);
	int other = 0;
	double t = s ? atof(s) : cache_reftime(stage, slot, &other);

	if (byref)
		*byref = !s && t >= 0 ? 1 + other : 0;
	free(p);
	free(s);
	return t;
}

void cache_settime(const char *stage, const char *slot, double secs)
{
	char *p = statefile(stage, slot, "time"), *s = xasprintf("%.1f\n", secs);

	writefile(p, s, strlen(s));
	free(p);
	free(s);
}

char *cache_getlast(const char *stage, const char *slot)
{
	char *p = statefile(stage, slot, "inputs"), *s = readfile(p, NULL);

	free(p);
	return s;
}

void cache_setlast(const char *stage, const char *slot, const char *inputs)
{
	char *p = statefile(stage, slot, "inputs");

	writefile(p, inputs, strlen(inputs));
	free(p);
}
