/* guest.c: a system image booted under qemu to run one script: the image
 * tests and the native stages (the rebuild) both go through here.
 *
 * The guest is the image's own run-emulator.sh, so that what runs here is
 * what a user runs. It gets two disks: a control disk made from a
 * directory, whose /init the image's init runs (as /mnt), and optionally
 * a scratch disk, an ext2 image kept between boots: a guest stopped at
 * any point boots again on the same disk, checked first with e2fsck. The
 * console is relayed to our stdout; a guest silent for too long is
 * stopped. Its script's exit status, which the image's init prints as
 * "control script exited with status N", is ours.
 *
 * With a cross toolchain to serve, a distccd of the host runs beside the
 * guest for as long as it does: on 127.0.0.1 only, for 127.0.0.1 only,
 * running nothing but that toolchain's compilers (DISTCC_CMDLIST). The
 * guest reaches it as 10.0.2.2 through qemu's user network, and learns
 * its address from the kernel command line (distcc=HOST:PORT/N, which the
 * image's init passes to the control script as $distcc). */

#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "guest.h"
#include "os.h"
#include "proc.h"
#include "run.h"
#include "tree.h"
#include "util.h"

static const char status_line[] = "control script exited with status ";

/* a free TCP port on 127.0.0.1, or 0 */
static int freeport(void)
{
	struct sockaddr_in a = {0};
	socklen_t n = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &n) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* distccd's log, past its first skip bytes, says it listens: bound and
 * listening ("(dcc_listen_by_addr) listening on ADDR:PORT") */
static int listening(const char *log, size_t skip)
{
	size_t n;
	char *text = readfile(log, &n);
	int r = text && n > skip && strstr(text + skip, ") listening on ");

	free(text);
	return r;
}

/* fork and exec argv with env (NULL: ours), stdin from in (-1: nothing),
 * stdout and stderr on out */
