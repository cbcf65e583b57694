/* compare.h: two outputs of one stage compared file by file, through
 * their manifests, with a hint of the kind of each difference. */

#include <stdio.h>

struct compare {
	const char *name;     /* the stage, for the report */
	const char *a, *b;    /* the two output directories, manifests beside */
	const char *const *paths; /* strings whose presence means a build path */
	const char *const *names; /* host and user names of the second build */
	const char *release;  /* the first build's kernel release (uname -r), or NULL */
	const char *diffoscope;   /* where diffoscope reports go, or NULL */
	long long t0, t1;     /* the range of plausible build times (Unix); 0, 0: the last five years and the next 400 days */
	const char *first, *second; /* what a and b are, for "only in the ..."; NULL: "first build", "second build" */
	int same, differ, onlya, onlyb;
};

/* compare c->a with c->b, reporting every difference on f; 0 when identical */
int compare_outputs(struct compare *c, FILE *f);
/* the same under "NAME: differences", then the verdict and the counts */
int compare_report(struct compare *c, FILE *f);
