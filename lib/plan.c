/* plan.c: stages instantiated for a target, their steps, and the cache keys.
 * A step's key hashes everything that can change its output: the runner's
 * format, the target, stage and recipe files, the package's files and pinned
 * sources, and the keys of the steps and stages it reads. */

#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include "cache.h"
#include "defs.h"
#include "opts.h"
#include "plan.h"
#include "scan.h"
#include "sha256.h"
#include "tree.h"
#include "util.h"

#define FORMAT "bootstrap-step-2"

const char *host_arch(void)
{
	static struct utsname u;

	if (uname(&u) < 0)
		fatal("uname:");
	if (startswith(u.machine, "armv7"))
		return "armv7l";
	return u.machine;
}

static struct stage *find(struct plan *plan, const char *name)
{
	for (size_t i = 0; i < plan->n; i++)
		if (!strcmp(plan->stages[i]->name, name))
			return plan->stages[i];
	return NULL;
}

/* the latest step of pkg before position end of the stage */
static struct step *latest(struct stage *st, size_t end, struct package *pkg)
{
	while (end-- > 0)
		if (st->steps[end]->pkg == pkg)
			return st->steps[end];
	return NULL;
}

static void addsteps(struct plan *plan, struct stage *st)
{
	struct stagedef *def = st->def;

	for (size_t b = 0; b < def->nbuild; b++) {
		for (size_t k = 0; k < def->build[b].nphase; k++) {
			struct step *s = xcalloc(1, sizeof(*s));
			s->stage = st;
			s->pkg = def->build[b].pkg;
			s->phase = def->build[b].phase[k];
			s->prev = latest(st, st->nsteps, s->pkg);
			if (s->prev)
				PUSH(s->deps, s->ndeps, s->prev);
			for (size_t d = 0; d < s->pkg->ndepends; d++) {
				struct package *p = find_package(plan->defs, s->pkg->depends[d]);
				struct step *dep = latest(st, st->nsteps, p);
				if (dep)
					PUSH(s->deps, s->ndeps, dep);
			}
			PUSH(st->steps, st->nsteps, s);
		}
	}
	for (size_t i = 0; i < st->nsteps; i++)
		st->steps[i]->last = latest(st, st->nsteps, st->steps[i]->pkg) == st->steps[i];
}

/* the stages being added, innermost first, to report a cycle */
struct chain {
	const char *kind;
	struct chain *up;
};

char *plan_known(struct defs *d, int stages)
{
	struct buf b = {0};
	size_t n = stages ? d->nstages : d->ntargets;

	bufputs(&b, "");
	for (size_t i = 0; i < n; i++)
		bufprintf(&b, "%s%s", i ? ", " : "", stages ? d->stages[i]->kind : d->targets[i]->name);
	return b.s;
}

/* the target (or stage kind) nearest to a mistyped word, or NULL */
static const char *near(struct defs *d, int stages, const char *word)
{
	size_t n = stages ? d->nstages : d->ntargets;
	const char **names = xcalloc(n + 1, sizeof(*names)), *r;

	for (size_t i = 0; i < n; i++)
		names[i] = stages ? d->stages[i]->kind : d->targets[i]->name;
	r = nearest(word, names, n);
	free(names);
	return r;
}

/* what a mistyped target (or stage kind) could have been: "did you mean
 * 'BEFORE' NEAR 'AFTER'? (targets/: ...)" when one is near, else "expected
 * one of targets/: ..." (to free) */
static char *choices(struct defs *d, int stages, const char *word, const char *before, const char *after)
{
	const char *n = near(d, stages, word), *dir = stages ? "stages" : "targets";
	char *k = plan_known(d, stages), *r;

	if (n)
		r = xasprintf("did you mean '%s%s%s'? (%s/: %s)", before, n, after, dir, k);
	else
		r = xasprintf("expected one of %s/: %s", dir, k);
	free(k);
	return r;
}

/* depth first, so that needed stages come before their users */
static struct stage *add(struct plan *plan, const char *kind, struct target *t, struct chain *up)
{
	char *name = xasprintf("%s-%s", kind, t->name);
	struct stage *st = find(plan, name);
	struct stagedef *def = find_stage(plan->defs, kind);
	struct chain here = {kind, up};

