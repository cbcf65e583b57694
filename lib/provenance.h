/* provenance.h: a stage output's provenance record (in-toto, SLSA). */

#include <time.h>

struct stage;

/* SLSA's buildType and builder.id: URIs naming what the README's
 * "Provenance" section describes */
#define PROVENANCE_BUILD_TYPE "urn:bootstrap:build-type:stage:1"
#define PROVENANCE_BUILDER_ID "urn:bootstrap:builder:runner"

/* OUT.provenance.json for the stage output OUT (its manifest written) */
int provenance_write(struct stage *st, const char *out, time_t started, time_t finished);

/* the host tools the stage lets in, a line each, "NAME SHA256
 * PACKAGE=VERSION" ("-": not known): kept beside each step's cache entry,
 * since host tools are not in its key */
char *provenance_tools(struct stage *st);
/* the tools whose line differs between two such texts, as "gcc
 * (gcc-12=12.2.0-14, now gcc-12=12.2.0-14+deb12u1), make (other bytes)";
 * NULL when none */
char *provenance_toolschanged(const char *then, const char *now);
