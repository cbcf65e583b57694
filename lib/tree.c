/* tree.c: whole directory trees: merging, listing. */

#define _XOPEN_SOURCE 700 /* sync */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tree.h"
#include "util.h"

static int copyfile(const char *src, const char *dst, mode_t mode)
{
	char buf[1 << 16];
	ssize_t r, w;
	int in = open(src, O_RDONLY), out;

	if (in < 0)
		return -1;
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, mode & 07777);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((r = read(in, buf, sizeof(buf))) > 0)
		for (char *p = buf; r > 0; p += w, r -= w)
			if ((w = write(out, p, r)) < 0)
				goto err;
	if (r < 0 || fchmod(out, mode & 07777) < 0)
		goto err;
	close(in);
	return close(out);
err:
	close(in);
	close(out);
	return -1;
}

static void keeptime(const char *path, const struct stat *st)
{
	struct timespec ts[2] = {st->st_atim, st->st_mtim};

	utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
}

static int merge(const char *src, const char *dst, int how);

static int mergedir(const char *src, const char *dst, const struct stat *st, int how)
{
	struct stat dt;
	struct dirent *e;
	DIR *d;
	int r = 0;

	if (lstat(dst, &dt) == 0 && !S_ISDIR(dt.st_mode) && unlink(dst) < 0)
		return -1;
	if (mkdir(dst, 0700) < 0 && errno != EEXIST)
		return -1;
	chmod(dst, 0700); /* writable while filling, whatever its final mode */
	d = opendir(src);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *s = xasprintf("%s/%s", src, e->d_name);
		char *t = xasprintf("%s/%s", dst, e->d_name);
		if (merge(s, t, how) < 0)
			r = -1;
		free(s);
		free(t);
	}
	closedir(d);
	if (chmod(dst, st->st_mode & 07777) < 0)
		r = -1;
	keeptime(dst, st);
	return r;
}

static int merge(const char *src, const char *dst, int how)
{
	struct stat st, dt;
	char target[4096];
	ssize_t n;

	if (lstat(src, &st) < 0)
		return -1;
	if (S_ISDIR(st.st_mode))
		return mergedir(src, dst, &st, how);
	if (lstat(dst, &dt) == 0) {
		if (S_ISDIR(dt.st_mode) ? rmtree(dst) < 0 : unlink(dst) < 0)
			return -1;
	}
	if (S_ISLNK(st.st_mode)) {
		n = readlink(src, target, sizeof(target) - 1);
		if (n < 0)
			return -1;
		target[n] = 0;
		if (symlink(target, dst) < 0)
			return -1;
	} else if (S_ISREG(st.st_mode)) {
		/* a link, unless dst is on another file system (an audit's
		 * disorderfs mount over the work tree): then a copy */
		if (how == TREE_LINK && link(src, dst) == 0)
			return 0;
		if (how == TREE_LINK && errno != EXDEV)
			return -1;
		if (copyfile(src, dst, st.st_mode) < 0)
			return -1;
	} else {
		errno = ENOTSUP; /* no devices or fifos in outputs */
		return -1;
	}
	keeptime(dst, &st);
	return 0;
}

int tree_merge(const char *src, const char *dst, int how)
{
	return merge(src, dst, how);
}

struct list {
	struct entry *e;
	size_t n, cap;
};

static int walk(const char *root, const char *rel, struct list *l)
{
	char *dir = *rel ? xasprintf("%s/%s", root, rel) : xstrdup(root);
	DIR *d = opendir(dir);
	struct dirent *de;
	int r = 0;

	if (!d) {
		free(dir);
		return -1;
	}
	while ((de = readdir(d))) {
		struct stat st;
		char *path, *full;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		path = *rel ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
		full = xasprintf("%s/%s", root, path);
		if (lstat(full, &st) < 0) {
			r = -1;
			free(path);
			free(full);
			continue;
		}
		if (l->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 64;
			l->e = xreallocarray(l->e, l->cap, sizeof(*l->e));
		}
		struct entry *e = &l->e[l->n++];
		e->path = path;
		e->mode = st.st_mode;
		e->size = st.st_size;
		e->link = NULL;
		e->changed = st.st_ctime;
		if (S_ISLNK(st.st_mode)) {
			char t[4096];
			ssize_t n = readlink(full, t, sizeof(t) - 1);
			e->link = xstrndup(t, n < 0 ? 0 : n);
		}
		if (S_ISDIR(st.st_mode) && walk(root, path, l) < 0)
			r = -1;
		free(full);
	}
	closedir(d);
	free(dir);
	return r;
}

static int cmpentry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->path, ((const struct entry *)b)->path);
}

struct entry *tree_list(const char *root, size_t *n)
{
	struct list l = {0};

	*n = 0;
	if (walk(root, "", &l) < 0) {
		tree_free(l.e, l.n);
		return NULL;
	}
	qsort(l.e, l.n, sizeof(*l.e), cmpentry);
	*n = l.n;
	return l.e ? l.e : xcalloc(1, sizeof(*l.e));
}

void tree_free(struct entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].path);
		free(e[i].link);
	}
	free(e);
}

int tree_sync(const char *root)
{
	size_t n;
	struct entry *e = tree_list(root, &n);
	int r = e ? 0 : -1, unopened = 0;

	for (size_t i = 0; e && i <= n; i++) {
		/* the entries, then root itself */
		char *p = i < n ? xasprintf("%s/%s", root, e[i].path) : xstrdup(root);
		int link = i < n && S_ISLNK(e[i].mode), fd = link ? -1 : open(p, O_RDONLY);
		if (fd < 0 && !link)
			unopened = 1;
		if (fd >= 0 && fsync(fd) < 0 && errno != EINVAL)
			r = -1;
		if (fd >= 0)
			close(fd);
		free(p);
	}
	/* a file we may not read (mode 0, not root) cannot be fsynced on its
	 * own: flush everything rather than leave it behind */
	if (unopened)
		sync();
	if (e)
		tree_free(e, n);
	return r;
}

long tree_dropnewer(const char *root, long long since)
{
	size_t n;
	struct entry *e = tree_list(root, &n);
	long count = 0;

	if (!e)
		return -1;
	for (size_t i = 0; i < n && count >= 0; i++) {
		if (S_ISDIR(e[i].mode) || e[i].changed < since)
			continue;
		char *p = xasprintf("%s/%s", root, e[i].path);
		count = unlink(p) == 0 ? count + 1 : -1;
		free(p);
	}
	tree_free(e, n);
	return count;
}
