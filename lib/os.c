/* os.c: what the runner asks the kernel about its processes, through /proc
 * (Linux). A step's processes are known two ways: the process group the
 * runner gave it, recorded with the leader's start time, and a mark in
 * their environment (BOOTSTRAP_MARK=...) that follows them into other
 * sessions and groups. Nothing here trusts a number it did not check. */

#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include "os.h"
#include "util.h"

/* the kernel's largest pid; 4194304 (PID_MAX_LIMIT) if it cannot be read */
static long pidmax(void)
{
	char *s = readfile("/proc/sys/kernel/pid_max", NULL);
	long n = s ? atol(s) : 0;

	free(s);
	return n > 1 ? n : 4194304;
}

int os_parsepid(const char *s, long *pid)
{
	char *end;
	long n;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	/* not 0 (our own group), not 1 (init), never -1's "every process" */
	if (errno || end == s || (*end && *end != '\n' && *end != ' ') || n <= 1 || n > pidmax())
		return -1;
	*pid = n;
	return 0;
}

int os_procstat(long pid, long *pgrp, unsigned long long *start)
{
	char path[64], *s, *p;
	long grp = 0;
	unsigned long long st = 0;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (!(s = readfile(path, NULL)))
		return -1;
	/* the command name, in parentheses, may hold anything: skip to its end */
	if (!(p = strrchr(s, ')'))) {
		free(s);
		return -1;
	}
	/* fields 3 on: state ppid pgrp ... starttime is field 22 */
	for (char *f = strtok(p + 1, " "); f; f = strtok(NULL, " ")) {
		n++;
		if (n == 3)
			grp = atol(f);
		if (n == 20)
			st = strtoull(f, NULL, 10);
	}
	free(s);
	if (n < 20)
		return -1;
	if (pgrp)
		*pgrp = grp;
	if (start)
		*start = st;
	return 0;
}

/* the pids of /proc, for each of which f is called until it returns non-zero */
static void eachpid(int (*f)(long, void *), void *arg)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	long pid;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (os_parsepid(e->d_name, &pid) == 0 && pid != (long)getpid() && f(pid, arg))
			break;
	closedir(d);
}

/* the process's environment holds "BOOTSTRAP_MARK=mark" */
static int marked(long pid, const char *mark)
{
	char path[64], *s, *want;
	size_t n;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%ld/environ", pid);
	if (!(s = readfile(path, &n)))
		return 0;
	want = xasprintf("BOOTSTRAP_MARK=%s", mark);
	for (size_t i = 0; i < n && !found; i += strlen(s + i) + 1)
		found = !strcmp(s + i, want);
	free(want);
	free(s);
	return found;
}

struct sweep {
	const char *mark;
	int sig, n;
};

static int signalmarked(long pid, void *arg)
{
	struct sweep *w = arg;

	if (marked(pid, w->mark) && kill((pid_t)pid, w->sig) == 0)
		w->n++;
	return 0;
}

int os_signalmarked(const char *mark, int sig)
{
	struct sweep w = {mark, sig, 0};

	if (mark && *mark)
		eachpid(signalmarked, &w);
	return w.n;
}

/* the group is alive, and its leader is the process that was recorded */
static int samegroup(long pgid, unsigned long long start)
{
	long grp;
	unsigned long long st;

	return os_procstat(pgid, &grp, &st) == 0 && grp == pgid && st == start;
}

int os_stoprecorded(const char *record, const char *what)
{
	char mark[128] = "";
	long pgid = 0;
	unsigned long long start = 0;
	int stopped = 0;

	if (sscanf(record, "%*s %llu %127s", &start, mark) != 2 || os_parsepid(record, &pgid) < 0) {
		warn("%s: not a record of this runner (expected 'PGID STARTTIME MARK'): ignored", what);
		return 0;
	}
	/* TERM first: make then deletes the targets it was writing */
	if (samegroup(pgid, start)) {
		fprintf(stderr, "stopping process group %ld, left running by a killed run\n", pgid);
		kill(-(pid_t)pgid, SIGTERM);
		stopped = 1;
	}
	if (os_signalmarked(mark, SIGTERM) > 0 && !stopped) {
		fprintf(stderr, "stopping processes of step %s, left running by a killed run\n", mark);
		stopped = 1;
	}
	for (int i = 0; i < 50 && stopped && (samegroup(pgid, start) || os_signalmarked(mark, 0)); i++)
		msleep(100);
	if (samegroup(pgid, start))
		kill(-(pid_t)pgid, SIGKILL);
	os_signalmarked(mark, SIGKILL);
	return stopped;
}

struct holders {
	const char *path;
	struct buf *out;
};

/* one of the process's open files is path: add "pid (name)" */
static int holds(long pid, void *arg)
{
	struct holders *h = arg;
	char dir[64], link[PATH_MAX + 1];
	DIR *d;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "/proc/%ld/fd", pid);
	if (!(d = opendir(dir)))
		return 0;
	while ((e = readdir(d))) {
		char *fd = xasprintf("%s/%s", dir, e->d_name);
		ssize_t n = readlink(fd, link, PATH_MAX);
		free(fd);
		if (n <= 0)
			continue;
		link[n] = 0;
		if (!strcmp(link, h->path)) {
			char *comm = xasprintf("/proc/%ld/comm", pid), *name = readfile(comm, NULL);
			if (name)
				name[strcspn(name, "\n")] = 0;
			bufprintf(h->out, "%s%ld (%s)", h->out->n ? ", " : "", pid, name ? name : "?");
			free(comm);
			free(name);
			break;
		}
	}
	closedir(d);
	return 0;
}

char *os_holders(const char *path)
{
	struct buf b = {0};
	struct holders h = {path, &b};

	eachpid(holds, &h);
	return b.s;
}

void os_dieswithparent(void)
{
#ifdef __linux__
	prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
}

char *os_self(void)
{
	char buf[4096];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n > 0) {
		buf[n] = 0;
		/* rebuilt while running: the new program is at the same path */
		char *d = strstr(buf, " (deleted)");
		if (d && !d[10])
			*d = 0;
		return xstrdup(buf);
	}
	return strchr(argv0, '/') ? abspath(argv0) : which(argv0);
}
