/* doctor.h: the host's prerequisites. */

struct defs;

/* check every host tool the project uses and the machine (free space,
 * user namespaces); print what is missing or wrong (quiet: only that) and
 * the apt-get line for the missing; 0 when nothing is */
int doctor(struct defs *defs, int quiet);
/* the Debian packages of every host tool, one a line */
void doctor_packages(struct defs *defs);
/* the Debian package that provides a host command, NULL if unknown */
const char *doctor_package(const char *cmd);
