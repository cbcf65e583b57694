/* audit.c: a stage rebuilt under varied conditions and compared.
 *
 * The first build is the ordinary one. The second is another run of this
 * program, in a cache namespace of its own (CACHE/audit/NAME, sharing only
 * the sources), so that every step of the stage is built again; the stages it
 * needs are taken from the first build's cache (linked in by key) unless
 * --deep asks for them to be rebuilt too. The variations, after reprotest:
 *
 *   path      the work tree in another, longer directory
 *   clock     the steps' clock a year ahead (libfaketime), the build later
 *   tz        TZ in the steps (the runner's own is UTC)
 *   locale    LC_ALL and LANG in the steps (the runner's own is C)
 *   umask     the runner's, 002 against 022 (its steps get 022 always:
 *             a step's file modes follow its umask)
 *   user      another user id (a user namespace)
 *   hostname  another host name (a UTS namespace)
 *   home      HOME a directory that does not exist
 *   kernel    another kernel release in uname (setarch --uname-2.6)
 *   aslr      address space randomization off (setarch -R)
 *   jobs      -j1 against -jN
 *   env       extra variables in the steps' environment
 *   order     directory entries listed in another order (disorderfs)
 *   resume    every step run twice in its tree, as a build stopped and
 *             resumed runs it (not in "all": it takes up to twice as long)
 *
 * A variation the machine cannot make (no unshare, faketime or disorderfs)
 * is reported as not varied, with the reason. The outputs are then
 * compared by lib/compare.c; the report goes to WORK/audit/NAME/report.
 *
 * An audit stopped part way goes on with the steps its second build
 * finished when it is run again with the same settings (the stage's key
 * and the variations, in CACHE/audit/NAME/settings) and path varied. */

#define _POSIX_C_SOURCE 200809L
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "audit.h"
#include "build.h"
#include "cache.h"
#include "compare.h"
#include "opts.h"
#include "os.h"
#include "plan.h"
#include "proc.h"
#include "tree.h"
#include "util.h"
#include "worktree.h"

enum { PATH, CLOCK, TZ, LOCALE, UMASK, USER, HOSTNAME, HOME, KERNEL, ASLR, JOBS, ENV, ORDER, RESUME, NVARY };

static struct {
	const char *name;
	int on;
	char *how; /* what was done, or why it could not be */
} vary[NVARY] = {
	{"path", 1, 0}, {"clock", 1, 0}, {"tz", 1, 0}, {"locale", 1, 0}, {"umask", 1, 0},
	{"user", 1, 0}, {"hostname", 1, 0}, {"home", 1, 0}, {"kernel", 1, 0}, {"aslr", 1, 0},
	{"jobs", 1, 0}, {"env", 1, 0}, {"order", 1, 0}, {"resume", 0, 0},
};

#define AUDIT_HOST "bootstrap-audit"
#define SECOND "second-build-in-another-directory" /* in WORK/audit/NAME */
#define AUDIT_UID "4242"

const char *audit_vary(const char *list)
{
	char *copy = xstrdup(list), *save;
	static char msg[512];

	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		int off = *w == '-', k;
		if (!strcmp(w + off, "all")) {
			for (k = 0; k < NVARY; k++)
				if (k != RESUME)
					vary[k].on = !off;
			continue;
		}
		if (!strcmp(w, "none")) {
			for (k = 0; k < NVARY; k++)
				vary[k].on = 0;
			continue;
		}
		for (k = 0; k < NVARY && strcmp(vary[k].name, w + off); k++)
			;
		if (k == NVARY) {
			int n = snprintf(msg, sizeof(msg), "--vary: expected all, none, or names among");
			for (k = 0; k < NVARY; k++)
				n += snprintf(msg + n, sizeof(msg) - n, "%s %s", k ? "," : "", vary[k].name);
			snprintf(msg + n, sizeof(msg) - n, " (-name leaves one out), found '%s'", w);
			free(copy);
			return msg;
		}
		/* a list of plain names means those alone */
		if (!off && w == copy)
			for (int i = 0; i < NVARY; i++)
				vary[i].on = 0;
		vary[k].on = !off;
	}
	free(copy);
	return NULL;
}

static void say(int k, const char *fmt, const char *arg)
{
	free(vary[k].how);
	vary[k].how = xasprintf(fmt, arg);
}

static void cannot(int k, const char *why)
{
	vary[k].on = 0;
	say(k, "not varied: %s", why);
}

