/* plan.h: stages instantiated for a target, their steps, and the cache keys. */

#include <time.h>

struct defs;
struct stagedef;
struct target;
struct package;
struct phase;

enum { TODO, DONE, FAILED, SKIPPED, RUNNING };

struct step {
	struct stage *stage;
	struct package *pkg;
	struct phase *phase;
	struct step *prev;   /* the package's previous phase in this stage */
	struct step **deps;  /* steps whose outputs this one sees, prev included */
	size_t ndeps;
	int last;            /* the package's last phase in this stage */
	char key[65];
	char *inputs;        /* the "what hash" lines behind the key */
	int cached, state;
	int n;               /* its number among the steps this run builds */
	int ran;             /* its phase ran in this run: */
	double secs, total;  /* how long, and with its earlier attempts */
	int cut;             /* it goes on in a tree a stop left: if that
	                      * fails, it starts over (lib/build.c) */
};

struct stage {
	char *name; /* KIND-ARCH */
	struct stagedef *def;
	struct target *target;
	struct stage **needs;
	size_t nneeds;
	struct step **steps;
	size_t nsteps;
	char key[65];
	int state;
	int hostcc; /* a cross stage built by the host's compiler (--host-toolchain) */
	char *airlock;  /* while it builds: its steps' tools (lib/build.c) */
	char *tools;    /* ... and what they are (provenance_tools()) */
	time_t started; /* when its first step started in this run */
};

struct plan {
	struct defs *defs;
	struct stage **stages; /* needed stages first */
	size_t n;
};

/* add stage KIND-ARCH and, first, the stages it needs; -1 on error */
int plan_add(struct plan *plan, const char *name);
/* the names under targets/ (or stages/), ", "-separated, for a message */
char *plan_known(struct defs *d, int stages);
/* add every stage kind for a target */
int plan_all(struct plan *plan, const char *arch);
/* compute every key; mark steps whose entry is in the cache */
void plan_keys(struct plan *plan);
/* print what changed since the last build of this step */
void plan_why(struct step *s, FILE *f);
/* "stage pkg phase", for messages */
const char *step_name(struct step *s);
/* "pkg.phase", for files */
char *step_slot(struct step *s);
/* the host's architecture, as a target name */
const char *host_arch(void);
