/* archive.c: unpacking source archives safely.
 * tar does the unpacking; this checks every member name first, because a
 * source archive is untrusted input until it has been looked at. */

#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "archive.h"
#include "proc.h"
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

int archive_check(const char *file)
{
	struct buf out = {0};
	/* -P: list names as stored, leading '/' included */
	char *argv[] = {"tar", "-tPf", (char *)file, NULL};
	int st = proc_capture(argv, &out, -1), r = 0;
	char *line, *save = NULL;

	if (st != 0) {
		warn("%s: not a readable archive (tar -t exited %d)", file, st);
		free(out.s);
		return -1;
	}
	for (line = strtok_r(out.s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (archive_name_ok(line) < 0) {
			warn("%s: refusing member '%s': absolute or '..' paths could write outside the source tree", file, line);
			r = -1;
			break;
		}
	}
	free(out.s);
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

int archive_unpack(const char *file, const char *dir)
{
	char *plain = NULL, *z = decompressor(file);
	int st, r = -1;

	if (mkdirp(dir) < 0) {
		warn("cannot create %s:", dir);
		return -1;
	}
	/* decompressed once, beside dir, then checked and unpacked: checking
	 * the compressed file would decompress it twice */
	if (z) {
		char *argv[] = {z, (char *)file, NULL};
		int fd;
		plain = xasprintf("%s.tar", dir);
		fd = open(plain, O_WRONLY | O_CREAT | O_TRUNC, 0644);
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
	char *argv[] = {"tar", "-xf", plain ? plain : (char *)file, "-C", (char *)dir,
	                "--strip-components=1", "--no-same-owner", NULL};
	st = proc_run(argv, NULL, -1);
	if (st != 0)
		warn("%s: tar -x exited %d", file, st);
	else
		r = 0;
out:
	if (plain)
		unlink(plain);
	free(plain);
	return r;
}
