/* provenance.c: what a stage output was made from, as an in-toto
 * statement with a SLSA provenance predicate (WORK/out/NAME.provenance.json).
 *
 * The subject is the stage's manifest (its sha256 covers every file of the
 * output). The materials: the target, stage and recipe files, each
 * package's pinned sources, its patches/ and site/ files, the outputs of the
 * stages it needs (their manifests). The builder: this program's version
 * and the host tools the stage let in, each with its sha256 and, where
 * dpkg knows it, the Debian package and version it came from. */

#define _XOPEN_SOURCE 700
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "defs.h"
#include "opts.h"
#include "plan.h"
#include "proc.h"
#include "provenance.h"
#include "sha256.h"
#include "tree.h"
#include "util.h"


static const char *rel(const char *path)
{
	size_t n = strlen(opts.top);

	return strncmp(path, opts.top, n) || path[n] != '/' ? path : path + n + 1;
}

/* {"name": ..., "digest": {"sha256": ...}} for a file of the project */
static void material(FILE *f, const char *path, int *first)
{
	char h[65];

	if (sha256_file(path, h) < 0)
		return;
	fprintf(f, "%s\n        {\"name\": ", *first ? "" : ",");
	json_str(f, rel(path));
	fprintf(f, ", \"digest\": {\"sha256\": \"%s\"}}", h);
	*first = 0;
}

static void sources(FILE *f, struct package *p, int *first)
{
	for (size_t i = 0; i < p->nsrc; i++) {
		struct source *s = &p->src[i];
		fprintf(f, "%s\n        {\"name\": ", *first ? "" : ",");
		json_str(f, s->file);
		fprintf(f, ", \"digest\": {\"sha256\": \"%s\"}", s->sha256);
		if (s->nurls) {
			fprintf(f, ", \"uri\": ");
			json_str(f, s->urls[0]);
		}
		if (s->apt) {
			fprintf(f, ", \"annotations\": {\"debian\": ");
			json_str(f, s->apt);
			fprintf(f, "}");
		}
		fprintf(f, "}");
		*first = 0;
	}
	size_t n;
	struct entry *e = tree_list(p->filesdir, &n);
	for (size_t i = 0; e && i < n; i++)
		if (S_ISREG(e[i].mode)) {
			char *path = xasprintf("%s/%s", p->filesdir, e[i].path);
			material(f, path, first);
			free(path);
		}
	if (e)
		tree_free(e, n);
}

/* the site/ files the stage's recipes read, each once */
static void sites(FILE *f, struct stage *st, int *first)
{
	const char **done = NULL;
	size_t ndone = 0;

	for (size_t i = 0; i < st->nsteps; i++) {
		struct package *p = st->steps[i]->pkg;
		for (size_t j = 0; j < p->nsite; j++) {
			size_t k = 0;
			while (k < ndone && strcmp(done[k], p->site[j].path))
				k++;
			if (k < ndone)
				continue;
			material(f, p->site[j].path, first);
			done = xreallocarray(done, ndone + 1, sizeof(*done));
			done[ndone++] = p->site[j].path;
		}
	}
	free(done);
}

/* which Debian package holds each of paths: one dpkg-query -S per stage
 * (its tools), into owners; every package's version, one dpkg-query -W per
 * run, into versions */
static void dpkg(char **paths, size_t n, struct buf *owners)
{
	char *t = which("dpkg-query");
	char **argv = xcalloc(n * 2 + 3, sizeof(*argv));
	size_t k = 0;

	if (!t) {
		free(argv);
		return;
	}
	argv[k++] = "dpkg-query", argv[k++] = "-S";
	for (size_t i = 0; i < n; i++) {
		if (!*paths[i])
			continue;
		argv[k++] = paths[i];
		/* dpkg knows /bin/sh, not /usr/bin/sh, on a merged /usr */
		if (startswith(paths[i], "/usr/bin/") || startswith(paths[i], "/usr/sbin/"))
			argv[k++] = paths[i] + 4;
	}
	proc_capture(argv, owners, PROC_NULL);
	free(argv);
	free(t);
}

static const char *versions(void)
{
	static struct buf v;
	static int asked;
	char *w[] = {"dpkg-query", "-W", "-f", "${Package} ${Version}\n", NULL};
	char *t;

	if (!asked && (t = which("dpkg-query"))) {
		proc_capture(w, &v, PROC_NULL);
		free(t);
	}
	asked = 1;
	return v.s;
}

