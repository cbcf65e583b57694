/* fetch.c: getting source files, verified by their pinned sha256.
 * A file reaches sources/ by rename only after its hash matched, so the
 * source cache never holds a file that was not verified. */

#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cache.h"
#include "defs.h"
#include "fetch.h"
#include "opts.h"
#include "proc.h"
#include "sha256.h"
#include "util.h"

int fetch_verify(const char *file, const char *name, const char *want, const char *from)
{
	char got[65];
	char *dir, *aside;

	if (sha256_file(file, got) < 0) {
		warn("cannot read %s:", file);
		return -1;
	}
	if (!strcmp(got, want))
		return 0;
	dir = xasprintf("%s/sources/rejected", cache_root());
	aside = xasprintf("%s/%s.%s", dir, name, got);
	mkdirp(dir);
	if (rename(file, aside) < 0)
		unlink(file);
	warn("%s from %s: sha256 mismatch: expected %s, found %s; not used, moved aside to %s",
	     name, from, want, got, aside);
	free(dir);
	free(aside);
	return -1;
}

static int copy(const char *from, const char *to)
{
	char *argv[] = {"cp", (char *)from, (char *)to, NULL};

	return access(from, R_OK) == 0 && proc_run(argv, NULL, -1) == 0 ? 0 : -1;
}

static int download(const char *url, const char *to)
{
	char *curl = which("curl"), *wget = which("wget");
	int r = -1;

	/* on a terminal, the download's bytes and rate as it goes */
	int tty = isatty(2);

	fprintf(stderr, "fetching %s\n", url);
	if (curl) {
		/* -S alone keeps curl's meter: bytes, rate, time left */
		char *argv[] = {"curl", "-fL", tty ? "-S" : "-sS", "--retry", "2", "--connect-timeout", "20", "-o", (char *)to, (char *)url, NULL};
		r = proc_run(argv, NULL, -1);
	} else if (wget) {
		char *argv[] = {"wget", "-q", "-O", (char *)to, (char *)url, tty ? "--show-progress" : NULL, NULL};
		r = proc_run(argv, NULL, -1);
	} else {
		warn("neither curl nor wget is installed: cannot fetch %s", url);
	}
	free(curl);
	free(wget);
	if (r != 0)
		unlink(to);
	return r == 0 ? 0 : -1;
}

/* Debian's source archive, through a private apt configuration so that the
 * machine's own is left as it is: deb-src entries derived from its deb ones. */

static char *aptdir;

