/* bootstrap: builds a self-hosting Linux system from source, stage by stage.
 * This file holds main, the options and the command table. */

#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>
#include "lib/audit.h"
#include "lib/build.h"
#include "lib/cache.h"
#include "lib/defs.h"
#include "lib/doctor.h"
#include "lib/fetch.h"
#include "lib/guest.h"
#include "lib/ledger.h"
#include "lib/matrix.h"
#include "lib/native.h"
#include "lib/opts.h"
#include "lib/os.h"
#include "lib/plan.h"
#include "lib/proc.h"
#include "lib/provenance.h"
#include "lib/run.h"
#include "lib/tree.h"
#include "lib/util.h"
#include "lib/worktree.h"

/* the commit the runner was built from, when built from git (Makefile) */
#ifndef REVISION
#define REVISION ""
#endif

struct opts opts;
static struct defs defs;

/* Each command's synopsis and what it does: `bootstrap help`, `bootstrap
 * help COMMAND` and `bootstrap COMMAND --help` print from here. */
static const struct cmdhelp {
	const char *name, *synopsis, *text;
} helps[] = {
	{"all", "all [ARCH...]", "every stage for each target (default: this machine's)"},
	{"stage", "stage NAME...", "one stage (KIND-ARCH, e.g. cross-armv7l) and what it needs;\n"
	 "an ARCH alone: all its stages"},
	{"plan", "plan NAME...", "dry run: each step, cached or to build, what changed,\n"
	 "how long it may take (ARCH or all: that of bootstrap all)"},
	{"test", "test NAME...|all|hello-all", "build a stage, then run its tests (ARCH: its system image);\n"
	 "all: every target's hello and image, tested -j at a time,\n"
	 "then a table (hello-all: the simplest boot alone)"},
	{"boot", "boot ARCH", "build the system image, then a shell in the emulator"},
	{"audit", "audit NAME [--vary LIST] [--deep]", "build a stage twice under varied conditions and compare\n"
	 "(LIST: path,clock,tz,locale,umask,user,hostname,home,\n"
	 "kernel,aslr,jobs,env,order, and resume, which all leaves\n"
	 "out; default all; -NAME leaves one out; --deep rebuilds\n"
	 "its inputs too; rebuild-ARCH: what the target rebuilt\n"
	 "itself against the cross build). Exits 0 when the same,\n"
	 "3 when not, 1 when a build failed"},
	{"shell", "shell STAGE PKG PHASE", "a shell in that step's build tree and environment (its\n"
	 "tools only), to look at a failure or try a fix by hand"},
	{"check", "check [--publish] STAGE", "compare a build with the published one of the same key\n"
	 "(docs/results/ledger): the same bits, or which files differ\n"
	 "(exit 3); --publish adds this build to the ledger"},
	{"list", "list", "targets, stages and packages"},
	{"fetch", "fetch [PKG...]", "download and verify sources (all by default)"},
	{"doctor", "doctor [--packages]", "check the host's prerequisites and the machine, print what\n"
	 "is missing or wrong (-v: everything); --packages: list the\n"
	 "Debian packages of every tool"},
	{"clean", "clean [NAME...|--all] [--cache] | clean --stale [NAME...]",
	 "remove build trees and outputs (all, or of those stages;\n"
	 "all keeps the guests' disks, which hold a rebuild's progress:\n"
	 "--all removes them too); --cache: also empty the step cache\n"
	 "(sources are kept); --stale: remove from the step cache what\n"
	 "the recipes here no longer build (for the stages or targets\n"
	 "named; by default for every target), and nothing else"},
	{"guest", "guest IMAGE-DIR CONTROL-DIR [--scratch DISK [--out DIR] [--logs DIR]]\n"
	 "[--cross DIR --triplet T] [--hosts LIST] [--silence SECONDS]\n"
	 "[--mem MIB] [--size MIB]",
	 "boot a system image under qemu to run CONTROL-DIR/init in\n"
	 "it, with a scratch disk kept between boots (--out: its /out\n"
	 "on success, --logs: its /logs at any end) and distccd serving\n"
	 "a cross toolchain; -j N: N CPUs; ^C asks the guest to stop\n"
	 "(a ^C on its console)"},
	{"serve", "serve ARCH [--listen ADDR] [--allow ADDR[/BITS]] [--port N]",
	 "distccd serving ARCH's cross compilers (built first) and\n"
	 "nothing else, until ^C, on --listen ADDR (default 127.0.0.1)\n"
	 "for --allow ADDR[/BITS] (default 127.0.0.1), --port N (3632),\n"
	 "-j compiles at once: another machine's rebuild-ARCH adds it\n"
	 "with --distcc-hosts ADDR:PORT/N"},
	{"help", "help [COMMAND]", "this text, or one command's"},
	{"version", "version", "the runner's version (and the commit it was built from)"},
};

static const char options[] =
	"options:\n"
	"  -j N, --jobs N      jobs for each step (default: the number of CPUs)\n"
	"  --steps N           build up to N steps at once that do not read each other (default\n"
	"                      1; their progress then in lines, not redrawn)\n"
	"  -v                  stream step logs to the console\n"
	"  -k                  keep going after a failure with what does not depend on it\n"
	"  --offline           no network: the source cache and --mirror directories only\n"
	"  --mirror DIR|URL    look for sources there first (repeatable)\n"
	"  --keep-work         keep build trees after success\n"
	"  --host-toolchain    cross stages use the host's compiler (same architecture only)\n"
	"  --power-cut         the last run stopped with the machine (a guest killed): the\n"
	"                      step it was running starts over in a fresh tree\n"
	"  --synced TIME       with --power-cut: all was on the disk at TIME (seconds since\n"
	"                      1970); that step goes on in its tree, less what changed since\n"
	"  --spare-tools       leave host tools the machine lacks out of the airlock, with a\n"
	"                      warning (inside the target: a step that needs one fails)\n"
	"  --distcc DIR        put DIR (distcc's masquerade links) first in every step's PATH\n"
	"  --distcc-hosts LIST more distcc hosts for a native stage's guest\n"
	"                      (HOST[:PORT][/N],...: machines running bootstrap serve)\n"
	"  --top DIR           the project directory (default: .)\n"
	"  --work DIR          build trees and outputs (default: TOP/build, or $BOOTSTRAP_WORK)\n"
	"  --cache DIR         step and source cache (default: ~/.cache/bootstrap, or $BOOTSTRAP_CACHE)\n"
	"  --help, --version\n"
	"Options that take a value also take it as --option=VALUE.\n"
	"\n"
	"exit status: 0 done; 1 a build or test failed; 2 a usage error; 3 audit: not\n"
	"reproducible; 128+N stopped by signal N\n";

