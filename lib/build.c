/* build.c: carrying out a plan.
 *
 * A package's phases in a stage share a build tree, WORK/work/STAGE/PKG:
 * src/ (sources unpacked, patches applied), build/, stage/ (the outputs of
 * the steps this one reads, hard-linked together, copied where no link can
 * reach) and home/. The file "done" there names the key of the last phase
 * that finished in it (or the sources, once unpacked); "attempt", the last
 * phase started there. A phase runs in the tree when "done" names its
 * predecessor, even after an attempt of it failed or was stopped: like make
 * run again, it carries on from there. After an attempt of another version
 * of the step, or when an earlier phase changed or the tree is gone, the
 * tree starts over from fresh sources, and earlier phases are replayed for
 * their trees only: their outputs are cached.
 * Outputs are written in the cache's tmp/ and renamed into place, so none
 * is ever half-written. */

#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "archive.h"
#include "build.h"
#include "cache.h"
#include "defs.h"
#include "fetch.h"
#include "manifest.h"
#include "guest.h"
#include "native.h"
#include "report.h"
#include "opts.h"
#include "plan.h"
#include "proc.h"
#include "provenance.h"
#include "sbom.h"
#include "run.h"
#include "sha256.h"
#include "tree.h"
#include "util.h"
#include "worktree.h"

static int nbuild, ibuild; /* steps to build in this run, and started */
static int untimed;      /* steps not started yet that were never timed */
static double timeleft;  /* the others' last times */
static struct defs *defs;  /* of the plan being built: a native step ships them all */

char *stage_out(const char *name)
{
	return xasprintf("%s/out/%s", opts.work, name);
}

char *stage_var(const char *kind)
{
	char *v = xstrdup(kind);

	for (char *p = v; *p; p++)
		*p = *p == '-' ? '_' : *p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p;
	return v;
}

/* $NAME and ${NAME} from env; unknown names are left as written */
static char *expand(const char *s, char **env, size_t n)
{
	struct buf b = {0};

	bufputs(&b, "");
	while (*s) {
		if (*s != '$') {
			bufadd(&b, s++, 1);
			continue;
		}
		int brace = s[1] == '{';
		const char *name = s + 1 + brace, *e = name;
		while (*e == '_' || (*e >= 'A' && *e <= 'Z') || (*e >= 'a' && *e <= 'z') || (*e >= '0' && *e <= '9'))
			e++;
		char *var = xstrndup(name, e - name);
		const char *val = envget(env, n, var);
		if (e == name || !val || (brace && *e != '}')) {
			bufadd(&b, s++, 1);
		} else {
			bufputs(&b, val);
			s = e + brace;
		}
		free(var);
	}
	return b.s;
}

/* an audit's variations of the steps' environment, one NAME=VALUE a line
 * (opts.vary, from --audit-vary): each replaces the runner's own */
static char **vary(char **env, size_t n)
{
	const char *v = opts.vary;
	char *copy, *save;

	if (!v || !*v)
		return env;
	copy = xstrdup(v);
	for (char *e = strtok_r(copy, "\n", &save); e; e = strtok_r(NULL, "\n", &save)) {
		size_t len = strcspn(e, "=") + 1;
		for (size_t i = 0; i < n;)
			if (!strncmp(env[i], e, len)) {
				free(env[i]);
				env[i] = env[--n];
				env[n] = NULL;
			} else {
				i++;
			}
		env = (void *)vpush((void **)env, &n, xstrdup(e));
	}
	free(copy);
	return env;
}

#define SETENV(...) (env = (void *)vpush((void **)env, &n, xasprintf(__VA_ARGS__)))

