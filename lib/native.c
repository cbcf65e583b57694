/* native.c: a step of a native stage runs inside the target, in its system
 * image under qemu (lib/guest.c), with only the image's own tools.
 *
 * The host prepares a control directory for it: the phase's script, its
 * environment, the project's own files (the runner's source, stages,
 * recipes, targets, patches) and every pinned source from the cache, and
 * lib/guest-init.sh as the /init the image's init runs. The guest's
 * build trees and step cache are on a scratch disk, WORK/guest/STAGE.img,
 * kept across runs (and across changes of the recipes: the guest's own
 * cache tells what changed), so that a stopped rebuild goes on where it
 * was. On success, the scratch disk's /out becomes the step's output. */

#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "build.h"
#include "cache.h"
#include "defs.h"
#include "fetch.h"
#include "guest.h"
#include "native.h"
#include "opts.h"
#include "os.h"
#include "plan.h"
#include "proc.h"
#include "util.h"

/* what of the project the guest gets: enough to build the runner and run it */
static const char *project[] = {"Makefile", "bootstrap.c", "lib", "stages", "packages", "targets", "patches", "site"};

static int copy(const char *from, const char *to)
{
	char *argv[] = {"cp", "-a", (char *)from, (char *)to, NULL};

	return proc_run(argv, NULL, -1);
}

/* every source of every recipe, linked (or copied) from the source cache */
static int sources(struct defs *defs, const char *dir)
{
	if (mkdirp(dir) < 0)
		return -1;
	for (size_t i = 0; i < defs->npkgs; i++) {
		struct package *p = defs->pkgs[i];
		for (size_t k = 0; k < p->nsrc; k++) {
			char *file = fetch_source(p, &p->src[k]);
			char *to = xasprintf("%s/%s", dir, p->src[k].file);
			int r = !file ? -1 : exists(to) || link(file, to) == 0 ? 0 : copy(file, to);
			free(file);
			free(to);
			if (r)
				return -1;
		}
	}
	return 0;
}

int native_control(struct defs *defs, const char *ctl, const char *script, char **env)
{
	struct buf b = {0};
	char *p;
	int r = 0;

	rmtree(ctl);
	p = xasprintf("%s/project", ctl);
	if (mkdirp(p) < 0)
		fatal("cannot create %s:", p);
	for (size_t i = 0; r == 0 && i < LEN(project); i++) {
		char *from = xasprintf("%s/%s", opts.top, project[i]);
		/* patches/ and site/ are there when a recipe needs them */
		if (access(from, F_OK) == 0 || errno != ENOENT)
			r = copy(from, p);
		free(from);
	}
	/* the host's objects would only confuse the guest's make */
	char *clean[] = {"find", p, "-name", "*.o", "-delete", NULL};
	r = r || proc_run(clean, NULL, -1);
	free(p);
	p = xasprintf("%s/sources", ctl);
	r = r || sources(defs, p);
	free(p);
	p = xasprintf("%s/init", ctl);
	char *init = xasprintf("%s/lib/guest-init.sh", opts.top);
	r = r || copy(init, p);
	free(init);
	free(p);
	p = xasprintf("%s/script", ctl);
	r = r || copy(script, p);
	free(p);
	/* one NAME=VALUE a line, read by guest-init.sh; values have no
	 * newline. A jobserver of ours means nothing in the guest */
	for (size_t i = 0; env[i]; i++)
		if (!strchr(env[i], '\n') && !(startswith(env[i], "MAKEFLAGS=") && strstr(env[i], "jobserver")))
			bufprintf(&b, "%s\n", env[i]);
	p = xasprintf("%s/env", ctl);
	r = r || writefile(p, b.s, b.n);
	free(p);
	free(b.s);
	return r ? -1 : 0;
}

/* the guest's scratch disk of a native stage, kept between runs */
static char *scratchdisk(struct stage *st)
{
	return xasprintf("%s/guest/%s.img", opts.work, st->name);
}

/* the output of the stage of that kind this one needs, or NULL */
static char *needed(struct stage *st, const char *kind)
{
	for (size_t i = 0; i < st->nneeds; i++)
		if (!strcmp(st->needs[i]->def->kind, kind))
			return stage_out(st->needs[i]->name);
	return NULL;
}