/* text line by line, indented by col (but its first line when first) */
static void indented(FILE *f, const char *text, int col, int first)
{
	for (const char *nl; *text; text = nl + 1) {
		nl = strchr(text, '\n');
		int n = nl ? (int)(nl - text) : (int)strlen(text);
		fprintf(f, "%*s%.*s\n", first ? 0 : col, "", n, text);
		first = 0;
		if (!nl)
			break;
	}
}

static void cmdusage(FILE *f, const struct cmdhelp *h)
{
	const char *nl = strchr(h->synopsis, '\n');
	int n = nl ? (int)(nl - h->synopsis) : (int)strlen(h->synopsis);

	if (nl || n > 19) {
		fprintf(f, "  %.*s\n", n, h->synopsis);
		if (nl)
			indented(f, nl + 1, 8, 0);
		indented(f, h->text, 22, 0);
	} else {
		fprintf(f, "  %-19s ", h->synopsis);
		indented(f, h->text, 22, 1);
	}
}

static const struct cmdhelp *findhelp(const char *name)
{
	for (size_t i = 0; i < LEN(helps); i++)
		if (!strcmp(helps[i].name, name))
			return &helps[i];
	return NULL;
}

/* a mistyped command: the nearest one, not the whole usage */
static int unknowncmd(const char *name)
{
	const char *names[LEN(helps)], *near;

	for (size_t i = 0; i < LEN(helps); i++)
		names[i] = helps[i].name;
	if ((near = nearest(name, names, LEN(helps))))
		warn("unknown command '%s': did you mean '%s'? (bootstrap help lists the commands)", name, near);
	else
		warn("unknown command '%s' (bootstrap help lists the commands)", name);
	return 2;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: bootstrap [options] command [args]\n\ncommands:\n");
	for (size_t i = 0; i < LEN(helps); i++)
		cmdusage(f, &helps[i]);
	fprintf(f, "\n%s", options);
}

/* one command's usage: bootstrap help COMMAND, bootstrap COMMAND --help */
static int cmdhelp(const char *name)
{
	const struct cmdhelp *h = findhelp(name);

	if (!h)
		return unknowncmd(name);
	printf("usage: bootstrap [options] %s\n\n", strchr(h->synopsis, '\n') ? h->name : h->synopsis);
	cmdusage(stdout, h);
	printf("\n%s", options);
	return 0;
}

/* refuse what a command does not take */
static int noargs(const char *cmd, int argc, char **argv, int max)
{
	if (argc <= max)
		return 0;
	warn("%s: unexpected argument '%s' (bootstrap help %s)", cmd, argv[max], cmd);
	return 2;
}

/* an option's whole number from min to max, or a usage error */
static long whole(const char *opt, const char *v, long min, long max, const char *what)
{
	char *end;
	long n;

	if (digits(v, &end, min, max, &n) < 0 || *end)
		misuse("%s: expected %s from %ld to %ld, found '%s'", opt, what, min, max, v);
	return n;
}

/* --distcc-hosts, guest --hosts: what goes on the guest's kernel command line */
static const char *hostlist(const char *opt, const char *v)
{
	char *bad = guest_badhost(v);

	if (bad && !strcmp(bad, v))
		misuse("%s: expected HOST[:PORT][/JOBS] separated by commas, found '%s'", opt, v);
	if (bad)
		misuse("%s: expected HOST[:PORT][/JOBS] separated by commas, found '%s' in '%s'", opt, bad, v);
	return v;
}

/* roff of text: backslashes and minus signs escaped, a leading dot or
 * quote kept from being a request */
static void roff(const char *text)
{
	for (const char *p = text; *p; p++) {
		if ((p == text || p[-1] == '\n') && (*p == '.' || *p == '\''))
			fputs("\\&", stdout);
		if (*p == '\\')
			fputs("\\e", stdout);
		else if (*p == '-')
			fputs("\\-", stdout);
		else
			putchar(*p);
	}
}

/* the manual page, from the same text as the help (make bootstrap.1) */
static void manpage(void)
{
	printf(".TH BOOTSTRAP 1 \"\" \"bootstrap %s\"\n.SH NAME\n", BOOTSTRAP_VERSION);
	printf("bootstrap \\- builds a self-hosting Linux system from seven packages, and proves it\n");
	printf(".SH SYNOPSIS\n.B bootstrap\n[options] command [args]\n.SH DESCRIPTION\n");
	printf("From gcc, binutils, musl, make, toybox, linux and bash, bootstrap builds for each\n"
	       "target a cross compiler, a root filesystem, a kernel, a native compiler and a\n"
	       "bootable system image run under qemu; the image rebuilds the whole system inside\n"
	       "itself, and audits rebuild every stage under varied conditions and compare.\n"
	       "It runs in the project directory (stages/, packages/, targets/, patches/).\n");
	printf(".SH COMMANDS\n");
	for (size_t i = 0; i < LEN(helps); i++) {
		printf(".TP\n.B ");
		for (const char *p = helps[i].synopsis; *p; p++)
			if (*p == '\n')
				putchar(' ');
			else if (*p == '-')
				fputs("\\-", stdout);
			else
				putchar(*p);
		printf("\n");
		roff(helps[i].text);
		printf("\n");
	}
	printf(".SH OPTIONS\n.nf\n");
	roff(options);
	printf(".fi\n.SH FILES\n.TP\n.I build/\n"
	       "build trees (work/), outputs (out/), logs (logs/) and a native stage's guest disk (guest/)\n"
	       ".TP\n.I ~/.cache/bootstrap/\nthe step cache (steps/) and the verified sources (sources/)\n"
	       ".SH SEE ALSO\n.BR qemu (1),\n.BR distccd (1)\n");
}

