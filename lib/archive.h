/* archive.h: unpacking source archives safely. */

/* 0 if an archive member name stays inside the directory it is unpacked in */
int archive_name_ok(const char *name);
/* list file's members and refuse absolute names and '..'; -1 with a message */
int archive_check(const char *file);
/* 0 if a symlink at path (relative) to target stays inside the tree */
int archive_link_ok(const char *path, const char *target);
/* check, then unpack file into root/sub (sub NULL: root), dropping its
 * top-level directory; refuses a sub that goes through a symlink and
 * symlinks out of the tree; -1 with a message */
int archive_unpack(const char *file, const char *root, const char *sub);