	if (st) {
		free(name);
		return st;
	}
	for (struct chain *c = up; c; c = c->up) {
		if (strcmp(c->kind, kind))
			continue;
		struct buf b = {0};
		for (c = &here; c; c = c->up)
			bufprintf(&b, "%s%s", c->kind, c->up ? " <- " : "");
		perr(def->path, 1, "stages need each other in a cycle: %s", b.s);
		free(b.s);
		free(name);
		return NULL;
	}
	if (!def) {
		char *after = xasprintf("-%s", t->name), *c = choices(plan->defs, 1, kind, "", after);
		warn("unknown stage kind '%s' in '%s': %s", kind, name, c);
		free(after), free(c);
		free(name);
		return NULL;
	}
	st = xcalloc(1, sizeof(*st));
	st->name = name;
	st->def = def;
	st->target = t;
	st->hostcc = opts.hostcc && !strcmp(def->context, "cross");
	if (st->hostcc && strcmp(t->name, host_arch())) {
		warn("--host-toolchain builds for this machine's architecture (%s) only, not %s", host_arch(), t->name);
		free(name);
		return NULL;
	}
	for (size_t i = 0; i < def->nneeds; i++) {
		struct stage *need;
		/* the host's compiler stands in for the cross toolchain */
		if (st->hostcc && !strcmp(def->needs[i], "cross"))
			continue;
		need = add(plan, def->needs[i], t, &here);
		if (!need)
			return NULL;
		PUSH(st->needs, st->nneeds, need);
	}
	PUSH(plan->stages, plan->n, st);
	addsteps(plan, st);
	return st;
}

/* where KIND-ARCH splits: kinds may hold '-' (host-tools), so at the last
 * dash, unless only a known kind before an earlier one makes sense of the
 * name (a target misspelt with a dash: cross-x86-64) */
static const char *splitname(struct defs *d, const char *name)
{
	const char *dash = strrchr(name, '-');
	char *kind = xstrndup(name, dash - name);
	int known = find_target(d, dash + 1) || find_stage(d, kind);

	free(kind);
	for (size_t i = 0; !known && i < d->nstages; i++) {
		size_t n = strlen(d->stages[i]->kind);
		if (!strncmp(name, d->stages[i]->kind, n) && name[n] == '-')
			return name + n;
	}
	return dash;
}

int plan_add(struct plan *plan, const char *name)
{
	const char *dash = strrchr(name, '-');

	if (!dash || dash == name || !dash[1]) {
		const char *n = near(plan->defs, 0, name);
		if (n)
			warn("expected a stage name KIND-ARCH or a target, found '%s': did you mean the target '%s'?", name, n);
		else
			warn("expected a stage name KIND-ARCH (for example cross-%s) or a target, found '%s'", host_arch(), name);
		return -1;
	}
	dash = splitname(plan->defs, name);
	char *kind = xstrndup(name, dash - name);
	struct target *t = find_target(plan->defs, dash + 1);
	int r;
	if (!t && !find_stage(plan->defs, kind)) {
		/* neither half is known: not a stage name at all */
		char *k = plan_known(plan->defs, 1);
		warn("expected a stage name KIND-ARCH, found '%s': '%s' is not a kind of stage (stages/: %s)", name, kind, k);
		free(k);
		r = -1;
	} else if (!t) {
		char *before = xasprintf("%s-", kind), *c = choices(plan->defs, 0, dash + 1, before, "");
		warn("unknown target '%s' in '%s': %s", dash + 1, name, c);
		free(before), free(c);
		r = -1;
	} else {
		r = add(plan, kind, t, NULL) ? 0 : -1;
	}
	free(kind);
	return r;
}

int plan_all(struct plan *plan, const char *arch)
{
	struct target *t = find_target(plan->defs, arch);

	if (!t) {
		char *c = choices(plan->defs, 0, arch, "", "");
		warn("unknown target '%s': %s", arch, c);
		free(c);
		return -1;
	}
	for (size_t i = 0; i < plan->defs->nstages; i++)
		if (!add(plan, plan->defs->stages[i]->kind, t, NULL))
			return -1;
	return 0;
}

const char *step_name(struct step *s)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s %s %s", s->stage->name, s->pkg->name, s->phase->name);
	return buf;
}

char *step_slot(struct step *s)
{
	return xasprintf("%s.%s", s->pkg->name, s->phase->name);
}

static void line(struct buf *b, const char *what, const char *name, const char *hash)
{
	bufprintf(b, "%s %s %s\n", what, name, hash);
}

/* a file's directives, comments and layout left out, so that only a change
 * of meaning moves a key; a recipe's phases are hashed one by one instead */
static const char *relpath(const char *path, const char *top)
{
	size_t n = strlen(top);

	return strncmp(path, top, n) || path[n] != '/' ? path : path + n + 1;
}

