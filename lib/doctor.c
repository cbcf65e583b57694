/* doctor.c: the host's prerequisites, and the Debian packages that give them. */

#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include "defs.h"
#include "doctor.h"
#include "opts.h"
#include "proc.h"
#include "util.h"

static const struct {
	const char *cmd, *pkg;
} provides[] = {
	{"cc", "gcc"}, {"gcc", "gcc"}, {"c++", "g++"}, {"g++", "g++"}, {"make", "make"},
	{"sh", "dash"}, {"bash", "bash"}, {"tar", "tar"}, {"xz", "xz-utils"}, {"gzip", "gzip"},
	{"bzip2", "bzip2"}, {"patch", "patch"}, {"flex", "flex"}, {"bison", "bison"}, {"bc", "bc"},
	{"cpio", "cpio"}, {"mke2fs", "e2fsprogs"}, {"m4", "m4"}, {"perl", "perl"}, {"awk", "mawk"},
	{"sed", "sed"}, {"grep", "grep"}, {"find", "findutils"}, {"xargs", "findutils"},
	{"diff", "diffutils"}, {"cmp", "diffutils"},
	{"file", "file"}, {"curl", "curl"}, {"apt-get", "apt"}, {"cpp", "cpp"}, {"hostname", "hostname"},
	{"pgrep", "procps"}, {"qemu-img", "qemu-utils"}, {"egrep", "grep"}, {"which", "debianutils"},
	{"debugfs", "e2fsprogs"}, {"e2fsck", "e2fsprogs"}, {"distccd", "distcc"}, {"distcc", "distcc"},
	{"mksquashfs", "squashfs-tools"}, {"qemu-system-x86_64", "qemu-system-x86"},
	{"qemu-system-arm", "qemu-system-arm"}, {"qemu-system-aarch64", "qemu-system-arm"},
	{"qemu-system-i386", "qemu-system-x86"}, {"qemu-system-riscv64", "qemu-system-misc"},
	{"qemu-arm", "qemu-user"}, {"qemu-aarch64", "qemu-user"}, {"qemu-x86_64", "qemu-user"},
	{"qemu-i386", "qemu-user"}, {"qemu-riscv64", "qemu-user"},
	{"gelf.h", "libelf-dev"}, {"faketime", "faketime"}, {"disorderfs", "disorderfs"},
	{"diffoscope", "diffoscope-minimal"}, {"mformat", "mtools"}, {"mcopy", "mtools"},
	{"sfdisk", "fdisk"},
};

/* what no stage runs but a command of the runner does, and for what */
static const struct {
	const char *cmd, *why;
} besides[] = {
	{"curl", "downloads from upstream URLs (Debian's archive goes through apt)"},
	{"faketime", "bootstrap audit: the clock variation"},
	{"disorderfs", "bootstrap audit: the directory order variation"},
	{"diffoscope", "bootstrap audit: what differs inside the files that differ"},
	{"distccd", "bootstrap stage rebuild-ARCH: the guest's compiles, served here"},
};

/* free space the work tree and the cache should have: measured here, one
 * target with its rebuild took 6.1 GiB of work tree (4.7 of it the
 * guest's disk) and 3.1 GiB of cache */
#define NEED_GIB 20

/* what the runner itself and every stage need, whatever the stages say */
static const char *always[] = {
	"cc", "make", "tar", "xz", "gzip", "bzip2", "patch", "flex", "bison", "bc", "cpio",
	"mke2fs", "m4", "perl", "gelf.h", "apt-get", "pgrep", "sha256sum",
	"debugfs", "timeout", "truncate",
};

/* the commands of two packages every Debian system has most of */
static const char coreutils[] = " basename cat chmod cp cut date dirname du echo env expr false head "
	"install dd ln ls mkdir mktemp mv nproc od printf readlink realpath rm rmdir sha256sum sleep sort stat "
	"tail tee test timeout touch tr true truncate uname uniq wc ";
static const char binutils[] = " as ld ar nm ranlib strip objdump readelf objcopy strings ";

const char *doctor_package(const char *cmd)
{
	char *word = xasprintf(" %s ", cmd);
	const char *pkg = strstr(coreutils, word) ? "coreutils" : strstr(binutils, word) ? "binutils" : NULL;

	free(word);
	for (size_t i = 0; !pkg && i < LEN(provides); i++)
		if (!strcmp(provides[i].cmd, cmd))
			pkg = provides[i].pkg;
	return pkg;
}

static int have(const char *what)
{
	char *p;

	if (strchr(what, '.')) { /* a header */
		const char *dirs[] = {"/usr/include", "/usr/local/include", "/usr/include/libelf"};
		for (size_t i = 0; i < LEN(dirs); i++) {
			p = xasprintf("%s/%s", dirs[i], what);
			int ok = exists(p);
			free(p);
			if (ok)
				return 1;
		}
		return 0;
	}
	p = which(what);
	free(p);
	return p != NULL;
}