static int cmd_help(int argc, char **argv)
{
	if (noargs("help", argc, argv, 1))
		return 2;
	if (argc == 1 && !strcmp(argv[0], "--man")) {
		manpage();
		return 0;
	}
	if (argc == 1)
		return cmdhelp(argv[0]);
	usage(stdout);
	return 0;
}

static int cmd_version(int argc, char **argv)
{
	if (noargs("version", argc, argv, 0))
		return 2;
	printf("bootstrap %s%s%s\n", BOOTSTRAP_VERSION, *REVISION ? " " : "", REVISION);
	return 0;
}

static void load(void)
{
	char *stages = xasprintf("%s/stages", opts.top);

	if (!isdir(stages))
		fatal("no stages/ in %s: run bootstrap in the project directory, or give --top DIR", opts.top);
	free(stages);
	if (defs_load(&defs, opts.top) < 0)
		exit(1);
	cache_init(opts.cache);
	/* estimates for the steps this machine never built */
	char *ref = xasprintf("%s/docs/reference-times", opts.top);
	cache_reference(ref);
	free(ref);
}

static int cmd_list(int argc, char **argv)
{
	if (noargs("list", argc, argv, 0))
		return 2;
	load();
	printf("targets:\n");
	for (size_t i = 0; i < defs.ntargets; i++) {
		struct target *t = defs.targets[i];
		printf("  %-10s %-28s %s", t->name, envget(t->env, t->nenv, "TARGET"), t->qemu);
		if (t->toolchain != t)
			printf("  (a board: %s's toolchain)", t->toolchain->name);
		printf("\n");
	}
	printf("stages:\n");
	for (size_t i = 0; i < defs.nstages; i++) {
		struct stagedef *s = defs.stages[i];
		printf("  %-12s", s->kind);
		for (size_t k = 0; k < defs.ntargets; k++)
			printf(" %s-%s", s->kind, defs.targets[k]->name);
		if (s->nneeds) {
			printf("  (needs");
			for (size_t k = 0; k < s->nneeds; k++)
				printf(" %s", s->needs[k]);
			printf(")");
		}
		printf("\n");
	}
	printf("packages:\n");
	for (size_t i = 0; i < defs.npkgs; i++)
		printf("  %-12s %s\n", defs.pkgs[i]->name, defs.pkgs[i]->version);
	return 0;
}

/* names of stages, or targets for "all" */
static int makeplan(struct plan *plan, int argc, char **argv, int all)
{
	memset(plan, 0, sizeof(*plan));
	plan->defs = &defs;
	if (all && argc == 0 && plan_all(plan, host_arch()) < 0)
		return -1;
	if (!all && argc == 0) {
		warn("expected a stage name such as cross-%s (bootstrap list shows them)", host_arch());
		return -1;
	}
	/* a target's name (or "all": this machine's) stands for all its stages */
	for (int i = 0; i < argc; i++) {
		const char *arch = !strcmp(argv[i], "all") ? host_arch() : argv[i];
		int whole = all || find_target(&defs, arch);
		if ((whole ? plan_all(plan, arch) : plan_add(plan, argv[i])) < 0)
			return -1;
	}
	plan_keys(plan);
	return 0;
}

/* a cached step built with other host tools than this machine's: said,
 * not rebuilt (they are not in its key; docs/design.md says why) */
static void toolschanged(struct step *s)
{
	char *f = cache_file(s->key, "tools"), *then = readfile(f, NULL), *d = NULL;

	if (then && !s->stage->tools)
		s->stage->tools = provenance_tools(s->stage);
	if (then && (d = provenance_toolschanged(then, s->stage->tools)))
		printf("      host tools since it was built: %s\n", d);
	free(f), free(then), free(d);
}

/* plan's note of a step's time, as it may take: its last time, whatever
 * its key, or the reference machine's (byref); a native stage's step,
 * what its guest's steps have left by their times. -1: none known */
static double timenote(struct step *s, int *byref)
{
	char d[32], *slot;
	struct estimate e;
	double t;

	if (strcmp(s->stage->def->context, "native")) {
		slot = step_slot(s);
		t = cache_gettime(s->stage->name, slot, byref);
		free(slot);
		if (t >= 0 && *byref == 2)
			printf("  (%s on the reference machine, for another target)", fmtdur(t, d));
		else if (t >= 0)
			printf(*byref ? "  (%s on the reference machine)" : "  (last time %s)", fmtdur(t, d));
		return t;
	}
	t = native_timeleft(s, &e);
	if (t < 0) {
		printf("  (its guest's steps never timed)");
		return t;
	}
	printf("  (about %s left in the guest, by its steps' times", fmtdur(t, d));
	if (e.byref)
		printf(", %d of them the reference machine's%s", e.byref, e.other ? ", for another target" : "");
	if (e.never)
		printf("; %d never timed", e.never);
	printf(")");
	*byref = e.byref > 0;
	return t;
}

/* the end of plan's last line: how long the steps to build may take */
static void planestimate(int todo, int untimed, int byref, double total)
{
	char d[32];

	if (todo && todo == untimed) {
		printf(" (none timed before)\n");
		return;
	}
	if (todo)
		printf(": about %s by the last builds' times", fmtdur(total, d));
	if (byref && untimed)
		printf(" (%d of them the reference machine's, docs/reference-times; %d never timed)", byref, untimed);
	else if (byref)
		printf(" (%d of them the reference machine's, docs/reference-times)", byref);
	else if (untimed)
		printf(" (and %d never timed)", untimed);
	printf("\n");
}

static int cmd_plan(int argc, char **argv)
{
	struct plan plan;
	int todo = 0, n = 0, untimed = 0, byref = 0;
	double total = 0;

	load();
	if (makeplan(&plan, argc, argv, 0) < 0)
		return 2;
	for (size_t i = 0; i < plan.n; i++) {
		struct stage *st = plan.stages[i];
		printf("%s\n", st->name);
		for (size_t k = 0; k < st->nsteps; k++) {
			struct step *s = st->steps[k];
			printf("  %-7s %s %s  %.12s", s->cached ? "cached" : "build", s->pkg->name, s->phase->name, s->key);
			if (!s->cached) {
				int ref = 0;
				double t = timenote(s, &ref);
				untimed += t < 0;
				byref += t >= 0 && ref;
				total += t >= 0 ? t : 0;
				printf("\n");
				plan_why(s, stdout);
				worktree_where(s, stdout);
				todo++;
			} else {
				printf("\n");
				toolschanged(s);
			}
			n++;
		}
		/* a rebuild over several sittings: how far its guest got */
		if (!strcmp(st->def->context, "native"))
			native_progress(st, stdout);
	}
	printf("%d steps, %d cached, %d to build", n, n - todo, todo);
	planestimate(todo, untimed, byref, total);
	return 0;
}

