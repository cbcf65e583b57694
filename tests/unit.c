/* unit.c: unit tests of the runner's modules. Prints "ok - NAME" or
 * "FAIL - NAME: why" for each case; tests/run counts them. */

#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../lib/archive.h"
#include "../lib/cache.h"
#include "../lib/compare.h"
#include "../lib/defs.h"
#include "../lib/guest.h"
#include "../lib/provenance.h"
#include "../lib/manifest.h"
#include "../lib/native.h"
#include "../lib/opts.h"
#include "../lib/os.h"
#include "../lib/plan.h"
#include "../lib/run.h"
#include "../lib/scan.h"
#include "../lib/sha256.h"
#include "../lib/util.h"

struct opts opts;
static int failed;

static void check(int ok, const char *name, const char *why)
{
	if (ok)
		printf("ok - %s\n", name);
	else
		printf("FAIL - %s: %s\n", name, why), failed++;
	firsterr[0] = 0; /* each case sees only its own first error */
}

static void checkstr(const char *got, const char *want, const char *name)
{
	char *why = xasprintf("expected '%s', got '%s'", want, got ? got : "(null)");

	check(got && !strcmp(got, want), name, why);
	free(why);
}

/* FIPS 180-2 and NIST CAVP vectors */
static void test_sha256(void)
{
	char h[65];
	char *million = xmalloc(1000000);
	struct sha256 s;

	sha256_str("abc", 3, h);
	checkstr(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256 abc");
	sha256_str("", 0, h);
	checkstr(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256 empty");
	sha256_str("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, h);
	checkstr(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "sha256 448 bits");
	memset(million, 'a', 1000000);
	sha256_str(million, 1000000, h);
	checkstr(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", "sha256 a million a");
	/* the same fed in odd pieces: the buffering must not change the hash */
	sha256_init(&s);
	for (size_t i = 0; i < 1000000; i += 997)
		sha256_update(&s, million + i, 1000000 - i < 997 ? 1000000 - i : 997);
	sha256_hex(&s, h);
	checkstr(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", "sha256 in pieces");
	free(million);
}

static void test_scan(void)
{
	struct doc *d = doc_parse("t", "# c\nversion 1.0\n\nphase build\n\tmake\n\n\t  make install\n# x\nepoch 5\n");

	check(d && d->n == 3, "scan directives", "expected 3 directives");
	if (!d)
		return;
	checkstr(d->d[0].arg, "1.0", "scan argument");
	checkstr(d->d[1].block, "make\n\n  make install\n", "scan block keeps inner blank lines and indent");
	check(d->d[2].line == 9, "scan line numbers", "epoch should be on line 9");
	check(d->d[0].block == NULL, "scan no block", "version has no block");
	doc_free(d);
	d = doc_parse("t", "phase x\n    a\n      b\n");
	checkstr(d ? d->d[0].block : NULL, "a\n  b\n", "scan space indent");
	doc_free(d);
	check(doc_parse("bad", "\tindented first\n") == NULL && strstr(firsterr, "bad:1:"),
	      "scan error: indented text first", firsterr);
	check(doc_parse("bad", "ok 1\nVersion 2\n") == NULL && !strncmp(firsterr, "bad:2: expected a keyword", 25),
	      "scan error: bad keyword names file:line", firsterr);
}

static struct package *pkg(const char *text)
{
	struct doc *d = doc_parse("packages/p", text);

	return d ? package_parse(d, "p", "/nonexistent") : NULL;
}

static const char *H = "a9a118bbe84d8764da0ea0d28b3ab3fae8477fc7e4085d90102b8596fc7c75e4";

static void test_recipe(void)
{
	char *t = xasprintf("version 1\nepoch 10\nsource x.tar.gz %s\nurl https://x/x.tar.gz\napt x=1-1 trixie\n"
	                    "license GPL-2.0-only WITH Linux-syscall-note\n"
	                    "depends a b\nphase one\n\techo 1\nphase two bash\n\techo 2\n", H);
	struct package *p = pkg(t);

	check(p != NULL, "recipe parses", firsterr);
	if (p) {
		check(p->nsrc == 1 && p->src[0].nurls == 1 && !strcmp(p->src[0].apt, "x=1-1") &&
		      !strcmp(p->src[0].suite, "trixie"), "recipe source attributes", "wrong source");
		check(p->nphase == 2 && p->phase[1].bash && !p->phase[0].bash, "recipe phases", "wrong phases");
		check(p->ndepends == 2 && p->epoch == 10, "recipe depends and epoch", "wrong");
		check(!strcmp(p->src[0].license, "GPL-2.0-only WITH Linux-syscall-note"), "recipe: a source's licence", "wrong");
	}
	free(t);
	t = xasprintf("version 1\nepoch 1\nsource x.tar.gz %s\nlicense GPL; rm -rf /\nphase a\n\tx\n", H);
	check(!pkg(t) && strstr(firsterr, "packages/p:4: expected one 'license SPDX-EXPRESSION'") &&
	      strstr(firsterr, "found 'license GPL; rm -rf /'"), "recipe error: not an SPDX expression", firsterr);
	free(t);
	check(!pkg("epoch 1\nphase a\n\tx\n") && strstr(firsterr, "packages/p:1: missing 'version'"),
	      "recipe error: missing version", firsterr);
	check(!pkg("version 1\nepoch 1\nsource x.tar.gz 1234\nphase a\n\tx\n") &&
	      strstr(firsterr, "packages/p:3: expected 'source FILE SHA256'") && strstr(firsterr, "found 'source x.tar.gz 1234'"),
	      "recipe error: short hash", firsterr);
	check(!pkg("version 1\nepoch 1\nphase a\n") && strstr(firsterr, "packages/p:3: phase 'a' has no commands"),
	      "recipe error: empty phase", firsterr);
	check(!pkg("version 1\nepoch 1\nurl http://x\nphase a\n\tx\n") && strstr(firsterr, "packages/p:3:"),
	      "recipe error: url without source", firsterr);
	check(!pkg("version 1\nepoch soon\nphase a\n\tx\n") && strstr(firsterr, "packages/p:2: expected 'epoch SECONDS'"),
	      "recipe error: bad epoch", firsterr);
	check(!pkg("version 1\nepoch 1\nphase a\n\tx\nphase a\n\ty\n") && strstr(firsterr, "packages/p:5: phase 'a' given twice (first at line 3)"),
	      "recipe error: duplicate phase", firsterr);
	check(!pkg("version 1\n\tstray\nepoch 1\nphase a\n\tx\n") && strstr(firsterr, "packages/p:1: 'version' takes no indented text"),
	      "recipe error: text under a keyword that takes none", firsterr);
	check(!pkg("version 1\nepoch 1\nbuild x\nphase a\n\tx\n") && strstr(firsterr, "packages/p:3: expected a recipe keyword") &&
	      strstr(firsterr, "found 'build'"), "recipe error: unknown keyword", firsterr);
}

static void test_target_stage(void)
{
	struct doc *d = doc_parse("targets/t", "triplet t-linux-musl\nkarch t\nkimage Image\nqemu q\nconsole c\nkconfig A=y\nkconfig B=y\n");
	struct target *t = d ? target_parse(d, "t") : NULL;

	check(t != NULL, "target parses", firsterr);
	if (t) {
		checkstr(envget(t->env, t->nenv, "KCONFIG"), "A=y\nB=y\n", "target kconfig lines");
		checkstr(envget(t->env, t->nenv, "TARGET"), "t-linux-musl", "target triplet");
		checkstr(envget(t->env, t->nenv, "ARCH"), "t", "target name");
	}
	d = doc_parse("targets/t", "triplet x\nkarch t\n");
	check(d && !target_parse(d, "t") && strstr(firsterr, "missing 'kimage'"), "target error: missing key", firsterr);
	d = doc_parse("stages/s", "context cross\nneeds a\nbuild p\n");
	check(d && stage_parse(d, "s"), "stage parses", firsterr);
	d = doc_parse("stages/s", "context sideways\nbuild p\n");
	check(d && !stage_parse(d, "s") && strstr(firsterr, "stages/s:1: expected 'context host'") &&
	      strstr(firsterr, "found 'context sideways'"), "stage error: bad context", firsterr);
	d = doc_parse("stages/s", "context host\nenv 1X=2\nbuild p\n");
	check(d && !stage_parse(d, "s") && strstr(firsterr, "stages/s:2: expected 'env NAME=VALUE'"), "stage error: bad env", firsterr);
}

/* a project on disk, for the planner */
static void writeproj(const char *top, const char *file, const char *text)
{
	char *path = xasprintf("%s/%s", top, file), *dir = xstrdup(path);

	*strrchr(dir, '/') = 0;
	mkdirp(dir);
	writefile(path, text, strlen(text));
	free(path);
	free(dir);
}

static struct plan *mkplan(const char *top, const char *stage)
{
	struct plan *plan = xcalloc(1, sizeof(*plan));
	struct defs *defs = xcalloc(1, sizeof(*defs));

	if (defs_load(defs, top) < 0)
		return NULL;
	plan->defs = defs;
	if (plan_add(plan, stage) < 0)
		return NULL;
	plan_keys(plan);
	return plan;
}

static void test_plan(void)
{
	char *top = xasprintf("/tmp/bootstrap-unit.%ld", (long)getpid());
	char *cache = xasprintf("%s/cache", top);
	struct plan *a, *b;

	rmtree(top);
	cache_init(cache);
	writeproj(top, "targets/t", "triplet t-linux-musl\nkarch t\nkimage I\nqemu q\nconsole c\n");
	writeproj(top, "packages/lib", "version 1\nepoch 1\nphase build\n\ttrue\nphase install\n\ttrue\n");
	writeproj(top, "packages/app", "version 1\nepoch 1\ndepends lib\nphase build\n\ttrue\n");
	writeproj(top, "packages/other", "version 1\nepoch 1\nphase build\n\ttrue\n");
	writeproj(top, "stages/base", "context host\nbuild other\n");
	writeproj(top, "stages/top", "context host\nneeds base\nbuild lib build\nbuild app\nbuild lib install\nbuild other\n");
	a = mkplan(top, "top-t");
	check(a && a->n == 2 && !strcmp(a->stages[0]->name, "base-t") && !strcmp(a->stages[1]->name, "top-t"),
	      "plan orders needed stages first", firsterr);
	if (!a)
		return;
	struct stage *st = a->stages[1];
	check(st->nsteps == 4, "plan steps", "expected 4 steps");
	check(st->steps[1]->ndeps == 1 && st->steps[1]->deps[0] == st->steps[0], "plan: app reads lib's latest phase", "wrong deps");
	check(st->steps[2]->prev == st->steps[0] && st->steps[2]->last && !st->steps[0]->last, "plan: phases chain", "wrong chain");
	check(st->steps[3]->ndeps == 0, "plan: independent package reads nothing of the stage", "other has deps");
	b = mkplan(top, "top-t");
	check(b && !strcmp(a->stages[1]->steps[1]->key, b->stages[1]->steps[1]->key), "keys are stable", "differ");
	/* one byte of lib's recipe: lib and app change, other does not */
	writeproj(top, "packages/lib", "version 1\nepoch 1\nphase build\n\ttrue \nphase install\n\ttrue\n");
	b = mkplan(top, "top-t");
	check(b && strcmp(a->stages[1]->steps[0]->key, b->stages[1]->steps[0]->key) &&
	      strcmp(a->stages[1]->steps[1]->key, b->stages[1]->steps[1]->key) &&
	      strcmp(a->stages[1]->steps[2]->key, b->stages[1]->steps[2]->key) &&
	      !strcmp(a->stages[1]->steps[3]->key, b->stages[1]->steps[3]->key) &&
	      !strcmp(a->stages[0]->key, b->stages[0]->key), "a recipe change moves exactly its dependants' keys", "wrong keys");
	/* a kernel symbol moves the keys of steps that read $KCONFIG alone */
	writeproj(top, "packages/kern", "version 1\nepoch 1\nphase config\n\techo \"$KCONFIG\" > c\n");
	writeproj(top, "stages/k", "context host\nbuild other\nbuild kern\n");
	a = mkplan(top, "k-t");
	writeproj(top, "targets/t", "triplet t-linux-musl\nkarch t\nkimage I\nqemu q\nconsole c\nkconfig CONFIG_X=y\n");
	b = mkplan(top, "k-t");
	check(a && b && !strcmp(a->stages[0]->steps[0]->key, b->stages[0]->steps[0]->key) &&
	      strcmp(a->stages[0]->steps[1]->key, b->stages[0]->steps[1]->key),
	      "a kconfig line is an input of the steps that read $KCONFIG only", "wrong keys");
	writeproj(top, "targets/t", "triplet t-linux-musl\nkarch t\nkimage I2\nqemu q\nconsole c\nkconfig CONFIG_X=y\n");
	a = mkplan(top, "k-t");
	check(a && b && strcmp(a->stages[0]->steps[0]->key, b->stages[0]->steps[0]->key),
	      "any other target line is an input of every step", "same key");
	a = mkplan(top, "top-t");
	b = mkplan(top, "top-t");

	/* a change in a needed stage moves every key of the stage that needs it */
	writeproj(top, "stages/base", "context host\nenv X=1\nbuild other\n");
	a = b;
	b = mkplan(top, "top-t");
	check(b && strcmp(a->stages[1]->steps[3]->key, b->stages[1]->steps[3]->key), "a needed stage's key is an input", "same key");
	/* patches are inputs */
	writeproj(top, "patches/other/1.patch", "x\n");
	a = b;
	b = mkplan(top, "top-t");
	check(b && strcmp(a->stages[0]->steps[0]->key, b->stages[0]->steps[0]->key), "a patch is an input", "same key");
	writeproj(top, "stages/base", "context host\nneeds top\nbuild other\n");
	check(mkplan(top, "top-t") == NULL && strstr(firsterr, "cycle"), "plan error: cycle of stages", firsterr);
	writeproj(top, "stages/top", "context host\nbuild lib install\nbuild lib build\n");
	struct defs d;
	check(defs_load(&d, top) < 0 && strstr(firsterr, "stages/top:3: phase 'build' of 'lib' comes too late"),
	      "stage error: phases out of order", firsterr);
	writeproj(top, "stages/top", "context host\nbuild lib bulid\n");
	check(defs_load(&d, top) < 0 && strstr(firsterr, "stages/top:2: expected a phase of") && strstr(firsterr, "(build, install), found 'bulid'"),
	      "stage error: unknown phase", firsterr);
	writeproj(top, "stages/top", "context host\nbuild nosuch\n");
	check(defs_load(&d, top) < 0 && strstr(firsterr, "stages/top:2: expected a package of packages/, found 'nosuch'"),
	      "stage error: unknown package", firsterr);
	rmtree(top);
}

static void test_archive(void)
{
	check(archive_name_ok("a/b/c") == 0 && archive_name_ok("a/..b/c") == 0 && archive_name_ok("./a") == 0,
	      "archive: ordinary names pass", "refused");
	check(archive_name_ok("/etc/passwd") < 0, "archive: absolute name refused", "accepted");
	check(archive_name_ok("a/../../b") < 0 && archive_name_ok("..") < 0 && archive_name_ok("a/..") < 0,
	      "archive: '..' refused", "accepted");
}

/* symlinks an archive may leave: inside the tree only */
static void test_links(void)
{
	static const struct {
		const char *path, *target;
		int ok;
	} c[] = {
		{"gmp", "/some/outside/dir", 0}, {"a/b", "../c", 1}, {"a/b", "../../c", 0}, {"x", "..", 0},
		{"a/b/c", "../../d/../e", 1}, {"a", "./b/./../../x", 0}, {"lib/libc.so", "libc.so.6", 1}, {"a", ".", 1},
	};

	for (size_t i = 0; i < LEN(c); i++) {
		char *name = xasprintf("archive: symlink %s -> %s %s", c[i].path, c[i].target, c[i].ok ? "stays inside" : "is refused");
		check((archive_link_ok(c[i].path, c[i].target) == 0) == c[i].ok, name, "wrong");
		free(name);
	}
}

static void test_manifest(void)
{
	char *dir = xasprintf("/tmp/bootstrap-man.%ld", (long)getpid()), *p;
	FILE *f;
	char *text;

	rmtree(dir);
	mkdirp(dir);
	p = xasprintf("%s/b", dir);
	mkdir(p, 0750);
	free(p);
	writeproj(dir, "b/x", "abc");
	writeproj(dir, "a-c", "");
	writeproj(dir, "odd name", "");
	p = xasprintf("%s/b/x", dir);
	chmod(p, 0600);
	free(p);
	p = xasprintf("%s/l", dir);
	symlink("b/x", p);
	free(p);
	p = xasprintf("%s.txt", dir);
	f = fopen(p, "w");
	check(manifest_write(dir, f) == 0, "manifest writes", "error");
	fclose(f);
	text = readfile(p, NULL);
	checkstr(text,
	         "a-c f 0644 0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 -\n"
	         "b d 0750 - - -\n"
	         "b/x f 0600 3 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad -\n"
	         "l l 0777 - - b/x\n"
	         "odd\\040name f 0644 0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 -\n",
	         "manifest: sorted, typed, hashed, escaped");
	rmtree(dir);
	unlink(p);
	free(p);
	free(text);
	free(dir);
}

/* write a file under dir, with n bytes of p */
static void put(const char *dir, const char *name, const void *p, size_t n)
{
	char *path = xasprintf("%s/%s", dir, name);

	writefile(path, p, n);
	free(path);
}

static void test_compare(void)
{
	char *a = xasprintf("/tmp/bootstrap-cmp-a.%ld", (long)getpid());
	char *b = xasprintf("/tmp/bootstrap-cmp-b.%ld", (long)getpid());
	char *ma = xasprintf("%s.manifest", a), *mb = xasprintf("%s.manifest", b), *rep = xasprintf("%s.report", a);
	const char *paths[] = {"/home/builder/work", NULL}, *names[] = {"audit-host", NULL};
	unsigned char ta[64] = {0x7f, 'E', 'L', 'F'}, tb[64] = {0x7f, 'E', 'L', 'F'};
	unsigned char ca[64] = {0x7f, 'E', 'L', 'F', 0x40}, cb[64] = {0x7f, 'E', 'L', 'F', 0x44};
	struct compare c = {.a = a, .b = b, .paths = paths, .names = names, .t0 = 1600000000, .t1 = 1900000000};
	long long t = 1764000000; /* a time (low byte 0), little-endian at offset 16 of tb */
	FILE *f;

	rmtree(a), rmtree(b), mkdirp(a), mkdirp(b);
	put(a, "same", "x\n", 2), put(b, "same", "x\n", 2);
	put(a, "path", "built in /tmp/a\n", 16), put(b, "path", "built in /home/builder/work/x\n", 30);
	put(a, "host", "on vm\n", 6), put(b, "host", "on audit-host\n", 14);
	put(a, "date", "built Nov 25\n", 13), put(b, "date", "built Dec 26\n", 13);
	for (int i = 0; i < 4; i++)
		tb[16 + i] = (unsigned char)(t >> (8 * i));
	put(a, "stamp", ta, sizeof(ta)), put(b, "stamp", tb, sizeof(tb));
	/* a count differs beside a time both hold (a file system's superblock) */
	for (int i = 0; i < 4; i++)
		ca[8 + i] = cb[8 + i] = (unsigned char)(t >> (8 * i));
	put(a, "count", ca, sizeof(ca)), put(b, "count", cb, sizeof(cb));
	put(a, "order", "a b c\n", 6), put(b, "order", "c a b\n", 6);
	put(a, "only-a", "", 0);
	manifest_save(a, ma), manifest_save(b, mb);
	f = fopen(rep, "w");
	int r = compare_outputs(&c, f);
	fclose(f);
	char *text = readfile(rep, NULL), *why = xasprintf("report:\n%s", text ? text : "");
	check(r == 1 && c.same == 1 && c.differ == 6 && c.onlya == 1 && c.onlyb == 0,
	      "compare: counts identical, differing and lone files", why);
	check(text && strstr(text, "path: 16 and 30 bytes, first difference at byte 10: build-path-like: holds /home/builder/work"),
	      "compare: a build path, with sizes and the first differing byte", why);
	check(text && strstr(text, "host: 6 and 14 bytes, first difference at byte 3: host-or-user-like"),
	      "compare: the second build's host name", why);
	check(text && strstr(text, "date: 13 and 13 bytes, first difference at byte 6: timestamp-like: a date or time in text"),
	      "compare: a date in text", why);
	check(text && strstr(text, "stamp: 64 and 64 bytes, first difference at byte 17: timestamp-like: a recent time as a 32-bit number"),
	      "compare: a time as a binary number", why);
	check(text && strstr(text, "count: 64 and 64 bytes, first difference at byte 4: content: none of the known kinds"),
	      "compare: a time both builds hold is not taken for the cause", why);
	check(text && strstr(text, "order: 6 and 6 bytes, first difference at byte 0: ordering-like"),
	      "compare: the same bytes in another order", why);
	check(text && strstr(text, "only-a: only in the first build"), "compare: a file of one build only", why);
	manifest_save(a, mb);
	f = fopen(rep, "w");
	check(compare_outputs(&(struct compare){.a = a, .b = a}, f) == 0, "compare: an output against itself is identical", "differs");
	fclose(f);
	rmtree(a), rmtree(b);
	unlink(ma), unlink(mb), unlink(rep);
	free(a), free(b), free(ma), free(mb), free(rep), free(text), free(why);
}

/* diffoscope's report of one long difference is cut, not as long as the
 * files: two texts that differ in every one of 50,000 lines */
static void test_diffoscope(void)
{
	char *a = xasprintf("/tmp/bootstrap-dfs-a.%ld", (long)getpid()), *b = xasprintf("/tmp/bootstrap-dfs-b.%ld", (long)getpid());
	char *dfs = xasprintf("%s.diffoscope", a), *ma = xasprintf("%s.manifest", a), *mb = xasprintf("%s.manifest", b);
	char *rep = xasprintf("%s.report", a), *out = xasprintf("%s/lines.txt", dfs);
	struct buf ta = {0}, tb = {0};
	size_t n = 0;

	if (!which("diffoscope")) {
		printf("skip - compare: diffoscope is not installed\n");
		free(a), free(b), free(dfs), free(ma), free(mb), free(rep), free(out);
		return;
	}
	rmtree(a), rmtree(b), rmtree(dfs), mkdirp(a), mkdirp(b);
	for (int i = 0; i < 50000; i++)
		bufprintf(&ta, "line a %d\n", i), bufprintf(&tb, "line b %d\n", i);
	put(a, "lines", ta.s, ta.n), put(b, "lines", tb.s, tb.n);
	manifest_save(a, ma), manifest_save(b, mb);
	FILE *f = fopen(rep, "w");
	compare_outputs(&(struct compare){.a = a, .b = b, .diffoscope = dfs}, f);
	fclose(f);
	char *text = readfile(out, &n), *why = xasprintf("%zu bytes in %s for files of %zu", n, out, ta.n);
	check(text && n > 0 && n < ta.n / 4 && strstr(text, "lines removed"), "compare: diffoscope's report of a long difference is cut", why);
	rmtree(a), rmtree(b), rmtree(dfs);
	unlink(ma), unlink(mb), unlink(rep);
	free(a), free(b), free(dfs), free(ma), free(mb), free(rep), free(out), free(ta.s), free(tb.s), free(text), free(why);
}

/* which lines of a guest's console the host shows as they come */
static void test_showable(void)
{
	static const char *shown[] = {"[1/22] cross-x86_64 gcc compiler 1:26:42", "guest: compiles go to the distcc hosts 10.0.2.2:1/2",
	                              "      cross-x86_64 gcc compiler: 1:39:42 in all, its earlier attempts counted",
	                              "step failed: package gcc, stage cross-x86_64, step compiler (exit 2)",
	                              "      cross-armv7l: unpacking gcc's sources",
	                              "      cross-armv7l: after a power cut, gcc compiler goes on in its tree: 12 files changed since the last sync removed, to be made again"};
	static const char *hidden[] = {"checking for sysconf... yes", "c++ -c -O2 tree.cc", "Linux version 6.12.38"};

	for (size_t i = 0; i < LEN(shown); i++)
		check(run_showable(shown[i]), "relay: a line for people is shown", shown[i]);
	for (size_t i = 0; i < LEN(hidden); i++)
		check(!run_showable(hidden[i]), "relay: a build's own output is left to the log", hidden[i]);
}

/* process numbers from records: only real, other processes' groups */
static void test_os(void)
{
	static const char *bad[] = {"4294967297", "-1", "0", "1", "12x", "", " 12", "99999999999999999999", "+5"};
	long pid = 0, grp = 0;
	unsigned long long st = 0;
	char *max = readfile("/proc/sys/kernel/pid_max", NULL), *over;

	for (size_t i = 0; i < LEN(bad); i++) {
		char *name = xasprintf("os: '%s' is not a process number", bad[i]);
		check(os_parsepid(bad[i], &pid) < 0, name, "accepted");
		free(name);
	}
	over = xasprintf("%ld", (max ? atol(max) : 4194304) + 1);
	check(os_parsepid(over, &pid) < 0, "os: a number above pid_max is not a process number", over);
	check(os_parsepid("4242 17 mark", &pid) == 0 && pid == 4242, "os: a record's first field is its group", "refused");
	check(os_procstat(getpid(), &grp, &st) == 0 && grp == getpgrp() && st > 0,
	      "os: our own group and start time from /proc", "wrong");
	free(max), free(over);
}

/* what plan says of host tools that changed since a step was built */
static void test_toolschanged(void)
{
	const char *then = "sh aa gcc-12=12.2.0-14\ngcc bb gcc=4:12.2.0-3\nmake cc make=4.3-4.1\nmytool dd -\n";
	const char *now = "sh aa gcc-12=12.2.0-14\ngcc b2 gcc=4:12.2.0-4\nmake c2 make=4.3-4.1\nmytool d2 -\nnew ee -\n";
	char *d = provenance_toolschanged(then, now), *none = provenance_toolschanged(then, then);

	check(d && !strcmp(d, "gcc (gcc=4:12.2.0-3, now gcc=4:12.2.0-4), make (other bytes), mytool (other bytes)"),
	      "toolschanged: a new Debian version named, else other bytes; a tool not recorded then left out", d ? d : "(none)");
	check(!none, "toolschanged: the same tools: nothing", none);
	free(d), free(none);
}

/* more distcc hosts: what may go on the guest's kernel command line */
static void test_hosts(void)
{
	static const char *good[] = {"box", "10.0.0.5:3632/4", "box/8,10.0.0.6,[::1]:4000/2", "build-1.lan:3632"};
	static const char *bad[][2] = {{"a b", "a b"}, {"box,", ""}, {"box,,x", ""}, {"a:", "a:"}, {"a:0", "a:0"},
	                               {"a:65536", "a:65536"}, {"a/0", "a/0"}, {"a/x", "a/x"}, {"x,a: 1", "a: 1"},
	                               {"box,lzo=1", "lzo=1"}, {"[::1", "[::1"}, {"a;reboot", "a;reboot"}, {"", ""}};

	for (size_t i = 0; i < LEN(good); i++) {
		char *b = guest_badhost(good[i]);
		check(!b, "hosts: a list of HOST[:PORT][/JOBS] is taken", good[i]);
		free(b);
	}
	/* looked up here, for a guest without a name service */
	char *r = guest_resolve("10.0.0.5/4,[::1]:4000");
	check(r && !strcmp(r, "10.0.0.5/4,[::1]:4000"), "hosts: addresses stay as they are", r ? r : "(none)");
	free(r);
	/* names where this machine has them (a system image has no /etc/hosts) */
	struct addrinfo hints = {.ai_family = AF_INET}, *res = NULL;
	if (getaddrinfo("localhost", NULL, &hints, &res) == 0) {
		freeaddrinfo(res);
		r = guest_resolve("localhost:3632/2,10.0.0.5/4,nosuch.invalid/2");
		check(r && !strcmp(r, "127.0.0.1:3632/2,10.0.0.5/4"),
		      "hosts: a name becomes its address, one without an address is left out", r ? r : "(none)");
		free(r);
	} else {
		printf("skip - hosts: names: 'localhost' has no address here\n");
	}
	for (size_t i = 0; i < LEN(bad); i++) {
		char *b = guest_badhost(bad[i][0]);
		check(b && !strcmp(b, bad[i][1]), "hosts: the entry that is not HOST[:PORT][/JOBS] is named", bad[i][0]);
		free(b);
	}
}

/* distccd for a guest: loopback only, the cross toolchain's compilers only */
static void test_distccd(void)
{
	char *dir = xasprintf("/tmp/bootstrap-distcc.%ld", (long)getpid()), *cmd, *tcp;
	struct guest g = {0};
	int listens = 0, wide = 0, r;
	char port[16];

	if (!which("distccd") || !which("distcc") || !which("gcc") || !which("g++")) {
		printf("skip - distccd: distcc, distccd, gcc or g++ is not installed\n");
		free(dir);
		return;
	}
	/* a made-up toolchain: the host's compilers under a target's names */
	cmd = xasprintf("mkdir -p %s/cross/bin && chmod 755 %s && ln -s $(command -v gcc) %s/cross/bin/t1-linux-musl-gcc && "
	                "ln -s $(command -v g++) %s/cross/bin/t1-linux-musl-g++ && "
	                "echo 'int f(int x) { return x * 3; }' > %s/a.c", dir, dir, dir, dir, dir);
	check(system(cmd) == 0, "distccd: a made-up toolchain", cmd);
	free(cmd);
	g.cross = xasprintf("%s/cross", dir);
	g.triplet = "t1-linux-musl";
	g.jobs = 1;
	check(guest_distccd(&g, dir) == 0 && g.port > 0, "distccd starts on a free port", "did not");
	snprintf(port, sizeof(port), ":%04X ", g.port);
	msleep(500);
	tcp = readfile("/proc/net/tcp", NULL);
	for (char *l = tcp ? strtok(tcp, "\n") : NULL; l; l = strtok(NULL, "\n"))
		if (strstr(l, port) && strstr(l, " 0A ")) /* listening */
			listens++, wide += !strstr(l, "0100007F:");
	check(listens == 1 && wide == 0, "distccd listens on 127.0.0.1 alone", "another address, or none");
	free(tcp);
	/* each in a state directory of its own: distcc remembers a refusal
	 * (its backoff). Debian's client rewrites cc and gcc to its own
	 * triplet's compiler: the names are asked for with a triplet here */
#define DISTCC "cd %s && mkdir -p s%d && PATH=$PWD/cross/bin:$PATH DISTCC_HOSTS=127.0.0.1:%d/1 DISTCC_FALLBACK=0 DISTCC_DIR=$PWD/s%d timeout 60 distcc "
	cmd = xasprintf(DISTCC "t1-linux-musl-gcc -O2 -c a.c -o a.o 2> /dev/null", dir, 1, g.port, 1);
	r = system(cmd);
	check(r == 0, "distccd compiles with the toolchain it serves", cmd);
	free(cmd);
	/* gcc's build calls the compiler it has just made by path, as xgcc:
	 * served by the same compiler, and the same bytes as made here */
	cmd = xasprintf("mkdir -p %s/gcc && ln -s $(command -v gcc) %s/gcc/xgcc && " DISTCC
	                "$PWD/gcc/xgcc -O2 -c a.c -o x.o 2> /dev/null && gcc -O2 -c a.c -o here.o && cmp -s x.o here.o",
	                dir, dir, dir, 2, g.port, 2);
	check(system(cmd) == 0, "distccd compiles for a just-built xgcc called by path, the same bytes", cmd);
	free(cmd);
	cmd = xasprintf(DISTCC "%s -O2 -c a.c -o c.o 2> /dev/null", dir, 3, g.port, 3, "x86_64-linux-gnu-gcc-12");
	check(system(cmd) != 0, "distccd refuses a compiler it does not serve", "it compiled");
	free(cmd);
#undef DISTCC
	/* its compiles at the runner's priority, not below the emulator's */
	errno = 0;
	int ours = getpriority(PRIO_PROCESS, 0), its = getpriority(PRIO_PROCESS, (id_t)g.distccd);
	check(errno == 0 && its == ours, "distccd runs at the runner's priority (not its own default, 5 below)", "another nice value");
	pid_t pid = g.distccd;
	guest_stopdistccd(&g);
	check(kill(pid, 0) < 0, "distccd is stopped with the guest", "still running");
	rmtree(dir);
	free((char *)g.cross);
	free(dir);
}

/* a guest's output read off its disk keeps its set-id and sticky bits */
static void test_extract(void)
{
	char *dir = xasprintf("/tmp/bootstrap-extract.%ld", (long)getpid()), *cmd;
	struct stat st;
	int ok;

	if (!which("mke2fs") || !which("debugfs") || !which("e2fsck")) {
		printf("skip - guest_extract: e2fsprogs is not installed\n");
		free(dir);
		return;
	}
	cmd = xasprintf("mkdir -p %s/fs/out/tmp %s/fs/out/bin && chmod 1777 %s/fs/out/tmp && "
	                "echo x > %s/fs/out/bin/su && chmod 4755 %s/fs/out/bin/su && "
	                "mke2fs -q -t ext2 -d %s/fs %s/disk.img 8M", dir, dir, dir, dir, dir, dir, dir);
	check(system(cmd) == 0, "guest_extract: a disk with a sticky directory and a set-user-ID file", cmd);
	free(cmd);
	char *disk = xasprintf("%s/disk.img", dir), *to = xasprintf("%s/got", dir);
	char *tmp = xasprintf("%s/tmp", to), *su = xasprintf("%s/bin/su", to), *bin = xasprintf("%s/bin", to);
	ok = guest_extract(disk, "/out", to) == 0;
	check(ok && stat(tmp, &st) == 0 && (st.st_mode & 07777) == 01777, "guest_extract: /tmp comes back 1777", "another mode");
	check(ok && stat(su, &st) == 0 && (st.st_mode & 07777) == 04755, "guest_extract: a set-user-ID file comes back 4755", "another mode");
	check(ok && stat(bin, &st) == 0 && (st.st_mode & 07777) == 0755, "guest_extract: the rest as it was", "another mode");
	rmtree(dir);
	free(dir), free(disk), free(to), free(tmp), free(su), free(bin);
}

/* the reference machine's times: the stage's own, else its kind's */
static void test_reftime(void)
{
	char *ref = xasprintf("/tmp/bootstrap-ref.%ld", (long)getpid()), t[160];
	const char *text = "cross-t2 gcc.compiler 5\ncross-t1 gcc.compiler 7\nhost-tools-t2 x.y 3\n";
	int o1 = -1, o2 = -1, o3 = -1, o4 = -1;

	writefile(ref, text, strlen(text));
	cache_reference(ref);
	double own = cache_reftime("cross-t1", "gcc.compiler", &o1), other = cache_reftime("cross-t3", "gcc.compiler", &o2);
	double dashed = cache_reftime("host-tools-t1", "x.y", &o3), none = cache_reftime("root-t1", "gcc.compiler", &o4);
	double guest = cache_reftime("rebuild-t1/cross-t1", "gcc.compiler", NULL);
	snprintf(t, sizeof(t), "%g/%d %g/%d %g/%d %g %g", own, o1, other, o2, dashed, o3, none, guest);
	check(!strcmp(t, "7/0 5/1 3/1 -1 -1"),
	      "cache_reftime: the stage's own time before an earlier line of its kind; another target's, said; a dashed kind; none of another kind", t);
	cache_reference("/nonexistent");
	unlink(ref);
	free(ref);
}

/* a rebuild's guest disk, read between sittings: the steps built inside
 * (each once, with its last time) and those stopped in their trees */
static void test_progress(void)
{
	char *dir = xasprintf("/tmp/bootstrap-progress.%ld", (long)getpid()), *cmd, *rep, *text;
	struct stage st = {.name = "rebuild-t1"}, cross = {.name = "cross-t1"};
	struct package binutils = {.name = "binutils"}, gcc = {.name = "gcc"};
	struct phase xphase = {.name = "cross"}, compiler = {.name = "compiler"};
	struct step sb = {.stage = &cross, .pkg = &binutils, .phase = &xphase};
	struct step sg = {.stage = &cross, .pkg = &gcc, .phase = &compiler};
	struct step *steps[] = {&sb, &sg};
	struct stage *needs[] = {&cross};
	char *work = opts.work;
	FILE *f;

	/* the guest builds what the rebuild needs; binutils is in its cache */
	memset(sb.key, 'b', 64), memset(sg.key, 'a', 64);
	/* and a step of other recipes, with a write of one left unfinished, and
	 * binutils' tree stopped on those recipes */
	char other[65] = {0};
	memset(other, 'c', 64);
	cross.steps = steps, cross.nsteps = 2;
	st.needs = needs, st.nneeds = 1;

	if (!which("mke2fs") || !which("debugfs")) {
		printf("skip - native_progress: e2fsprogs is not installed\n");
		free(dir);
		return;
	}
	cmd = xasprintf("w=%s/fs/build/work/work/cross-t1 && mkdir -p $w/gcc $w/binutils %s/guest %s/fs/build/cache/state && "
	                "mkdir -p %s/fs/build/cache/steps/%s/out %s/fs/build/cache/steps/%s/out %s/fs/build/cache/steps/%s.tmp && "
	                "printf 5866.5 > $w/gcc/spent && printf %s > $w/gcc/attempt && "
	                "printf 180 > $w/binutils/spent && printf %s > $w/binutils/attempt && "
	                "echo 1 2 > %s/fs/build/work/running.cross-t1.gcc.compiler && mkdir -p %s/fs/logs/cross-t1 && "
	                "printf 'configure\\nmake all-gcc\\ng++ -c tree.cc\\n\\n' > %s/fs/logs/cross-t1/gcc.compiler.log && "
	                "echo 1796086706 > %s/fs/.synced && "
	                "printf '2026-11-30 19:37:51,cross-t1,binutils cross,1680.5\\n"
	                "2026-11-30 19:38:00,cross-t1,musl headers,40.2\\n"
	                "2026-12-01 10:00:00,cross-t1,musl headers,41.0\\n' > %s/fs/build/cache/state/history.csv && "
	                "mke2fs -q -t ext2 -d %s/fs %s/guest/rebuild-t1.img 8M", dir, dir, dir, dir, sb.key, dir, other, dir, other, sg.key, other, dir, dir, dir, dir, dir, dir, dir);
	check(system(cmd) == 0, "native_progress: a guest disk with a history and a stopped tree", cmd);
	opts.work = dir;
	rep = xasprintf("%s/report", dir);
	f = fopen(rep, "w");
	native_progress(&st, f);
	fclose(f);
	text = readfile(rep, NULL);
	char *why = xasprintf("report:\n%s", text ? text : "");
	check(text && strstr(text, "the guest's finished runs built 2 steps there, 28:42 in all, recorded from 2026-11-30 19:37:51 to 2026-12-01 10:00:00\n"),
	      "native_progress: the steps built inside, each once at its last time", why);
	check(text && strstr(text, "  inside, by the recipes here: 2 steps, 1 built in the guest, 1 to build:\n"
	                           "      cross-t1: gcc compiler\n"),
	      "native_progress: the guest's own plan, by the keys of the recipes here", why);
	check(text && strstr(text, "  and 1 step of other recipes, built there by earlier runs (removed at the guest's next start)\n"),
	      "native_progress: the steps of other recipes still on the disk, counted", why);
	check(text && strstr(text, "unfinished, in its tree: cross-t1 gcc, 1:37:47 spent by its last stop\n") &&
	      !strstr(text, "binutils, "), "native_progress: a stopped step with its time, and only it", why);
	check(text && strstr(text, "  a tree of other recipes: cross-t1 binutils (3:00 spent there), started afresh when built\n"),
	      "native_progress: a tree stopped on a key no longer the step's is not one to go on in", why);
	check(text && strstr(text, "  under way in the guest at its last sync (2026-12-01T00:58:26Z): cross-t1 gcc compiler\n"
	                           "      its log's last line: g++ -c tree.cc\n"),
	      "native_progress: the step under way inside at the last sync, with its log's last line", why);
	/* what is left: gcc's compiler, by the reference machine's guest,
	 * less what its stopped tree spent; binutils is built inside */
	struct step rebuild = {.stage = &st};
	struct estimate e;
	char *ref = xasprintf("%s/reference-times", dir), t[64];
	const char *reftimes = "rebuild-t2/cross-t2 binutils.cross 100\nrebuild-t1/cross-t1 gcc.compiler 7000\n";
	writefile(ref, reftimes, strlen(reftimes));
	cache_reference(ref);
	double left = native_timeleft(&rebuild, &e);
	snprintf(t, sizeof(t), "%.1f s, %d by the reference, %d another target's, %d never", left, e.byref, e.other, e.never);
	check(!strcmp(t, "1133.5 s, 1 by the reference, 0 another target's, 0 never"),
	      "native_timeleft: the guest's steps left, by the reference, less what a stopped tree spent", t);
	char *disk = xasprintf("%s/guest/rebuild-t1.img", dir);
	unlink(disk);
	free(disk);
	/* no disk: every step left, binutils by another target's time */
	left = native_timeleft(&rebuild, &e);
	snprintf(t, sizeof(t), "%.1f s, %d by the reference, %d another target's, %d never", left, e.byref, e.other, e.never);
	check(!strcmp(t, "7100.0 s, 2 by the reference, 1 another target's, 0 never"),
	      "native_timeleft: without a disk, every step, one by another target's time", t);
	cache_reference("/nonexistent");
	left = native_timeleft(&rebuild, &e);
	snprintf(t, sizeof(t), "%.1f s, %d never", left, e.never);
	check(!strcmp(t, "-1.0 s, 2 never"), "native_timeleft: no time known, none said", t);
	free(ref);
	f = fopen(rep, "w");
	native_progress(&st, f);
	fclose(f);
	free(text);
	text = readfile(rep, NULL);
	check(!text || !*text, "native_progress: nothing without a disk", text);
	opts.work = work;
	rmtree(dir);
	free(dir), free(cmd), free(rep), free(text), free(why);
}

int main(void)
{
	umask(022);
	test_sha256();
	test_scan();
	test_recipe();
	test_target_stage();
	test_plan();
	test_archive();
	test_manifest();
	test_links();
	test_compare();
	test_diffoscope();
	test_showable();
	test_os();
	test_toolschanged();
	test_hosts();
	test_distccd();
	test_extract();
	test_reftime();
	test_progress();
	return failed != 0;
}
