/* tree.h: whole directory trees: merging, listing. */

enum { TREE_COPY, TREE_LINK };

/* copy (or hard-link: TREE_LINK, copying across file systems) src's contents
 * over dst, replacing what is there;
 * modes, symlinks and modification times are kept */
int tree_merge(const char *src, const char *dst, int how);

struct entry {
	char *path; /* relative to the root, no leading "./" */
	unsigned mode; /* st_mode */
	long long size;
	char *link;    /* symlink target */
	long long changed; /* st_ctime: when its data or inode last changed */
};

/* every entry under root, sorted by path (bytewise); NULL (and *n 0) on error */
struct entry *tree_list(const char *root, size_t *n);
void tree_free(struct entry *e, size_t n);

/* everything under root on the disk (fsync), so that a power cut after a
 * rename of root cannot leave it half-written */
int tree_sync(const char *root);
/* remove every file and link under root changed at or after since (a
 * time(2) value): the count, or -1 */
long tree_dropnewer(const char *root, long long since);
