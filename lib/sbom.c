/* sbom.c: what a stage output was made of, as an SPDX 2.3 document beside
 * it (WORK/out/NAME.spdx.json): one SPDX package per pinned source of
 * every recipe that went into it, its own stage's and those of the stages
 * it needs, all the way down (the image's covers its root filesystem,
 * native compiler and kernel, and the cross toolchain that built them):
 * name, version, file and sha256, where it comes from (upstream URL and
 * Debian source package, as a purl), and its licence as the recipe
 * declares it. Recipes without sources (the image's, the root
 * filesystem's skeleton) are the project's own and are not listed. */

#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "defs.h"
#include "opts.h"
#include "plan.h"
#include "sbom.h"
#include "util.h"

/* each package once, with the first stage that built it */
struct seen {
	struct package *pkg;
	const char *stage;
};

static void collect(struct stage *st, struct seen **v, size_t *n)
{
	for (size_t i = 0; i < st->nneeds; i++)
		collect(st->needs[i], v, n);
	for (size_t i = 0; i < st->nsteps; i++) {
		struct package *p = st->steps[i]->pkg;
		size_t k = 0;
		while (k < *n && (*v)[k].pkg != p)
			k++;
		if (k < *n || !p->nsrc)
			continue;
		*v = xreallocarray(*v, *n + 1, sizeof(**v));
		(*v)[*n].pkg = p;
		(*v)[(*n)++].stage = st->name;
	}
}

/* the source's name and version: Debian's (apt NAME=VERSION) if it has
 * one, else the recipe's */
static void naming(const struct package *p, const struct source *s, char **name, char **version)
{
	char *eq = s->apt ? strchr(s->apt, '=') : NULL;

	*name = eq ? xstrndup(s->apt, eq - s->apt) : xstrdup(p->name);
	*version = eq ? xstrdup(eq + 1) : xstrdup(p->version);
}

static void source(FILE *f, const struct package *p, const struct source *s, const char *id, const char *stage)
{
	char *name, *version;

	naming(p, s, &name, &version);
	fprintf(f, "    {\n      \"SPDXID\": ");
	json_str(f, id);
	fprintf(f, ",\n      \"name\": ");
	json_str(f, name);
	fprintf(f, ",\n      \"versionInfo\": ");
	json_str(f, version);
	fprintf(f, ",\n      \"packageFileName\": ");
	json_str(f, s->file);
	fprintf(f, ",\n      \"downloadLocation\": ");
	json_str(f, s->nurls ? s->urls[0] : "NOASSERTION");
	fprintf(f, ",\n      \"filesAnalyzed\": false,\n      \"checksums\": [{\"algorithm\": \"SHA256\", \"checksumValue\": ");
	json_str(f, s->sha256);
	fprintf(f, "}],\n      \"licenseConcluded\": \"NOASSERTION\",\n      \"licenseDeclared\": ");
	json_str(f, s->license ? s->license : "NOASSERTION");
	fprintf(f, ",\n      \"copyrightText\": \"NOASSERTION\",\n      \"comment\": ");
	char *c = xasprintf("built by %s (recipe packages/%s, version %s) in stage %s", p->name, p->name, p->version, stage);
	json_str(f, c);
	free(c);
	if (s->apt) {
		/* purl of a Debian source package: no archive host named */
		char *purl = xasprintf("pkg:deb/debian/%s@%s?arch=source", name, version);
		fprintf(f, ",\n      \"externalRefs\": [{\"referenceCategory\": \"PACKAGE-MANAGER\", "
		        "\"referenceType\": \"purl\", \"referenceLocator\": ");
		json_str(f, purl);
		fprintf(f, "}]");
		free(purl);
	}
	fprintf(f, "\n    }");
	free(name), free(version);
}

int sbom_write(struct stage *st, const char *out)
{
	char *path = xasprintf("%s.spdx.json", out), *tmp = xasprintf("%s.tmp", path);
	struct seen *v = NULL;
	size_t n = 0, count = 0;
	char when[32];
	time_t now = time(NULL);
	FILE *f = fopen(tmp, "w");

	if (!f) {
		warn("cannot write %s:", tmp);
		free(path), free(tmp);
		return -1;
	}
	collect(st, &v, &n);
	fmtutc(now, when);
	fprintf(f, "{\n  \"spdxVersion\": \"SPDX-2.3\",\n  \"dataLicense\": \"CC0-1.0\",\n"
	        "  \"SPDXID\": \"SPDXRef-DOCUMENT\",\n  \"name\": ");
	json_str(f, st->name);
	/* unique per stage key, as SPDX asks; not a location to fetch */
	fprintf(f, ",\n  \"documentNamespace\": \"https://spdx.org/spdxdocs/bootstrap-%s-%s\",\n", st->name, st->key);
	fprintf(f, "  \"creationInfo\": {\"created\": \"%s\", \"creators\": [\"Tool: bootstrap-%s\"]},\n", when, BOOTSTRAP_VERSION);
	fprintf(f, "  \"documentDescribes\": [\"SPDXRef-stage\"],\n  \"packages\": [\n");
	fprintf(f, "    {\n      \"SPDXID\": \"SPDXRef-stage\",\n      \"name\": ");
	json_str(f, st->name);
	fprintf(f, ",\n      \"versionInfo\": \"%s\",\n      \"downloadLocation\": \"NOASSERTION\",\n"
	        "      \"filesAnalyzed\": false,\n      \"licenseConcluded\": \"NOASSERTION\",\n"
	        "      \"licenseDeclared\": \"NOASSERTION\",\n      \"copyrightText\": \"NOASSERTION\",\n"
	        "      \"comment\": \"the stage output; its files and their sha256 are in %s.manifest\"\n    }",
	        st->key, st->name);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < v[i].pkg->nsrc; k++) {
			char *id = xasprintf("SPDXRef-source-%zu", ++count);
			fprintf(f, ",\n");
			source(f, v[i].pkg, &v[i].pkg->src[k], id, v[i].stage);
			free(id);
		}
	fprintf(f, "\n  ],\n  \"relationships\": [\n");
	fprintf(f, "    {\"spdxElementId\": \"SPDXRef-DOCUMENT\", \"relationshipType\": \"DESCRIBES\", "
	        "\"relatedSpdxElement\": \"SPDXRef-stage\"}");
	for (size_t i = 1; i <= count; i++)
		fprintf(f, ",\n    {\"spdxElementId\": \"SPDXRef-stage\", \"relationshipType\": \"GENERATED_FROM\", "
		        "\"relatedSpdxElement\": \"SPDXRef-source-%zu\"}", i);
	fprintf(f, "\n  ]\n}\n");
	free(v);
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		warn("cannot write %s:", path);
		unlink(tmp);
		free(path), free(tmp);
		return -1;
	}
	free(path), free(tmp);
	return 0;
}