/* "package version" of path, from dpkg()'s answer */
static char *debian(const char *owners, const char *path)
{
	const char *vers = versions();

	if (!owners || !vers)
		return NULL;
	for (const char *l = owners; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *colon = strstr(l, ": "), *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		if (!colon || colon > l + len)
			continue;
		const char *file = colon + 2;
		size_t flen = len - (file - l);
		int match = (strlen(path) == flen && !strncmp(file, path, flen)) ||
		            (startswith(path, "/usr/") && strlen(path + 4) == flen && !strncmp(file, path + 4, flen));
		if (!match)
			continue;
		char *pkg = xstrndup(l, strcspn(l, ":,"));
		for (const char *v = vers; v && *v; v = strchr(v, '\n') ? strchr(v, '\n') + 1 : NULL)
			if (startswith(v, pkg) && v[strlen(pkg)] == ' ') {
				char *r = xstrndup(v, strcspn(v, "\n"));
				free(pkg);
				return r;
			}
		return pkg;
	}
	return NULL;
}

/* the host tools a stage lets in, resolved as its airlock resolves them:
 * the file each name is, its sha256 and its Debian package and version
 * ("" and NULL where unknown) */
struct tool {
	const char *name;
	char *path, sha[65], *deb;
};

static struct tool *hosttools(struct stage *st, size_t *n)
{
	struct tool *t = xcalloc(st->def->ntools + 1, sizeof(*t));
	char **real = xcalloc(st->def->ntools + 1, sizeof(*real)), buf[PATH_MAX];
	struct buf owners = {0};

	*n = st->def->ntools;
	for (size_t i = 0; i < *n; i++) {
		char *p = which(st->def->tools[i]);
		t[i].name = st->def->tools[i];
		t[i].path = real[i] = p && realpath(p, buf) ? xstrdup(buf) : p ? xstrdup(p) : xstrdup("");
		if (!*t[i].path || sha256_file(t[i].path, t[i].sha) < 0)
			t[i].sha[0] = 0;
		free(p);
	}
	dpkg(real, *n, &owners);
	for (size_t i = 0; i < *n; i++)
		t[i].deb = *t[i].path ? debian(owners.s, t[i].path) : NULL;
	free(real);
	free(owners.s);
	return t;
}

static void freetools(struct tool *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(t[i].path), free(t[i].deb);
	free(t);
}

static void tools(FILE *f, struct stage *st)
{
	size_t n;
	struct tool *t = hosttools(st, &n);

	/* SLSA ResourceDescriptors: the file's URI and digest; which Debian
	 * package it came from as an annotation */
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s\n          {\"name\": ", i ? "," : "");
		json_str(f, t[i].name);
		if (*t[i].path) {
			char *uri = xasprintf("file://%s", t[i].path);
			fprintf(f, ", \"uri\": ");
			json_str(f, uri);
			free(uri);
		}
		if (t[i].sha[0])
			fprintf(f, ", \"digest\": {\"sha256\": \"%s\"}", t[i].sha);
		if (t[i].deb) {
			fprintf(f, ", \"annotations\": {\"debian\": ");
			json_str(f, t[i].deb);
			fprintf(f, "}");
		}
		fprintf(f, "}");
	}
	freetools(t, n);
}

char *provenance_tools(struct stage *st)
{
	size_t n;
	struct tool *t = hosttools(st, &n);
	struct buf b = {0};

	bufputs(&b, "");
	for (size_t i = 0; i < n; i++) {
		/* "package version" as package=version: one word */
		char *deb = t[i].deb ? xstrdup(t[i].deb) : NULL, *sp = deb ? strchr(deb, ' ') : NULL;
		if (sp)
			*sp = '=';
		bufprintf(&b, "%s %s %s\n", t[i].name, t[i].sha[0] ? t[i].sha : "-", deb ? deb : "-");
		free(deb);
	}
	freetools(t, n);
	return b.s;
}

/* a line of provenance_tools() for name, from text; NULL when none */
static char *toolline(const char *text, const char *name)
{
	size_t k = strlen(name);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, name, k) && l[k] == ' ')
			return xstrndup(l + k + 1, strcspn(l + k + 1, "\n"));
	return NULL;
}

char *provenance_toolschanged(const char *then, const char *now)
{
	struct buf b = {0};

	for (const char *l = now; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		char *name = xstrndup(l, strcspn(l, " \n")), *was = toolline(then, name), *is = toolline(now, name);
		char wsha[65] = "", isha[65] = "", wdeb[256] = "", ideb[256] = "";
		if (was && is && strcmp(was, is)) {
			sscanf(was, "%64s %255s", wsha, wdeb);
			sscanf(is, "%64s %255s", isha, ideb);
			/* by its Debian version where that moved, else by its bytes */
			if (strcmp(wdeb, ideb) && strcmp(wdeb, "-") && strcmp(ideb, "-"))
				bufprintf(&b, "%s%s (%s, now %s)", b.n ? ", " : "", name, wdeb, ideb);
			else
				bufprintf(&b, "%s%s (other bytes)", b.n ? ", " : "", name);
		}
		free(name), free(was), free(is);
	}
	return b.s;
}

