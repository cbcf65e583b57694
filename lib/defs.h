/* defs.h: the project's definitions: targets/, packages/ (with patches/) and stages/. */

struct doc;

/* site/NAME, a recipe's 'site NAME': a shell file of configure's cache
 * variables (CONFIG_SITE), part of the step's key */
struct site {
	char *name, *path;
	char sha256[65];
};

struct source {
	int line;
	char *file;   /* name in the source cache */
	char *sha256; /* pinned hash of that file */
	char **urls;  /* upstream locations, tried in order */
	size_t nurls;
	char *apt;    /* NAME=VERSION in Debian's source archive */
	char *suite;  /* the Debian suite that holds it, if not the host's own */
	char *inner;  /* the real archive, found inside this one */
	char *into;   /* directory under $SRC to unpack into; NULL for $SRC */
	char *license; /* its SPDX licence expression, for the SBOM; NULL: not said */
};

struct phase {
	int line;
	char *name;
	char *text; /* shell, run with sh -e (or bash -e) */
	int bash;
};

struct package {
	char *name, *path;
	struct doc *doc;
	char *version;
	long epoch; /* SOURCE_DATE_EPOCH */
	struct source *src;
	size_t nsrc;
	struct phase *phase;
	size_t nphase;
	char **depends; /* packages of the same stage built before this one */
	size_t ndepends;
	char *filesdir;   /* patches/NAME: patches and other files */
	char **patches;   /* *.patch in filesdir, in order */
	size_t npatches;
	char fileshash[65]; /* every file of filesdir */
	struct site *site; /* site/NAME: autoconf's answers, where it cannot test */
	size_t nsite;
};

struct build {
	int line;
	struct package *pkg;
	struct phase **phase; /* the phases this line runs, in order */
	size_t nphase;
};

struct stagedef {
	char *kind, *path;
	struct doc *doc;
	char *context; /* host, cross or native */
	char **needs;  /* stage kinds, same target */
	size_t nneeds;
	char **tools; /* host commands put in the airlock */
	size_t ntools;
	char **paths; /* PATH entries before the airlock, may use $VARS */
	size_t npaths;
	char **env;   /* NAME=VALUE, may use $VARS */
	size_t nenv;
	struct build *build;
	size_t nbuild;
};

struct target {
	char *name, *path;
	struct doc *doc;
	struct target *toolchain; /* itself, or the target a board takes its compiler from */
	char *tcname;             /* a board's "toolchain" line */
	int tcline;
	char **env; /* NAME=VALUE exported to every step */
	size_t nenv;
	char *qemu, *qemuuser; /* for doctor */
};

struct defs {
	char *top;
	struct target **targets;
	size_t ntargets;
	struct package **pkgs;
	size_t npkgs;
	struct stagedef **stages;
	size_t nstages;
};

/* load everything under top; -1 after printing every error as file:line */
int defs_load(struct defs *defs, const char *top);
struct target *target_parse(struct doc *doc, const char *name);
/* the variable of a target directive that only the steps naming it read, or NULL */
const char *target_byuse(const char *key);
/* top: the project, for patches/NAME and site/ */
struct package *package_parse(struct doc *doc, const char *name, const char *top);
struct stagedef *stage_parse(struct doc *doc, const char *kind);
struct package *find_package(struct defs *defs, const char *name);
struct stagedef *find_stage(struct defs *defs, const char *kind);
struct target *find_target(struct defs *defs, const char *name);
/* value of NAME in a NAME=VALUE list, NULL if absent */
const char *envget(char **env, size_t n, const char *name);