static int build(int argc, char **argv, int all)
{
	struct plan plan;
	int r;

	load();
	if (makeplan(&plan, argc, argv, all) < 0)
		return 2;
	worktree_lock();
	run_signals();
	r = build_plan(&plan);
	if (r > 128) {
		warn("stopped by signal %d", r - 128);
		return r;
	}
	for (size_t i = 0; r == 0 && i < plan.n; i++) {
		char *out = stage_out(plan.stages[i]->name);
		if (argc == 0 || i == plan.n - 1 || all)
			printf("%s: %s\n", plan.stages[i]->name, out);
		free(out);
	}
	return r == 0 ? 0 : 1;
}

static int cmd_all(int argc, char **argv)
{
	return build(argc, argv, 1);
}

static int cmd_stage(int argc, char **argv)
{
	if (argc == 0) {
		warn("expected a stage name such as cross-%s (bootstrap list shows them)", host_arch());
		return 2;
	}
	return build(argc, argv, 0);
}

/* tests/stages/KIND.sh OUTPUT, with the target's variables */
static int runtest(const char *name)
{
	struct plan plan;
	struct stage *st;
	char *script, *out;
	int r;

	if (makeplan(&plan, 1, (char **)&name, 0) < 0)
		return 1;
	st = plan.stages[plan.n - 1];
	script = xasprintf("%s/tests/stages/%s.sh", opts.top, st->def->kind);
	if (!exists(script)) {
		warn("no test for %s: expected %s", name, script);
		return 1;
	}
	out = stage_out(name);
	for (size_t i = 0; i < st->target->nenv; i++) {
		char *eq = strchr(st->target->env[i], '=');
		char *var = xstrndup(st->target->env[i], eq - st->target->env[i]);
		setenv(var, eq + 1, 1);
		free(var);
	}
	for (size_t i = 0; i < st->nneeds; i++) {
		char *v = stage_var(st->needs[i]->def->kind);
		setenv(v, stage_out(st->needs[i]->name), 1);
		free(v);
	}
	setenv("STAGEDIR", out, 1);
	/* the tests drive this very runner (bootstrap guest, for one) */
	if (!getenv("BOOTSTRAP")) {
		char *self = os_self();
		setenv("BOOTSTRAP", self, 1);
		free(self);
	}
	setenv("BOOTSTRAP_STAGE", name, 1);
	setenv("BOOTSTRAP_WORK", opts.work, 1);
	setenv("BOOTSTRAP_CACHE", opts.cache, 1);
	printf("testing %s with %s\n", name, script);
	fflush(stdout);
	char *args[] = {"sh", script, out, NULL};
	r = proc_rungroup(args);
	printf("%s: %s\n", name, r == 0 ? "tests passed" : "TESTS FAILED");
	free(script);
	free(out);
	return r == 0 ? 0 : 1;
}

/* "ARCH" alone means its system image: image-ARCH */
static void imagenames(int argc, char **argv)
{
	load();
	for (int i = 0; i < argc; i++)
		if (find_target(&defs, argv[i]))
			argv[i] = xasprintf("image-%s", argv[i]);
}

/* test all, test hello-all: every target's hello (and image) built, then
 * tested side by side, as many at once as -j says */
static int testall(int helloonly)
{
	struct matrix m = {0};
	char **names = NULL;
	size_t n = 0;

	load();
	for (size_t i = 0; i < defs.ntargets; i++) {
		PUSH(m.targets, m.ntargets, defs.targets[i]->name);
		PUSH(names, n, xasprintf("hello-%s", defs.targets[i]->name));
		if (!helloonly)
			PUSH(names, n, xasprintf("image-%s", defs.targets[i]->name));
	}
	/* a target that does not build is a row of the table, not the end */
	opts.keepgoing = 1;
	if (build((int)n, names, 0) > 128)
		return 1;
	m.helloonly = helloonly;
	m.jobs = opts.jobs;
	m.logdir = xasprintf("%s/logs/test-all", opts.work);
	m.test = runtest;
	return matrix_run(&m);
}

static int cmd_test(int argc, char **argv)
{
	int r;

	if (argc == 0) {
		warn("expected a stage name such as cross-%s, or a target (its system image)", host_arch());
		return 2;
	}
	for (int i = 0; i < argc; i++)
		if ((!strcmp(argv[i], "all") || !strcmp(argv[i], "hello-all")) && argc > 1)
			misuse("test %s tests every target: expected it alone, found %d names", argv[i], argc);
	if (argc == 1 && (!strcmp(argv[0], "all") || !strcmp(argv[0], "hello-all")))
		return testall(!strcmp(argv[0], "hello-all"));
	imagenames(argc, argv);
	r = build(argc, argv, 0);
	for (int i = 0; r == 0 && i < argc; i++)
		r = runtest(argv[i]);
	return r;
}

/* an interactive shell in the emulator: the image's run-emulator.sh */
static int cmd_boot(int argc, char **argv)
{
	char *script;
	int r;

	if (argc != 1) {
		warn("expected one target, such as %s", host_arch());
		return 2;
	}
	load();
	if (!find_target(&defs, argv[0]) && (!startswith(argv[0], "image-") || !find_target(&defs, argv[0] + 6))) {
		char *k = plan_known(&defs, 0);
		warn("unknown target '%s': targets are %s", argv[0], *k ? k : "none");
		free(k);
		return 2;
	}
	imagenames(argc, argv);
	r = build(argc, argv, 0);
	if (r)
		return r;
	script = xasprintf("%s/system-image-%s/run-emulator.sh", stage_out(argv[0]), argv[0] + strlen("image-"));
	fflush(stdout);
	execl(script, script, (char *)NULL);
	warn("cannot run %s:", script);
	return 1;
}

