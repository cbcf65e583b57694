/* opts.h: the command line, shared by every module. */

#define BOOTSTRAP_VERSION "0.1"

struct opts {
	int jobs;      /* -j */
	int steps;     /* --steps: steps that do not read each other built at once */
	int verbose;   /* -v: stream step logs */
	int keepgoing; /* -k */
	int offline;   /* --offline: sources from the cache only */
	int keepwork;  /* --keep-work: leave build trees after success */
	int hostcc;    /* --host-toolchain: cross stages use the host's compiler */
	char **mirrors; /* --mirror DIR or URL, tried before upstream */
	size_t nmirrors;
	char *top;   /* the project: packages/, stages/, targets/ */
	char *work;  /* build trees, logs and stage outputs */
	char *cache; /* the step and source cache */
	char *vary;        /* an audit's second build: the steps' varied variables */
	int twice;         /* ... and each step run twice in its tree (resume) */
	int cut;           /* --power-cut: the machine stopped without warning last time */
	long long synced;  /* --synced: ... and had everything on its disk at this time */
	int sparetools;    /* --spare-tools: a missing host tool is left out, not an error */
	char *distcc;      /* --distcc DIR: distcc's masquerade links, first in PATH */
	char *distcchosts; /* --distcc-hosts: more hosts for a native stage's guest */
	char *makeflags; /* MAKEFLAGS carrying a make jobserver we were given */
};

extern struct opts opts;
