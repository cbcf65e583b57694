/* defs.c: parse targets/, packages/ (with patches/) and stages/.
 * Every error names file:line, what was expected and what was found. */

#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "defs.h"
#include "scan.h"
#include "sha256.h"
#include "util.h"

static int noblock(struct doc *doc, struct directive *d)
{
	if (d->block)
		return perr(doc->path, d->line, "'%s' takes no indented text (only 'phase' does)", d->key);
	return 0;
}

static int needarg(struct doc *doc, struct directive *d, const char *what)
{
	if (!*d->arg)
		return perr(doc->path, d->line, "'%s' needs %s, found nothing", d->key, what);
	return 0;
}

static int isname(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._+-", *s))
			return 0;
	return 1;
}

static int ishex64(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
			return 0;
	return i == 64;
}

/* NAME=VALUE with a shell-style NAME */
static int isassign(const char *s)
{
	const char *eq = strchr(s, '=');

	if (!eq || eq == s || isdigit((unsigned char)*s))
		return 0;
	for (; s < eq; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

const char *envget(char **env, size_t n, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = n; i-- > 0;)
		if (!strncmp(env[i], name, len) && env[i][len] == '=')
			return env[i] + len + 1;
	return NULL;
}

/* targets/ARCH */

/* byuse: read by the steps whose text names the variable, and only by
 * them (the emulator's settings, the kernel's symbols): a step's key holds
 * such a directive only if the step reads it, so that a new qemu flag or
 * kernel symbol does not rebuild the toolchain */
static const struct {
	const char *key, *env;
	int required, multi, byuse;
} targetkeys[] = {
	{"triplet", "TARGET", 1, 0, 0},
	{"karch", "KARCH", 1, 0, 0},
	{"kimage", "KIMAGE", 1, 0, 0},
	{"gcc-config", "GCC_CONFIG", 0, 0, 0},
	{"qemu", "QEMU", 1, 0, 1},
	{"qemu-user", "QEMU_USER", 0, 0, 1},
	{"machine", "QEMU_MACHINE", 0, 0, 1},
	{"cpu", "QEMU_CPU", 0, 0, 1},
	{"console", "CONSOLE", 1, 0, 1},
	{"qemu-flags", "QEMU_FLAGS", 0, 0, 1},
	{"kconfig", "KCONFIG", 0, 1, 1},
	{"dtb", "DTB", 0, 0, 1},
	{"disk", "QEMU_DISK", 0, 0, 1},
	{"net", "QEMU_NET", 0, 0, 1},
	{"fixed-size", "QEMU_FIXED_SIZE", 0, 0, 1},
	{"sdcard", "SDCARD", 0, 0, 1},
};

/* the keywords, ", "-separated: all of them, or those read by use */
static char *keywords(int byuse)
{
	struct buf b = {0};

	for (size_t k = 0; k < LEN(targetkeys); k++)
		if (!byuse || targetkeys[k].byuse)
			bufprintf(&b, "%s%s", b.n ? ", " : "", targetkeys[k].key);
	return b.s;
}

/* key's index in targetkeys, LEN(targetkeys) when it is no target keyword */
static size_t keyindex(const char *key)
{
	size_t k;

	for (k = 0; k < LEN(targetkeys) && strcmp(key, targetkeys[k].key); k++)
		;
	return k;
}

const char *target_byuse(const char *key)
{
	size_t k = keyindex(key);

	return k < LEN(targetkeys) && targetkeys[k].byuse ? targetkeys[k].env : NULL;
}

/* the emulators the target runs, for doctor */
static void target_tools(struct target *t)
{
	t->qemu = xstrdup(envget(t->env, t->nenv, "QEMU"));
	t->qemuuser = xstrdup(envget(t->env, t->nenv, "QEMU_USER"));
}

/* A board (targets/raspi2b: "toolchain armv7l") is a machine of another
 * target's architecture: it takes that target's compiler, root filesystem
 * and native compiler as they are (their keys are that target's), and
 * gives only what is its own, the emulator's settings and the kernel's
 * (the directives read by use). */
struct target *target_parse(struct doc *doc, const char *name)
{
	struct target *t = xcalloc(1, sizeof(*t));
	char *val[LEN(targetkeys)] = {0};
	struct buf multi[LEN(targetkeys)] = {{0}};
	size_t i, k;
	int err = 0;

	t->name = xstrdup(name);
	t->path = xstrdup(doc->path);
	t->doc = doc;
	t->toolchain = t;
	for (i = 0; i < doc->n; i++) {
		struct directive *d = &doc->d[i];
		if (!strcmp(d->key, "toolchain") && noblock(doc, d) == 0 && needarg(doc, d, "a target's name") == 0) {
			t->tcname = d->arg, t->tcline = d->line;
			continue;
		}
		k = keyindex(d->key);
		if (k == LEN(targetkeys)) {
			char *all = keywords(0);
			err = perr(doc->path, d->line, "expected a target keyword (%s, toolchain), found '%s'", all, d->key);
			free(all);
			continue;
		}
		if (noblock(doc, d) < 0 || needarg(doc, d, "a value") < 0) {
			err = -1;
		} else if (targetkeys[k].multi) {
			bufputs(&multi[k], d->arg);
			bufputs(&multi[k], "\n");
		} else if (val[k]) {
			err = perr(doc->path, d->line, "'%s' given twice", d->key);
		} else {
			val[k] = d->arg;
		}
	}
	for (i = 0; t->tcname && i < doc->n; i++) {
		const char *key = doc->d[i].key;
		k = keyindex(key);
		if (k < LEN(targetkeys) && !targetkeys[k].byuse) {
			char *own = keywords(1);
			err = perr(doc->path, doc->d[i].line, "a board gives only what is its own (%s); "
			           "'%s' is its toolchain's (targets/%s)", own, key, t->tcname);
			free(own);
		}
	}
	if (!t->tcname)
		PUSH(t->env, t->nenv, xasprintf("ARCH=%s", name));
	PUSH(t->env, t->nenv, xasprintf("BOARD=%s", name));
	for (k = 0; k < LEN(targetkeys); k++) {
		if (multi[k].n)
			val[k] = multi[k].s;
		if (t->tcname && !val[k])
			continue; /* the toolchain's, once it is read */
		if (!val[k] && targetkeys[k].required)
			err = perr(doc->path, doc->n ? doc->d[doc->n - 1].line : 1,
			           "missing '%s' (every target needs it)", targetkeys[k].key);
		PUSH(t->env, t->nenv, xasprintf("%s=%s", targetkeys[k].env, val[k] ? val[k] : ""));
	}
	for (k = 0; k < LEN(targetkeys); k++)
		free(multi[k].s);
	if (err)
		return NULL;
	if (!t->tcname)
		target_tools(t);
	return t;
}

/* a board's toolchain: the architecture and what the board leaves to it */
static int check_board(struct defs *defs, struct target *t)
{
	struct target *tc = find_target(defs, t->tcname);
	struct buf names = {0};

	if (!tc || tc->tcname) {
		for (size_t i = 0; i < defs->ntargets; i++)
			if (!defs->targets[i]->tcname)
				bufprintf(&names, "%s%s", names.n ? ", " : "", defs->targets[i]->name);
		perr(t->path, t->tcline, "expected a target with its own toolchain (%s), found '%s'", names.s, t->tcname);
		free(names.s);
		return -1;
	}
	t->toolchain = tc;
	PUSH(t->env, t->nenv, xasprintf("ARCH=%s", tc->name));
	for (size_t k = 0; k < LEN(targetkeys); k++)
		if (!envget(t->env, t->nenv, targetkeys[k].env))
			PUSH(t->env, t->nenv, xasprintf("%s=%s", targetkeys[k].env, envget(tc->env, tc->nenv, targetkeys[k].env)));
	target_tools(t);
	return 0;
}

/* packages/NAME */

static int source_line(struct package *p, struct doc *doc, struct directive *d)
{
	size_t n;
	char **a = splitws(d->arg, &n);
	struct source *s;

	if (n != 2 || !isname(a[0]) || !ishex64(a[1]))
		return perr(doc->path, d->line, "expected 'source FILE SHA256' (64 lowercase hex digits), found 'source %s'", d->arg);
	p->src = xreallocarray(p->src, p->nsrc + 1, sizeof(*p->src));
	s = memset(&p->src[p->nsrc++], 0, sizeof(*s));
	s->line = d->line;
	s->file = a[0];
	s->sha256 = a[1];
	free(a);
	return 0;
}

/* url, apt, inner and into describe the source above them */
static int source_attr(struct package *p, struct doc *doc, struct directive *d)
{
	struct source *s = p->nsrc ? &p->src[p->nsrc - 1] : NULL;
	size_t n;
	char **a;

	if (!s)
		return perr(doc->path, d->line, "'%s' describes a source: expected a 'source' line above it", d->key);
	if (needarg(doc, d, "a value") < 0)
		return -1;
	a = splitws(d->arg, &n);
	if (!strcmp(d->key, "url")) {
		if (n != 1 || !strstr(a[0], "://"))
			return perr(doc->path, d->line, "expected 'url SCHEME://...', found 'url %s'", d->arg);
		PUSH(s->urls, s->nurls, xstrdup(a[0]));
	} else if (!strcmp(d->key, "apt")) {
		if (n < 1 || n > 2 || !strchr(a[0], '=') || s->apt)
			return perr(doc->path, d->line, "expected one 'apt NAME=VERSION [SUITE]', found 'apt %s'", d->arg);
		s->apt = xstrdup(a[0]);
		s->suite = n > 1 ? xstrdup(a[1]) : NULL;
	} else if (!strcmp(d->key, "license")) {
		/* an SPDX expression: identifiers, WITH, AND, OR, parentheses */
		if (s->license || strspn(d->arg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-+() ") != strlen(d->arg))
			return perr(doc->path, d->line, "expected one 'license SPDX-EXPRESSION' (e.g. GPL-3.0-or-later), found 'license %s'", d->arg);
		s->license = xstrdup(d->arg);
	} else if (!strcmp(d->key, "inner")) {
		if (n != 1 || !isname(a[0]))
			return perr(doc->path, d->line, "expected 'inner FILE', found 'inner %s'", d->arg);
		s->inner = xstrdup(a[0]);
	} else {
		if (n != 1 || a[0][0] == '/' || strstr(a[0], ".."))
			return perr(doc->path, d->line, "expected 'into DIR' (relative, no '..'), found 'into %s'", d->arg);
		s->into = xstrdup(a[0]);
	}
	return 0;
}

static int phase_line(struct package *p, struct doc *doc, struct directive *d)
{
	size_t n;
	char **a = splitws(d->arg, &n);
	struct phase *ph;

	if (n < 1 || n > 2 || !isname(a[0]) || (n == 2 && strcmp(a[1], "bash")))
		return perr(doc->path, d->line, "expected 'phase NAME [bash]', found 'phase %s'", d->arg);
	if (!d->block)
		return perr(doc->path, d->line, "phase '%s' has no commands: expected indented shell lines below it", a[0]);
	for (size_t i = 0; i < p->nphase; i++)
		if (!strcmp(p->phase[i].name, a[0]))
			return perr(doc->path, d->line, "phase '%s' given twice (first at line %d)", a[0], p->phase[i].line);
	p->phase = xreallocarray(p->phase, p->nphase + 1, sizeof(*p->phase));
	ph = &p->phase[p->nphase++];
	ph->line = d->line;
	ph->name = a[0];
	ph->text = d->block;
	ph->bash = n == 2;
	return 0;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sorted names in a directory, NULL if it cannot be read */
static char **listdir(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;

	*n = 0;
	if (!d)
		return NULL;
	v = xcalloc(1, sizeof(*v));
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			PUSH(v, *n, xstrdup(e->d_name));
	closedir(d);
	qsort(v, *n, sizeof(*v), cmpstr);
	return v;
}

/* patches/NAME: the patches in lexical order and a hash of every file */
static int load_files(struct package *p)
{
	struct buf all = {0};
	size_t n, i;
	char **names = listdir(p->filesdir, &n), hash[65];
	int err = 0;

	bufputs(&all, "");
	for (i = 0; names && i < n; i++) {
		char *path = xasprintf("%s/%s", p->filesdir, names[i]);
		if (sha256_file(path, hash) < 0) {
			err = perr(path, 0, "cannot read: %s", strerror(errno));
		} else {
			size_t len = strlen(names[i]);
			bufprintf(&all, "%s %s\n", hash, names[i]);
			if (len > 6 && !strcmp(names[i] + len - 6, ".patch"))
				PUSH(p->patches, p->npatches, xstrdup(path));
		}
		free(path);
	}
	sha256_str(all.s, all.n, p->fileshash);
	free(all.s);
	return err;
}

/* site NAME: the file site/NAME, hashed now, as the files of patches/ */
static int site_line(struct package *p, struct doc *doc, struct directive *d, const char *top)
{
	struct site s;

	if (!isname(d->arg))
		return perr(doc->path, d->line, "expected 'site NAME' (a file under site/), found 'site %s'", d->arg);
	s.name = d->arg;
	s.path = xasprintf("%s/site/%s", top, d->arg);
	if (sha256_file(s.path, s.sha256) < 0) {
		perr(doc->path, d->line, "'site %s': cannot read %s: %s", d->arg, s.path, strerror(errno));
		free(s.path);
		return -1;
	}
	p->site = xreallocarray(p->site, p->nsite + 1, sizeof(*p->site));
	p->site[p->nsite++] = s;
	return 0;
}

struct package *package_parse(struct doc *doc, const char *name, const char *top)
{
	struct package *p = xcalloc(1, sizeof(*p));
	int err = 0, haveepoch = 0;
	char *end;

	p->name = xstrdup(name);
	p->path = xstrdup(doc->path);
	p->doc = doc;
	p->filesdir = xasprintf("%s/patches/%s", top, name);
	for (size_t i = 0; i < doc->n; i++) {
		struct directive *d = &doc->d[i];
		if (strcmp(d->key, "phase") && noblock(doc, d) < 0) {
			err = -1;
		} else if (!strcmp(d->key, "version")) {
			if (needarg(doc, d, "a version") < 0 || (p->version && perr(doc->path, d->line, "'version' given twice")))
				err = -1;
			else
				p->version = d->arg;
		} else if (!strcmp(d->key, "epoch")) {
			errno = 0;
			p->epoch = strtol(d->arg, &end, 10);
			if (!*d->arg || *end || errno || p->epoch < 0)
				err = perr(doc->path, d->line, "expected 'epoch SECONDS' (the release date as a Unix time), found 'epoch %s'", d->arg);
			haveepoch = 1;
		} else if (!strcmp(d->key, "source")) {
			err |= source_line(p, doc, d);
		} else if (!strcmp(d->key, "url") || !strcmp(d->key, "apt") || !strcmp(d->key, "inner") || !strcmp(d->key, "into") ||
		           !strcmp(d->key, "license")) {
			err |= source_attr(p, doc, d);
		} else if (!strcmp(d->key, "depends")) {
			size_t n;
			char **a = splitws(d->arg, &n);
			for (size_t k = 0; k < n; k++)
				PUSH(p->depends, p->ndepends, a[k]);
			free(a);
		} else if (!strcmp(d->key, "site")) {
			err |= site_line(p, doc, d, top);
		} else if (!strcmp(d->key, "phase")) {
			err |= phase_line(p, doc, d);
		} else {
			err = perr(doc->path, d->line, "expected a recipe keyword (version, epoch, source, url, apt, "
			           "inner, into, depends, site, phase), found '%s'", d->key);
		}
	}
	if (!p->version)
		err = perr(doc->path, 1, "missing 'version' (every recipe needs one)");
	if (!haveepoch)
		err = perr(doc->path, 1, "missing 'epoch' (the SOURCE_DATE_EPOCH of this version)");
	if (!p->nphase)
		err = perr(doc->path, 1, "no 'phase': expected at least one");
	if (load_files(p) < 0)
		err = -1;
	return err ? NULL : p;
}

/* stages/KIND */

static void pushwords(char ***v, size_t *n, const char *arg)
{
	size_t k;
	char **a = splitws(arg, &k);

	for (size_t i = 0; i < k; i++)
		*v = (char **)vpush((void **)*v, n, a[i]);
	free(a);
}

struct stagedef *stage_parse(struct doc *doc, const char *kind)
{
	struct stagedef *s = xcalloc(1, sizeof(*s));
	int err = 0;

	s->kind = xstrdup(kind);
	s->path = xstrdup(doc->path);
	s->doc = doc;
	for (size_t i = 0; i < doc->n; i++) {
		struct directive *d = &doc->d[i];
		if (noblock(doc, d) < 0 || needarg(doc, d, "arguments") < 0) {
			err = -1;
		} else if (!strcmp(d->key, "context")) {
			if (strcmp(d->arg, "host") && strcmp(d->arg, "cross") && strcmp(d->arg, "native"))
				err = perr(doc->path, d->line, "expected 'context host', 'context cross' or 'context native', found 'context %s'", d->arg);
			else
				s->context = d->arg;
		} else if (!strcmp(d->key, "needs")) {
			pushwords(&s->needs, &s->nneeds, d->arg);
		} else if (!strcmp(d->key, "tools")) {
			pushwords(&s->tools, &s->ntools, d->arg);
		} else if (!strcmp(d->key, "path")) {
			pushwords(&s->paths, &s->npaths, d->arg);
		} else if (!strcmp(d->key, "env")) {
			if (!isassign(d->arg))
				err = perr(doc->path, d->line, "expected 'env NAME=VALUE', found 'env %s'", d->arg);
			else
				PUSH(s->env, s->nenv, d->arg);
		} else if (!strcmp(d->key, "build")) {
			s->build = xreallocarray(s->build, s->nbuild + 1, sizeof(*s->build));
			memset(&s->build[s->nbuild++], 0, sizeof(*s->build));
			s->build[s->nbuild - 1].line = d->line;
		} else {
			err = perr(doc->path, d->line, "expected a stage keyword (context, needs, tools, path, env, build), found '%s'", d->key);
		}
	}
	if (!s->context)
		err = perr(doc->path, 1, "missing 'context' (host, cross or native)");
	if (!s->nbuild)
		err = perr(doc->path, 1, "no 'build' line: a stage builds at least one package");
	return err ? NULL : s;
}

/* "build PKG [PHASE...]": resolved once every recipe is loaded */
static int resolve_build(struct defs *defs, struct stagedef *s, struct build *b, const char *arg)
{
	size_t n, k, from = 0;
	char **a = splitws(arg, &n);
	struct package *p = find_package(defs, a[0]);
	int err = 0;

	if (!p)
		return perr(s->path, b->line, "expected a package of packages/, found '%s'", a[0]);
	b->pkg = p;
	/* phases must come in recipe order, each at most once per stage */
	for (size_t j = 0; j < (size_t)(b - s->build); j++)
		if (s->build[j].pkg == p && s->build[j].nphase)
			from = s->build[j].phase[s->build[j].nphase - 1] - p->phase + 1;
	if (n == 1) {
		if (from == p->nphase)
			return perr(s->path, b->line, "every phase of '%s' was already built above", p->name);
		for (k = from; k < p->nphase; k++)
			PUSH(b->phase, b->nphase, &p->phase[k]);
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		for (k = 0; k < p->nphase && strcmp(p->phase[k].name, a[i]); k++)
			;
		if (k == p->nphase) {
			struct buf names = {0};
			for (k = 0; k < p->nphase; k++)
				bufprintf(&names, "%s%s", k ? ", " : "", p->phase[k].name);
			err = perr(s->path, b->line, "expected a phase of %s (%s), found '%s'", p->path, names.s, a[i]);
			free(names.s);
		} else if (k < from) {
			err = perr(s->path, b->line, "phase '%s' of '%s' comes too late: phases run in the recipe's order, once", a[i], p->name);
		} else {
			PUSH(b->phase, b->nphase, &p->phase[k]);
			from = k + 1;
		}
	}
	return err;
}

static int check_stage(struct defs *defs, struct stagedef *s)
{
	int err = 0;
	size_t bi = 0;

	for (size_t i = 0; i < s->doc->n; i++) {
		struct directive *d = &s->doc->d[i];
		if (!strcmp(d->key, "build"))
			err |= resolve_build(defs, s, &s->build[bi++], d->arg);
		if (!strcmp(d->key, "needs"))
			for (size_t k = 0; k < s->nneeds; k++)
				if (!find_stage(defs, s->needs[k]) && strstr(d->arg, s->needs[k]))
					err = perr(s->path, d->line, "expected a stage kind of stages/, found '%s'", s->needs[k]);
	}
	return err;
}

static int check_package(struct defs *defs, struct package *p)
{
	int err = 0;

	for (size_t i = 0; i < p->ndepends; i++)
		if (!find_package(defs, p->depends[i]))
			for (size_t k = 0; k < p->doc->n; k++)
				if (!strcmp(p->doc->d[k].key, "depends") && strstr(p->doc->d[k].arg, p->depends[i]))
					err = perr(p->path, p->doc->d[k].line, "expected a package of packages/, found '%s'", p->depends[i]);
	return err;
}

/* parse every file of top/dir with fn; returns -1 if any failed */
static int loaddir(struct defs *defs, const char *dir, int kind)
{
	size_t n;
	char *path = xasprintf("%s/%s", defs->top, dir);
	char **names = listdir(path, &n);
	int err = 0;

	for (size_t i = 0; names && i < n; i++) {
		char *file = xasprintf("%s/%s", path, names[i]);
		struct doc *doc;
		if (!isname(names[i]) || names[i][strlen(names[i]) - 1] == '~' || isdir(file)) {
			free(file);
			continue;
		}
		doc = doc_load(file);
		if (!doc) {
			err = -1;
		} else if (kind == 't') {
			struct target *t = target_parse(doc, names[i]);
			if (t)
				PUSH(defs->targets, defs->ntargets, t);
			else
				err = -1;
		} else if (kind == 'p') {
			struct package *p = package_parse(doc, names[i], defs->top);
			if (p)
				PUSH(defs->pkgs, defs->npkgs, p);
			else
				err = -1;
		} else {
			struct stagedef *s = stage_parse(doc, names[i]);
			if (s)
				PUSH(defs->stages, defs->nstages, s);
			else
				err = -1;
		}
		free(file);
	}
	if (!names)
		err = perr(path, 0, "cannot read directory: %s", strerror(errno));
	free(path);
	return err;
}

int defs_load(struct defs *defs, const char *top)
{
	int err = 0;

	memset(defs, 0, sizeof(*defs));
	defs->top = xstrdup(top);
	err |= loaddir(defs, "targets", 't');
	for (size_t i = 0; i < defs->ntargets; i++)
		if (defs->targets[i]->tcname)
			err |= check_board(defs, defs->targets[i]);
	err |= loaddir(defs, "packages", 'p');
	err |= loaddir(defs, "stages", 's');
	for (size_t i = 0; i < defs->npkgs; i++)
		err |= check_package(defs, defs->pkgs[i]);
	for (size_t i = 0; i < defs->nstages; i++)
		err |= check_stage(defs, defs->stages[i]);
	return err ? -1 : 0;
}

struct package *find_package(struct defs *defs, const char *name)
{
	for (size_t i = 0; i < defs->npkgs; i++)
		if (!strcmp(defs->pkgs[i]->name, name))
			return defs->pkgs[i];
	return NULL;
}

struct stagedef *find_stage(struct defs *defs, const char *kind)
{
	for (size_t i = 0; i < defs->nstages; i++)
		if (!strcmp(defs->stages[i]->kind, kind))
			return defs->stages[i];
	return NULL;
}

struct target *find_target(struct defs *defs, const char *name)
{
	for (size_t i = 0; i < defs->ntargets; i++)
		if (!strcmp(defs->targets[i]->name, name))
			return defs->targets[i];
	return NULL;
}
