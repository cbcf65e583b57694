/* guest.h: a system image booted under qemu to run one script. */

#include <sys/types.h>

/* seconds a guest asked to stop (a ^C on its console) has to stop its
 * build and shut down before it is cut off */
#define GUEST_GRACE 120

struct guest {
	const char *image;   /* system-image-ARCH: run-emulator.sh and the rest */
	const char *control; /* a directory: the guest runs its init */
	const char *dir;     /* where the control disk and distccd's files go */
	const char *scratch; /* an ext2 image kept between boots, or NULL */
	long scratchmb;      /* its size when made (default 8192) */
	const char *cross;   /* a cross toolchain for distccd to serve, or NULL */
	const char *triplet; /* its compilers' prefix */
	const char *hosts;   /* more distcc hosts for the guest, or NULL */
	int jobs;            /* distccd's jobs */
	int cpus;            /* the guest's CPUs */
	int mem;             /* its memory in MiB; 0: the image's own */
	int silence;         /* seconds without console output before it is stopped; 0: never */
	/* distccd's address and clients: NULL for 127.0.0.1 (bootstrap
	 * serve sets them for other machines) */
	const char *listen, *allow;
	int port;            /* distccd's port: 0 for a free one; then its own */
	/* set while it runs */
	pid_t distccd;
	int console;         /* the emulator's stdin: the guest's console */
};

/* boot the image with the control disk (and the scratch disk), relay the
 * console to stdout; the control script's exit status, -1 if it did not
 * finish (stopped, silent too long, the emulator failed) */
int guest_run(struct guest *g);
/* a list of more distcc hosts, HOST[:PORT][/JOBS] separated by commas:
 * NULL when it is one, else its first entry that is not (to free). The
 * list goes on the guest's kernel command line: nothing else may. */
char *guest_badhost(const char *list);
/* the list with each host name replaced by its IPv4 address, looked up
 * here (qemu connects from here; the guest has no name service); a name
 * with none is left out, with a warning */
char *guest_resolve(const char *list);
/* start distccd for g->cross (files in dir: its command list and log),
 * on g->port or a free one, g->listen and g->allow or loopback; -1 when
 * it is not installed or did not start (said why) */
int guest_distccd(struct guest *g, const char *dir);
void guest_stopdistccd(struct guest *g);
/* the directory from (absolute, "/out") of an ext2 image, as the new
 * directory to; no root needed (debugfs rdump) */
int guest_extract(const char *scratch, const char *from, const char *to);
/* a file of an ext2 image, as text (read-only, a running guest's too);
 * NULL when it is not there or empty */
char *guest_read(const char *scratch, const char *path);
/* the names in dir of an ext2 image, its directories (dirs 1) or its
 * other entries (0); *n of them */
char **guest_ls(const char *scratch, const char *dir, int dirs, size_t *n);
