/* pack: writes a directory tree to stdout as a newc cpio (the kernel's
 * initramfs format) or a ustar tar, the same bytes from the same tree on
 * any machine: entries in byte order of their names, directories before
 * what they hold, every owner root, every time the one given, inodes
 * numbered in order. The image stage runs it on the host and, rebuilding
 * itself, inside the system, which has no GNU cpio or tar: one program on
 * both sides is what makes their images the same.
 *
 *   pack cpio|tar EPOCH PATH > archive
 *
 * PATH and everything under it, named as PATH/...; regular files,
 * directories and symlinks only. In the cpio, a file's hard links share
 * its inode and only the first carries the data (what the kernel's
 * initramfs reader expects); the tar holds each link as a whole file. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int tar;
static unsigned long epoch, nextino = 1;
static unsigned long long written;

/* the inodes seen with more than one link: the first name of each */
struct link {
	dev_t dev;
	ino_t ino;
	unsigned long packed;   /* its number in the archive */
	unsigned nlink;
};
static struct link *links;
static size_t nlinks;

static void fatal(const char *fmt, ...)
{
	va_list ap;

	fputs("pack: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void out(const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, stdout) != n)
		fatal("writing the archive: %s", strerror(errno));
	written += n;
}

/* zeros up to the next multiple of align */
static void pad(unsigned align)
{
	static const char zero[512];
	unsigned long n = (align - written % align) % align;

	for (; n > sizeof(zero); n -= sizeof(zero))
		out(zero, sizeof(zero));
	out(zero, n);
}

static void copydata(const char *path, off_t size)
{
	char buf[65536];
	FILE *f = fopen(path, "rb");
	size_t n;
	off_t left = size;

	if (!f)
		fatal("%s: %s", path, strerror(errno));
	while (left > 0 && (n = fread(buf, 1, left < (off_t)sizeof(buf) ? (size_t)left : sizeof(buf), f)) > 0) {
		out(buf, n);
		left -= n;
	}
	if (left || ferror(f))
		fatal("%s: changed size while being packed", path);
	fclose(f);
}

/* the cpio number for this file; 0 if it is a later name of a file
 * already in the archive (then *first says which) */
static unsigned long inode(const struct stat *st, unsigned long *first)
{
	size_t i;

	*first = 0;
	if (S_ISDIR(st->st_mode) || st->st_nlink < 2)
		return nextino++;
	for (i = 0; i < nlinks; i++)
		if (links[i].dev == st->st_dev && links[i].ino == st->st_ino) {
			*first = links[i].packed;
			return 0;
		}
	links = realloc(links, (nlinks + 1) * sizeof(*links));
	if (!links)
		fatal("out of memory");
	links[nlinks].dev = st->st_dev;
	links[nlinks].ino = st->st_ino;
	links[nlinks].packed = nextino;
	links[nlinks].nlink = st->st_nlink;
	nlinks++;
	return nextino++;
}

static void cpioheader(const char *name, unsigned long ino, unsigned long mode,
                       unsigned long nlink, unsigned long size)
{
	char h[160];

	snprintf(h, sizeof(h), "070701%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX",
	         ino, mode, 0UL, 0UL, nlink, epoch, size, 0UL, 0UL, 0UL, 0UL,
	         (unsigned long)strlen(name) + 1, 0UL);
	out(h, 110);    /* 13 fields of 8 hex digits after the magic */
	out(name, strlen(name) + 1);
	pad(4);
}

static void cpioentry(const char *path, const struct stat *st, const char *target)
{
	unsigned long first, ino = inode(st, &first);
	unsigned long nlink = S_ISDIR(st->st_mode) ? 2 : st->st_nlink;

	if (!ino) {
		cpioheader(path, first, st->st_mode, nlink, 0);
		return;
	}
	if (st->st_size > 0xffffffffL)
		fatal("%s: too big for a newc cpio", path);
	if (S_ISLNK(st->st_mode)) {
		cpioheader(path, ino, st->st_mode, 1, strlen(target));
		out(target, strlen(target));
	} else if (S_ISREG(st->st_mode)) {
		cpioheader(path, ino, st->st_mode, nlink, st->st_size);
		copydata(path, st->st_size);
	} else {
		cpioheader(path, ino, st->st_mode, nlink, 0);
	}
	pad(4);
}

/* an octal field of a tar header, NUL-terminated */
static void octal(char *field, size_t len, unsigned long long v)
{
	snprintf(field, len, "%0*llo", (int)len - 1, v);
	if (strlen(field) != len - 1)
		fatal("a value does not fit a tar header: %llu", v);
}

static void tarentry(const char *path, const struct stat *st, const char *target)
{
	char h[512], name[256];
	const char *slash = S_ISDIR(st->st_mode) ? "/" : "";
	size_t n, split;
	unsigned sum = 0, i;
	off_t size = S_ISREG(st->st_mode) ? st->st_size : 0;

	memset(h, 0, sizeof(h));
	n = snprintf(name, sizeof(name), "%s%s", path, slash);
	if (n <= 100) {
		memcpy(h, name, n);
	} else {
		/* ustar: a prefix of up to 155 bytes, split at a slash */
		for (split = n - 2; split > 0 && (name[split] != '/' || n - split - 1 > 100); split--)
			;
		if (!split || split > 155 || n - split - 1 == 0)
			fatal("%s: name too long for a ustar header", path);
		memcpy(h, name + split + 1, n - split - 1);
		memcpy(h + 345, name, split);
	}
	octal(h + 100, 8, st->st_mode & 07777);
	octal(h + 108, 8, 0);
	octal(h + 116, 8, 0);
	octal(h + 124, 12, size);
	octal(h + 136, 12, epoch);
	h[156] = S_ISDIR(st->st_mode) ? '5' : S_ISLNK(st->st_mode) ? '2' : '0';
	if (target) {
		if (strlen(target) > 100)
			fatal("%s: link target too long for a ustar header", path);
		memcpy(h + 157, target, strlen(target));
	}
	memcpy(h + 257, "ustar\0" "00", 8);
	strcpy(h + 265, "root");
	strcpy(h + 297, "root");
	memset(h + 148, ' ', 8);
	for (i = 0; i < sizeof(h); i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
	out(h, sizeof(h));
	if (size) {
		copydata(path, size);
		pad(512);
	}
}

static int bybytes(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void pack(const char *path)
{
	struct stat st;
	char target[4096], *child;
	ssize_t n;
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t count = 0, i;

	if (lstat(path, &st) < 0)
		fatal("%s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
		fatal("%s: not a file, directory or symlink", path);
	if (S_ISLNK(st.st_mode)) {
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			fatal("%s: %s", path, strerror(errno));
		target[n] = 0;
	}
	if (tar)
		tarentry(path, &st, S_ISLNK(st.st_mode) ? target : NULL);
	else
		cpioentry(path, &st, target);
	if (!S_ISDIR(st.st_mode))
		return;
	if (!(d = opendir(path)))
		fatal("%s: %s", path, strerror(errno));
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		names = realloc(names, (count + 1) * sizeof(*names));
		if (!names || !(names[count++] = strdup(e->d_name)))
			fatal("out of memory");
	}
	closedir(d);
	qsort(names, count, sizeof(*names), bybytes);
	for (i = 0; i < count; i++) {
		child = malloc(strlen(path) + strlen(names[i]) + 2);
		if (!child)
			fatal("out of memory");
		sprintf(child, "%s/%s", path, names[i]);
		pack(child);
		free(child);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	char *end;
	static const char zero[1024];

	if (argc != 4 || (strcmp(argv[1], "cpio") && strcmp(argv[1], "tar")))
		fatal("usage: pack cpio|tar EPOCH PATH > archive");
	tar = !strcmp(argv[1], "tar");
	errno = 0;
	epoch = strtoul(argv[2], &end, 10);
	if (errno || *end || end == argv[2])
		fatal("EPOCH: expected seconds since 1970, found '%s'", argv[2]);
	pack(argv[3]);
	if (tar) {
		out(zero, sizeof(zero));
		pad(10240);     /* tar's customary record of 20 blocks */
	} else {
		cpioheader("TRAILER!!!", 0, 0, 1, 0);
		pad(512);
	}
	if (fflush(stdout) == EOF)
		fatal("writing the archive: %s", strerror(errno));
	return 0;
}
