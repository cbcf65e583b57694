/* archive.c: unpacking source archives safely.
 * tar does the unpacking; this checks every member name first, because a
 * source archive is untrusted input until it has been looked at. */

#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
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

int archive_unpack(const char *file, const char *dir)
{
	char *argv[] = {"tar", "-xf", (char *)file, "-C", (char *)dir,
	                "--strip-components=1", "--no-same-owner", NULL};
	int st;

	if (archive_check(file) < 0)
		return -1;
	if (mkdirp(dir) < 0) {
		warn("cannot create %s:", dir);
		return -1;
	}
	st = proc_run(argv, NULL, -1);
	if (st != 0) {
		warn("%s: tar -x exited %d", file, st);
		return -1;
	}
	return 0;
}
