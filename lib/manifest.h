/* manifest.h: a stage output described file by file.
 *
 * One line per entry, sorted by path:
 *   PATH TYPE MODE SIZE SHA256 LINK
 * TYPE is d (directory), f (file), l (symlink); absent fields are "-";
 * bytes outside printable ASCII, blanks and '\' in PATH and LINK are \ooo. */

#include <stdio.h>

/* write the manifest of root to f; -1 if a file could not be read */
int manifest_write(const char *root, FILE *f);
/* the same into path, written atomically */
int manifest_save(const char *root, const char *path);
