/* run.c: running one step's script in its clean environment, with its log
 * and a progress line. The step gets a process group of its own, and a
 * mark in its environment that its processes inherit even when they leave
 * the group (setsid), so that stopping it stops everything it started. */

#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "opts.h"
#include "os.h"
#include "run.h"
#include "util.h"

static volatile sig_atomic_t stopsig;

static void onsignal(int sig)
{
	stopsig = sig;
}

void run_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = onsignal;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: poll() must return to notice the signal */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* the runner this process builds a step for (lib/build.c forks one per
 * step): should it die (kill -9), the step stops as on its ^C, rather
 * than build on unseen, racing the next run in the same tree */
static pid_t runner;

void run_watch(pid_t parent)
{
	runner = parent;
}

int run_stopped(void)
{
	if (runner && !stopsig && getppid() != runner)
		stopsig = SIGHUP;
	return stopsig;
}

/* the job's environment and its mark, BOOTSTRAP_MARK=mark */
static char **markedenv(struct job *j, const char *mark)
{
	size_t n = 0;
	char **env;

	while (j->env[n])
		n++;
	env = xcalloc(n + 2, sizeof(*env));
	memcpy(env, j->env, n * sizeof(*env));
	env[n] = xasprintf("BOOTSTRAP_MARK=%s", mark);
	return env;
}

/* The job starts once its record is written (gate: a byte from us), so
 * that a run that finds this one killed finds the job in the record: a
 * job that ran first could outlive both. Without the byte (we were
 * killed before), it does not start. */
static pid_t start(struct job *j, int out, const char *mark, int gate[2])
{
	char **env = markedenv(j, mark);
	pid_t pid = fork();
	char go;

	if (pid < 0)
		fatal("fork:");
	if (pid)
		return pid;
	close(gate[1]);
	if (read(gate[0], &go, 1) != 1)
		_exit(127);
	close(gate[0]);
	setpgid(0, 0);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	umask(022);
	int in = open("/dev/null", O_RDONLY);
	dup2(in, 0);
	dup2(out, 1);
	dup2(out, 2);
	if (chdir(j->dir) < 0) {
		fprintf(stderr, "bootstrap: cannot enter %s: %s\n", j->dir, strerror(errno));
		_exit(127);
	}
	execve(j->argv[0], j->argv, env);
	fprintf(stderr, "bootstrap: cannot run %s: %s\n", j->argv[0], strerror(errno));
	_exit(127);
}

/* the byte that starts the job; a job already gone (killed while it
 * waited) must not take us with it through SIGPIPE: its status tells */
static void opengate(int fd)
{
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;

	sigaction(SIGPIPE, &ign, &old);
	if (write(fd, "g", 1) < 0 && errno != EPIPE)
		warn("cannot start a job:");
	sigaction(SIGPIPE, &old, NULL);
	close(fd);
}

/* how a step's line is shown: LIVE rewrites the terminal's line (a
 * terminal only), BEAT is a line of its own now and then (not a terminal:
 * CI, a log, a guest's console), DONE and FAILED end the step */
enum { LIVE, BEAT, DONE, FAILED };

/* a line redrawn in place: on a terminal, when one step runs at a time */
static int live(void)
{
	return isatty(1) && opts.steps <= 1;
}

static void progress(struct job *j, double t, int how)
{
	char a[32], b[32];

	if (live() ? how == BEAT : how == LIVE)
		return;
	if (live())
		fputs("\r\033[K", stdout);
	if (j->estimate > 0 && how <= BEAT) {
		printf("%s %s (~%s)", j->label, fmtdur(t, a), fmtdur(j->estimate, b));
		/* and the whole run's: what is left of this step and the rest */
		if (j->after > 0)
			printf(", all ~%s left", fmtdur((t < j->estimate ? j->estimate - t : 0) + j->after, b));
	} else
		printf("%s %s%s", j->label, fmtdur(t, a), how != FAILED ? "" : stopsig ? " stopped" : " FAILED");
	if (how != LIVE)
		putchar('\n');
	fflush(stdout);
}

int run_showable(const char *s)
{
	if (s[0] == '[' && s[1] >= '0' && s[1] <= '9')
		return 1;
	/* a step over several runs: "STAGE PKG PHASE: TIME in all, ..." */
	if (strstr(s, " in all, its earlier attempts counted"))
		return 1;
	/* a step's long quiet start (gcc's sources under emulation: minutes),
	 * and where it goes on after a power cut (lib/build.c) */
	if (!strncmp(s, "      ", 6) && (strstr(s, ": unpacking ") || strstr(s, ": after a power cut, ")))
		return 1;
	return !strncmp(s, "guest: ", 7) || !strncmp(s, "step failed: ", 13) || !strncmp(s, "bootstrap: ", 11);
}

