/* provenance.h: a stage output's provenance record (in-toto, SLSA). */

#include <time.h>

struct stage;

/* SLSA's buildType and builder.id: URIs naming what the README's
 * "Provenance" section describes */
#define PROVENANCE_BUILD_TYPE "urn:bootstrap:build-type:stage:1"
#define PROVENANCE_BUILDER_ID "urn:bootstrap:builder:runner"

/* OUT.provenance.json for the stage output OUT (its manifest written) */
int provenance_write(struct stage *st, const char *out, time_t started, time_t finished);