/* a script run inside a system image: the control directory's init, as
 * the image tests and the native stages' steps run theirs (lib/guest.c) */
static int cmd_guest(int argc, char **argv)
{
	struct guest g = {0};
	const char *out = NULL, *logs = NULL, *pos[2] = {0};
	int npos = 0, r;

	g.silence = 1200;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (a[0] != '-') {
			if (npos == 2)
				goto usage;
			pos[npos++] = a;
			continue;
		}
		if (!v)
			goto usage;
		i++;
		if (!strcmp(a, "--scratch"))
			g.scratch = abspath(v); /* the emulator runs in the image's directory */
		else if (!strcmp(a, "--out"))
			out = v;
		else if (!strcmp(a, "--logs"))
			logs = v;
		else if (!strcmp(a, "--cross"))
			g.cross = abspath(v);
		else if (!strcmp(a, "--triplet"))
			g.triplet = v;
		else if (!strcmp(a, "--hosts"))
			g.hosts = hostlist(a, v);
		else if (!strcmp(a, "--silence"))
			g.silence = (int)whole(a, v, 0, 7 * 86400, "a number of seconds (0: never)");
		else if (!strcmp(a, "--mem"))
			g.mem = (int)whole(a, v, 64, 1 << 20, "a size in MiB");
		else if (!strcmp(a, "--size"))
			g.scratchmb = whole(a, v, 64, 1 << 24, "a size in MiB");
		else
			goto usage;
	}
	if (npos != 2 || (g.cross && !g.triplet) || ((out || logs) && !g.scratch))
		goto usage;
	g.image = pos[0];
	g.control = pos[1];
	g.dir = xasprintf("%s.disks", abspath(pos[1]));
	g.cpus = g.jobs = opts.jobs;
	run_signals();
	r = guest_run(&g);
	if (r < 0)
		printf("guest: the control script did not finish\n");
	else
		printf("guest: the control script exited with status %d\n", r);
	/* the logs whatever the end: a failed or stopped build's most of all */
	if (logs) {
		rmtree(logs);
		if (guest_extract(g.scratch, "/logs", logs) == 0)
			printf("guest: its logs are in %s\n", logs);
		/* and distccd's beside them: the tree that held it goes when the
		 * step is done */
		char *from = xasprintf("%s/distccd.log", g.dir), *to = xasprintf("%s/distccd.log", logs);
		size_t n;
		char *text = readfile(from, &n);
		if (text && (mkdirp(logs) < 0 || writefile(to, text, n) < 0))
			warn("cannot copy %s to %s:", from, to);
		free(from), free(to), free(text);
	}
	if (r == 0 && out)
		r = guest_extract(g.scratch, "/out", out) < 0 ? 1 : 0;
	return r == 0 ? 0 : r < 0 ? 1 : r;
usage:
	warn("expected: guest IMAGE-DIR CONTROL-DIR [--scratch DISK [--out DIR] [--logs DIR]] [--cross DIR --triplet T] "
	     "[--hosts LIST] [--silence SECONDS] [--mem MIB] [--size MIB]");
	return 2;
}

/* an IPv4 address (with bits: ADDR/BITS too), or a usage error */
static const char *address(const char *opt, const char *v, int bits)
{
	const char *slash = bits ? strchr(v, '/') : NULL;
	char *a = xstrndup(v, slash ? (size_t)(slash - v) : strlen(v));
	struct in_addr in;

	if (inet_pton(AF_INET, a, &in) != 1)
		misuse("%s: expected an IPv4 address%s, found '%s'", opt, bits ? " (or ADDR/BITS, a network)" : "", v);
	if (slash)
		whole(opt, slash + 1, 0, 32, "a number of bits");
	free(a);
	return v;
}

/* distccd for a rebuild on another machine: ARCH's cross compilers, for
 * the addresses --allow names, until ^C; run as beside a rebuild's own
 * guest (lib/guest.c). That machine's guest reaches it through its qemu,
 * so it comes from that machine's address. */
static int cmd_serve(int argc, char **argv)
{
	struct guest g = {.port = 3632}; /* distcc's own */
	const char *arch = NULL;
	struct target *t;
	int r, ended = 0;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (a[0] != '-' && !arch) {
			arch = a;
			continue;
		}
		if (a[0] != '-' || !v)
			goto usage;
		i++;
		if (!strcmp(a, "--listen"))
			g.listen = address(a, v, 0);
		else if (!strcmp(a, "--allow"))
			g.allow = address(a, v, 1);
		else if (!strcmp(a, "--port"))
			g.port = (int)whole(a, v, 1, 65535, "a port number");
		else
			goto usage;
	}
	if (!arch)
		goto usage;
	load();
	if (startswith(arch, "cross-"))
		arch += strlen("cross-");
	if (!(t = find_target(&defs, arch))) {
		char *k = plan_known(&defs, 0);
		misuse("unknown target '%s': targets are %s", arch, *k ? k : "none");
	}
	char *name = xasprintf("cross-%s", arch), *dir = xasprintf("%s/serve/%s", opts.work, arch);
	if ((r = build(1, &name, 0)))
		return r;
	/* the work tree is not this command's past the build: a rebuild
	 * there may go on beside it */
	worktree_unlock();
	g.cross = stage_out(name);
	g.triplet = envget(t->env, t->nenv, "TARGET");
	g.jobs = opts.jobs;
	if (mkdirp(dir) < 0)
		fatal("cannot create %s:", dir);
	if (guest_distccd(&g, dir) < 0)
		return 1;
	/* the address to give: the one it listens on, unless that is all of them */
	const char *here = g.listen && strcmp(g.listen, "0.0.0.0") ? g.listen : "THIS-ADDRESS";
	printf("serve: until ^C, for %s. On that machine: bootstrap --distcc-hosts %s:%d/%d stage rebuild-%s\n",
	       g.allow ? g.allow : "127.0.0.1", here, g.port, g.jobs, arch);
	fflush(stdout);
	run_signals();
	while (!run_stopped() && !(ended = waitpid(g.distccd, NULL, WNOHANG) == g.distccd))
		msleep(200);
	if (ended) {
		g.distccd = 0;
		warn("distccd ended by itself: see %s/distccd.log", dir);
	}
	guest_stopdistccd(&g);
	if (!ended)
		printf("serve: stopped\n");
	free(name), free(dir);
	return ended ? 1 : 0;
