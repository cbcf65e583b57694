/* scan.h: the line format shared by recipes, stages and targets.
 *
 *   # a comment line
 *   keyword arguments to the end of the line
 *   	indented lines after a keyword: its text block (shell, for phases)
 */

struct directive {
	int line;
	char *key;
	char *arg;   /* rest of the line, trimmed; "" when none */
	char *block; /* indented lines that follow, indent removed; NULL if none */
};

struct doc {
	char *path;
	char *text; /* the whole file, as hashed into cache keys */
	struct directive *d;
	size_t n;
};

/* read and split a file; NULL after printing file:line for bad lines */
struct doc *doc_load(const char *path);
/* the same from memory, path used in messages */
struct doc *doc_parse(const char *path, const char *text);
void doc_free(struct doc *doc);