/* libfaketime's preload library, where Debian puts it */
static char *faketime(void)
{
	glob_t g;
	char *lib = NULL;

	if (glob("/usr/lib/*/faketime/libfaketime.so.1", 0, NULL, &g) == 0) {
		if (g.gl_pathc)
			lib = xstrdup(g.gl_pathv[0]);
		globfree(&g);
	}
	if (!lib && exists("/usr/lib/faketime/libfaketime.so.1"))
		lib = xstrdup("/usr/lib/faketime/libfaketime.so.1");
	return lib;
}

/* whether the namespaces of command() can be made here */
static int canunshare(void)
{
	char *argv[] = {"unshare", "--user", "--map-root-user", "--uts", "sh", "-c",
	                "hostname " AUDIT_HOST " && unshare --user --map-user=" AUDIT_UID " --map-group=" AUDIT_UID " true", NULL};
	char *t = which("unshare");
	int r = t && proc_run(argv, NULL, PROC_NULL) == 0;

	free(t);
	return r;
}

/* whether setarch can change what the second run's processes see */
static int cansetarch(const char *machine)
{
	char *argv[] = {"setarch", (char *)machine, "-R", "--uname-2.6", "true", NULL};
	char *t = which("setarch");
	int r = t && proc_run(argv, NULL, PROC_NULL) == 0;

	free(t);
	return r;
}

/* the steps' environment: NAME=VALUE lines, handed to the second build
 * in a file of its cache namespace (--audit-vary) */
static char *stepvars(void)
{
	struct buf b = {0};
	char *lib;

	bufputs(&b, "");
	if (vary[CLOCK].on) {
		if ((lib = faketime())) {
			/* FAKE_UTIME=0, NO_FAKE_STAT=1: a time given to touch -d
			 * is set, and a file's time read, as they are, as under a
			 * clock that is really ahead */
			bufprintf(&b, "LD_PRELOAD=%s\nFAKETIME=+397d\nFAKETIME_DONT_FAKE_MONOTONIC=1\n"
			           "FAKE_UTIME=0\nNO_FAKE_STAT=1\n", lib);
			say(CLOCK, "the steps' clock 397 days ahead (libfaketime: %s)", lib);
			free(lib);
		} else {
			cannot(CLOCK, "libfaketime is not installed (Debian package faketime)");
		}
	}
	if (vary[TZ].on) {
		bufputs(&b, "TZ=AUD-14:30\n");
		say(TZ, "%s", "TZ=AUD-14:30 against UTC");
	}
	if (vary[LOCALE].on) {
		bufputs(&b, "LC_ALL=C.UTF-8\nLANG=C.UTF-8\nLANGUAGE=fr\n");
		say(LOCALE, "%s", "LC_ALL=C.UTF-8 against C");
	}
	if (vary[HOME].on) {
		/* the runner's HOME is in the build tree; a build that writes
		 * there, or reads a user's files, fails or differs */
		bufputs(&b, "HOME=/nonexistent/second-build\n");
		say(HOME, "%s", "HOME=/nonexistent/second-build against a directory in the build tree");
	}
	if (vary[ENV].on) {
		/* variables no build should read, as reprotest adds: the runner
		 * keeps the ones that change tools' behaviour (CDPATH,
		 * QUOTING_STYLE...) out of every step in the first place */
		bufputs(&b, "BOOTSTRAP_AUDIT_NOISE=1\nAUDIT_NOISE_X=x y z\n");
		say(ENV, "%s", "two variables more (BOOTSTRAP_AUDIT_NOISE, AUDIT_NOISE_X)");
	}
	return b.s;
}

/* what decides the second build: the stage's key and the variations. An
 * audit stopped part way resumes only under the same settings. */
static char *settings(struct stage *st, int deep)
{
	struct buf b = {0};

	bufprintf(&b, "key %s\ndeep %d\njobs %d\n", st->key, deep, opts.jobs);
	for (int k = 0; k < NVARY; k++)
		bufprintf(&b, "%s %d\n", vary[k].name, vary[k].on);
	return b.s;
}

/* whether the file says the same: the previous audit's second build,
 * stopped, may go on */
static int samesettings(const char *file, const char *want)
{
	char *had = readfile(file, NULL);
	int r = had && !strcmp(had, want);

	free(had);
	return r;
}

/* the second build's cache, CACHE/audit/STAGE: its own steps, the first
 * build's sources and, unless deep, the first build's entries for the
 * stages it needs. Audits of other stages may run at the same time; one
 * of the same stage waits for the lock (released when this program ends).
 * The steps a stopped audit finished under the same settings are kept. */