static pid_t spawn(char **argv, char **env, int in, int out)
{
	pid_t pid = fork();

	if (pid < 0)
		fatal("fork:");
	if (pid)
		return pid;
	/* a qemu whose runner died would go on writing the scratch disk */
	os_dieswithparent();
	setpgid(0, 0);
	if (in < 0)
		in = open("/dev/null", O_RDONLY);
	dup2(in, 0);
	dup2(out, 1);
	dup2(out, 2);
	if (env)
		execve(argv[0], argv, env);
	else
		execvp(argv[0], argv);
	fprintf(stderr, "bootstrap: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* the names the guest asks for (cc, gcc, TARGET-gcc...), as links in
 * dir/compilers to the cross toolchain's TARGET-gcc and TARGET-g++; their
 * list, one path a line, is all distccd may run (DISTCC_CMDLIST, matched
 * on the last word) */
static char *cmdlist(const struct guest *g, const char *dir)
{
	/* xgcc and xg++: gcc's build calling the compiler it has just built */
	static const char *c[] = {"cc", "gcc", "%s-gcc", "%s-cc", "xgcc"}, *cxx[] = {"c++", "g++", "%s-g++", "%s-c++", "xg++"};
	char *links = xasprintf("%s/compilers", dir), *path = xasprintf("%s/distcc.cmdlist", dir);
	struct buf b = {0};

	rmtree(links);
	if (mkdirp(links) < 0)
		fatal("cannot create %s:", links);
	for (int lang = 0; lang < 2; lang++) {
		char *real = xasprintf("%s/bin/%s-%s", g->cross, g->triplet, lang ? "g++" : "gcc");
		if (!exists(real))
			fatal("no %s to serve: expected %s", lang ? "C++ compiler" : "C compiler", real);
		for (size_t i = 0; i < LEN(c); i++) {
			char *name = xasprintf(lang ? cxx[i] : c[i], g->triplet);
			char *link = xasprintf("%s/%s", links, name);
			if (symlink(real, link) < 0)
				fatal("cannot create %s:", link);
			bufprintf(&b, "%s\n", link);
			free(name), free(link);
		}
		free(real);
	}
	if (writefile(path, b.s, b.n) < 0)
		fatal("cannot write %s:", path);
	free(b.s), free(links);
	return path;
}

/* the length of the HOST of a HOST[:PORT][/N] entry: a name or an IPv4
 * address, or a bracketed IPv6 address ([::1]); 0 when none */
static size_t hostpart(const char *e)
{
	const char *close;

	if (e[0] == '[')
		return (close = strchr(e, ']')) && close - e > 1 && !memchr(e, ',', close - e) ? (size_t)(close + 1 - e) : 0;
	return strspn(e, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_");
}

char *guest_badhost(const char *list)
{
	const char *e = list;

	for (;;) {
		size_t n = strcspn(e, ",");
		char *entry = xstrndup(e, n), *end = entry + hostpart(entry);
		int ok = end > entry;
		long num;
		if (ok && *end == ':')
			ok = digits(end + 1, &end, 1, 65535, &num) == 0;
		if (ok && *end == '/')
			ok = digits(end + 1, &end, 1, 1024, &num) == 0;
		if (!ok || *end)
			return entry;
		free(entry);
		if (!e[n])
			return NULL;
		e += n + 1;
	}
}

char *guest_resolve(const char *list)
{
	struct buf b = {0};

	bufputs(&b, "");
	for (const char *e = list; e && *e; e += strcspn(e, ","), e += *e == ',') {
		size_t n = strcspn(e, ","), h = hostpart(e);
		char *host = xstrndup(e, h), ip[INET_ADDRSTRLEN];
		struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res = NULL;
		struct in_addr a;
		if (e[0] == '[' || inet_pton(AF_INET, host, &a) == 1) {
			bufprintf(&b, "%s%.*s", b.n ? "," : "", (int)n, e);
		} else if (getaddrinfo(host, NULL, &hints, &res) == 0 &&
		           inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, ip, sizeof(ip))) {
			bufprintf(&b, "%s%s%.*s", b.n ? "," : "", ip, (int)(n - h), e + h);
		} else {
			warn("distcc host '%s': no address for it here (the guest has no name service): left out", host);
		}
		if (res)
			freeaddrinfo(res);
		free(host);
	}
	return b.s;
}

int guest_distccd(struct guest *g, const char *dir)
{
	char *daemon = which("distccd"), *list, *port, *jobs, *log;
	int fd;

	if (!daemon) {
		warn("distccd is not installed (Debian package distcc): the guest compiles alone");
		return -1;
	}
	if (!g->port && !(g->port = freeport()))
		fatal("no free port on 127.0.0.1 for distccd");
	list = cmdlist(g, dir);
	port = xasprintf("%d", g->port);
	jobs = xasprintf("%d", g->jobs > 0 ? g->jobs : 2);
	log = xasprintf("%s/distccd.log", dir);
	/* the step's mark (lib/run.c) goes along: distccd leaves our process
	 * group, and a runner that stops the step must find it all the same */
	const char *mark = getenv("BOOTSTRAP_MARK");
	char *env[] = {xasprintf("DISTCC_CMDLIST=%s", list), "DISTCC_CMDLIST_NUMWORDS=1",
	               "PATH=/usr/bin:/bin", "TMPDIR=/tmp", "LC_ALL=C",
	               mark ? xasprintf("BOOTSTRAP_MARK=%s", mark) : NULL, NULL};
	/* --nice 0: distccd's own default (5) starves its compiles beside the
	 * emulator, whose CPUs then wait for them, idle; at the emulator's
	 * priority both get their share (a runner started nice stays so) */
	char *argv[] = {daemon, "--daemon", "--no-detach", "--listen", (char *)(g->listen ? g->listen : "127.0.0.1"),
	                "--allow", (char *)(g->allow ? g->allow : "127.0.0.1"),
	                "--port", port, "--jobs", jobs, "--nice", "0", "--log-stderr", "--log-level", "info", NULL};
	if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644)) < 0)
		fatal("cannot create %s:", log);
	/* appended to: what this distccd says comes after */
	size_t logsize = (size_t)lseek(fd, 0, SEEK_END);
	g->distccd = spawn(argv, env, -1, fd);
	close(fd);
	/* listening before anyone asks (on a loaded machine that takes more
	 * than a moment: it forks its workers first), or ended; at level info
	 * its log names every compile it ran, with its time */
	int r = 0, ended = 0;
	for (int i = 0; i < 300 && !(ended = waitpid(g->distccd, NULL, WNOHANG) == g->distccd); i++) {
		if (listening(log, logsize))
			break;
		msleep(100);
	}
	/* one that could not listen (a port taken, an address not ours) ends
	 * at once, and says why in its log: the guest then compiles alone */
	if (ended) {
		/* the log is appended to: its error past logsize is this one's */
		size_t n;
		char *text = readfile(log, &n), *e = text && n > logsize ? strstr(text + logsize, "ERROR: ") : NULL;
		warn("distccd ended as it started: %.*s (its log: %s)", e ? (int)strcspn(e + 7, "\n") : 7,
		     e ? e + 7 : "no word", log);
		free(text);
		g->distccd = 0;
		r = -1;
	} else {
		printf("guest: distccd on %s:%d serving %s's compilers (%s), log %s\n", g->listen ? g->listen : "127.0.0.1",
		       g->port, g->triplet, list, log);
	}
	free(env[0]);
	free(env[5]);
	free(daemon), free(list), free(port), free(jobs), free(log);
	return r;
}