char **native_argv(struct step *s, struct defs *defs, const char *dir, const char *script, char **env, const char *out)
{
	struct stage *st = s->stage;
	const char *arch = st->target->name, *triplet = envget(st->target->env, st->target->nenv, "TARGET");
	char *image = needed(st, "image"), *cross = needed(st, "cross");
	char *ctl = xasprintf("%s/control", dir), **argv = NULL, *self;
	size_t n = 0;

	if (!image) {
		perr(st->def->path, 1, "a native stage runs in the target's system image: expected 'needs image'");
		return NULL;
	}
	if (native_control(defs, ctl, script, env) < 0) {
		warn("cannot prepare the guest's control directory %s", ctl);
		return NULL;
	}
	self = os_self();
#define ARG(...) (argv = (void *)vpush((void **)argv, &n, xasprintf(__VA_ARGS__)))
	ARG("%s", self);
	ARG("-j%d", opts.jobs);
	ARG("guest");
	ARG("%s/system-image-%s", image, arch);
	ARG("%s", ctl);
	ARG("--scratch"), PUSH(argv, n, scratchdisk(st));
	ARG("--out"), ARG("%s", out);
	/* what the guest's runner logged, back here after every boot */
	ARG("--logs"), ARG("%s/logs/%s/guest", opts.work, st->name);
	/* the guest's runner says how its step goes once a minute; unpacking
	 * gcc's sources under emulation is the longest quiet time */
	ARG("--silence"), ARG("%d", 1800);
	/* its root filesystem is in RAM, and two steps may link at once */
	ARG("--mem"), ARG("%d", 3072);
	ARG("--size"), ARG("%d", 32768);
	if (cross)
		ARG("--cross"), ARG("%s", cross), ARG("--triplet"), ARG("%s", triplet);
	if (opts.distcchosts)
		ARG("--hosts"), ARG("%s", opts.distcchosts);
#undef ARG
	free(image), free(cross), free(ctl), free(self);
	return argv;
}

/* The runner inside keeps its work and cache on the scratch disk, in
 * $BUILD (packages/selfhost, lib/guest-init.sh) */
#define GUEST_RUNNER "/build/work"
#define GUEST_WORK GUEST_RUNNER "/work"
#define GUEST_HISTORY "/build/cache/state/history.csv"
#define GUEST_STEPS "/build/cache/steps"

/* the guest's history, DATE,STAGE,STEP,SECONDS a line: each step once,
 * named "STAGE,PKG PHASE", with its last time */
struct history {
	char **names;
	double *secs;
	size_t n;
	char *first, *last;	/* the dates of its first and last lines */
};

/* text is cut up in place: the history points into it */
static void readhistory(char *text, struct history *h)
{
	for (char *l = text ? strtok(text, "\n") : NULL; l; l = strtok(NULL, "\n")) {
		char *c1 = strchr(l, ','), *c3 = strrchr(l, ',');
		if (!c1 || c3 == c1)
			continue;
		*c1 = *c3 = 0;
		size_t i = 0;
		while (i < h->n && strcmp(h->names[i], c1 + 1))
			i++;
		if (i == h->n) {
			h->names = (void *)vpush((void **)h->names, &h->n, xstrdup(c1 + 1));
			h->secs = xreallocarray(h->secs, h->n, sizeof(*h->secs));
		}
		h->secs[i] = atof(c3 + 1);
		h->first = h->first ? h->first : l;
		h->last = l;
	}
}

static void freehistory(struct history *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->names[i]);
	free(h->names), free(h->secs);
}

/* the steps the guest built, from its history */
static void built(const char *disk, FILE *f)
{
	char *text = guest_read(disk, GUEST_HISTORY), d[32];
	struct history h = {0};
	double total = 0;

	readhistory(text, &h);
	for (size_t i = 0; i < h.n; i++)
		total += h.secs[i];
	/* the history is written at the end of each of the guest's runs:
	 * while one goes on, the cache (the line before) knows more */
	if (h.n && !strcmp(h.first, h.last))
		fprintf(f, "  the guest's finished runs built %zu steps there, %s in all, recorded %s\n", h.n, fmtdur(total, d), h.first);
	else if (h.n)
		fprintf(f, "  the guest's finished runs built %zu steps there, %s in all, recorded from %s to %s\n", h.n, fmtdur(total, d), h.first, h.last);
	else
		fprintf(f, "  the guest's finished runs built no step there yet\n");
	freehistory(&h);
	free(text);
}

/* the stages a native stage's guest builds: those it needs, and theirs,
 * each once, needed first */
static void guest_stages(struct stage *st, struct stage ***v, size_t *n)
{
	for (size_t i = 0; i < st->nneeds; i++) {
		struct stage *s = st->needs[i];
		size_t k = 0;
		while (k < *n && (*v)[k] != s)
			k++;
		if (k < *n)
			continue;
		guest_stages(s, v, n);
		PUSH(*v, *n, s);
	}
}

