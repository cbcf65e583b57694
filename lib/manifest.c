/* manifest.c: a stage output described file by file. */

#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "manifest.h"
#include "sha256.h"
#include "tree.h"
#include "util.h"

static void putname(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = *s;
		if (c <= ' ' || c >= 0x7f || c == '\\')
			fprintf(f, "\\%03o", c);
		else
			fputc(c, f);
	}
}

int manifest_write(const char *root, FILE *f)
{
	size_t n;
	struct entry *e = tree_list(root, &n);
	char hash[65];
	int r = 0;

	if (!e)
		return -1;
	for (size_t i = 0; i < n; i++) {
		putname(f, e[i].path);
		if (S_ISDIR(e[i].mode)) {
			fprintf(f, " d %04o - - -\n", e[i].mode & 07777);
		} else if (S_ISLNK(e[i].mode)) {
			fprintf(f, " l %04o - - ", e[i].mode & 07777);
			putname(f, e[i].link);
			fputc('\n', f);
		} else {
			char *full = xasprintf("%s/%s", root, e[i].path);
			if (sha256_file(full, hash) < 0) {
				warn("cannot read %s:", full);
				strcpy(hash, "-");
				r = -1;
			}
			fprintf(f, " %c %04o %lld %s -\n", S_ISREG(e[i].mode) ? 'f' : '?',
			        e[i].mode & 07777, e[i].size, hash);
			free(full);
		}
	}
	tree_free(e, n);
	return r;
}

int manifest_save(const char *root, const char *path)
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	int r;

	if (!f) {
		free(tmp);
		return -1;
	}
	r = manifest_write(root, f);
	if (fclose(f) != 0)
		r = -1;
	if (r == 0)
		r = rename(tmp, path);
	if (r < 0)
		remove(tmp);
	free(tmp);
	return r;
}
