/* archive.h: unpacking source archives safely. */

/* 0 if an archive member name stays inside the directory it is unpacked in */
int archive_name_ok(const char *name);
/* list file's members and refuse absolute names and '..'; -1 with a message */
int archive_check(const char *file);
/* check, then unpack file into dir, dropping its top-level directory */
int archive_unpack(const char *file, const char *dir);
