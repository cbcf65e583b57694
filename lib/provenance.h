/* provenance.h: a stage output's provenance record (in-toto, SLSA). */

#include <time.h>

struct stage;

/* OUT.provenance.json for the stage output OUT (its manifest written) */
int provenance_write(struct stage *st, const char *out, time_t started, time_t finished);