static void relay(const char *line, void *arg)
{
	(void)arg;
	if (!run_showable(line))
		return;
	if (live())
		fputs("\r\033[K", stdout);
	printf("    %s\n", line);
	fflush(stdout);
}

int run_job(struct job *j, double *secs)
{
	int p[2], gate[2], log, st = -1, exited = 0, piped = 1;
	double t0 = j->start ? j->start : now(), shown = -1, beat = now(), killat = 0;
	char buf[8192];
	struct lines rl = {{0}, 0};
	pid_t pid;

	log = open(j->log, O_WRONLY | O_CREAT | (j->append ? O_APPEND : O_TRUNC), 0644);
	if (log < 0)
		fatal("cannot create log %s:", j->log);
	if (j->append) {
		char mark[96];
		time_t t = time(NULL);
		int n = (int)strftime(mark, sizeof(mark), "\n--- %Y-%m-%d %H:%M:%S UTC: goes on in its tree ---\n", gmtime(&t));
		if (write(log, mark, n) < 0)
			fatal("cannot write log %s:", j->log);
	}
	if (pipe(p) < 0 || pipe(gate) < 0)
		fatal("pipe:");
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	fcntl(gate[0], F_SETFD, FD_CLOEXEC), fcntl(gate[1], F_SETFD, FD_CLOEXEC);
	/* unique on this machine while we live: our pid, the time, a count */
	static unsigned count;
	char mark[64];
	snprintf(mark, sizeof(mark), "%ld.%ld.%u", (long)getpid(), (long)time(NULL), ++count);
	pid = start(j, p[1], mark, gate);
	close(p[1]);
	close(gate[0]);
	setpgid(pid, pid);
	if (j->record) {
		unsigned long long since = 0;
		os_procstat(pid, NULL, &since);
		char *s = xasprintf("%ld %llu %s\n", (long)pid, since, mark);
		writefile(j->record, s, strlen(s));
		free(s);
	}
	opengate(gate[1]);
	if (!live()) {
		printf("%s ...%s%s%s\n", j->label, j->estimate > 0 ? " (~" : "",
		       j->estimate > 0 ? fmtdur(j->estimate, buf) : "", j->estimate > 0 ? ")" : "");
		fflush(stdout);
	}
	while (piped || !exited) {
		struct pollfd pf = {p[0], POLLIN, 0};
		int r = piped ? poll(&pf, 1, exited ? 200 : 1000) : (msleep(100), 0);
		/* asked to stop: the step's whole group, politely, then not */
		if (run_stopped() && !exited && !killat) {
			kill(-pid, SIGTERM);
			os_signalmarked(mark, SIGTERM);
			killat = now() + (j->grace > 0 ? j->grace : 5);
		}
		if (killat && !exited && now() > killat)
			kill(-pid, SIGKILL), os_signalmarked(mark, SIGKILL);
		if (r > 0) {
			ssize_t n = read(p[0], buf, sizeof(buf));
			if (n > 0) {
				if (write(log, buf, n) < 0)
					warn("cannot write log %s:", j->log);
				/* -v: as it comes, not when stdio's buffer fills */
				if (opts.verbose && (fwrite(buf, 1, n, stdout) != (size_t)n || fflush(stdout) == EOF))
					warn("write:");
				else if (!opts.verbose && j->relay)
					lines_feed(&rl, buf, n, relay, NULL);
			} else if (n == 0 || errno != EINTR) {
				piped = 0;
			}
		} else if (r == 0 && exited) {
			piped = 0; /* something the step left running holds the pipe */
		}
		if (!exited && waitpid(pid, &st, WNOHANG) == pid) {
			exited = 1;
			/* nothing a step started outlives it, in its group or not */
			kill(-pid, SIGKILL);
			os_signalmarked(mark, SIGKILL);
		}
		if (!opts.verbose && now() - shown >= 1) {
			shown = now();
			progress(j, shown - t0, LIVE);
		}
		/* a long step is not minutes of silence in a log */
		if (!opts.verbose && now() - beat >= 60) {
			beat = now();
			progress(j, beat - t0, BEAT);
		}
	}
	close(p[0]);
	close(log);
	if (j->record)
		unlink(j->record);
	*secs = now() - t0;
	if (!opts.verbose || live())
		progress(j, *secs, WIFEXITED(st) && WEXITSTATUS(st) == 0 ? DONE : FAILED);
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

void run_tail(const char *path, int n, FILE *f)
{
	size_t len;
	char *s = readfile(path, &len);
	const char *p;
	int lines = 0;

	if (!s)
		return;
	for (p = s + len; p > s; p--)
		if (p[-1] == '\n' && p != s + len && ++lines >= n)
			break;
	fputs(p, f);
	if (len && s[len - 1] != '\n')
		fputc('\n', f);
	free(s);
}