usage:
	warn("expected: serve ARCH [--listen ADDR] [--allow ADDR[/BITS]] [--port N]");
	return 2;
}

/* the stage built as usual, then again under variations (lib/audit.c);
 * a rebuild stage, the target's own build, is compared with the cross
 * build instead (lib/rebuilt.c) */
static int cmd_audit(int argc, char **argv)
{
	struct plan plan;
	const char *name = NULL, *err;
	int deep = 0, varied = 0, rebuild, r;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--deep")) {
			deep = 1;
		} else if (!strcmp(argv[i], "--vary") && i + 1 < argc) {
			varied = 1;
			if ((err = audit_vary(argv[++i]))) {
				warn("%s", err);
				return 2;
			}
		} else if (argv[i][0] == '-' || name) {
			warn("expected: audit NAME [--vary LIST] [--deep], found '%s'", argv[i]);
			return 2;
		} else {
			name = argv[i];
		}
	}
	if (!name) {
		warn("expected a stage name such as cross-%s (bootstrap list shows them)", host_arch());
		return 2;
	}
	rebuild = !strncmp(name, "rebuild-", 8);
	if (rebuild && (deep || varied)) {
		warn("audit %s: a rebuild is compared with the cross build, not built again: "
		     "expected no --vary or --deep", name);
		return 2;
	}
	imagenames(1, (char **)&name);
	if ((r = build(1, (char **)&name, 0)))
		return r;
	if (makeplan(&plan, 1, (char **)&name, 0) < 0)
		return 1;
	return rebuild ? audit_rebuilt(&plan) : audit_stage(&plan, deep);
}

/* a shell in a step's build tree and environment, as a failed step's
 * message suggests (bitbake's devshell) */
static int cmd_shell(int argc, char **argv)
{
	struct plan plan;

	if (argc != 3) {
		warn("shell: expected STAGE PKG PHASE, e.g. cross-%s gcc compiler", host_arch());
		return 2;
	}
	load();
	if (makeplan(&plan, 1, argv, 0) < 0)
		return 2;
	worktree_lock();
	return build_shell(&plan, argv[1], argv[2]);
}

/* a build against the ledger of published builds, or added to it */
static int cmd_check(int argc, char **argv)
{
	int publish = argc == 2 && !strcmp(argv[0], "--publish");

	if (argc - publish != 1) {
		warn("check: expected STAGE or --publish STAGE");
		return 2;
	}
	load();
	struct plan plan;
	if (makeplan(&plan, 1, argv + publish, 0) < 0)
		return 2;
	return publish ? ledger_publish(argv[1]) : ledger_check(argv[0]);
}

static int cmd_fetch(int argc, char **argv)
{
	int err = 0;

	load();
	/* every name first: nothing is fetched for a mistyped list */
	for (int k = 0; k < argc; k++)
		if (!find_package(&defs, argv[k]))
			misuse("unknown package '%s' (bootstrap list shows them)", argv[k]);
	for (size_t i = 0; i < defs.npkgs; i++) {
		struct package *p = defs.pkgs[i];
		int want = argc == 0;
		for (int k = 0; k < argc; k++)
			want |= !strcmp(argv[k], p->name);
		for (size_t s = 0; want && s < p->nsrc; s++) {
			char *f = fetch_source(p, &p->src[s]);
			if (f)
				printf("%-12s %s  %s\n", p->name, p->src[s].sha256, f);
			else
				err = 1;
			free(f);
		}
	}
	return err;
}

static int cmd_doctor(int argc, char **argv)
{
	int packages = argc == 1 && !strcmp(argv[0], "--packages");

	if (noargs("doctor", argc - packages, argv + packages, 0))
		return 2;
	load();
	if (packages) {
		doctor_packages(&defs);
		return 0;
	}
	return doctor(&defs, !opts.verbose);
}

/* what clean removes of a stage: its trees, output, logs, airlock, and
 * the scratch disk of a native stage's guest */
static int cleanstage(const char *name)
{
	static const char *subs[] = {"work/%s", "out/%s", "out/%s.manifest", "out/%s.key",
	                             "out/%s.provenance.json", "out/%s.spdx.json", "logs/%s", "airlock/%s", "guest/%s.img"};
	int err = 0;

	for (size_t k = 0; k < LEN(subs); k++) {
		char *rel = xasprintf(subs[k], name), *p = xasprintf("%s/%s", opts.work, rel);
		err |= isdir(p) ? rmtree(p) : unlink(p) < 0 && errno != ENOENT;
		free(rel), free(p);
	}
	return err;
}

/* A guest's disk can hold hours of emulated work (a rebuild's steps
 * inside): a clean of everything keeps it, and says how to remove it */
static void keepguests(const char *dir)
{
	size_t n;
	struct entry *e = tree_list(dir, &n);

	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(e[i].path);
		if (!S_ISREG(e[i].mode) || strchr(e[i].path, '/') || len < 5 || strcmp(e[i].path + len - 4, ".img"))
			continue;
		char *p = xasprintf("%s/%s", dir, e[i].path), *stage = xstrndup(e[i].path, len - 4);
		struct stat st;
		if (stat(p, &st) == 0)
			warn("kept %s (%.1f GiB used): the progress of %s's guest; clean %s or clean --all removes it",
			     p, st.st_blocks * 512.0 / (1 << 30), stage, stage);
		free(p), free(stage);
	}
	tree_free(e, n);
}

/* the keys of every step of a plan, added to keys */
static void plankeys(struct plan *plan, char ***keys, size_t *n)
{
	for (size_t i = 0; i < plan->n; i++)
		for (size_t k = 0; k < plan->stages[i]->nsteps; k++) {
			*keys = xreallocarray(*keys, *n + 1, sizeof(**keys));
			(*keys)[(*n)++] = plan->stages[i]->steps[k]->key;
		}
}

/* clean --stale: the step cache keeps what the recipes here build for
 * the stages or targets named (all: every target's, this machine's own
 * with the host's toolchain too), and loses the rest. A guest's disk
 * holds one target's rebuild, and each change of a recipe leaves its
 * earlier steps there: the rebuild prunes them as it starts. */