/* skip: whether a directive is left out (a recipe's phases, a target's
 * directives read by use) */
static void dochash(struct buf *b, const char *what, struct doc *doc, const char *top,
                    int (*skip)(const char *key))
{
	struct sha256 sh;
	char h[65];
	const char *rel = relpath(doc->path, top);

	sha256_init(&sh);
	for (size_t i = 0; i < doc->n; i++) {
		struct directive *d = &doc->d[i];
		if (skip && skip(d->key))
			continue;
		sha256_update(&sh, d->key, strlen(d->key) + 1);
		sha256_update(&sh, d->arg, strlen(d->arg) + 1);
		if (d->block)
			sha256_update(&sh, d->block, strlen(d->block) + 1);
	}
	sha256_hex(&sh, h);
	line(b, what, rel, h);
}

/* what of a recipe is not in its key: its phases (hashed one by one) and
 * its sources' licences (the SBOM's, no input of the build) */
static int notinkey(const char *key)
{
	return !strcmp(key, "phase") || !strcmp(key, "license");
}

static int isbyuse(const char *key)
{
	return target_byuse(key) != NULL;
}

/* whether a step's text names $VAR or ${VAR} */
static int names(const char *text, const char *var)
{
	size_t n = strlen(var);

	for (const char *p = text; (p = strchr(p, '$')); p++) {
		const char *v = p[1] == '{' ? p + 2 : p + 1;
		if (!strncmp(v, var, n) && !(isalnum((unsigned char)v[n]) || v[n] == '_'))
			return 1;
	}
	return 0;
}

/* the directives read by use in doc that the step names and over does not
 * give: one line each, under the name of the target that gives it */
static void byuse_doc(struct buf *b, struct step *s, struct target *from, struct doc *over)
{
	struct target *t = s->stage->target;
	struct doc *doc = from->doc;
	char h[65];

	for (size_t i = 0; i < doc->n; i++) {
		const char *var = target_byuse(doc->d[i].key);
		int first = 1;
		if (!var || !names(s->phase->text, var))
			continue;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(doc->d[j].key, doc->d[i].key))
				first = 0;
		for (size_t j = 0; over && j < over->n; j++)
			if (!strcmp(over->d[j].key, doc->d[i].key))
				first = 0;
		if (!first)
			continue;
		const char *v = envget(t->env, t->nenv, var);
		sha256_str(v, strlen(v), h);
		line(b, doc->d[i].key, from->name, h);
	}
}

/* the target's directives read by use that the step names; a board's,
 * then its toolchain's that it leaves as they are */
static void byuse(struct buf *b, struct step *s)
{
	struct target *t = s->stage->target;

	byuse_doc(b, s, t, NULL);
	if (t->toolchain != t)
		byuse_doc(b, s, t->toolchain, t->doc);
	/* the board's name, where a step writes it (a board's steps share
	 * the target line with its toolchain's) */
	if (names(s->phase->text, "BOARD"))
		line(b, "board", t->name, "-");
}

static int endswith(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);

	return n >= k && !strcmp(s + n - k, tail);
}

/* the runner's own source: a native step builds this program in the
 * target and runs it there, so what it is made of is an input of the
 * step (the recipes it runs count through the stages it needs) */
static void runnerhash(struct buf *b, const char *top)
{
	static const char *files[] = {"Makefile", "bootstrap.c"};
	struct sha256 sh;
	char h[65], *lib = xasprintf("%s/lib", top);
	size_t n;
	struct entry *e = tree_list(lib, &n);

	/* a project without them (recipes alone) cannot build the runner
	 * in the target: said here, before anything is built */
	if (!e)
		fatal("a native stage builds the runner in the target from its source: cannot read %s:", lib);
	sha256_init(&sh);
	for (size_t i = 0; i < LEN(files) + n; i++) {
		char *path = i < LEN(files) ? xasprintf("%s/%s", top, files[i]) : xasprintf("%s/%s", lib, e[i - LEN(files)].path);
		size_t len;
		int skip = i >= LEN(files) && (!S_ISREG(e[i - LEN(files)].mode) || endswith(path, ".o"));
		char *text = skip ? NULL : readfile(path, &len);
		if (!skip && !text)
			fatal("a native stage builds the runner in the target from its source: cannot read %s:", path);
		if (text) {
			sha256_update(&sh, path + strlen(top), strlen(path + strlen(top)) + 1);
			sha256_update(&sh, text, len);
		}
		free(text), free(path);
	}
	sha256_hex(&sh, h);
	line(b, "runner", "source", h);
	tree_free(e, n);
	free(lib);
}

