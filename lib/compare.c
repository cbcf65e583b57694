/* compare.c: two outputs of one stage compared through their manifests.
 *
 * The manifests are sorted by path, so one merge walk finds what is only
 * in one output and what differs in type, mode, size, content or link. A
 * file whose content differs gets its sizes, the offset of its first
 * differing byte and a hint: a build path, a host or user name or the
 * kernel's release written into it, a time near the offset, the same
 * bytes in another order. */

#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "compare.h"
#include "proc.h"
#include "util.h"

struct line {
	char *path, *type, *mode, *size, *hash, *link;
};

/* NAME.manifest beside the output directory NAME, split into lines that
 * point into *text */
static struct line *readman(const char *dir, size_t *n, char **textp)
{
	char *p = xasprintf("%s.manifest", dir), *text = *textp = readfile(p, NULL), *s, *save;
	struct line *v = NULL;
	size_t cap = 0;

	*n = 0;
	if (!text) {
		warn("cannot read %s:", p);
		free(p);
		return NULL;
	}
	free(p);
	for (s = strtok_r(text, "\n", &save); s; s = strtok_r(NULL, "\n", &save)) {
		char *f[6] = {0}, *sp;
		int k = 0;
		for (char *t = strtok_r(s, " ", &sp); t && k < 6; t = strtok_r(NULL, " ", &sp))
			f[k++] = t;
		if (k < 6)
			continue;
		if (*n == cap)
			v = xreallocarray(v, cap = cap ? cap * 2 : 256, sizeof(*v));
		v[(*n)++] = (struct line){f[0], f[1], f[2], f[3], f[4], f[5]};
	}
	if (!v)
		v = xcalloc(1, sizeof(*v));
	return v;
}

/* a manifest path (\ooo escapes) as a file name */
static char *unescape(const char *s)
{
	char *r = xmalloc(strlen(s) + 1), *o = r;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] && s[3]) {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = 0;
	return r;
}

static const char *memfind(const char *h, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; k && i + k <= n; i++)
		if (h[i] == needle[0] && !memcmp(h + i, needle, k))
			return h + i;
	return NULL;
}

/* text that reads as a date or a time: 12:34:56, a year 19xx/20xx, a month */
static int texttime(const char *s, size_t n)
{
	static const char *months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
	                               "Aug", "Sep", "Oct", "Nov", "Dec"};

	for (size_t i = 0; i + 8 <= n; i++)
		if (isdigit((unsigned char)s[i]) && isdigit((unsigned char)s[i + 1]) && s[i + 2] == ':' &&
		    isdigit((unsigned char)s[i + 3]) && s[i + 5] == ':' && isdigit((unsigned char)s[i + 7]))
			return 1;
	for (size_t i = 0; i + 4 <= n; i++) {
		if ((!memcmp(s + i, "19", 2) || !memcmp(s + i, "20", 2)) && isdigit((unsigned char)s[i + 2]) &&
		    isdigit((unsigned char)s[i + 3]) && (i + 4 == n || !isdigit((unsigned char)s[i + 4])) &&
		    (i == 0 || !isdigit((unsigned char)s[i - 1])))
			return 1;
		for (size_t m = 0; m < LEN(months); m++)
			if (!memcmp(s + i, months[m], 3))
				return 1;
	}
	return 0;
}

/* a 32-bit word, either byte order, that differs between a and b and holds
 * a time in [t0, t1] in one of them: a time both files hold is no cause */
static int binarytime(const unsigned char *a, const unsigned char *b, size_t n, long long t0, long long t1)
{
	for (size_t i = 0; i + 4 <= n; i++) {
		if (!memcmp(a + i, b + i, 4))
			continue;
		for (const unsigned char *s = a; s; s = s == a ? b : NULL) {
			long long le = s[i] | s[i + 1] << 8 | s[i + 2] << 16 | (long long)s[i + 3] << 24;
			long long be = s[i + 3] | s[i + 2] << 8 | s[i + 1] << 16 | (long long)s[i] << 24;
			if ((le >= t0 && le <= t1) || (be >= t0 && be <= t1))
				return 1;
		}
	}
	return 0;
}

static int printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isprint((unsigned char)s[i]) && !isspace((unsigned char)s[i]))
			return 0;
	return 1;
}

/* the same bytes, as many of each, in another order */
static int sameletters(const unsigned char *a, const unsigned char *b, size_t n)
{
	size_t ca[256] = {0}, cb[256] = {0};

	for (size_t i = 0; i < n; i++)
		ca[a[i]]++, cb[b[i]]++;
	return !memcmp(ca, cb, sizeof(ca));
}

/* what kind of difference, from the bytes around the first one */
static char *hint(struct compare *c, const char *a, size_t na, const char *b, size_t nb, size_t off)
{
	size_t lo = off > 48 ? off - 48 : 0, ha = off + 48 < na ? off + 48 : na, hb = off + 48 < nb ? off + 48 : nb;

	for (size_t i = 0; c->paths && c->paths[i]; i++)
		if (memfind(a, na, c->paths[i]) || memfind(b, nb, c->paths[i]))
			return xasprintf("build-path-like: holds %s", c->paths[i]);
	for (size_t i = 0; c->names && c->names[i]; i++)
		if (memfind(b, nb, c->names[i]))
			return xasprintf("host-or-user-like: holds '%s'", c->names[i]);
	if (c->release && memfind(a, na, c->release) && !memfind(b, nb, c->release))
		return xasprintf("kernel-release-like: holds '%s' (uname -r)", c->release);
	if (na >= 2 && (unsigned char)a[0] == 0x1f && (unsigned char)a[1] == 0x8b)
		return xstrdup("compressed (gzip): the difference is inside; compare the uncompressed contents");
	if (na == nb && sameletters((const unsigned char *)a, (const unsigned char *)b, na))
		return xstrdup("ordering-like: the same bytes in another order");
	if ((ha > lo && texttime(a + lo, ha - lo)) || (hb > lo && texttime(b + lo, hb - lo)))
		return xstrdup("timestamp-like: a date or time in text near the difference");
	/* in binary data only: four letters of text often read as a recent time */
	size_t h = ha < hb ? ha : hb;
	if (h > lo && !(printable(a + lo, h - lo) && printable(b + lo, h - lo)) &&
	    binarytime((const unsigned char *)a + lo, (const unsigned char *)b + lo, h - lo, c->t0, c->t1))
		return xstrdup("timestamp-like: a recent time as a 32-bit number, changed, near the difference");
	return xstrdup("content: none of the known kinds");
}