static char *auditcache(struct plan *plan, int deep, const char *want, int *resume)
{
	const char *name = plan->stages[plan->n - 1]->name;
	char *dir = xasprintf("%s/audit/%s", cache_root(), name);
	char *lock = xasprintf("audit-%s", name), *mark = xasprintf("%s/settings", dir);
	static const char *shared[] = {"sources", "apt"};

	cache_lock(lock);
	free(lock);
	if (!(*resume = *resume && samesettings(mark, want)))
		rmtree(dir);
	if (mkdirp(dir) < 0)
		fatal("cannot create %s:", dir);
	for (size_t i = 0; i < LEN(shared); i++) {
		char *from = xasprintf("%s/%s", cache_root(), shared[i]), *to = xasprintf("%s/%s", dir, shared[i]);
		if (isdir(from) && symlink(from, to) < 0 && !*resume)
			fatal("cannot link %s:", to);
		free(from);
		free(to);
	}
	if (writefile(mark, want, strlen(want)) < 0)
		fatal("cannot write %s:", mark);
	free(mark);
	char *steps = xasprintf("%s/steps", dir);
	mkdirp(steps);
	for (size_t i = 0; !deep && i + 1 < plan->n; i++)
		for (size_t k = 0; k < plan->stages[i]->nsteps; k++) {
			char *key = plan->stages[i]->steps[k]->key;
			char *from = xasprintf("%s/steps/%s", cache_root(), key), *to = xasprintf("%s/%s", steps, key);
			if (symlink(from, to) < 0 && !exists(to))
				fatal("cannot link %s:", to);
			free(from);
			free(to);
		}
	free(steps);
	return dir;
}

/* the command line of the second run: namespaces, then this program */
static char **command(const char *self, const char *cache, const char *work, const char *name, const char *varyfile)
{
	char **argv = NULL;
	size_t n = 0;
	char *script = NULL;
	int ns = vary[USER].on || vary[HOSTNAME].on;
	struct utsname u;

	if (uname(&u) < 0)
		fatal("uname:");

#define ARG(s) (argv = (void *)vpush((void **)argv, &n, xstrdup(s)))
	if (ns && !canunshare()) {
		if (vary[USER].on)
			cannot(USER, "no user namespaces here (unshare failed)");
		if (vary[HOSTNAME].on)
			cannot(HOSTNAME, "no UTS namespaces here (unshare failed)");
		ns = 0;
	}
	if (ns) {
		/* outer namespace: root there may set the host name; the inner
		 * one then maps the build to an ordinary user id */
		script = xasprintf("%sexec %s\"$0\" \"$@\"", vary[HOSTNAME].on ? "hostname " AUDIT_HOST " && " : "",
		                   vary[USER].on ? "unshare --user --map-user=" AUDIT_UID " --map-group=" AUDIT_UID " -- " : "");
		ARG("unshare"), ARG("--user"), ARG("--map-root-user"), ARG("--uts"), ARG("sh"), ARG("-c"), ARG(script);
		if (vary[HOSTNAME].on)
			say(HOSTNAME, "host name %s", AUDIT_HOST);
		if (vary[USER].on)
			say(USER, "user id %s (a user namespace)", AUDIT_UID);
	}
	if ((vary[KERNEL].on || vary[ASLR].on) && !cansetarch(u.machine)) {
		if (vary[KERNEL].on)
			cannot(KERNEL, "setarch cannot run here (util-linux)");
		if (vary[ASLR].on)
			cannot(ASLR, "setarch cannot run here (util-linux)");
	}
	if (vary[KERNEL].on || vary[ASLR].on) {
		/* a personality, kept across fork and exec by every step */
		ARG("setarch"), ARG(u.machine);
		if (vary[ASLR].on)
			ARG("-R"), say(ASLR, "%s", "address space randomization off (setarch -R)");
		if (vary[KERNEL].on)
			ARG("--uname-2.6"), say(KERNEL, "uname -r says 2.6.N instead of %s (setarch --uname-2.6)", u.release);
	}
	ARG(self);
	ARG("--cache"), ARG(cache), ARG("--work"), ARG(work), ARG("--top"), ARG(opts.top);
	char *j = xasprintf("-j%d", vary[JOBS].on ? (opts.jobs > 1 ? 1 : 2) : opts.jobs);
	ARG(j);
	if (vary[JOBS].on)
		say(JOBS, "%s against the first build's", j);
	free(j);
	if (opts.hostcc)
		ARG("--host-toolchain");
	if (opts.offline)
		ARG("--offline");
	for (size_t i = 0; i < opts.nmirrors; i++)
		ARG("--mirror"), ARG(opts.mirrors[i]);
	/* the variations of the steps themselves: given, not ambient */
	ARG("--audit-vary"), ARG(varyfile);
	if (vary[RESUME].on)
		ARG("--audit-twice");
	ARG("stage"), ARG(name);
#undef ARG
	free(script);
	return argv;
}

