/* ledger.h: the builds published with the project (docs/results/ledger). */

/* compare WORK/out/STAGE with the published build of the same key: 0 the
 * same bits, AUDIT_DIFFER not (the files named), 1 nothing to compare */
int ledger_check(const char *stage);
/* add WORK/out/STAGE to the ledger, its manifest beside */
int ledger_publish(const char *stage);