static void diffoscope(struct compare *c, const char *pa, const char *pb, const char *rel)
{
	char *out, *flat = xstrdup(rel);
	static int n;

	if (!c->diffoscope || n >= 20)
		return;
	for (char *p = flat; *p; p++)
		if (*p == '/')
			*p = '_';
	out = xasprintf("%s/%s.txt", c->diffoscope, flat);
	mkdirp(c->diffoscope);
	/* a text report has no size limit of its own (two texts of 2.7 MB
	 * that differ in every line: 5.8 MB). diffoscope checks its report
	 * size only between differences, so one long difference is cut by
	 * the lines it keeps of each (that pair: 24 KB), and a file that
	 * differs in many places still overshoots the size (two makes, 260
	 * KB each: 3.4 MB without, 3.0 MB with these) */
	char *argv[] = {"diffoscope", "--text", out, "--max-text-report-size", "1048576",
	                "--max-diff-block-lines-saved", "1024", "--no-progress", (char *)pa, (char *)pb, NULL};
	if (proc_run(argv, NULL, PROC_NULL) >= 0) /* 1 means "they differ" */
		n++;
	free(out);
	free(flat);
}

/* two regular files whose hashes differ */
static void content(struct compare *c, const char *rel, FILE *f)
{
	char *name = unescape(rel);
	char *pa = xasprintf("%s/%s", c->a, name), *pb = xasprintf("%s/%s", c->b, name);
	size_t na, nb, off = 0;
	char *a = readfile(pa, &na), *b = readfile(pb, &nb);

	if (!a || !b) {
		fprintf(f, "  %s: cannot read %s\n", rel, !a ? pa : pb);
	} else {
		while (off < na && off < nb && a[off] == b[off])
			off++;
		char *h = hint(c, a, na, b, nb, off);
		fprintf(f, "  %s: %zu and %zu bytes, first difference at byte %zu: %s\n", rel, na, nb, off, h);
		free(h);
		diffoscope(c, pa, pb, rel);
	}
	free(a);
	free(b);
	free(pa);
	free(pb);
	free(name);
}

static void differ(struct compare *c, struct line *x, struct line *y, FILE *f)
{
	c->differ++;
	if (strcmp(x->type, y->type))
		fprintf(f, "  %s: type %s and %s\n", x->path, x->type, y->type);
	else if (strcmp(x->mode, y->mode))
		fprintf(f, "  %s: mode %s and %s (umask-like)\n", x->path, x->mode, y->mode);
	else if (strcmp(x->link, y->link))
		fprintf(f, "  %s: link to %s and to %s\n", x->path, x->link, y->link);
	if (!strcmp(x->type, "f") && !strcmp(y->type, "f") && strcmp(x->hash, y->hash))
		content(c, x->path, f);
}

int compare_outputs(struct compare *c, FILE *f)
{
	size_t na, nb, i = 0, j = 0;
	char *ta, *tb;
	struct line *a = readman(c->a, &na, &ta), *b = readman(c->b, &nb, &tb);
	int r;

	c->same = c->differ = c->onlya = c->onlyb = 0;
	if (!c->first)
		c->first = "first build", c->second = "second build";
	if (!c->t0 && !c->t1) /* plausible build times: the last five years, the next 400 days */
		c->t0 = time(NULL) - 86400LL * 365 * 5, c->t1 = time(NULL) + 86400LL * 400;
	if (!a || !b) {
		free(a), free(b), free(ta), free(tb);
		return -1;
	}
	while (i < na || j < nb) {
		int k = i == na ? 1 : j == nb ? -1 : strcmp(a[i].path, b[j].path);
		if (k < 0) {
			fprintf(f, "  %s: only in the %s\n", a[i++].path, c->first);
			c->onlya++;
		} else if (k > 0) {
			fprintf(f, "  %s: only in the %s\n", b[j++].path, c->second);
			c->onlyb++;
		} else {
			struct line *x = &a[i++], *y = &b[j++];
			if (strcmp(x->type, y->type) || strcmp(x->mode, y->mode) || strcmp(x->size, y->size) ||
			    strcmp(x->hash, y->hash) || strcmp(x->link, y->link))
				differ(c, x, y, f);
			else
				c->same++;
		}
	}
	r = c->differ || c->onlya || c->onlyb;
	free(a), free(b), free(ta), free(tb);
	return r;
}

int compare_report(struct compare *c, FILE *f)
{
	int d;

	fprintf(f, "%s: differences\n", c->name);
	if ((d = compare_outputs(c, f)) == 0)
		fprintf(f, "  none\n");
	fprintf(f, "%s: %s\n", c->name, d == 0 ? "reproducible: bit-identical" : "NOT reproducible");
	fprintf(f, "  files: %d identical, %d differ, %d only in the %s, %d only in the %s\n",
	        c->same, c->differ, c->onlya, c->first, c->onlyb, c->second);
	return d != 0;
}