static char **step_env(struct step *s, const char *dir, const char *out, const char *airlock)
{
	struct stage *st = s->stage;
	struct stagedef *def = st->def;
	struct target *t = st->target;
	char **env = NULL, *cc, *path;
	size_t n = 0;
	struct buf pb = {0};

	SETENV("LC_ALL=C");
	SETENV("TZ=UTC");
	SETENV("HOME=%s/home", dir);
	SETENV("SOURCE_DATE_EPOCH=%ld", s->pkg->epoch);
	SETENV("JOBS=%d", opts.jobs);
	SETENV("MAKEFLAGS=%s", opts.makeflags ? opts.makeflags : xasprintf("-j%d", opts.jobs));
	/* prefixed: build systems read VERSION, PACKAGE and the like */
	SETENV("BOOTSTRAP_PACKAGE=%s", s->pkg->name);
	SETENV("BOOTSTRAP_VERSION=%s", s->pkg->version);
	SETENV("BOOTSTRAP_PHASE=%s", s->phase->name);
	SETENV("BOOTSTRAP_STAGE=%s", st->name);
	SETENV("SRC=%s/src", dir);
	SETENV("BUILD=%s/build", dir);
	SETENV("STAGE=%s/stage", dir);
	SETENV("OUT=%s", out);
	SETENV("FILES=%s", s->pkg->filesdir);
	/* configure's answers the recipe names; with none, /dev/null, which
	 * configure skips: else it would read the build machine's own
	 * PREFIX/share/config.site */
	{
		struct buf sb = {0};
		for (size_t i = 0; i < s->pkg->nsite; i++)
			bufprintf(&sb, "%s%s", i ? " " : "", s->pkg->site[i].path);
		SETENV("CONFIG_SITE=%s", sb.s ? sb.s : "/dev/null");
		free(sb.s);
	}
	for (size_t i = 0; i < t->nenv; i++)
		SETENV("%s", t->env[i]);
	for (size_t i = 0; i < st->nneeds; i++) {
		char *v = stage_var(st->needs[i]->def->kind);
		SETENV("%s=%s", v, stage_out(st->needs[i]->name));
		free(v);
	}
	/* the toolchain: recipes say $CC and --host=$HOST in every context */
	SETENV("CONTEXT=%s", def->context);
	cc = !strcmp(def->context, "cross") && !st->hostcc ? xasprintf("%s-", envget(t->env, t->nenv, "TARGET")) : "";
	if (strcmp(def->context, "host"))
		SETENV("HOST=%s", envget(t->env, t->nenv, "TARGET"));
	if (*cc)
		SETENV("CROSS_COMPILE=%s", cc);
	SETENV("CC=%s%s", cc, *cc ? "gcc" : "cc");
	/* the build machine's compiler, whatever CC is: configure scripts and
	 * config.guess look here to tell the build machine from the host */
	SETENV("CC_FOR_BUILD=cc");
	SETENV("CXX=%s%s", cc, *cc ? "g++" : "c++");
	SETENV("AR=%sar", cc);
	SETENV("RANLIB=%sranlib", cc);
	SETENV("STRIP=%sstrip", cc);
	/* distcc's masquerade links come before every compiler they stand for.
	 * gcc's own build calls the compiler it has just made by path, not by
	 * name, for its target libraries (libgcc, libstdc++): its top-level
	 * Makefile puts $STAGE_CC_WRAPPER, which it leaves to the environment,
	 * in front of that path, and distcc there sends those compiles out too
	 * (the host serves them as xgcc and xg++, with the same compiler) */
	if (opts.distcc) {
		char *wrapper = xasprintf("%s/distcc", opts.distcc);
		bufprintf(&pb, "%s:", opts.distcc);
		if (exists(wrapper))
			SETENV("STAGE_CC_WRAPPER=%s", wrapper);
		free(wrapper);
	}
	for (size_t i = 0; i < def->npaths; i++) {
		char *p = expand(def->paths[i], env, n);
		bufprintf(&pb, "%s:", p);
		free(p);
	}
	bufputs(&pb, airlock);
	path = pb.s;
	SETENV("PATH=%s", path);
	free(path);
	for (size_t i = 0; i < def->nenv; i++) {
		char *e = expand(def->env[i], env, n);
		env = (void *)vpush((void **)env, &n, e);
	}
	return vary(env, n);
}

/* with --spare-tools, a tool the system lacks is said once a run, not once
 * a stage: the stages share most of their tools */
static void spare(const char *tool)
{
	static char **said;
	static size_t n;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(said[i], tool))
			return;
	PUSH(said, n, xstrdup(tool));
	warn("host tool '%s' is not on this system: left out of the stages that name it", tool);
}

/* WORK/airlock/STAGE: symlinks to the host commands the stage declares */
static char *airlock(struct stage *st)
{
	char *dir = xasprintf("%s/airlock/%s", opts.work, st->name);
	int err = 0;

	rmtree(dir);
	if (mkdirp(dir) < 0)
		fatal("cannot create %s:", dir);
	for (size_t i = 0; i < st->def->ntools; i++) {
		/* $QEMU and the like: the target's variables */
		char *tool = expand(st->def->tools[i], st->target->env, st->target->nenv);
		char *host = which(tool);
		char *link = xasprintf("%s/%s", dir, tool);
		if (!host && opts.sparetools)
			spare(tool);
		else if (!host)
			err = perr(st->def->path, 1, "host tool '%s' is not installed (bootstrap doctor says what to install)", tool);
		else if (symlink(host, link) < 0 && errno != EEXIST)
			fatal("cannot create %s:", link);
		free(host);
		free(link);
		free(tool);
	}
	if (err) {
		free(dir);
		return NULL;
	}
	return dir;
}

/* fresh sources: every source unpacked, then the patches in order */
static int unpack(struct step *s, const char *dir)
{
	struct package *p = s->pkg;
	char *src = xasprintf("%s/src", dir);
	int r = 0;

	for (size_t i = 0; r == 0 && i < p->nsrc; i++) {
		struct source *so = &p->src[i];
		char *file = fetch_source(p, so);
		if (!file) {
			r = -1;
		} else if (so->inner) {
			char *outer = xasprintf("%s/outer", dir);
			char *inner = xasprintf("%s/%s", outer, so->inner);
			r = archive_unpack(file, outer, NULL);
			if (r == 0 && !exists(inner))
				r = perr(p->path, so->line, "%s holds no %s", so->file, so->inner);
			if (r == 0)
				r = archive_unpack(inner, src, so->into);
			rmtree(outer);
			free(outer);
			free(inner);
		} else {
			r = archive_unpack(file, src, so->into);
		}
		free(file);
	}
	for (size_t i = 0; r == 0 && i < p->npatches; i++) {
		/* options toybox's patch has too: the same runner unpacks in the target */
		char *argv[] = {"patch", "-p1", "-s", "-d", src, "-i", p->patches[i], NULL};
		if (proc_run(argv, NULL, -1) != 0)
			r = perr(p->patches[i], 0, "does not apply to %s %s", p->name, p->version);
	}
	free(src);
	return r;
}