static int stale(int argc, char **argv)
{
	struct plan plan;
	char **keys = NULL;
	size_t nkeys = 0;
	long long freed;

	for (int i = 0; i < argc; i++)
		if (argv[i][0] == '-' || !strcmp(argv[i], "all")) {
			warn("clean --stale: expected stage or target names (bootstrap list shows them), found '%s'", argv[i]);
			return 2;
		}
	for (size_t t = 0; argc == 0 && t < defs.ntargets; t++) {
		char *name = defs.targets[t]->name;
		if (makeplan(&plan, 1, &name, 0) < 0)
			return 2;
		plankeys(&plan, &keys, &nkeys);
		if (!strcmp(name, host_arch())) {
			opts.hostcc = 1;
			if (makeplan(&plan, 1, &name, 0) < 0)
				return 2;
			plankeys(&plan, &keys, &nkeys);
			opts.hostcc = 0;
		}
	}
	if (argc > 0) {
		if (makeplan(&plan, argc, argv, 0) < 0)
			return 2;
		plankeys(&plan, &keys, &nkeys);
	}
	long n = cache_prune(keys, nkeys, &freed);
	printf("removed %ld step%s of other recipes from %s (%.1f MiB); kept the steps of %s\n",
	       n, n == 1 ? "" : "s", cache_root(), freed / 1048576.0, argc ? "those named" : "every target");
	free(keys);
	return 0;
}

/* Names are stage names, checked against the plan, so that nothing but
 * the work tree's own directories can be named; under the work tree's
 * lock, so that nothing is removed under a running build. */
static int cmd_clean(int argc, char **argv)
{
	static const char *subs[] = {"work", "out", "logs", "airlock", "guest"};
	int cache = 0, all = 0, err = 0, nnames = 0;
	char **names = xcalloc(argc + 1, sizeof(*names));

	load();
	if (argc > 0 && !strcmp(argv[0], "--stale"))
		return stale(argc - 1, argv + 1);
	for (int i = 0; i < argc; i++) {
		struct plan plan;
		if (!strcmp(argv[i], "--cache"))
			cache = 1;
		else if (!strcmp(argv[i], "--all"))
			all = 1;
		else if (argv[i][0] == '-' || !strchr(argv[i], '-')) {	/* a target, all, an option */
			warn("clean: expected stage names (bootstrap list shows them), --all or --cache, found '%s'", argv[i]);
			return 2;
		} else if (makeplan(&plan, 1, &argv[i], 0) < 0)
			return 2;	/* it said what it found */
		else
			names[nnames++] = argv[i];
	}
	worktree_lock();
	if (cache) {
		static const char *csubs[] = {"steps", "tmp", "state", "locks"};
		for (size_t i = 0; i < LEN(csubs); i++) {
			char *p = xasprintf("%s/%s", opts.cache, csubs[i]);
			err |= rmtree(p);
			free(p);
		}
	}
	if (all || nnames == 0) {
		for (size_t i = 0; i < LEN(subs); i++) {
			char *p = xasprintf("%s/%s", opts.work, subs[i]);
			if (!all && !strcmp(subs[i], "guest"))
				keepguests(p);
			else
				err |= rmtree(p);
			free(p);
		}
	}
	for (int i = 0; i < nnames; i++)
		err |= cleanstage(names[i]);
	free(names);
	return err ? 1 : 0;
}

static const struct {
	const char *name;
	int (*fn)(int, char **);
} cmds[] = {
	{"all", cmd_all}, {"stage", cmd_stage}, {"plan", cmd_plan}, {"list", cmd_list},
	{"fetch", cmd_fetch}, {"doctor", cmd_doctor}, {"clean", cmd_clean}, {"test", cmd_test},
	{"boot", cmd_boot}, {"audit", cmd_audit}, {"guest", cmd_guest}, {"serve", cmd_serve}, {"shell", cmd_shell}, {"check", cmd_check}, {"help", cmd_help},
	{"version", cmd_version},
};

/* A jobserver from a parent make: --jobserver-auth=R,W or =fifo:PATH, and
 * its -jN. Nothing else of the caller's MAKEFLAGS reaches a step: -i or
 * -k would turn a failed step into a cached success, and its variables
 * (CFLAGS=...) would change outputs without changing keys. */
static char *jobserver(void)
{
	const char *mf = getenv("MAKEFLAGS"), *a;
	char *copy, *save, *auth = NULL, *jobs = NULL, *out = NULL;
	int r, w;

	if (!mf || !(a = strstr(mf, "--jobserver-auth=")))
		return NULL;
	a += strlen("--jobserver-auth=");
	if (!startswith(a, "fifo:") &&
	    !(sscanf(a, "%d,%d", &r, &w) == 2 && fcntl(r, F_GETFD) >= 0 && fcntl(w, F_GETFD) >= 0))
		return NULL; /* make did not pass its pipe down (no '+' on the rule) */
	copy = xstrdup(mf);
	/* flags come before " -- ", the command line's variables after */
	for (char *wd = strtok_r(copy, " ", &save); wd && strcmp(wd, "--"); wd = strtok_r(NULL, " ", &save)) {
		if (startswith(wd, "--jobserver-auth="))
			auth = wd;
		else if (startswith(wd, "-j") && strspn(wd + 2, "0123456789") == strlen(wd + 2))
			jobs = wd;
	}
	if (auth)
		out = xasprintf("%s%s%s", jobs ? jobs : "", jobs ? " " : "", auth);
	free(copy);
	return out;
}

/* options of one command, left for it: clean --cache, doctor --packages,
 * audit --vary LIST --deep; 2 when the option takes an argument */
static int cmdopt(const char *cmd, const char *a)
{
	static const struct {
		const char *cmd, *opt;
		int arg;
	} own[] = {
		{"help", "--man", 0}, {"check", "--publish", 0}, {"clean", "--cache", 0}, {"clean", "--all", 0}, {"clean", "--stale", 0}, {"doctor", "--packages", 0}, {"audit", "--vary", 1}, {"audit", "--deep", 0},
		{"guest", "--scratch", 1}, {"guest", "--out", 1}, {"guest", "--logs", 1}, {"guest", "--cross", 1}, {"guest", "--triplet", 1},
		{"guest", "--hosts", 1}, {"guest", "--silence", 1}, {"guest", "--mem", 1}, {"guest", "--size", 1},
		{"serve", "--listen", 1}, {"serve", "--allow", 1}, {"serve", "--port", 1},
	};

	for (size_t i = 0; i < LEN(own); i++)
		if (!strcmp(cmd, own[i].cmd) && !strcmp(a, own[i].opt))
			return 1 + own[i].arg;
	return 0;
}