/* each tool once: seen holds every name checked, " name " */
static void check(const char *what, struct buf *seen, struct buf *missing, struct buf *pkgs, int quiet)
{
	const char *pkg = doctor_package(what);
	char *word = xasprintf(" %s ", what);
	int again = seen->s && strstr(seen->s, word);

	free(word);
	if (again)
		return;
	bufprintf(seen, " %s ", what);
	if (have(what)) {
		if (!quiet)
			printf("  ok       %s\n", what);
		return;
	}
	printf("  missing  %s (Debian package %s)\n", what, pkg ? pkg : "unknown");
	for (size_t i = 0; i < LEN(besides); i++)
		if (!strcmp(besides[i].cmd, what))
			printf("           for %s\n", besides[i].why);
	bufprintf(missing, " %s ", what);
	if (pkg && !(pkgs->s && strstr(pkgs->s, pkg)))
		bufprintf(pkgs, " %s", pkg);
}

/* every host tool the project uses */
static void eachtool(struct defs *defs, void (*fn)(const char *, void *), void *arg)
{
	for (size_t i = 0; i < LEN(always); i++)
		fn(always[i], arg);
	for (size_t i = 0; i < defs->nstages; i++)
		for (size_t k = 0; k < defs->stages[i]->ntools; k++)
			if (defs->stages[i]->tools[k][0] != '$') /* $QEMU: each target's, below */
				fn(defs->stages[i]->tools[k], arg);
	for (size_t i = 0; i < defs->ntargets; i++) {
		if (*defs->targets[i]->qemu)
			fn(defs->targets[i]->qemu, arg);
		if (*defs->targets[i]->qemuuser)
			fn(defs->targets[i]->qemuuser, arg);
	}
}

static void addpkg(const char *tool, void *arg)
{
	struct buf *b = arg;
	const char *pkg = doctor_package(tool);
	char *word = xasprintf("\n%s\n", pkg ? pkg : tool);

	if (!strstr(b->s, word))
		bufprintf(b, "%s\n", pkg ? pkg : tool);
	free(word);
}

void doctor_packages(struct defs *defs)
{
	struct buf b = {0};

	bufputs(&b, "\n");
	eachtool(defs, addpkg, &b);
	fputs(b.s + 1, stdout);
	free(b.s);
}

struct checking {
	struct buf seen, missing, pkgs;
	int quiet;
};

static void checkone(const char *tool, void *arg)
{
	struct checking *c = arg;

	check(tool, &c->seen, &c->missing, &c->pkgs, c->quiet);
}

/* the free space under path, or of the nearest directory above it */
static double freegib(const char *path)
{
	char *p = xstrdup(path), *slash;
	struct statvfs v;
	double gib = -1;

	while (statvfs(p, &v) < 0 && (slash = strrchr(p, '/')) && slash != p)
		*slash = 0;
	if (statvfs(p, &v) == 0)
		gib = (double)v.f_bavail * v.f_frsize / (1024.0 * 1024 * 1024);
	free(p);
	return gib;
}

/* what is not a package: the machine's space, namespaces, emulation */
static int machine(int quiet)
{
	const char *where[] = {opts.work, opts.cache};
	const char *what[] = {"work tree", "cache"};
	char *userns[] = {"unshare", "--user", "--map-root-user", "true", NULL};
	int wrong = 0;

	for (size_t i = 0; i < LEN(where); i++) {
		double gib = freegib(where[i]);
		if (gib >= 0 && gib < NEED_GIB)
			printf("  low      %.1f GiB free for the %s %s: a target with its rebuild needs about %d\n",
			       gib, what[i], where[i], NEED_GIB), wrong = 1;
		else if (!quiet)
			printf("  ok       %.1f GiB free for the %s %s\n", gib, what[i], where[i]);
	}
	if (proc_run(userns, NULL, PROC_NULL) != 0)
		printf("  wrong    user namespaces do not work (unshare --user --map-root-user true):\n"
		       "           bootstrap audit leaves its user and hostname variations out\n"), wrong = 1;
	else if (!quiet)
		printf("  ok       user namespaces (the audit's user and hostname variations)\n");
	/* run-emulator.sh never asks for KVM: the same emulation everywhere */
	printf("  note     qemu emulates the targets (TCG, no KVM): compiling inside a guest costs\n"
	       "           about 8 times native, and the rebuild stage takes hours\n");
	return wrong;
}

int doctor(struct defs *defs, int quiet)
{
	struct checking c = {{0}, {0}, {0}, quiet};
	int r = 0;

	eachtool(defs, checkone, &c);
	for (size_t i = 0; i < LEN(besides); i++)
		checkone(besides[i].cmd, &c);
	if (machine(quiet))
		r = 1;
	if (!c.missing.n) {
		printf("everything bootstrap needs is installed%s\n", r ? ", but see above" : "");
	} else {
		if (c.pkgs.n)
			printf("to install what is missing:\n  apt-get install -y --no-install-recommends%s\n", c.pkgs.s);
		r = 1;
	}
	free(c.seen.s);
	free(c.missing.s);
	free(c.pkgs.s);
	return r;
}