static void stepkey(struct plan *plan, struct step *s)
{
	struct buf b = {0};
	struct package *p = s->pkg;
	struct stage *st = s->stage;
	char h[65];

	bufprintf(&b, "format %s\n", FORMAT);
	/* the emulator's settings and kernel symbols count for the steps that
	 * read them alone: a new one must not rebuild the toolchain */
	dochash(&b, "target", st->target->toolchain->doc, plan->defs->top, isbyuse);
	byuse(&b, s);
	dochash(&b, "stage", st->def->doc, plan->defs->top, NULL);
	dochash(&b, "recipe", p->doc, plan->defs->top, notinkey);
	line(&b, "files", p->name, p->fileshash);
	for (size_t i = 0; i < p->nsite; i++)
		line(&b, "site", p->site[i].name, p->site[i].sha256);
	for (size_t i = 0; i < p->nsrc; i++)
		line(&b, "source", p->src[i].file, p->src[i].sha256);
	/* the phase's own text: adding or changing another phase moves nothing */
	{
		struct buf t = {0};
		bufprintf(&t, "%s %d\n%s", s->phase->name, s->phase->bash, s->phase->text);
		sha256_str(t.s, t.n, h);
		t.n = 0;
		bufprintf(&t, "%s:%s", relpath(p->path, plan->defs->top), s->phase->name);
		line(&b, "phase", t.s, h);
		free(t.s);
	}
	for (size_t i = 0; i < s->ndeps; i++) {
		char *slot = step_slot(s->deps[i]);
		line(&b, "input", slot, s->deps[i]->key);
		free(slot);
	}
	/* by architecture, not board: a board's stages that are its
	 * toolchain's must have their keys; the keys tell boards apart */
	for (size_t i = 0; i < st->nneeds; i++) {
		char *arch = xasprintf("%s-%s", st->needs[i]->def->kind, st->needs[i]->target->toolchain->name);
		line(&b, "needs", arch, st->needs[i]->key);
		free(arch);
	}
	if (st->hostcc)
		line(&b, "toolchain", "host", "-");
	if (!strcmp(st->def->context, "native"))
		runnerhash(&b, plan->defs->top);
	sha256_str(b.s, b.n, s->key);
	s->inputs = b.s;
	s->cached = cache_has(s->key);
}

void plan_keys(struct plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		struct stage *st = plan->stages[i];
		struct buf b = {0};
		bufputs(&b, "");
		for (size_t k = 0; k < st->nsteps; k++) {
			stepkey(plan, st->steps[k]);
			bufprintf(&b, "%s\n", st->steps[k]->key);
		}
		sha256_str(b.s, b.n, st->key);
		free(b.s);
	}
}

/* length of the "what name" part of the "what name hash" line at p */
static size_t keylen(const char *p)
{
	const char *e = strchr(p, '\n'), *sp = NULL;

	for (const char *q = p; e && q < e; q++)
		if (*q == ' ')
			sp = q;
	return sp ? (size_t)(sp - p) : 0;
}

static const char *nextline(const char *p)
{
	p = strchr(p, '\n');
	return p ? p + 1 : NULL;
}

/* the line of text whose "what name" is l[0..n) */
static const char *findline(const char *text, const char *l, size_t n)
{
	for (const char *p = text; p && *p; p = nextline(p))
		if (keylen(p) == n && !strncmp(p, l, n))
			return p;
	return NULL;
}

void plan_why(struct step *s, FILE *f)
{
	char *slot = step_slot(s);
	char *last = cache_getlast(s->stage->name, slot);
	const char *p, *old;
	size_t n;
	int any = 0;

	free(slot);
	if (!last) {
		fprintf(f, "      never built\n");
		return;
	}
	for (p = s->inputs; p && *p; p = nextline(p)) {
		n = keylen(p);
		old = findline(last, p, n);
		if (!old || strncmp(old, p, nextline(p) - p)) {
			fprintf(f, "      %s %.*s\n", old ? "changed" : "new", (int)n, p);
			any = 1;
		}
	}
	for (p = last; p && *p; p = nextline(p)) {
		n = keylen(p);
		if (n && !findline(s->inputs, p, n)) {
			fprintf(f, "      dropped %.*s\n", (int)n, p);
			any = 1;
		}
	}
	if (!any)
		fprintf(f, "      inputs as last built, but its cache entry is gone\n");
	free(last);
}