static void addclosure(struct step *s, struct step ***v, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i] == s)
			return;
	*v = (void *)vpush((void **)*v, n, s);
	for (size_t i = 0; i < s->ndeps; i++)
		addclosure(s->deps[i], v, n);
}

static size_t stepindex(struct step *s)
{
	size_t i = 0;

	while (s->stage->steps[i] != s)
		i++;
	return i;
}

static int cmpstep(const void *a, const void *b)
{
	size_t x = stepindex(*(struct step *const *)a), y = stepindex(*(struct step *const *)b);

	return x < y ? -1 : x > y;
}

/* dir/stage: what this step reads, in stage order, later over earlier */
static int makeview(struct step *s, const char *dir)
{
	char *view = xasprintf("%s/stage", dir);
	struct step **v = NULL;
	size_t n = 0;
	int r = 0;

	rmtree(view);
	mkdirp(view);
	for (size_t i = 0; i < s->ndeps; i++)
		addclosure(s->deps[i], &v, &n);
	if (n)
		qsort(v, n, sizeof(*v), cmpstep);
	for (size_t i = 0; r == 0 && i < n; i++) {
		char *out = cache_out(v[i]->key);
		r = tree_merge(out, view, TREE_LINK);
		if (r < 0)
			warn("cannot assemble %s from %s:", view, out);
		free(out);
	}
	free(v);
	free(view);
	return r;
}

/* how a phase is run: for its output, replayed for its build tree only
 * (an earlier phase), or a first time before the real one (an audit's
 * "resume": what a build stopped and resumed does) */
enum { REAL, REPLAY, FIRST };

/* what a step should take: its last time here (or the reference
 * machine's); a native stage's step, what its guest has left */
static double esttime(struct step *s)
{
	char *slot;
	double t;

	if (!strcmp(s->stage->def->context, "native"))
		return native_timeleft(s, NULL);
	slot = step_slot(s);
	t = cache_gettime(s->stage->name, slot, NULL);
	free(slot);
	return t;
}

