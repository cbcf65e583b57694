/* audit.h: reproducibility audits. A stage is built a second time, in a
 * cache namespace of its own and under varied conditions, then the two
 * outputs are compared file by file. */

struct plan;

/* the exit status of an audit whose builds succeeded but differ (1 is a
 * build that failed, 2 a usage error) */
#define AUDIT_DIFFER 3

/* the variations, comma-separated ("all", or names; "-name" leaves one
 * out); NULL on success, else a message naming what was expected */
const char *audit_vary(const char *list);
/* rebuild the plan's last stage (deep: and every stage it needs) under
 * the chosen variations; the plan was built already. 0 when bit-identical,
 * AUDIT_DIFFER when not, 1 when the second build failed */
int audit_stage(struct plan *plan, int deep);
/* rebuild-ARCH: the stages the target rebuilt itself, in its output,
 * against the same stages built here (lib/rebuilt.c); 0 when identical,
 * else AUDIT_DIFFER */
int audit_rebuilt(struct plan *plan);