static char *codename(void)
{
	char *os = readfile("/etc/os-release", NULL), *p, *name = NULL;

	for (p = os; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
		if (startswith(p, "VERSION_CODENAME="))
			name = xstrndup(p + 17, strcspn(p + 17, "\n\""));
	free(os);
	return name;
}

/* every suite, and its twin in the wanted release: bookworm-updates gives trixie-updates */
static void suites(struct buf *b, const char *list, const char *base, const char *want)
{
	size_t n;
	char **s = splitws(list, &n);

	for (size_t i = 0; i < n; i++) {
		bufprintf(b, " %s", s[i]);
		if (want && base && startswith(s[i], base) && strcmp(base, want))
			bufprintf(b, " %s%s", want, s[i] + strlen(base));
	}
}

/* one-line format: "deb [options] URI SUITE COMPONENT..." */
static void derive_line(struct buf *b, char *line, const char *base, const char *want)
{
	size_t n;
	char **w = splitws(line, &n);
	size_t i = 1;
	struct buf opt = {0};

	if (n < 3 || strcmp(w[0], "deb"))
		return;
	bufputs(&opt, "");
	if (w[1][0] == '[')
		for (; i < n; i++) {
			bufprintf(&opt, "%s%s", opt.n ? " " : "", w[i]);
			if (strchr(w[i], ']'))
				break;
		}
	if (opt.n)
		i++;
	if (i + 2 > n)
		return;
	struct buf su = {0};
	bufputs(&su, "");
	suites(&su, w[i + 1], base, want);
	size_t ns;
	char **sl = splitws(su.s, &ns);
	for (size_t k = 0; k < ns; k++) {
		bufprintf(b, "deb-src %s%s%s %s", opt.s, opt.n ? " " : "", w[i], sl[k]);
		for (size_t c = i + 2; c < n; c++)
			bufprintf(b, " %s", w[c]);
		bufputs(b, "\n");
	}
}

/* deb822 format: copy the stanza with Types and Suites rewritten */
static void derive_stanza(struct buf *b, const char *st, const char *base, const char *want)
{
	const char *p, *e;
	int deb = 0;

	for (p = st; *p; p = *e ? e + 1 : e) {
		e = strchr(p, '\n');
		if (!e)
			e = p + strlen(p);
		if (startswith(p, "Types:")) {
			char *t = xstrndup(p + 6, e - p - 6);
			size_t n;
			char **w = splitws(t, &n);
			for (size_t i = 0; i < n; i++)
				deb |= !strcmp(w[i], "deb");
		}
		if (startswith(p, "Enabled:") && strstr(p, "no") && strstr(p, "no") < e)
			return;
	}
	if (!deb)
		return;
	for (p = st; *p; p = *e ? e + 1 : e) {
		e = strchr(p, '\n');
		if (!e)
			e = p + strlen(p);
		if (startswith(p, "Types:")) {
			bufputs(b, "Types: deb-src\n");
		} else if (startswith(p, "Suites:")) {
			char *s = xstrndup(p + 7, e - p - 7);
			bufputs(b, "Suites:");
			suites(b, s, base, want);
			bufputs(b, "\n");
			free(s);
		} else if (*p != '#') {
			bufadd(b, p, e - p);
			bufputs(b, "\n");
		}
	}
	bufputs(b, "\n");
}

static void derive_file(struct buf *b, const char *path, const char *base, const char *want)
{
	char *text = readfile(path, NULL), *p, *e;
	size_t n = strlen(path);

	if (!text)
		return;
	if (n > 8 && !strcmp(path + n - 8, ".sources")) {
		/* stanzas are separated by blank lines */
		for (p = text; *p; p = e) {
			e = strstr(p, "\n\n");
			e = e ? e + 2 : p + strlen(p);
			char *st = xstrndup(p, e - p);
			derive_stanza(b, st, base, want);
			free(st);
		}
	} else {
		for (p = strtok(text, "\n"); p; p = strtok(NULL, "\n"))
			derive_line(b, p, base, want);
	}
	free(text);
}

static int apt_setup(const char *want)
{
	struct buf b = {0};
	char *base = codename(), *parts, *list;
	DIR *d;
	struct dirent *e;

	aptdir = xasprintf("%s/apt", cache_root());
	parts = xasprintf("%s/sources.list.d", aptdir);
	rmtree(parts);
	for (const char *sub = "lists/partial"; sub; sub = NULL) {
		char *p = xasprintf("%s/%s", aptdir, sub);
		mkdirp(p);
		free(p);
	}
	mkdirp(parts);
	char *cachep = xasprintf("%s/cache/archives/partial", aptdir);
	mkdirp(cachep);
	free(cachep);
	bufputs(&b, "# deb-src entries derived from this machine's apt sources\n");
	derive_file(&b, "/etc/apt/sources.list", base, want);
	d = opendir("/etc/apt/sources.list.d");
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if ((n > 5 && !strcmp(e->d_name + n - 5, ".list")) || (n > 8 && !strcmp(e->d_name + n - 8, ".sources"))) {
			char *p = xasprintf("/etc/apt/sources.list.d/%s", e->d_name);
			derive_file(&b, p, base, want);
			free(p);
		}
	}
	if (d)
		closedir(d);
	/* one-line entries and stanzas go to files of their own format */
	struct buf one = {0}, st = {0};
	bufputs(&one, "");
	bufputs(&st, "");
	for (char *p = b.s; p && *p;) {
		char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);
		bufadd(startswith(p, "deb-src ") ? &one : &st, p, len);
		p += len;
	}
	list = xasprintf("%s/bootstrap.list", parts);
	writefile(list, one.s, one.n);
	free(list);
	list = xasprintf("%s/bootstrap.sources", parts);
	writefile(list, st.s, st.n);
	free(list);
	list = xasprintf("%s/sources.list", aptdir);
	writefile(list, "", 0);
	free(list);
	free(one.s);
	free(st.s);
	free(b.s);
	free(base);
	free(parts);
	return 0;
}

