/* matrix.c: `bootstrap test all`: every target's simplest boot and its
 * system image tested at the same time, as many targets at once as asked,
 * then one table. A target's tests run in a child of their own, with their
 * output in a log; the table is read back from the checks' "ok -" and
 * "FAIL -" lines in those logs, so that it says what the tests said. */

#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "matrix.h"
#include "util.h"

/* a column: a check of the hello test's log or the image test's, found by
 * the text its line ends with (after "ok - NAME: ") */
static const struct column {
	const char *title;
	int image;
	const char *check;
} columns[] = {
	{"boots", 0, "init prints its line"},
	{"init from disk", 1, "the guest ran its tests and stopped"},
	{"clock", 1, "the clock is sane"},
	{"network", 1, "a server on the host answers"},
	{"native cc", 1, "gcc: C hello, dynamic, runs"},
};

struct row {
	const char *target;
	pid_t pid;
	struct timespec start;
	double secs;
	int status; /* -1 while running */
};

static char *logpath(const char *dir, const char *kind, const char *target)
{
	return xasprintf("%s/%s-%s.log", dir, kind, target);
}

/* the child: the target's tests, one after the other, each into its log */
static int child(struct matrix *m, const char *target)
{
	int r = 0;

	for (int image = 0; image <= !m->helloonly && r == 0; image++) {
		char *log = logpath(m->logdir, image ? "image" : "hello", target);
		char *name = xasprintf("%s-%s", image ? "image" : "hello", target);
		if (!freopen(log, "w", stdout) || dup2(fileno(stdout), 2) < 0)
			return 1;
		r = m->test(name);
		fflush(stdout);
		free(log), free(name);
	}
	return r;
}

/* "ok", "FAIL" or "-" (not run): how the check's line in the log reads */
static const char *cell(struct matrix *m, const char *target, const struct column *c)
{
	char *log = logpath(m->logdir, c->image ? "image" : "hello", target);
	char *text = readfile(log, NULL), *line, *save = NULL;
	const char *got = "-";

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		int ok = startswith(line, "ok - "), bad = startswith(line, "FAIL - ");
		char *colon = strstr(line, ": ");
		if ((ok || bad) && colon && startswith(colon + 2, c->check)) {
			got = ok ? "ok" : "FAIL";
			if (bad)
				break;
		}
	}
	free(text), free(log);
	return got;
}

static void table(struct matrix *m, struct row *rows, size_t n)
{
	size_t wide = strlen("target");
	char d[32];

	for (size_t i = 0; i < n; i++)
		if (strlen(rows[i].target) > wide)
			wide = strlen(rows[i].target);
	printf("\n%-*s", (int)wide, "target");
	for (size_t c = 0; c < LEN(columns); c++)
		if (!columns[c].image || !m->helloonly)
			printf("  %s", columns[c].title);
	printf("  time   result\n");
	for (size_t i = 0; i < n; i++) {
		printf("%-*s", (int)wide, rows[i].target);
		for (size_t c = 0; c < LEN(columns); c++)
			if (!columns[c].image || !m->helloonly)
				printf("  %-*s", (int)strlen(columns[c].title), cell(m, rows[i].target, &columns[c]));
		printf("  %-5s  %s\n", fmtdur(rows[i].secs, d), rows[i].status == 0 ? "passed" : "FAILED");
	}
}

static void reap(struct row *rows, size_t n, pid_t pid, int st)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	for (size_t i = 0; i < n; i++) {
		if (rows[i].pid != pid)
			continue;
		rows[i].status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		rows[i].secs = (now.tv_sec - rows[i].start.tv_sec) + (now.tv_nsec - rows[i].start.tv_nsec) / 1e9;
		printf("%s: %s\n", rows[i].target, rows[i].status == 0 ? "passed" : "FAILED");
		fflush(stdout);
	}
}

int matrix_run(struct matrix *m)
{
	struct row *rows = xcalloc(m->ntargets, sizeof(*rows));
	size_t next = 0, running = 0, failed = 0;
	pid_t pid;
	int st;

	if (mkdirp(m->logdir) < 0)
		fatal("cannot make %s:", m->logdir);
	for (size_t i = 0; i < m->ntargets; i++)
		rows[i].target = m->targets[i], rows[i].status = -1;
	fflush(stdout);
	while (next < m->ntargets || running > 0) {
		if (next < m->ntargets && running < (size_t)(m->jobs > 0 ? m->jobs : 1)) {
			struct row *r = &rows[next++];
			clock_gettime(CLOCK_MONOTONIC, &r->start);
			printf("testing %s (logs: %s/*-%s.log)\n", r->target, m->logdir, r->target);
			fflush(stdout);
			if ((r->pid = fork()) < 0)
				fatal("fork:");
			if (r->pid == 0)
				_exit(child(m, r->target));
			running++;
			continue;
		}
		if ((pid = wait(&st)) < 0)
			break;
		reap(rows, m->ntargets, pid, st);
		running--;
	}
	table(m, rows, m->ntargets);
	for (size_t i = 0; i < m->ntargets; i++)
		failed += rows[i].status != 0;
	printf("test %s: %zu of %zu targets passed\n", m->helloonly ? "hello-all" : "all", m->ntargets - failed, m->ntargets);
	free(rows);
	return failed ? 1 : 0;
}