/* mount a shuffling view of dir at mnt; 0 when mounted */
static int disorder(const char *dir, const char *mnt)
{
	char *argv[] = {"disorderfs", "--shuffle-dirents=yes", "--multi-user=yes", "--quiet", (char *)dir, (char *)mnt, NULL};
	char *t;

	if (!(t = which("disorderfs"))) {
		cannot(ORDER, "disorderfs is not installed (Debian package disorderfs)");
		return -1;
	}
	free(t);
	if (proc_run(argv, NULL, -1) != 0) {
		cannot(ORDER, "disorderfs could not mount (no FUSE here?)");
		return -1;
	}
	say(ORDER, "%s", "directory entries shuffled (disorderfs)");
	return 0;
}

static void undisorder(const char *mnt)
{
	char *argv[] = {"fusermount", "-u", (char *)mnt, NULL};

	if (proc_run(argv, NULL, -1) != 0)
		warn("cannot unmount %s: run fusermount -u %s", mnt, mnt);
}

/* a shuffling view a killed audit left mounted in dir, unmounted before
 * anything there is removed or mounted again */
static void stale(const char *dir)
{
	char *mnt = xasprintf("%s/" SECOND, dir), *real = xasprintf("%s.real", mnt);
	char *argv[] = {"fusermount", "-u", "-q", mnt, NULL};

	if (isdir(real))
		proc_run(argv, NULL, PROC_NULL);
	free(mnt), free(real);
}

static void header(FILE *f, struct stage *st, const char *work)
{
	fprintf(f, "audit of %s (bootstrap %s)\n", st->name, BOOTSTRAP_VERSION);
	/* the key names what was built: recipes, patches, sources, inputs */
	fprintf(f, "  stage key:    %s\n", st->key);
	fprintf(f, "  first build:  %s\n  second build: %s\n", opts.work, work);
	for (int k = 0; k < NVARY; k++)
		fprintf(f, "  %-9s %s\n", vary[k].name, vary[k].how ? vary[k].how : vary[k].on ? "varied" : "not varied: not asked for");
}

/* WORK/out/NAME and its manifest, hard-linked into dir/NAME */
static void keep(const char *name, const char *dir)
{
	char *out = stage_out(name), *ref = xasprintf("%s/%s", dir, name);
	char *man = xasprintf("%s.manifest", out), *refman = xasprintf("%s.manifest", ref);
	char *m;
	size_t n;

	if (tree_merge(out, ref, TREE_LINK) < 0)
		fatal("cannot keep %s in %s:", out, ref);
	if (!(m = readfile(man, &n)) || writefile(refman, m, n) < 0)
		fatal("cannot copy %s:", man);
	free(m), free(out), free(ref), free(man), free(refman);
}

/* each stage of the first build against the second: 0 when all identical */
static int compare(struct plan *plan, int deep, const char *dir, const char *work, const char *real, FILE *f)
{
	const char *paths[] = {work, opts.work, cache_root(), real, NULL}; /* the longest first */
	const char *names[] = {AUDIT_HOST, NULL};
	char *dfs = xasprintf("%s/diffoscope", dir), *tool = which("diffoscope");
	int r = 0;
	struct utsname u;
	const char *release = uname(&u) == 0 ? u.release : NULL;

	for (size_t i = deep ? 0 : plan->n - 1; i < plan->n; i++) {
		const char *name = plan->stages[i]->name;
		char *a = xasprintf("%s/first/%s", dir, name), *b = xasprintf("%s/out/%s", work, name);
		struct compare c = {
			.name = name, .a = a, .b = b, .paths = paths, .names = names,
			.diffoscope = tool ? dfs : NULL, .release = release,
		};
		r |= compare_report(&c, f);
		free(a), free(b);
	}
	if (tool && exists(dfs))
		fprintf(f, "diffoscope's reports: %s\n", dfs);
	free(dfs), free(tool);
	return r;
}

