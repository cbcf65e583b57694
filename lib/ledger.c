/* ledger.c: the builds published with the project. docs/results/ledger
 * has a line per stage built and tested here, "STAGE KEY SHA256 DATE" (the
 * sha256 is its manifest's), and docs/results/manifests/ the manifests
 * themselves; `bootstrap check STAGE` says whether a build elsewhere came
 * out the same bits, or which files differ. The key says the inputs were
 * the same (recipes, patches, sources, the stages it needs), so a
 * difference is the machine's doing. */

#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "audit.h"
#include "ledger.h"
#include "opts.h"
#include "sha256.h"
#include "util.h"

static char *ledgerpath(void)
{
	return xasprintf("%s/docs/results/ledger", opts.top);
}

static char *manifestpath(const char *stage, const char *key)
{
	return xasprintf("%s/docs/results/manifests/%s.%.12s.manifest", opts.top, stage, key);
}

/* the ledger's line for stage and key: its sha256 and date, 0 if found */
static int lookup(const char *stage, const char *key, char sha[65], char date[32], struct buf *others)
{
	char *path = ledgerpath(), *text = readfile(path, NULL), *line, *save = NULL;
	int found = -1;

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		char s[128], k[65], h[65], d[32];
		if (line[0] == '#' || sscanf(line, "%127s %64s %64s %31s", s, k, h, d) != 4 || strcmp(s, stage))
			continue;
		if (!strcmp(k, key)) {
			memcpy(sha, h, 65), memcpy(date, d, 32);
			found = 0;
		} else {
			bufprintf(others, "  %.12s (%s)\n", k, d);
		}
	}
	free(text), free(path);
	return found;
}

/* one manifest line's path: up to the first space (paths have none) */
static size_t pathlen(const char *line)
{
	return strcspn(line, " \n");
}

/* the lines of two sorted manifests that differ, by path */
static int diff(const char *a, const char *b, FILE *f)
{
	int n = 0;

	while (*a || *b) {
		size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
		int c = !*a ? 1 : !*b ? -1 : strncmp(a, b, pathlen(a) > pathlen(b) ? pathlen(a) : pathlen(b));
		if (c < 0) {
			if (n++ < 50)
				fprintf(f, "  only in the published build: %.*s\n", (int)pathlen(a), a);
			a += la + (a[la] == '\n');
		} else if (c > 0) {
			if (n++ < 50)
				fprintf(f, "  only in this build: %.*s\n", (int)pathlen(b), b);
			b += lb + (b[lb] == '\n');
		} else {
			if ((la != lb || strncmp(a, b, la)) && n++ < 50)
				fprintf(f, "  differs: %.*s\n", (int)pathlen(a), a);
			a += la + (a[la] == '\n');
			b += lb + (b[lb] == '\n');
		}
	}
	if (n > 50)
		fprintf(f, "  ... %d differences in all\n", n);
	return n;
}

int ledger_check(const char *stage)
{
	char *keyf = xasprintf("%s/out/%s.key", opts.work, stage), *key = readfile(keyf, NULL);
	char *man = xasprintf("%s/out/%s.manifest", opts.work, stage);
	char sha[65], date[32], mine[65];
	struct buf others = {0};
	int r = 1;

	if (!key || sha256_file(man, mine) < 0) {
		warn("%s is not built here (bootstrap stage %s)", stage, stage);
		goto out;
	}
	key[strcspn(key, "\n")] = 0;
	if (lookup(stage, key, sha, date, &others) < 0) {
		printf("%s: no published build with this key (%.12s); the ledger has%s\n%s", stage, key,
		       others.n ? ":" : " none of this stage", others.s ? others.s : "");
		goto out;
	}
	if (!strcmp(sha, mine)) {
		printf("%s: same bits as the published build of %s (key %.12s, manifest sha256 %.12s)\n", stage, date, key, mine);
		r = 0;
		goto out;
	}
	char *pub = manifestpath(stage, key), *a = readfile(pub, NULL), *b = readfile(man, NULL);
	printf("%s: NOT the published build of %s (same key %.12s; manifest sha256 %.12s, published %.12s)\n",
	       stage, date, key, mine, sha);
	if (a && b)
		printf("%s: differences: %d\n", stage, diff(a, b, stdout));
	else
		printf("  the published manifest %s is missing: which files differ is not known\n", pub);
	free(pub), free(a), free(b);
	r = AUDIT_DIFFER;
out:
	free(keyf), free(key), free(man), free(others.s);
	return r;
}

int ledger_publish(const char *stage)
{
	char *keyf = xasprintf("%s/out/%s.key", opts.work, stage), *key = readfile(keyf, NULL);
	char *man = xasprintf("%s/out/%s.manifest", opts.work, stage), *text = readfile(man, NULL);
	char sha[65], date[32], had[65], hadd[32];
	struct buf line = {0}, others = {0};
	time_t now = time(NULL);
	int r = 0;

	if (!key || !text || sha256_file(man, sha) < 0) {
		warn("%s is not built here (bootstrap stage %s)", stage, stage);
		r = 1;
		goto out;
	}
	key[strcspn(key, "\n")] = 0;
	if (lookup(stage, key, had, hadd, &others) == 0) {
		printf("%s: the ledger has this key already (%s, %s)\n", stage, hadd, strcmp(had, sha) ? "OTHER BITS" : "the same bits");
		r = strcmp(had, sha) ? AUDIT_DIFFER : 0;
		goto out;
	}
	strftime(date, sizeof(date), "%Y-%m-%d", gmtime(&now));
	char *pub = manifestpath(stage, key), *dir = xasprintf("%s/docs/results/manifests", opts.top), *ledger = ledgerpath();
	char *old = readfile(ledger, NULL);
	mkdirp(dir);
	bufprintf(&line, "%s%s %s %s %s\n", old ? old : "# bootstrap check STAGE compares a build with these: STAGE KEY MANIFEST-SHA256 DATE\n",
	          stage, key, sha, date);
	if (writefile(pub, text, strlen(text)) < 0 || writefile(ledger, line.s, line.n) < 0)
		fatal("cannot write %s and %s:", ledger, pub);
	printf("%s: published in %s (manifest %s)\n", stage, ledger, pub);
	free(pub), free(dir), free(ledger), free(old);
out:
	free(keyf), free(key), free(man), free(text), free(line.s), free(others.s);
	return r;
}
