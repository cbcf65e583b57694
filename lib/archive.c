/* archive.c: unpacking source archives safely.
 * tar does the unpacking; this checks every member name first, because a
 * source archive is untrusted input until it has been looked at, and
 * every symlink it left after, because a link out of the tree would let
 * the next archive, or the runner, write through it. */

#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "archive.h"
#include "proc.h"
#include "tree.h"
#include "util.h"

int archive_name_ok(const char *name)
{
	const char *p = name;

	if (!*name || *name == '/')
		return -1;
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return -1;
		p += n;
		p += strspn(p, "/");
	}
	return 0;
}

/* toybox's tar -t shows a symlink as "name -> target" (GNU tar shows the
 * name alone, and a name may itself hold " -> ") */
static int toybox_tar(void)
{
	static int known = -1;
	struct buf out = {0};
	char *argv[] = {"tar", "--version", NULL};

	if (known < 0) {
		proc_capture(argv, &out, PROC_NULL);
		known = out.s && strstr(out.s, "toybox");
		free(out.s);
	}
	return known;
}

int archive_check(const char *file)
{
	struct buf out = {0};
	/* -P: list names as stored, leading '/' included; --numeric-owner:
	 * see archive_unpack */
	char *argv[] = {"tar", "-tPf", (char *)file, "--numeric-owner", NULL};
	int st = proc_capture(argv, &out, -1), r = 0;
	char *line, *save = NULL;

	if (st != 0) {
		warn("%s: not a readable archive (tar -t exited %d)", file, st);
		free(out.s);
		return -1;
	}
	for (line = strtok_r(out.s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *arrow = toybox_tar() ? strstr(line, " -> ") : NULL;
		if (arrow) /* the target is checked once unpacked (links_ok) */
			*arrow = 0;
		if (archive_name_ok(line) < 0) {
			warn("%s: refusing member '%s': absolute or '..' paths could write outside the source tree", file, line);
			r = -1;
			break;
		}
	}
	free(out.s);
	return r;
}

int archive_link_ok(const char *path, const char *target)
{
	int depth = 0;

	if (*target == '/')
		return -1;
	/* the link's directory, then the target, walked by name */
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");
		if (p[n] == '/')
			depth++;
		p += n + (p[n] == '/');
	}
	for (const char *p = target; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			depth--;
		else if (n && !(n == 1 && p[0] == '.'))
			depth++;
		if (depth < 0)
			return -1;
		p += n + (p[n] == '/');
	}
	return 0;
}

/* every symlink under dir stays inside it; the others are removed */
static int links_ok(const char *file, const char *dir)
{
	size_t n;
	struct entry *e = tree_list(dir, &n);
	int r = 0;

	for (size_t i = 0; i < n; i++) {
		if (!S_ISLNK(e[i].mode) || archive_link_ok(e[i].path, e[i].link) == 0)
			continue;
		warn("%s: refusing symlink '%s' -> '%s': it points out of the source tree", file, e[i].path, e[i].link);
		char *p = xasprintf("%s/%s", dir, e[i].path);
		unlink(p);
		free(p);
		r = -1;
	}
	tree_free(e, n);
	return r;
}

/* no component of sub, under root, is a symlink: nothing is unpacked
 * through a link an earlier archive left */
static int nolinks(const char *root, const char *sub)
{
	char *path = xstrdup(sub ? sub : ""), *p = path;
	int r = 0;

	while (r == 0 && *p) {
		p += strcspn(p, "/");
		char c = *p;
		*p = 0;
		char *full = xasprintf("%s/%s", root, path);
		struct stat st;
		if (lstat(full, &st) == 0 && S_ISLNK(st.st_mode)) {
			warn("refusing to unpack into %s: it is a symlink", full);
			r = -1;
		}
		free(full);
		*p = c;
		p += strspn(p, "/");
	}
	free(path);
	return r;
}

/* the program that decompresses file, by its first bytes; NULL: plain */
static char *decompressor(const char *file)
{
	unsigned char m[6] = {0};
	int fd = open(file, O_RDONLY);

	if (fd < 0 || read(fd, m, sizeof(m)) < 0)
		m[0] = 0;
	if (fd >= 0)
		close(fd);
	/* by these names both GNU's tools and toybox's decompress to stdout:
	 * the same runner unpacks on the host and in the target */
	if (m[0] == 0x1f && m[1] == 0x8b)
		return "zcat";
	if (!memcmp(m, "\xfd" "7zXZ", 5))
		return "xzcat";
	if (!memcmp(m, "BZh", 3))
		return "bzcat";
	return NULL;
}

int archive_unpack(const char *file, const char *root, const char *sub)
{
	char *plain = NULL, *z = decompressor(file);
	char *dir = sub ? xasprintf("%s/%s", root, sub) : xstrdup(root);
	int st, r = -1;

	if (nolinks(root, sub) < 0)
		goto out;
	if (mkdirp(dir) < 0) {
		warn("cannot create %s:", dir);
		goto out;
	}
	/* decompressed once, beside root (never inside it: a link there
	 * could send the write elsewhere), then checked and unpacked:
	 * checking the compressed file would decompress it twice */
	if (z) {
		char *argv[] = {z, (char *)file, NULL};
		int fd;
		plain = xasprintf("%s.tar", root);
		unlink(plain);
		fd = open(plain, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
		if (fd < 0) {
			warn("cannot create %s:", plain);
			goto out;
		}
		st = proc_run(argv, NULL, fd);
		close(fd);
		if (st != 0) {
			warn("%s: %s exited %d", file, z, st);
			goto out;
		}
	}
	if (archive_check(plain ? plain : file) < 0)
		goto out;
	/* --numeric-owner: toybox's tar looks up every member's user and
	 * group names otherwise, owners or not, and a name this system lacks
	 * (gcc's 140,408 members are doko's) is read for again each time:
	 * 41 % of its system calls unpacking mpc's source, 69 % listing it */
	char *argv[] = {"tar", "-xf", plain ? plain : (char *)file, "-C", dir,
	                "--strip-components=1", "--no-same-owner", "--numeric-owner", NULL};
	st = proc_run(argv, NULL, -1);
	if (st != 0)
		warn("%s: tar -x exited %d", file, st);
	else
		r = links_ok(file, dir);
out:
	if (plain)
		unlink(plain);
	free(plain);
	free(dir);
	return r;
}