static void aptargv(char **argv, int *n)
{
	static char *o[5];

	o[0] = xasprintf("Dir::Etc::SourceList=%s/sources.list", aptdir);
	o[1] = xasprintf("Dir::Etc::SourceParts=%s/sources.list.d", aptdir);
	o[2] = xasprintf("Dir::State::Lists=%s/lists", aptdir);
	o[3] = xasprintf("Dir::Cache=%s/cache", aptdir);
	o[4] = "Debug::NoLocking=1";
	argv[(*n)++] = "apt-get";
	argv[(*n)++] = "-q";
	for (int i = 0; i < 5; i++) {
		argv[(*n)++] = "-o";
		argv[(*n)++] = o[i];
	}
}

static int apt_fetch(struct source *s, const char *to)
{
	static char *updated; /* the suite the lists were last fetched for */
	char *argv[32], *dir, *got;
	int n = 0, r;

	if (!which("apt-get")) {
		warn("apt-get is not installed: cannot fetch %s from Debian", s->apt);
		return -1;
	}
	if (!updated || strcmp(updated, s->suite ? s->suite : "")) {
		apt_setup(s->suite);
		aptargv(argv, &n);
		argv[n++] = "update";
		argv[n] = NULL;
		fprintf(stderr, "apt-get update (deb-src entries derived from /etc/apt)\n");
		if (proc_run(argv, NULL, 2) != 0)
			warn("apt-get update failed; trying with the lists already fetched");
		updated = xstrdup(s->suite ? s->suite : "");
		n = 0;
	}
	dir = xasprintf("%s/dl.%ld", aptdir, (long)getpid());
	rmtree(dir);
	mkdirp(dir);
	aptargv(argv, &n);
	argv[n++] = "source";
	argv[n++] = "--download-only";
	argv[n++] = s->apt;
	argv[n] = NULL;
	fprintf(stderr, "apt-get source --download-only %s\n", s->apt);
	/* apt exits non-zero when a side file (a debian tarball) is missing
	 * though the orig tarball arrived: judge by the file itself */
	proc_run(argv, dir, 2);
	got = xasprintf("%s/%s", dir, s->file);
	r = copy(got, to);
	if (r < 0)
		warn("apt-get source %s did not deliver %s", s->apt, s->file);
	rmtree(dir);
	free(dir);
	free(got);
	return r;
}

/* move tmp into the cache if its hash is right */
static char *accept(struct source *s, const char *tmp, const char *dst, const char *from)
{
	if (fetch_verify(tmp, s->file, s->sha256, from) < 0)
		return NULL;
	if (rename(tmp, dst) < 0)
		fatal("cannot move %s to %s:", tmp, dst);
	return xstrdup(dst);
}

char *fetch_source(struct package *p, struct source *s)
{
	char *dst = xasprintf("%s/sources/%s", cache_root(), s->file);
	char *tmp = xasprintf("%s/sources/.%s.%ld.part", cache_root(), s->file, (long)getpid());
	char *got = NULL;

	if (exists(dst)) {
		if (fetch_verify(dst, s->file, s->sha256, "the source cache") == 0) {
			free(tmp);
			return dst;
		}
	}
	/* offline, a mirror that is a directory still counts: an air-gapped
	 * build from a local copy of the sources */
	for (size_t i = 0; !got && i < opts.nmirrors; i++) {
		char *m = opts.mirrors[i], *from = xasprintf("%s/%s", m, s->file);
		if (!strstr(m, "://") ? copy(from, tmp) == 0 : !opts.offline && download(from, tmp) == 0)
			got = accept(s, tmp, dst, from);
		free(from);
	}
	if (!got && opts.offline) {
		warn("%s:%d: %s (package %s) is not in the source cache %s/sources%s, and --offline forbids fetching it",
		     p->path, s->line, s->file, p->name, cache_root(),
		     opts.nmirrors ? " nor in a local --mirror" : "");
		goto out;
	}
	for (size_t i = 0; !got && i < s->nurls; i++)
		if (download(s->urls[i], tmp) == 0)
			got = accept(s, tmp, dst, s->urls[i]);
	if (!got && s->apt && apt_fetch(s, tmp) == 0) {
		char *from = xasprintf("Debian's archive (%s)", s->apt);
		got = accept(s, tmp, dst, from);
		free(from);
	}
	if (!got)
		warn("%s:%d: cannot fetch %s for package %s: tried %s%s%s", p->path, s->line, s->file, p->name,
		     opts.nmirrors ? "the mirrors, " : "", s->nurls ? "the upstream URLs, " : "",
		     s->apt ? "Debian's source archive" : "no Debian source (no 'apt' line)");
out:
	unlink(tmp);
	free(tmp);
	free(dst);
	return got;
}