void guest_stopdistccd(struct guest *g)
{
	/* distccd makes a process group of its own, with its workers */
	if (g->distccd > 0) {
		kill(-g->distccd, SIGTERM);
		kill(g->distccd, SIGTERM);
		waitpid(g->distccd, NULL, 0);
	}
	g->distccd = 0;
}

/* the control directory as an ext2 disk, sized from its contents */
static int controldisk(const char *dir, const char *img)
{
	struct buf out = {0};
	char *argv[] = {"du", "-sk", (char *)dir, NULL};
	long kb;
	int r;

	if (proc_capture(argv, &out, -1) != 0)
		return -1;
	kb = atol(out.s) * 5 / 4 + 16384;
	free(out.s);
	char *size = xasprintf("%ldk", kb);
	char *mk[] = {"mke2fs", "-q", "-F", "-t", "ext2", "-d", (char *)dir, (char *)img, size, NULL};
	unlink(img);
	r = proc_run(mk, NULL, PROC_NULL);
	free(size);
	return r == 0 ? 0 : -1;
}

/* the scratch disk: made the first time, checked (and mended) after a
 * guest that was stopped without unmounting it */
static int scratchdisk(const struct guest *g)
{
	if (!exists(g->scratch)) {
		char *dir = xstrdup(g->scratch), *slash = strrchr(dir, '/');
		if (slash)
			*slash = 0, mkdirp(dir);
		free(dir);
		char *size = xasprintf("%ldM", g->scratchmb > 0 ? g->scratchmb : 8192);
		char *tr[] = {"truncate", "-s", size, (char *)g->scratch, NULL};
		char *mk[] = {"mke2fs", "-q", "-F", "-t", "ext4", "-L", "scratch", (char *)g->scratch, NULL};
		int r = proc_run(tr, NULL, -1) || proc_run(mk, NULL, -1);
		free(size);
		return r ? -1 : 0;
	}
	char *ck[] = {"e2fsck", "-p", (char *)g->scratch, NULL};
	/* 0: clean, 1: mended; 2 and up: look at it by hand */
	int r = proc_run(ck, NULL, -1);
	if (r > 1) {
		warn("%s: e2fsck -p exited %d: check it by hand (e2fsck -f %s)", g->scratch, r, g->scratch);
		return -1;
	}
	return 0;
}

/* a console line: the control script's status, when it says it */
static void statusline(const char *line, void *arg)
{
	const char *s = strstr(line, status_line);

	if (s)
		*(int *)arg = atoi(s + strlen(status_line));
}