/* whether a step of the guest's plan, of that stage and package, has key */
static int haskey(struct stage **plan, size_t np, const char *stage, const char *pkg, const char *key)
{
	for (size_t i = 0; i < np; i++) {
		if (strcmp(plan[i]->name, stage))
			continue;
		for (size_t k = 0; k < plan[i]->nsteps; k++)
			if (!strcmp(plan[i]->steps[k]->pkg->name, pkg) && !strcmp(plan[i]->steps[k]->key, key))
				return 1;
	}
	return 0;
}

/* the trees of steps stopped inside, with what they have spent. A tree
 * records the key it was building (attempt): one of recipes changed
 * since is not gone on with, the step starts afresh there */
static void stopped(struct stage **plan, size_t ng, const char *disk, FILE *f)
{
	size_t ns, np;
	char **stages = guest_ls(disk, GUEST_WORK, 1, &ns), d[32];

	for (size_t i = 0; i < ns; i++) {
		char *dir = xasprintf("%s/%s", GUEST_WORK, stages[i]);
		char **pkgs = guest_ls(disk, dir, 1, &np);
		for (size_t k = 0; k < np; k++) {
			char *p = xasprintf("%s/%s/spent", dir, pkgs[k]), *spent = guest_read(disk, p);
			char *a = xasprintf("%s/%s/attempt", dir, pkgs[k]), *key = guest_read(disk, a);
			if (spent && key && !haskey(plan, ng, stages[i], pkgs[k], key))
				fprintf(f, "  a tree of other recipes: %s %s (%s spent there), started afresh when built\n",
				        stages[i], pkgs[k], fmtdur(atof(spent), d));
			else if (spent)
				fprintf(f, "  unfinished, in its tree: %s %s, %s spent by its last stop\n", stages[i], pkgs[k],
				        fmtdur(atof(spent), d));
			free(p), free(spent), free(a), free(key), free(pkgs[k]);
		}
		free(pkgs), free(dir), free(stages[i]);
	}
	free(stages);
}

/* the steps the guest's runner had under way when it last synced its disk
 * (its records, GUEST_RUNNER/running.STAGE.PKG.PHASE, are gone after a
 * clean stop): what it is doing now, when it runs, or where it was cut,
 * each with its log's last line then */
static void underway(const char *disk, FILE *f)
{
	size_t n;
	char **names = guest_ls(disk, GUEST_RUNNER, 0, &n), *synced = guest_read(disk, "/.synced"), when[32];

	for (size_t i = 0; i < n; i++) {
		if (!startswith(names[i], "running."))
			goto next;
		char *step = names[i] + strlen("running."), *phase = strrchr(step, '.'), *pkg;
		if (!phase || phase == step)
			goto next;
		*phase++ = 0;
		if (!(pkg = strrchr(step, '.')) || pkg == step)
			goto next;
		*pkg++ = 0;
		fprintf(f, "  under way in the guest at its last sync (%s): %s %s %s\n",
		        synced ? fmtutc(atol(synced), when) : "time unknown", step, pkg, phase);
		char *log = xasprintf("/logs/%s/%s.%s.log", step, pkg, phase), *text = guest_read(disk, log);
		char *end = text ? text + strlen(text) : NULL, *l;
		while (end && end > text && end[-1] == '\n')
			*--end = 0;
		if (end && end > text) {
			l = strrchr(text, '\n');
			fprintf(f, "      its log's last line: %.160s\n", l ? l + 1 : text);
		}
		free(log), free(text);
	next:
		free(names[i]);
	}
	free(names), free(synced);
}

/* whether keys holds key */
static int among(char **keys, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(keys[i], key))
			return 1;
	return 0;
}

/* the guest's own plan. Its runner has the same recipes, so its steps have
 * the keys computed here: a step is built inside when the guest's cache has
 * its key. What is left, by stage; a recipe changed since the guest built a
 * step shows here as that step to build again */
