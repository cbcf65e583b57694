/* sbom.h: a stage output's SPDX 2.3 software bill of materials. */

struct stage;

/* OUT.spdx.json: the pinned sources of every recipe in the stage and in
 * the stages it needs, with their versions, hashes, origins, licences */
int sbom_write(struct stage *st, const char *out);
