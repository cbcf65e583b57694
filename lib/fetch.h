/* fetch.h: getting source files, verified by their pinned sha256. */

struct package;
struct source;

/* path of the verified file in the source cache; NULL after an error.
 * Looks in the cache, the --mirror list, the upstream URLs, then Debian's
 * source archive through apt-get. */
char *fetch_source(struct package *p, struct source *s);
/* check a file against a hash; a mismatch is moved aside and reported */
int fetch_verify(const char *file, const char *name, const char *want, const char *from);