static void inside(struct stage **stages, size_t ns, const char *disk, FILE *f)
{
	size_t nk, all = 0, done = 0;
	char **keys = guest_ls(disk, GUEST_STEPS, 1, &nk);
	struct buf left = {0};

	for (size_t i = 0; i < ns; i++) {
		const char *sep = ": ";
		for (size_t k = 0; k < stages[i]->nsteps; k++) {
			struct step *s = stages[i]->steps[k];
			all++;
			if (among(keys, nk, s->key)) {
				done++;
				continue;
			}
			if (*sep == ':')
				bufprintf(&left, "      %s", stages[i]->name);
			bufprintf(&left, "%s%s %s", sep, s->pkg->name, s->phase->name);
			sep = ", ";
		}
		if (*sep == ',')
			bufputs(&left, "\n");
	}
	fprintf(f, "  inside, by the recipes here: %zu steps, %zu built in the guest, %zu to build%s\n%s",
	        all, done, all - done, all > done ? ":" : "", left.s ? left.s : "");
	/* The disk keeps what the guest built for recipes since changed, until
	 * the guest's next start prunes them (clean --stale, packages/selfhost):
	 * they take room (9 GiB for x86_64's whole system) */
	size_t other = 0;
	for (size_t j = 0; j < nk; j++)
		other += strlen(keys[j]) == 64 && strspn(keys[j], "0123456789abcdef") == 64;
	other -= done;
	if (other)
		fprintf(f, "  and %zu step%s of other recipes, built there by earlier runs (removed at the guest's next start)\n",
		        other, other == 1 ? "" : "s");
	for (size_t j = 0; j < nk; j++)
		free(keys[j]);
	free(keys), free(left.s);
}

void native_progress(struct stage *st, FILE *f)
{
	char *disk = scratchdisk(st);

	if (exists(disk)) {
		/* the stages the guest builds, by the recipes here */
		struct stage **plan = NULL;
		size_t np = 0;
		guest_stages(st, &plan, &np);
		fprintf(f, "  the guest's disk: %s (kept: the next run goes on there)\n", disk);
		inside(plan, np, disk, f);
		built(disk, f);
		stopped(plan, np, disk, f);
		underway(disk, f);
		free(plan);
	}
	free(disk);
}

/* what a guest step took: its last time inside (the history), else the
 * reference machine's guest, "REBUILD/STAGE PKG.PHASE" in
 * docs/reference-times (counted in e); -1 when neither knows */
static double guesttime(struct stage *st, struct step *g, struct history *h, struct estimate *e)
{
	char *name = xasprintf("%s,%s %s", g->stage->name, g->pkg->name, g->phase->name);
	char *stage = xasprintf("%s/%s", st->name, g->stage->name), *slot = step_slot(g);
	double t = -1;
	int other = 0;

	for (size_t i = 0; i < h->n && t < 0; i++)
		if (!strcmp(h->names[i], name))
			t = h->secs[i];
	if (t < 0 && (t = cache_reftime(stage, slot, &other)) >= 0)
		e->byref++, e->other += other;
	free(name), free(stage), free(slot);
	return t;
}

/* what a tree stopped on this very step (its key) has spent already */
static double spentinside(const char *disk, struct step *g)
{
	char *a = xasprintf("%s/%s/%s/attempt", GUEST_WORK, g->stage->name, g->pkg->name);
	char *p = xasprintf("%s/%s/%s/spent", GUEST_WORK, g->stage->name, g->pkg->name);
	char *key = guest_read(disk, a), *spent = key && !strcmp(key, g->key) ? guest_read(disk, p) : NULL;
	double t = spent ? atof(spent) : 0;

	free(a), free(p), free(key), free(spent);
	return t;
}

double native_timeleft(struct step *s, struct estimate *e)
{
	char *disk = scratchdisk(s->stage), *text = NULL, **keys = NULL;
	struct stage **plan = NULL;
	struct history h = {0};
	struct estimate mine;
	size_t np = 0, nk = 0, timed = 0;
	int ondisk = exists(disk);
	double left = 0;

	if (!e)
		e = &mine;
	memset(e, 0, sizeof(*e));
	if (ondisk) {
		text = guest_read(disk, GUEST_HISTORY);
		keys = guest_ls(disk, GUEST_STEPS, 1, &nk);
	}
	readhistory(text, &h);
	guest_stages(s->stage, &plan, &np);
	for (size_t i = 0; i < np; i++)
		for (size_t k = 0; k < plan[i]->nsteps; k++) {
			struct step *g = plan[i]->steps[k];
			if (among(keys, nk, g->key))
				continue;
			double t = guesttime(s->stage, g, &h, e);
			if (t < 0) {
				e->never++;
				continue;
			}
			timed++;
			t -= ondisk ? spentinside(disk, g) : 0;
			left += t > 0 ? t : 0;
		}
	freehistory(&h);
	for (size_t j = 0; j < nk; j++)
		free(keys[j]);
	free(keys), free(text), free(plan), free(disk);
	return timed || !e->never ? left : -1;
}