/* besides the manifest, each file at the top of the output (the image's
 * tarball): what a user downloads checks against the statement itself */
static void subjects(FILE *f, struct stage *st, const char *out)
{
	size_t n;
	struct entry *e = tree_list(out, &n);
	char h[65];

	for (size_t i = 0; e && i < n; i++) {
		char *p = xasprintf("%s/%s", out, e[i].path);
		if (!strchr(e[i].path, '/') && S_ISREG(e[i].mode) && sha256_file(p, h) == 0)
			fprintf(f, ",\n    {\"name\": \"%s/%s\", \"digest\": {\"sha256\": \"%s\"}}", st->name, e[i].path, h);
		free(p);
	}
	tree_free(e, n);
}

static void utc(FILE *f, time_t t)
{
	char s[32];

	json_str(f, fmtutc(t, s));
}

int provenance_write(struct stage *st, const char *out, time_t started, time_t finished)
{
	char *path = xasprintf("%s.provenance.json", out), *tmp = xasprintf("%s.tmp", path);
	char *man = xasprintf("%s.manifest", out);
	char h[65];
	int first = 1;
	FILE *f;

	if (sha256_file(man, h) < 0 || !(f = fopen(tmp, "w"))) {
		warn("cannot write %s:", tmp);
		free(path), free(tmp), free(man);
		return -1;
	}
	fprintf(f, "{\n  \"_type\": \"https://in-toto.io/Statement/v1\",\n");
	fprintf(f, "  \"subject\": [{\"name\": \"%s.manifest\", \"digest\": {\"sha256\": \"%s\"}}", st->name, h);
	subjects(f, st, out);
	fprintf(f, "],\n  \"predicateType\": \"https://slsa.dev/provenance/v1\",\n  \"predicate\": {\n");
	fprintf(f, "    \"buildDefinition\": {\n      \"buildType\": \"%s\",\n", PROVENANCE_BUILD_TYPE);
	fprintf(f, "      \"externalParameters\": {\"stage\": \"%s\", \"target\": \"%s\", \"key\": \"%s\"},\n",
	        st->name, st->target->name, st->key);
	fprintf(f, "      \"internalParameters\": {\"steps\": [");
	for (size_t i = 0; i < st->nsteps; i++) {
		struct step *s = st->steps[i];
		fprintf(f, "%s\n        {\"package\": \"%s\", \"phase\": \"%s\", \"key\": \"%s\", ", i ? "," : "",
		        s->pkg->name, s->phase->name, s->key);
		if (s->cached)
			fprintf(f, "\"fromCache\": true}");
		else
			fprintf(f, "\"fromCache\": false, \"seconds\": %.1f}", s->total);
	}
	fprintf(f, "\n      ]},\n");
	fprintf(f, "      \"resolvedDependencies\": [");
	material(f, st->target->path, &first);
	material(f, st->def->path, &first);
	for (size_t i = 0; i < st->nsteps; i++) {
		struct package *p = st->steps[i]->pkg;
		int seen = 0;
		for (size_t k = 0; k < i; k++)
			seen |= st->steps[k]->pkg == p;
		if (seen)
			continue;
		material(f, p->path, &first);
		sources(f, p, &first);
	}
	sites(f, st, &first);
	for (size_t i = 0; i < st->nneeds; i++) {
		char *m = xasprintf("%s/out/%s.manifest", opts.work, st->needs[i]->name);
		if (sha256_file(m, h) == 0) {
			fprintf(f, ",\n        {\"name\": \"%s.manifest\", \"digest\": {\"sha256\": \"%s\"}}", st->needs[i]->name, h);
		}
		free(m);
	}
	fprintf(f, "\n      ]\n    },\n    \"runDetails\": {\n");
	fprintf(f, "      \"builder\": {\"id\": \"%s\", \"version\": {\"bootstrap\": \"%s\"},\n",
	        PROVENANCE_BUILDER_ID, BOOTSTRAP_VERSION);
	fprintf(f, "        \"builderDependencies\": [");
	tools(f, st);
	fprintf(f, "\n        ]},\n      \"metadata\": {\"startedOn\": ");
	utc(f, started);
	fprintf(f, ", \"finishedOn\": ");
	utc(f, finished);
	fprintf(f, "}\n    }\n  }\n}\n");
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		warn("cannot write %s:", path);
		free(path), free(tmp), free(man);
		return -1;
	}
	free(path), free(tmp), free(man);
	return 0;
}