/* run one phase in dir; out receives its output */
static int phase(struct step *s, const char *dir, const char *out, const char *lock, int how, double t0)
{
	static const char *suffix[] = {"", ".replay", ".first"};
	char *script = xasprintf("%s/%s.sh", dir, s->phase->name);
	char *logdir = xasprintf("%s/logs/%s", opts.work, s->stage->name);
	char *log = xasprintf("%s/%s.%s%s.log", logdir, s->pkg->name, s->phase->name, suffix[how]);
	char *rec = worktree_record(s), *done = xasprintf("%s/done", dir);
	char *label, *slot = step_slot(s), **env;
	char *text = xasprintf("# %s: phase %s of %s (%s:%d)\n%s", step_name(s), s->phase->name,
	                       s->pkg->name, s->pkg->path, s->phase->line, s->phase->text);
	char *shell = s->phase->bash ? xasprintf("%s/bash", lock) : xstrdup("/bin/sh");
	char *argv[] = {shell, "-e", script, NULL};
	double secs, est = esttime(s);
	int st;

	if (run_stopped()) /* while unpacking */
		return -1;
	mkdirp(logdir);
	if (makeview(s, dir) < 0 || writefile(script, text, strlen(text)) < 0)
		fatal("cannot prepare %s:", dir);
	if (s->phase->bash && !exists(shell)) {
		perr(s->stage->def->path, 1, "phase %s of %s runs in bash: expected 'bash' in this stage's tools", s->phase->name, s->pkg->name);
		return -1;
	}
	/* going on from its own stopped attempt, the step's log goes on too:
	 * a build over several sittings keeps its whole story */
	int again = 0;
	if (how != REPLAY) {
		char *attempt = xasprintf("%s/attempt", dir), *was = readfile(attempt, NULL);
		again = was && !strcmp(was, s->key);
		writefile(attempt, s->key, strlen(s->key));
		free(attempt), free(was);
	}
	/* and its time: what its earlier attempts spent counts in what the
	 * step cost, and is no longer ahead of it */
	char *spentf = xasprintf("%s/spent", dir), *was = again ? readfile(spentf, NULL) : NULL;
	double spent = was ? atof(was) : 0;
	free(was);
	/* (a native step's estimate is its guest's, which knows its own) */
	if (how == REAL && spent > 0 && strcmp(s->stage->def->context, "native"))
		est = est > spent ? est - spent : 0;
	env = step_env(s, dir, out, lock);
	if (how == REPLAY)
		label = xasprintf("[%d/%d] %s (replayed for its build tree)", s->n, nbuild, step_name(s));
	else if (how == FIRST)
		label = xasprintf("[%d/%d] %s (a first time, as a build stopped and resumed)", s->n, nbuild, step_name(s));
	else if (spent > 0) {
		/* its times count from this run: the label says what came before */
		char d[32];
		label = xasprintf("[%d/%d] %s (goes on in its tree, %s before)", s->n, nbuild, step_name(s), fmtdur(spent, d));
	} else
		label = xasprintf("[%d/%d] %s", s->n, nbuild, step_name(s));
	/* a native stage's step runs in the target: its script goes to the guest */
	char **run = argv;
	if (!strcmp(s->stage->def->context, "native") && !(run = native_argv(s, defs, dir, script, env, out))) {
		free(label);
		return -1;
	}
	/* the run's estimate only when every step left has a time, and steps
	 * follow each other */
	struct job j = {label, run, env, NULL, log, rec, est, t0, 0, untimed || opts.steps > 1 ? 0 : timeleft, 0, 0};
	char *bdir = xasprintf("%s/build", dir);
	j.dir = bdir;
	/* a guest asked to stop stops its own build first (lib/guest.c) */
	if (run != argv)
		j.grace = GUEST_GRACE + 30, j.relay = 1;
	j.append = again && exists(log);
	/* "running" stays in the tree if the phase does not end by itself
	 * (stopped, killed, the machine gone): see buildstep() */
	char *running = xasprintf("%s/running", dir);
	if (how != REPLAY)
		writefile(running, "", 0);
	st = run_job(&j, &secs);
	if (how != REPLAY && !run_stopped())
		unlink(running);
	free(running);
	if (how == REAL) {
		s->ran = 1, s->secs = secs, s->total = secs = spent + secs;
		if (st == 0 && spent > 0) {
			char d[32];
			printf("      %s: %s in all, its earlier attempts counted\n", step_name(s), fmtdur(secs, d));
		}
		if (st == 0)
			unlink(spentf);
		else {
			char *t = xasprintf("%.1f\n", secs);
			writefile(spentf, t, strlen(t));
			free(t);
		}
	}
	free(spentf);
	if (run != argv) {
		for (size_t i = 0; run[i]; i++)
			free(run[i]);
		free(run);
	}
	if (st == 0) {
		writefile(done, s->key, strlen(s->key));
		if (how == REAL)
			cache_settime(s->stage->name, slot, secs);
	} else if (run_stopped()) {
		fprintf(stderr, "\nstopped: %s (signal %d); the next run goes on with this step where it stopped\n", step_name(s), run_stopped());
	} else if (how != REPLAY && s->cut) {
		/* not the end: buildstep() says it starts over (a replay of
		 * an earlier phase is another step's failure: reported) */
	} else {
		fprintf(stderr, "\nstep failed: package %s, stage %s, step %s (exit %d)\n", s->pkg->name,
		        s->stage->name, s->phase->name, st);
		fprintf(stderr, "log: %s\n--- last 30 lines ---\n", log);
		run_tail(log, 30, stderr);
		fprintf(stderr, "---\nits build tree is kept: %s\n", dir);
		if (strcmp(s->stage->def->context, "native"))
			fprintf(stderr, "a shell in it, in the step's environment: bootstrap shell %s %s %s\n",
			        s->stage->name, s->pkg->name, s->phase->name);
	}
	free(bdir);
	free(script);
	free(logdir);
	free(log);
	free(rec);
	free(done);
	free(label);
	free(slot);
	free(text);
	free(shell);
	return st == 0 ? 0 : -1;
}

/* run a phase in dir for its tree only: its output goes to a scratch
 * directory, thrown away */
static int throwaway(struct step *s, const char *dir, const char *lock, int how, double t0)
{
	char *scratch = xasprintf("%s/scratch-out", dir);
	int r;

	rmtree(scratch);
	mkdirp(scratch);
	r = phase(s, dir, scratch, lock, how, t0);
	rmtree(scratch);
	free(scratch);
	return r;
}

/* what a fresh tree holds: the package's sources and files, unpacked */
static char *unpackkey(struct package *p)
{
	struct buf b = {0};
	char h[65];

	bufprintf(&b, "unpacked %s %s\n", p->name, p->fileshash);
	for (size_t i = 0; i < p->nsrc; i++)
		bufprintf(&b, "%s %s %s %s\n", p->src[i].sha256, p->src[i].inner ? p->src[i].inner : "-",
		          p->src[i].into ? p->src[i].into : "-", p->src[i].file);
	sha256_str(b.s, b.n, h);
	free(b.s);
	return xasprintf("unpacked-%s", h);
}

/* A tree cut off by a power cut: when the time of the last sync before it
 * is known (--synced), what changed since goes, and make builds it again;
 * the rest was on the disk. Should the step fail all the same, it starts
 * over (buildstep()). Unknown, it starts over at once. */
