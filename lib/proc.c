/* proc.c: running helper commands (tar, patch, curl, apt-get). */

#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "proc.h"
#include "run.h"
#include "util.h"

/* pid's status; group: pid leads a process group of its own */
static int waitstatus(pid_t pid, int group)
{
	int st, sent = 0;

	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return -1;
		/* the runner was told to stop (kill PID, not ^C to the whole
		 * group): so is its helper, an audit's second run among them */
		if (!sent && run_stopped())
			sent = kill(group ? -pid : pid, run_stopped()) == 0;
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

/* in the child: fd becomes to (PROC_NULL: /dev/null; -1: left alone) */
static void redirect(int fd, int to)
{
	if (fd == PROC_NULL)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd >= 0)
		dup2(fd, to);
}

static pid_t spawn(char *const argv[], const char *dir, int outfd, int errfd, int group)
{
	pid_t pid = fork();

	if (pid < 0)
		fatal("fork:");
	if (pid) {
		if (group)
			setpgid(pid, pid); /* before any signal can be meant for it */
		return pid;
	}
	if (group)
		setpgid(0, 0);
	redirect(outfd, 1);
	redirect(errfd, 2);
	if (dir && chdir(dir) < 0) {
		warn("chdir %s:", dir);
		_exit(127);
	}
	execvp(argv[0], argv);
	warn("cannot run %s:", argv[0]);
	_exit(127);
}

int proc_run(char *const argv[], const char *dir, int outfd)
{
	return waitstatus(spawn(argv, dir, outfd, outfd, 0), 0);
}

int proc_rungroup(char *const argv[])
{
	return waitstatus(spawn(argv, NULL, -1, -1, 1), 1);
}

int proc_capture(char *const argv[], struct buf *out, int errfd)
{
	char tmp[8192];
	ssize_t r;
	int p[2], st;
	pid_t pid;

	if (pipe(p) < 0)
		fatal("pipe:");
	pid = spawn(argv, NULL, p[1], errfd, 0);
	close(p[1]);
	bufputs(out, "");
	while ((r = read(p[0], tmp, sizeof(tmp))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		bufadd(out, tmp, r);
	}
	close(p[0]);
	st = waitstatus(pid, 0);
	return st;
}
