/* scan.c: the line format shared by recipes, stages and targets.
 * Only the layout is checked here; each kind of file checks its keywords. */

#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "scan.h"
#include "util.h"

static int blankline(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++, n--;
	return n == 0;
}

/* remove the block's indent: a tab, or as many spaces as its first line had */
static const char *unindent(const char *s, size_t n, size_t *indent)
{
	size_t sp = 0;

	if (n && *s == '\t')
		return s + 1;
	while (sp < n && s[sp] == ' ')
		sp++;
	if (!*indent)
		*indent = sp;
	return s + (sp < *indent ? sp : *indent);
}

static int addline(struct doc *doc, int lineno, const char *s, size_t n)
{
	struct directive *d;
	size_t k = 0;

	while (k < n && s[k] != ' ' && s[k] != '\t')
		k++;
	for (size_t i = 0; i < k; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-')
			return perr(doc->path, lineno,
			            "expected a keyword (lowercase letters, digits, '-'), found '%.*s'", (int)k, s);
	doc->d = xreallocarray(doc->d, doc->n + 1, sizeof(*doc->d));
	d = &doc->d[doc->n++];
	d->line = lineno;
	d->key = xstrndup(s, k);
	s += k, n -= k;
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	d->arg = xstrndup(s, n);
	d->block = NULL;
	return 0;
}

/* hand the collected indented lines to the directive above them */
static void endblock(struct doc *doc, struct buf *block)
{
	if (doc->n && block->n)
		doc->d[doc->n - 1].block = xstrdup(block->s);
	block->n = 0;
}

struct doc *doc_parse(const char *path, const char *text)
{
	struct doc *doc = xcalloc(1, sizeof(*doc));
	struct buf block = {0};
	const char *s = text, *e, *u;
	size_t n, indent = 0, blanks = 0;
	int lineno = 0, err = 0;

	doc->path = xstrdup(path);
	doc->text = xstrdup(text);
	for (; *s; s = *e ? e + 1 : e) {
		e = strchr(s, '\n');
		if (!e)
			e = s + strlen(s);
		n = e - s;
		lineno++;
		if (blankline(s, n)) {
			blanks++; /* kept only if the block goes on */
		} else if (*s == '#') {
			continue;
		} else if (*s == ' ' || *s == '\t') {
			if (!doc->n) {
				err = perr(path, lineno, "expected a keyword at the start of the line, found indented text");
				continue;
			}
			for (; blanks && block.n; blanks--)
				bufputs(&block, "\n");
			u = unindent(s, n, &indent);
			bufadd(&block, u, e - u);
			bufputs(&block, "\n");
		} else {
			endblock(doc, &block);
			indent = 0;
			if (addline(doc, lineno, s, n) < 0)
				err = -1;
		}
		if (!blankline(s, n))
			blanks = 0;
	}
	endblock(doc, &block);
	free(block.s);
	if (err) {
		doc_free(doc);
		return NULL;
	}
	return doc;
}

struct doc *doc_load(const char *path)
{
	size_t len;
	char *text = readfile(path, &len);
	struct doc *doc;

	if (!text) {
		perr(path, 0, "cannot read: %s", strerror(errno));
		return NULL;
	}
	if (strlen(text) != len) {
		free(text);
		perr(path, 0, "expected a text file, found a NUL byte");
		return NULL;
	}
	doc = doc_parse(path, text);
	free(text);
	return doc;
}

void doc_free(struct doc *doc)
{
	if (!doc)
		return;
	for (size_t i = 0; i < doc->n; i++) {
		free(doc->d[i].key);
		free(doc->d[i].arg);
		free(doc->d[i].block);
	}
	free(doc->d);
	free(doc->path);
	free(doc->text);
	free(doc);
}