static int salvage(struct step *s, const char *dir)
{
	static const char *sub[] = {"src", "build", "home"};
	long n = 0, gone;

	if (opts.synced <= 0)
		return -1;
	for (size_t i = 0; i < LEN(sub) && n >= 0; i++) {
		char *p = xasprintf("%s/%s", dir, sub[i]);
		gone = isdir(p) ? tree_dropnewer(p, opts.synced) : 0;
		n = gone < 0 ? -1 : n + gone;
		free(p);
	}
	/* as a stopped attempt's tree: should going on fail, it starts over */
	char *mark = xasprintf("%s/running", dir);
	if (n >= 0 && writefile(mark, "", 0) < 0)
		n = -1;
	free(mark);
	if (n < 0)
		return -1;
	printf("      %s: after a power cut, %s goes on in its tree: %ld files changed since "
	       "the last sync removed, to be made again\n", s->stage->name, step_name(s), n);
	fflush(stdout);
	return 0;
}

/* the tree is ready for s when it holds the state right after s->prev (or
 * fresh sources, for a first phase) and no other version of s was attempted
 * in it: a stopped or failed attempt of this very step goes on in place, as
 * make would; one of a step whose recipe or inputs changed since leaves a
 * tree that is no longer what a fresh build would see (configure caches,
 * say), so it starts over */
static int treeready(struct step *s, const char *dir)
{
	char *done = xasprintf("%s/done", dir), *key = readfile(done, NULL);
	char *attemptf = xasprintf("%s/attempt", dir), *attempt = readfile(attemptf, NULL);
	char *want = s->prev ? xstrdup(s->prev->key) : unpackkey(s->pkg);
	int r = key && !strcmp(key, want) && (!attempt || !strcmp(attempt, key) || !strcmp(attempt, s->key));

	/* after a power cut, the step that was running may have left files
	 * half-written that look finished to make */
	if (r && opts.cut && attempt && !strcmp(attempt, s->key))
		r = salvage(s, dir) == 0;
	free(done);
	free(key);
	free(attemptf);
	free(attempt);
	free(want);
	return r;
}

static int freshtree(struct step *s, const char *dir)
{
	static const char *sub[] = {"src", "build", "home"};
	char *done, *key;
	int r;

	if (rmtree(dir) < 0)
		fatal("cannot remove %s:", dir);
	for (size_t i = 0; i < LEN(sub); i++) {
		char *p = xasprintf("%s/%s", dir, sub[i]);
		if (mkdirp(p) < 0)
			fatal("cannot create %s:", p);
		free(p);
	}
	r = unpack(s, dir);
	if (r == 0) {
		done = xasprintf("%s/done", dir);
		key = unpackkey(s->pkg);
		writefile(done, key, strlen(key));
		free(done);
		free(key);
	}
	return r;
}

/* get dir ready for s: a stopped or failed attempt's tree as it is, else
 * fresh sources with the earlier phases replayed */
static int preparetree(struct step *s, const char *dir, const char *lock)
{
	struct step *chain[64];
	size_t n = 0;
	int r;

	if (treeready(s, dir))
		return 0;
	for (struct step *p = s->prev; p && n < LEN(chain); p = p->prev)
		chain[n++] = p;
	/* gcc's sources take a minute: say what the wait is */
	printf("      %s: unpacking %s's sources%s\n", s->stage->name, s->pkg->name,
	       n ? ", then replaying its earlier phases" : "");
	fflush(stdout);
	r = freshtree(s, dir);
	/* under the number of the step they are replayed for */
	while (r == 0 && n-- > 0) {
		chain[n]->n = s->n;
		r = throwaway(chain[n], dir, lock, REPLAY, 0);
	}
	return r;
}

/* run s for real in its tree, its output into the cache */
static int realrun(struct step *s, const char *dir, const char *lock, double t0)
{
	char *tmp = cache_tmp(s->key), *out = xasprintf("%s/out", tmp);
	int r = phase(s, dir, out, lock, REAL, t0);

	if (r == 0) {
		char *in = xasprintf("%s/inputs", tmp), *tools = xasprintf("%s/tools", tmp);
		char *slot = step_slot(s);
		writefile(in, s->inputs, strlen(s->inputs));
		/* host tools are not in the key: what they were, for plan
		 * to say when they have changed since */
		if (s->stage->tools)
			writefile(tools, s->stage->tools, strlen(s->stage->tools));
		if (cache_commit(tmp, s->key) < 0)
			fatal("cannot move %s into the cache:", tmp);
		cache_setlast(s->stage->name, slot, s->inputs);
		free(in), free(tools), free(slot);
	} else {
		rmtree(tmp);
	}
	free(out);
	free(tmp);
	return r;
}

/* the tree holds what an attempt left that did not end by itself */
static int wascut(struct step *s, const char *dir)
{
	char *p = xasprintf("%s/running", dir);
	int r = exists(p) && strcmp(s->stage->def->context, "native");

	free(p);
	return r;
}

/* the step's runs in its prepared tree: with --audit-twice, the phase
 * run again in its tree must give the same output */
static int runs(struct step *s, const char *dir, const char *lock, double t0)
{
	int r = 0;

	if (opts.twice)
		r = throwaway(s, dir, lock, FIRST, t0);
	if (r == 0)
		r = realrun(s, dir, lock, t0);
	return r;
}

