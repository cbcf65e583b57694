/* rebuilt.c: `bootstrap audit rebuild-ARCH`, the self-hosting comparison.
 *
 * A rebuild stage is the target building itself again with its own tools
 * (inside the emulator). Its output holds the stages it rebuilt, one
 * directory each under the stage's name (root-ARCH, native-ARCH...), as
 * the runner in the guest left them in its own out/. Nothing is built here:
 * each of those directories is compared with the same stage as built here
 * with the cross toolchain, in the audit's report format, the cross build
 * first. The report goes to WORK/audit/rebuild-ARCH/report. */

#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit.h"
#include "build.h"
#include "cache.h"
#include "compare.h"
#include "manifest.h"
#include "opts.h"
#include "plan.h"
#include "tree.h"
#include "util.h"

static int isstage(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

/* the rebuilt NAME, linked into dir/rebuilt/NAME with a manifest made
 * here: what the guest wrote beside it is not taken on trust */
static char *rebuilt(const char *out, const char *name, const char *dir)
{
	char *src = xasprintf("%s/%s", out, name), *dst = xasprintf("%s/rebuilt/%s", dir, name);
	char *man = xasprintf("%s.manifest", dst);

	if (mkdirp(dst) < 0 || tree_merge(src, dst, TREE_LINK) < 0 || manifest_save(dst, man) < 0)
		fatal("cannot take %s into %s:", src, dst);
	free(src), free(man);
	return dst;
}

static int one(const char *name, const char *out, const char *dir, FILE *f)
{
	const char *paths[] = {opts.work, cache_root(), NULL};
	char *a = stage_out(name), *man = xasprintf("%s.manifest", a), *b;
	char *dfs = xasprintf("%s/diffoscope", dir), *tool = which("diffoscope");
	int r;

	if (!exists(man)) {
		fprintf(f, "%s: not built here: bootstrap stage %s\n", name, name);
		free(a), free(man), free(dfs), free(tool);
		return 1;
	}
	b = rebuilt(out, name, dir);
	struct compare c = {
		.name = name, .a = a, .b = b, .paths = paths,
		.first = "cross build", .second = "rebuild", .diffoscope = tool ? dfs : NULL,
	};
	r = compare_report(&c, f);
	free(a), free(man), free(b), free(dfs), free(tool);
	return r;
}

int audit_rebuilt(struct plan *plan)
{
	struct stage *st = plan->stages[plan->n - 1];
	char *out = stage_out(st->name), *dir = xasprintf("%s/audit/%s", opts.work, st->name);
	char *reportf = xasprintf("%s/report", dir);
	struct dirent **e;
	int n, r = 0, stages = 0;
	FILE *f;

	rmtree(dir);
	if (mkdirp(dir) < 0 || !(f = fopen(reportf, "w")))
		fatal("cannot write %s:", reportf);
	if ((n = scandir(out, &e, isstage, alphasort)) < 0)
		fatal("cannot list %s:", out);
	fprintf(f, "comparison of %s (bootstrap %s)\n", st->name, BOOTSTRAP_VERSION);
	fprintf(f, "  stage key:    %s\n", st->key);
	fprintf(f, "  cross build:  %s/out\n  rebuild:      %s\n", opts.work, out);
	for (int i = 0; i < n; i++) {
		char *p = xasprintf("%s/%s", out, e[i]->d_name);
		if (isdir(p))
			r |= one(e[i]->d_name, out, dir, f), stages++;
		free(p);
		free(e[i]);
	}
	free(e);
	if (stages == 0) {
		fprintf(f, "%s holds no stage to compare\n", out);
		r = 1;
	}
	fclose(f);
	char *text = readfile(reportf, NULL);
	fputs(text ? text : "", stdout);
	printf("report: %s\n", reportf);
	free(text), free(out), free(dir), free(reportf);
	return r ? AUDIT_DIFFER : 0;
}