/* watch the console: relay it, catch the status line, stop a silent guest */
static int relay(struct guest *g, pid_t qemu, int fd)
{
	char buf[4096];
	struct lines lines = {{0}, 0};
	int status = -1, st = 0, exited = 0;
	double last = now(), killat = 0, askedat = 0;

	for (;;) {
		struct pollfd pf = {fd, POLLIN, 0};
		int r = poll(&pf, 1, 1000);
		if (r > 0) {
			ssize_t n = read(fd, buf, sizeof(buf));
			if (n == 0 || (n < 0 && errno != EINTR))
				break;
			if (n < 0)
				continue;
			last = now();
			fwrite(buf, 1, n, stdout);
			fflush(stdout);
			lines_feed(&lines, buf, n, statusline, &status);
		}
		/* asked to stop: a ^C on the guest's console stops its build as
		 * at a terminal (the control script has it as its terminal), and
		 * the guest shuts down; one that does not in time is cut off */
		if (run_stopped() && !askedat && !killat) {
			fprintf(stdout, "\nguest: asking the guest to stop (a ^C on its console)\n");
			fflush(stdout);
			if (write(g->console, "\003", 1) != 1)
				askedat = now() - GUEST_GRACE;
			else
				askedat = now();
		}
		if (!killat && ((askedat && now() - askedat > GUEST_GRACE) ||
		                (g->silence > 0 && now() - last > g->silence))) {
			if (askedat)
				fprintf(stdout, "\nguest: still running %d s after the ^C: cutting it off\n", GUEST_GRACE);
			else
				fprintf(stdout, "\nguest: no output for %d s: stopping it\n", g->silence);
			kill(qemu, SIGTERM);
			killat = now() + 5;
			status = -1;
		}
		if (killat && now() > killat)
			kill(qemu, SIGKILL);
	}
	exited = waitpid(qemu, &st, 0) == qemu;
	/* stopped at our asking, it finished all the same: a stop, not a success */
	if (askedat && status == 0)
		status = -1;
	if (status < 0 && !killat && !askedat)
		fprintf(stdout, "\nguest: the emulator ended (%s %d) before the control script did\n",
		        exited && WIFEXITED(st) ? "exit" : "signal", exited && WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	return status;
}

int guest_run(struct guest *g)
{
	char *script = xasprintf("%s/run-emulator.sh", g->image);
	char *ctl = xasprintf("%s/control.img", g->dir);
	char *cpus, *mem, *kernel;
	int p[2], in[2], status;
	pid_t pid;

	if (!exists(script))
		fatal("%s: not a system image directory (no run-emulator.sh)", g->image);
	if (mkdirp(g->dir) < 0 || controldisk(g->control, ctl) < 0)
		fatal("cannot make the control disk %s from %s", ctl, g->control);
	if (g->scratch && scratchdisk(g) < 0)
		return -1;
	if (g->cross && guest_distccd(g, g->dir) < 0)
		g->cross = NULL;
	/* the machine's size: run-emulator.sh's CPUS and MEM (which a board
	 * of a fixed size, raspi2b's 4 CPUs and 1 GiB, leaves alone) */
	cpus = xasprintf("%d", g->cpus > 0 ? g->cpus : 1);
	mem = xasprintf("%.0d", g->mem);
	/* this machine's distccd first, then the others (the helpers serve
	 * even when ours did not start) */
	char *ours = g->distccd > 0 ? xasprintf("10.0.2.2:%d/%d", g->port, g->jobs > 0 ? g->jobs : 2) : xstrdup("");
	char *more = g->hosts ? guest_resolve(g->hosts) : xstrdup("");
	if (*ours || *more)
		kernel = xasprintf("distcc=%s%s%s", ours, *ours && *more ? "," : "", more);
	else
		kernel = xstrdup("");
	free(ours), free(more);
	if (pipe(p) < 0 || pipe(in) < 0)
		fatal("pipe:");
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	fcntl(in[1], F_SETFD, FD_CLOEXEC);
	/* run-emulator.sh's settings: the control disk first, then ours */
	setenv("HDB", ctl, 1);
	if (g->scratch)
		setenv("HDC", g->scratch, 1);
	else
		unsetenv("HDC");
	setenv("CPUS", cpus, 1);
	setenv("MEM", mem, 1);
	setenv("KERNEL_EXTRA", kernel, 1);
	/* Stopping a step signals its process group and whatever carries its
	 * mark, at once: the emulator has neither, so that it is not cut off
	 * then but asked (relay); it dies with us all the same */
	unsetenv("BOOTSTRAP_MARK");
	char *argv[] = {script, NULL};
	printf("guest: %s, control disk %s%s%s\n", script, ctl, g->scratch ? ", scratch disk " : "", g->scratch ? g->scratch : "");
	fflush(stdout);
	pid = spawn(argv, NULL, in[0], p[1]);
	setpgid(pid, pid);
	signal(SIGPIPE, SIG_IGN); /* a console write to an emulator that is gone */
	close(p[1]);
	close(in[0]);
	g->console = in[1];
	status = relay(g, pid, p[0]);
	close(p[0]);
	close(in[1]);
	guest_stopdistccd(g);
	free(script), free(ctl), free(cpus), free(mem), free(kernel);
	return status;
}

/* a line of debugfs's "ls -p" (/inode/mode/uid/gid/name/size/), other
 * than "." and "..": 1 with its mode and name */
static int lsentry(const char *l, unsigned *mode, char name[4096])
{
	return sscanf(l, "/%*u/%o/%*u/%*u/%4095[^/]/", mode, name) == 2 && strcmp(name, ".") && strcmp(name, "..");
}

/* debugfs's rdump sets each file's permissions but not its set-user-ID,
 * set-group-ID and sticky bits (its table of mode bits has nine): a
 * root filesystem's /tmp comes back 0777 instead of 1777. Every directory
 * read out is listed again (ls -p: /inode/mode/uid/gid/name/size/), in one
 * debugfs, and what has those bits gets them back. */
static int restorebits(const char *scratch, const char *from, const char *to)
{
	size_t n;
	struct entry *e = tree_list(to, &n);
	char *cmds = xasprintf("%s.ls", to);
	struct buf req = {0}, out = {0};
	int r = e ? 0 : -1;

	bufprintf(&req, "ls -p %s\n", from);
	for (size_t i = 0; e && i < n; i++)
		if (S_ISDIR(e[i].mode))
			bufprintf(&req, "ls -p %s/%s\n", from, e[i].path);
	char *argv[] = {"debugfs", "-f", cmds, (char *)scratch, NULL};
	if (r == 0 && (writefile(cmds, req.s, req.n) < 0 || proc_capture(argv, &out, PROC_NULL) != 0))
		r = -1;
	/* "debugfs: ls -p DIR" heads each listing */
	char *dir = NULL;
	for (char *l = out.s ? strtok(out.s, "\n") : NULL; r == 0 && l; l = strtok(NULL, "\n")) {
		unsigned mode;
		char name[4096];
		if (!strncmp(l, "debugfs: ls -p ", 15)) {
			dir = l + 15 + strlen(from);
			continue;
		}
		if (!dir || !lsentry(l, &mode, name) || !(mode & 07000))
			continue;
		char *path = xasprintf("%s%s/%s", to, dir, name);
		if (chmod(path, mode & 07777) < 0)
			r = -1;
		free(path);
	}
	unlink(cmds);
	if (e)
		tree_free(e, n);
	free(cmds), free(req.s), free(out.s);
	return r;
}

int guest_extract(const char *scratch, const char *from, const char *to)
{
	char *tmp = xasprintf("%s.rdump", to), *got = xasprintf("%s/%s", tmp, from + 1);
	char *req = xasprintf("rdump %s %s", from, tmp);
	char *ck[] = {"e2fsck", "-p", (char *)scratch, NULL};
	char *argv[] = {"debugfs", "-R", req, (char *)scratch, NULL};
	int r = -1;

	rmtree(tmp);
	/* debugfs exits 0 whatever happened: what it left decides */
	if (proc_run(ck, NULL, -1) <= 1 && mkdirp(tmp) == 0 && proc_run(argv, NULL, PROC_NULL) == 0 && isdir(got))
		r = rename(got, to);
	if (r == 0 && restorebits(scratch, from, to) < 0)
		r = -1;
	if (r < 0)
		warn("cannot read %s out of %s into %s", from, scratch, to);
	rmtree(tmp);
	free(tmp), free(got), free(req);
	return r;
}

/* what debugfs says to one request (cmd and arg) on the disk; NULL when
 * nothing. -c: read-only, as the disk was last written, so a running
 * guest's too; debugfs says what it could not find on stderr, and exits 0 */
static char *ask(const char *scratch, const char *cmd, const char *arg)
{
	char *req = xasprintf("%s %s", cmd, arg);
	char *argv[] = {"debugfs", "-c", "-R", req, (char *)scratch, NULL};
	struct buf out = {0};

	if (proc_capture(argv, &out, PROC_NULL) != 0 || out.n == 0) {
		free(out.s);
		out.s = NULL;
	}
	free(req);
	return out.s;
}

char *guest_read(const char *scratch, const char *path)
{
	return ask(scratch, "cat", path);
}

char **guest_ls(const char *scratch, const char *dir, int dirs, size_t *n)
{
	char *out = ask(scratch, "ls -p", dir), **v = NULL;
	unsigned mode;
	char name[4096];

	*n = 0;
	for (char *l = out ? strtok(out, "\n") : NULL; l; l = strtok(NULL, "\n"))
		if (lsentry(l, &mode, name) && !S_ISDIR(mode) == !dirs)
			v = (void *)vpush((void **)v, n, xstrdup(name));
	free(out);
	return v;
}