static int buildstep(struct step *s, const char *lock)
{
	char *dir = worktree_dir(s);
	int fd = cache_lock(s->key), r = 0;
	double t0 = now(); /* unpacking and replays count in the step's time */

	if (cache_has(s->key)) { /* another run built it meanwhile */
		cache_unlock(fd);
		free(dir);
		return 0;
	}
	r = preparetree(s, dir, lock);
	s->cut = r == 0 && wascut(s, dir);
	if (r == 0)
		r = runs(s, dir, lock, t0);
	/* A stop can leave a tree make cannot go on from: a configure cut
	 * short leaves a Makefile without the files it includes, and the next
	 * make stops there, run after run. If going on failed, the step
	 * starts over from fresh sources, once. (Inside a native stage the
	 * guest's own runner does this for its steps.) */
	if (r < 0 && s->cut && !run_stopped()) {
		char *done = xasprintf("%s/done", dir);
		printf("      %s: going on where a stopped attempt left its tree failed; it starts over\n", step_name(s));
		fflush(stdout);
		unlink(done);
		free(done);
		s->cut = 0;
		r = preparetree(s, dir, lock);
		if (r == 0)
			r = runs(s, dir, lock, t0);
	}
	cache_unlock(fd);
	s->cut = 0; /* only for this build: the step may be replayed later */
	if (r == 0 && s->last && !opts.keepwork)
		rmtree(dir);
	free(dir);
	return r;
}

/* WORK/out/NAME from the cached outputs, with NAME.manifest; renamed in */
static int materialize(struct stage *st, time_t started)
{
	char *out = stage_out(st->name);
	char *keyf = xasprintf("%s.key", out), *key = readfile(keyf, NULL);
	char *tmp = xasprintf("%s/out/.%s.tmp", opts.work, st->name);
	char *old = xasprintf("%s/out/.%s.old", opts.work, st->name);
	char *man = xasprintf("%s.manifest", out);
	int r = 0;

	if (key && !strcmp(key, st->key) && isdir(out))
		goto done;
	unlink(keyf);
	rmtree(tmp);
	if (mkdirp(tmp) < 0)
		fatal("cannot create %s:", tmp);
	for (size_t i = 0; r == 0 && i < st->nsteps; i++) {
		char *o = cache_out(st->steps[i]->key);
		if (tree_merge(o, tmp, TREE_COPY) < 0)
			r = -1, warn("cannot copy %s into %s:", o, tmp);
		free(o);
	}
	if (r == 0 && manifest_save(tmp, man) < 0)
		r = -1, warn("cannot write %s:", man);
	if (r == 0) {
		rmtree(old);
		if (exists(out) && rename(out, old) < 0)
			fatal("cannot move %s aside:", out);
		if (rename(tmp, out) < 0)
			fatal("cannot rename %s to %s:", tmp, out);
		rmtree(old);
		provenance_write(st, out, started, time(NULL));
		sbom_write(st, out);
		writefile(keyf, st->key, strlen(st->key));
	}
done:
	free(out);
	free(keyf);
	free(key);
	free(tmp);
	free(old);
	free(man);
	return r;
}

/* the stage's steps that ran in this run, and what each took */
static void timetable(struct stage *st)
{
	double total = 0;
	char d[32];
	int any = 0;

	for (size_t i = 0; i < st->nsteps; i++) {
		struct step *s = st->steps[i];
		if (!s->ran || s->state != DONE)
			continue;
		if (!any++)
			printf("%s: step times\n", st->name);
		char *name = xasprintf("%s %s", s->pkg->name, s->phase->name);
		printf("  %-32s %8s\n", name, fmtdur(s->total, d));
		total += s->total;
		free(name);
	}
	if (any)
		printf("  %-32s %8s\n", "total", fmtdur(total, d));
}

/* the run's count and estimate, as a step starts */
static void starting(struct step *s)
{
	double est = esttime(s);

	s->n = ++ibuild;
	timeleft -= est > 0 ? est : 0;
	untimed -= est < 0;
	if (!s->stage->started)
		s->stage->started = time(NULL);
}

/* Every step builds in a child process: with --steps N, as many as N
 * steps that do not read each other side by side, of one stage or of
 * several (a configure script is one CPU's work, and under emulation most
 * of a package's time). What the run keeps of a step comes back on a pipe
 * when the child ends. */
struct child {
	pid_t pid;
	int fd;
	struct step *s;
};

static void spawn(struct child *c, struct step *s)
{
	int p[2];

	if (pipe(p) < 0)
		fatal("pipe:");
	pid_t runner = getpid();
	fflush(NULL);
	if ((c->pid = fork()) < 0)
		fatal("fork:");
	if (c->pid == 0) {
		close(p[0]);
		run_watch(runner);
		int r = buildstep(s, s->stage->airlock);
		dprintf(p[1], "%d %d %.1f %.1f\n", r, s->ran, s->secs, s->total);
		fflush(NULL);
		_exit(r == 0 ? 0 : 1);
	}
	close(p[1]);
	c->fd = p[0];
	c->s = s;
	s->state = RUNNING;
}

/* a child ended with status ws: its step's state, and its run into the
 * timeline and the history */
