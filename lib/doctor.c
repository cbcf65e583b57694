/* doctor.c: the host's prerequisites, and the Debian packages that give them. */

#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "defs.h"
#include "doctor.h"
#include "util.h"

static const struct {
	const char *cmd, *pkg;
} provides[] = {
	{"cc", "gcc"}, {"gcc", "gcc"}, {"c++", "g++"}, {"g++", "g++"}, {"make", "make"},
	{"sh", "dash"}, {"bash", "bash"}, {"tar", "tar"}, {"xz", "xz-utils"}, {"gzip", "gzip"},
	{"bzip2", "bzip2"}, {"patch", "patch"}, {"flex", "flex"}, {"bison", "bison"}, {"bc", "bc"},
	{"cpio", "cpio"}, {"mke2fs", "e2fsprogs"}, {"m4", "m4"}, {"perl", "perl"}, {"awk", "mawk"},
	{"sed", "sed"}, {"grep", "grep"}, {"find", "findutils"}, {"xargs", "findutils"},
	{"diff", "diffutils"}, {"cmp", "diffutils"}, {"cp", "coreutils"}, {"env", "coreutils"},
	{"file", "file"}, {"curl", "curl"}, {"apt-get", "apt"}, {"strings", "binutils"},
	{"mksquashfs", "squashfs-tools"}, {"qemu-system-x86_64", "qemu-system-x86"},
	{"qemu-system-arm", "qemu-system-arm"}, {"qemu-system-aarch64", "qemu-system-arm"},
	{"qemu-arm", "qemu-user"}, {"qemu-aarch64", "qemu-user"}, {"qemu-x86_64", "qemu-user"},
	{"gelf.h", "libelf-dev"}, {"python3", "python3"}, {"rsync", "rsync"}, {"install", "coreutils"},
};

/* what the runner itself and every stage need, whatever the stages say */
static const char *always[] = {
	"cc", "make", "tar", "xz", "gzip", "bzip2", "patch", "flex", "bison", "bc", "cpio",
	"mke2fs", "m4", "perl", "gelf.h", "apt-get",
};

const char *doctor_package(const char *cmd)
{
	for (size_t i = 0; i < LEN(provides); i++)
		if (!strcmp(provides[i].cmd, cmd))
			return provides[i].pkg;
	return NULL;
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

static void check(const char *what, struct buf *missing, struct buf *pkgs, int quiet)
{
	const char *pkg = doctor_package(what);

	char *word = xasprintf(" %s ", what);
	int seen = missing->s && strstr(missing->s, word);

	free(word);
	if (seen)
		return;
	if (have(what)) {
		if (!quiet)
			printf("  ok       %s\n", what);
		return;
	}
	printf("  missing  %s (Debian package %s)\n", what, pkg ? pkg : "unknown");
	bufprintf(missing, " %s ", what);
	if (pkg && !(pkgs->s && strstr(pkgs->s, pkg)))
		bufprintf(pkgs, " %s", pkg);
}

int doctor(struct defs *defs, int quiet)
{
	struct buf missing = {0}, pkgs = {0};

	for (size_t i = 0; i < LEN(always); i++)
		check(always[i], &missing, &pkgs, quiet);
	for (size_t i = 0; i < defs->nstages; i++)
		for (size_t k = 0; k < defs->stages[i]->ntools; k++)
			check(defs->stages[i]->tools[k], &missing, &pkgs, 1);
	for (size_t i = 0; i < defs->ntargets; i++) {
		if (*defs->targets[i]->qemu)
			check(defs->targets[i]->qemu, &missing, &pkgs, quiet);
		if (*defs->targets[i]->qemuuser)
			check(defs->targets[i]->qemuuser, &missing, &pkgs, quiet);
	}
	if (!missing.n) {
		printf("everything bootstrap needs is installed\n");
		return 0;
	}
	if (pkgs.n)
		printf("to install what is missing:\n  apt-get install -y --no-install-recommends%s\n", pkgs.s);
	free(missing.s);
	free(pkgs.s);
	return 1;
}
