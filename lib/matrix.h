/* matrix.h: every target tested at once, one table (bootstrap test all). */

struct matrix {
	char **targets;
	size_t ntargets;
	int helloonly;   /* hello-all: the simplest boot alone */
	int jobs;        /* targets tested at once */
	const char *logdir;
	int (*test)(const char *name); /* runs one stage's test, 0 if it passed */
};

/* test every target, print the table; 0 when every one passed */
int matrix_run(struct matrix *m);