static void reap(struct child *c, int ws)
{
	struct step *s = c->s;
	char buf[128];
	ssize_t n = read(c->fd, buf, sizeof(buf) - 1);
	int r = 1;

	buf[n > 0 ? n : 0] = 0;
	if (sscanf(buf, "%d %d %lf %lf", &r, &s->ran, &s->secs, &s->total) != 4)
		r = 1, s->ran = 0; /* it died before it could say */
	close(c->fd);
	s->state = r == 0 && WIFEXITED(ws) && WEXITSTATUS(ws) == 0 ? DONE : FAILED;
	if (s->ran) {
		char *name = xasprintf("%s %s", s->pkg->name, s->phase->name);
		report_step(s->stage->name, name, now() - s->secs, s->secs, s->total,
		            s->state == DONE ? "ok" : run_stopped() ? "stopped" : "failed");
		free(name);
	}
}

/* the stage's first step whose inputs are all built; one after a failed
 * step is skipped */
static struct step *ready(struct stage *st)
{
	for (size_t i = 0; i < st->nsteps; i++) {
		struct step *s = st->steps[i];
		int ok = 1;
		if (s->state != TODO)
			continue;
		for (size_t k = 0; k < s->ndeps; k++)
			if (s->deps[k]->state == FAILED || s->deps[k]->state == SKIPPED)
				ok = -1;
			else if (s->deps[k]->state != DONE && ok > 0)
				ok = 0;
		if (ok < 0)
			s->state = SKIPPED;
		else if (ok)
			return s;
	}
	return NULL;
}

/* the stages st needs: 1 all done, 0 not yet, -1 one did not finish
 * (then *which is it) */
static int needsdone(struct stage *st, struct stage **which)
{
	int r = 1;

	for (size_t k = 0; k < st->nneeds; k++)
		if (st->needs[k]->state == FAILED || st->needs[k]->state == SKIPPED) {
			*which = st->needs[k];
			return -1;
		} else if (st->needs[k]->state != DONE) {
			r = 0;
		}
	return r;
}

/* none of st's steps not yet started will be */
static void skipstage(struct stage *st)
{
	for (size_t j = 0; j < st->nsteps; j++)
		if (st->steps[j]->state == TODO)
			st->steps[j]->state = SKIPPED;
}

/* a stage can start once the stages it needs are done; it is done when
 * none of its steps is left to build or running: then its output is made
 * and its table printed. A stage whose need did not finish is skipped. */
static void settle(struct plan *plan)
{
	/* stopped, the run makes nothing more: the next one goes on */
	if (run_stopped())
		return;
	for (size_t i = 0; i < plan->n; i++) {
		struct stage *st = plan->stages[i], *need;
		int needs, left = 0, failed = 0;
		if (st->state != TODO || !(needs = needsdone(st, &need)))
			continue;
		if (needs < 0) {
			warn("skipping %s: it needs %s, which did not finish", st->name, need->name);
			skipstage(st);
			st->state = SKIPPED;
			continue;
		}
		ready(st); /* marks what a failure left unbuildable */
		for (size_t j = 0; j < st->nsteps; j++) {
			int sst = st->steps[j]->state;
			left |= sst == TODO || sst == RUNNING;
			failed |= sst != DONE;
		}
		if (left)
			continue;
		timetable(st);
		if (!st->started)
			st->started = time(NULL);
		st->state = failed || materialize(st, st->started) < 0 ? FAILED : DONE;
	}
}

/* the next step to start: the first ready one, stages in plan order */
static struct step *next(struct plan *plan)
{
	struct stage *need;
	struct step *s;

	for (size_t i = 0; i < plan->n; i++) {
		struct stage *st = plan->stages[i];
		if (st->state == TODO && needsdone(st, &need) > 0 && (s = ready(st)))
			return s;
	}
	return NULL;
}