static char *optarg_of(int *i, int argc, char **argv)
{
	if (*i + 1 >= argc)
		misuse("option %s needs an argument (bootstrap help lists the options)", argv[*i]);
	return argv[++*i];
}

/* --opt=value as --opt value, for the options that take one */
static char **splitopts(int *argc, char **argv)
{
	static const char *withvalue[] = {"--cache", "--work", "--top", "--mirror", "--jobs", "--steps",
	                                  "--distcc", "--distcc-hosts", "--vary"};
	char **v = xcalloc(2 * *argc + 1, sizeof(*v));
	int n = 0;

	for (int i = 0; i < *argc; i++) {
		char *eq = startswith(argv[i], "--") ? strchr(argv[i], '=') : NULL;
		size_t k = 0;
		while (eq && k < LEN(withvalue) && strncmp(argv[i], withvalue[k], eq - argv[i]))
			k++;
		if (eq && k < LEN(withvalue) && strlen(withvalue[k]) == (size_t)(eq - argv[i])) {
			v[n++] = xstrndup(argv[i], eq - argv[i]);
			v[n++] = eq + 1;
		} else {
			v[n++] = argv[i];
		}
	}
	*argc = n;
	return v;
}

int main(int argc, char **argv)
{
	char **args;
	int nargs = 0;
	const char *env;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	opts.jobs = cpus > 0 ? (int)cpus : 1;
	opts.steps = 1;
	opts.top = ".";
	argv = splitopts(&argc, argv);
	args = xcalloc(argc + 1, sizeof(*args));
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		/* after the command, its own options come first: clean --cache */
		int own = nargs ? cmdopt(args[0], a) : 0;
		if (own) {
			if (own == 2 && i + 1 < argc)
				args[nargs++] = argv[i++];
			args[nargs++] = argv[i];
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			if (nargs)
				return cmdhelp(args[0]);
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			return cmd_version(0, NULL);
		} else if (!strcmp(a, "-j") || !strcmp(a, "--jobs")) {
			opts.jobs = (int)whole(a, optarg_of(&i, argc, argv), 1, 1024, "a number of jobs");
		} else if (startswith(a, "-j") && a[2]) {
			opts.jobs = (int)whole("-j", a + 2, 1, 1024, "a number of jobs");
		} else if (!strcmp(a, "--steps")) {
			opts.steps = (int)whole(a, optarg_of(&i, argc, argv), 1, 1024, "a number of steps");
		} else if (!strcmp(a, "-v")) {
			opts.verbose = 1;
		} else if (!strcmp(a, "-k")) {
			opts.keepgoing = 1;
		} else if (!strcmp(a, "--offline")) {
			opts.offline = 1;
		} else if (!strcmp(a, "--keep-work")) {
			opts.keepwork = 1;
		} else if (!strcmp(a, "--host-toolchain")) {
			opts.hostcc = 1;
		} else if (!strcmp(a, "--audit-vary")) {
			/* the audit's second build only (lib/audit.c) */
			const char *f = optarg_of(&i, argc, argv);
			if (!(opts.vary = readfile(f, NULL)))
				fatal("cannot read %s:", f);
		} else if (!strcmp(a, "--audit-twice")) {
			opts.twice = 1;
		} else if (!strcmp(a, "--power-cut")) {
			opts.cut = 1;
		} else if (!strcmp(a, "--synced")) {
			const char *v = optarg_of(&i, argc, argv);
			char *end;
			opts.synced = strtoll(v, &end, 10);
			if (*end || opts.synced <= 0)
				misuse("--synced: expected a time in seconds since 1970, found '%s'", v);
		} else if (!strcmp(a, "--spare-tools")) {
			opts.sparetools = 1;
		} else if (!strcmp(a, "--distcc")) {
			opts.distcc = abspath(optarg_of(&i, argc, argv));
		} else if (!strcmp(a, "--distcc-hosts")) {
			opts.distcchosts = (char *)hostlist(a, optarg_of(&i, argc, argv));
		} else if (!strcmp(a, "--mirror")) {
			PUSH(opts.mirrors, opts.nmirrors, optarg_of(&i, argc, argv));
		} else if (!strcmp(a, "--top")) {
			opts.top = optarg_of(&i, argc, argv);
		} else if (!strcmp(a, "--work")) {
			opts.work = optarg_of(&i, argc, argv);
		} else if (!strcmp(a, "--cache")) {
			opts.cache = optarg_of(&i, argc, argv);
		} else if (a[0] == '-' && a[1]) {
			misuse("unknown option '%s' (bootstrap help lists the options)", a);
		} else {
			args[nargs++] = argv[i];
		}
	}
	opts.top = abspath(opts.top);
	if (!opts.work)
		opts.work = (env = getenv("BOOTSTRAP_WORK")) && *env ? abspath(env) : xasprintf("%s/build", opts.top);
	else
		opts.work = abspath(opts.work);
	if (!opts.cache) {
		if ((env = getenv("BOOTSTRAP_CACHE")) && *env)
			opts.cache = abspath(env);
		else
			opts.cache = xasprintf("%s/.cache/bootstrap", (env = getenv("HOME")) ? env : "/tmp");
	}
	opts.cache = abspath(opts.cache);
	/* varied steps are cached under their ordinary keys: only ever in an
	 * audit's own cache namespace, never in the one every build reads */
	if ((opts.vary || opts.twice) && !strstr(opts.cache, "/audit/"))
		fatal("--audit-vary and --audit-twice are for an audit's second build, in its cache CACHE/audit/NAME");
	opts.makeflags = jobserver();
	if (!nargs) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < LEN(cmds); i++)
		if (!strcmp(args[0], cmds[i].name))
			return cmds[i].fn(nargs - 1, args + 1);
	return unknowncmd(args[0]);
}