/* forget that WORK/out/NAME is the output of its key */
static void unkey(const char *name)
{
	char *key = xasprintf("%s/out/%s.key", opts.work, name);

	unlink(key);
	free(key);
}

int audit_stage(struct plan *plan, int deep)
{
	struct stage *st = plan->stages[plan->n - 1];
	char *dir = xasprintf("%s/audit/%s", opts.work, st->name), *first = xasprintf("%s/first", dir);
	char *work, *real = NULL, *cache, *exe = os_self(), *vars, **argv;
	char *reportf = xasprintf("%s/report", dir), *want;
	mode_t mask = umask(022);
	int r, resume, differ = 0;
	double t0;
	char d[32];

	umask(mask);
	/* a stopped audit goes on where it stopped when its second build has
	 * a work tree of its own and the settings are the same */
	want = settings(st, deep);
	resume = vary[PATH].on;
	cache = auditcache(plan, deep, want, &resume);
	stale(dir);
	if (!resume)
		rmtree(dir);
	rmtree(first);
	unlink(reportf);
	if (mkdirp(first) < 0)
		fatal("cannot create %s:", first);
	/* the first build's outputs, kept: without "path" the second run
	 * writes the same work tree */
	for (size_t i = deep ? 0 : plan->n - 1; i < plan->n; i++)
		keep(plan->stages[i]->name, first);
	if (vary[PATH].on) {
		work = xasprintf("%s/" SECOND, dir);
		say(PATH, "work tree %s", work);
	} else {
		work = xstrdup(opts.work);
	}
	if (vary[ORDER].on && !vary[PATH].on) {
		cannot(ORDER, "needs a work tree of its own: vary path too");
	} else if (vary[ORDER].on) {
		real = xasprintf("%s.real", work);
		mkdirp(real);
		mkdirp(work);
		if (disorder(real, work) < 0)
			free(real), real = NULL;
	}
	if (vary[UMASK].on) {
		say(UMASK, "%s", mask == 002 ? "the runner's umask 022 against 002 (its steps get 022)"
		                             : "the runner's umask 002 against 022 (its steps get 022)");
		umask(mask == 002 ? 022 : 002);
	}
	/* in the same work tree, the second run must not take the first's
	 * outputs for its own: they have the same keys */
	for (size_t i = 0; !vary[PATH].on && i < plan->n; i++)
		unkey(plan->stages[i]->name);
	vars = stepvars();
	char *varyfile = xasprintf("%s/vary", cache);
	if (writefile(varyfile, vars, strlen(vars)) < 0)
		fatal("cannot write %s:", varyfile);
	if (vary[RESUME].on)
		say(RESUME, "%s", "every step run twice in its tree, the first time into a throwaway output");
	argv = command(exe, cache, work, st->name, varyfile);
	free(varyfile);
	printf("audit: building %s%s a second time, in %s%s\n", st->name, deep ? " and what it needs" : "", work,
	       resume ? " (going on with what a stopped audit built)" : "");
	fflush(stdout);
	t0 = now();
	worktree_unlock();
	r = proc_run(argv, NULL, -1);
	umask(mask);
	if (r != 0) {
		if (r > 128)
			warn("audit: the second build of %s stopped (signal %d); the same audit again goes on with it", st->name, r - 128);
		else
			warn("audit: the second build of %s failed (status %d); the same audit again goes on with it", st->name, r);
	} else {
		FILE *f = fopen(reportf, "w");
		if (!f)
			fatal("cannot write %s:", reportf);
		/* done: the next audit builds everything again */
		char *mark = xasprintf("%s/settings", cache);
		unlink(mark);
		free(mark);
		header(f, st, work);
		fprintf(f, "  second build took %s%s\n", fmtdur(now() - t0, d),
		        resume ? " (this run; it went on with what a stopped audit built)" : "");
		differ = compare(plan, deep, dir, work, real, f) != 0;
		fclose(f);
		char *text = readfile(reportf, NULL);
		fputs(text ? text : "", stdout);
		printf("report: %s\n", reportf);
		free(text);
	}
	/* without "path" the second build's outputs took the first's place:
	 * the next run puts the first's back from the cache */
	for (size_t i = 0; !vary[PATH].on && i < plan->n; i++)
		unkey(plan->stages[i]->name);
	if (real)
		undisorder(work);
	for (size_t i = 0; argv[i]; i++)
		free(argv[i]);
	free(argv);
	free(vars), free(reportf), free(dir), free(first), free(work), free(real), free(cache), free(exe), free(want);
	return r ? 1 : differ ? AUDIT_DIFFER : 0;
}