int build_shell(struct plan *plan, const char *pkg, const char *phasename)
{
	struct stage *st = plan->stages[plan->n - 1];
	struct step *s = NULL;
	char *dir, *lock, *out, *script, *bdir, **env;
	size_t n = 0;

	defs = plan->defs;
	for (size_t i = 0; i < st->nsteps && !s; i++)
		if (!strcmp(st->steps[i]->pkg->name, pkg) && !strcmp(st->steps[i]->phase->name, phasename))
			s = st->steps[i];
	if (!s) {
		struct buf b = {0};
		for (size_t i = 0; i < st->nsteps; i++)
			bufprintf(&b, "\n  %s %s", st->steps[i]->pkg->name, st->steps[i]->phase->name);
		warn("%s has no step '%s %s': its steps are%s", st->name, pkg, phasename, b.s);
		free(b.s);
		return 2;
	}
	if (!strcmp(st->def->context, "native")) {
		warn("%s runs in the target: bootstrap guest boots its image with a script of one's own", st->name);
		return 2;
	}
	for (size_t i = 0; i < st->nneeds; i++)
		if (st->needs[i]->state != DONE && !isdir(stage_out(st->needs[i]->name))) {
			warn("%s needs %s, which is not built: bootstrap stage %s", st->name, st->needs[i]->name,
			     st->needs[i]->name);
			return 1;
		}
	dir = worktree_dir(s);
	if (!(lock = airlock(st)) || preparetree(s, dir, lock) < 0)
		return 1;
	out = xasprintf("%s/shell-out", dir);
	script = xasprintf("%s/%s.sh", dir, s->phase->name);
	bdir = xasprintf("%s/build", dir);
	rmtree(out);
	char *text = xasprintf("# %s: phase %s of %s (%s:%d)\n%s", step_name(s), s->phase->name,
	                       s->pkg->name, s->pkg->path, s->phase->line, s->phase->text);
	if (mkdirp(out) < 0 || makeview(s, dir) < 0 || writefile(script, text, strlen(text)) < 0)
		fatal("cannot prepare %s:", dir);
	env = step_env(s, dir, out, lock);
	while (env[n])
		n++;
	env = xreallocarray(env, n + 2, sizeof(*env));
	env[n++] = xasprintf("PS1=[%s %s %s] \\w$ ", st->name, s->pkg->name, s->phase->name);
	env[n] = NULL;
	printf("%s: a shell in %s, in the step's environment (PATH: its tools only)\n"
	       "  the phase's commands: %s (sh -e %s runs them; $OUT is %s)\n"
	       "  exit the shell to leave; nothing here is cached\n",
	       step_name(s), bdir, script, script, out);
	fflush(stdout);
	/* a child, so that we keep the work tree's lock while it runs: no
	 * build changes the tree under the user's feet */
	pid_t pid = fork();
	if (pid < 0)
		fatal("fork:");
	if (pid == 0) {
		char *argv[] = {"bash", "--norc", "--noprofile", "-i", NULL};
		if (chdir(bdir) < 0)
			fatal("cannot enter %s:", bdir);
		execve("/bin/bash", argv, env);
		fatal("cannot run /bin/bash:");
	}
	int ws = 0;
	signal(SIGINT, SIG_IGN); /* ^C is the shell's */
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	free(dir), free(lock), free(out), free(script), free(bdir), free(text);
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 1;
}

/* after -k: what was built, what failed, what was left out because of it */
static void summary(struct plan *plan)
{
	int built = 0, nfailed = 0, skipped = 0;
	struct buf f = {0}, k = {0};

	for (size_t i = 0; i < plan->n; i++) {
		struct stage *st = plan->stages[i];
		for (size_t j = 0; j < st->nsteps; j++) {
			struct step *s = st->steps[j];
			if (s->state == DONE && !s->cached)
				built++;
			else if (s->state == FAILED)
				nfailed++, bufprintf(&f, "  failed:  %s\n", step_name(s));
			else if (s->state != DONE)
				skipped++, bufprintf(&k, "  skipped: %s\n", step_name(s));
		}
	}
	printf("summary: %d built, %d failed, %d not built because of %s\n%s%s", built, nfailed, skipped,
	       nfailed == 1 ? "it" : "them", f.s ? f.s : "", k.s ? k.s : "");
	free(f.s), free(k.s);
}

int build_plan(struct plan *plan)
{
	int failed = 0;

	defs = plan->defs;
	report_start();
	for (size_t i = 0; i < plan->n; i++)
		for (size_t k = 0; k < plan->stages[i]->nsteps; k++) {
			struct step *s = plan->stages[i]->steps[k];
			if (s->cached) {
				s->state = DONE;
				continue;
			}
			double t = esttime(s);
			nbuild++;
			untimed += t < 0;
			timeleft += t > 0 ? t : 0;
		}
	struct child *kids = xcalloc(opts.steps, sizeof(*kids));
	size_t nkids = 0;
	int told = 0;
	struct step *s;

	for (;;) {
		settle(plan);
		while (!run_stopped() && (!failed || opts.keepgoing) && nkids < (size_t)opts.steps && (s = next(plan))) {
			struct stage *st = s->stage;
			if (!st->airlock && !(st->airlock = airlock(st))) {
				skipstage(st);
				failed = 1;
				continue;
			}
			/* once a stage, here: the steps are children */
			if (!st->tools)
				st->tools = provenance_tools(st);
			starting(s);
			spawn(&kids[nkids++], s);
		}
		if (!nkids)
			break;
		/* asked to stop: so is every step, should the signal have been ours alone */
		if (run_stopped() && !told) {
			told = 1;
			for (size_t i = 0; i < nkids; i++)
				kill(kids[i].pid, run_stopped());
		}
		/* its own children only: a helper the runner waits for elsewhere
		 * is not taken from it */
		int ws, ended = 0;
		for (size_t i = 0; i < nkids;)
			if (waitpid(kids[i].pid, &ws, WNOHANG) == kids[i].pid) {
				reap(&kids[i], ws);
				failed |= kids[i].s->state == FAILED;
				kids[i] = kids[--nkids];
				ended = 1;
			} else {
				i++;
			}
		if (!ended)
			msleep(100);
	}
	free(kids);
	for (size_t i = 0; i < plan->n; i++) {
		free(plan->stages[i]->airlock);
		free(plan->stages[i]->tools);
		plan->stages[i]->airlock = plan->stages[i]->tools = NULL;
		failed |= plan->stages[i]->state != DONE;
	}
	report_write();
	if (run_stopped())
		return 128 + run_stopped();
	if (failed && opts.keepgoing)
		summary(plan);
	return failed ? -1 : 0;
}
