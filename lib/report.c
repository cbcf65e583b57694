/* report.c: what a run did, when: each step's start and time, written after
 * the run as WORK/logs/timeline.csv and as WORK/logs/timeline.svg, a bar per
 * step on a time axis (as Buildroot's graph-build draws); and every step's
 * time appended to CACHE/state/history.csv, to see a step get slower: the
 * whole step's, with what its stopped attempts spent before this run. */

#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "opts.h"
#include "report.h"
#include "util.h"

struct entry {
	char *stage, *step, *status;
	double start, secs, total;
};

static struct entry *entries;
static size_t n;
static double begin;

void report_start(void)
{
	begin = now();
}

void report_step(const char *stage, const char *step, double start, double secs, double total, const char *status)
{
	entries = xreallocarray(entries, n + 1, sizeof(*entries));
	entries[n].stage = xstrdup(stage);
	entries[n].step = xstrdup(step);
	entries[n].status = xstrdup(status);
	entries[n].start = start - begin;
	entries[n].secs = secs;
	entries[n].total = total;
	n++;
}

/* a colour per stage kind (the part before the '-ARCH'), stable across runs */
static unsigned hue(const char *stage)
{
	unsigned h = 0;

	for (const char *p = stage; *p && *p != '-'; p++)
		h = h * 31 + (unsigned char)*p;
	return h % 360;
}

/* text safe inside SVG: no markup characters in step names, but be sure */
static void xml(FILE *f, const char *s)
{
	for (; *s; s++)
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else
			fputc(*s, f);
}

static void svg(FILE *f, double total)
{
	const int label = 330, width = 700, row = 18, top = 40;
	static const double ticks[] = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800};
	double tick = ticks[0];
	char d[32];

	/* at most ten ticks on the axis, at round times */
	for (size_t i = 0; i < LEN(ticks) && total / ticks[i] > 10; i++)
		tick = i + 1 < LEN(ticks) ? ticks[i + 1] : ticks[i];
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	        "font-family=\"monospace\" font-size=\"12\">\n", label + width + 20, top + (int)n * row + 20);
	fprintf(f, "<text x=\"4\" y=\"16\">bootstrap: %zu steps, %s</text>\n", n, fmtdur(total, d));
	for (double t = 0; t <= total; t += tick) {
		int x = label + (int)(t / total * width);
		fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ccc\"/>", x, top - 8, x, top + (int)n * row);
		fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\">%s</text>\n", x + 2, top - 10, fmtdur(t, d));
	}
	for (size_t i = 0; i < n; i++) {
		struct entry *e = &entries[i];
		int y = top + (int)i * row, x = label + (int)(e->start / total * width);
		int w = (int)(e->secs / total * width);
		fprintf(f, "<text x=\"4\" y=\"%d\">", y + 13);
		xml(f, e->stage);
		fputc(' ', f);
		xml(f, e->step);
		/* a failed or stopped step in red, the others by stage */
		fprintf(f, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"", x, y + 2,
		        w > 1 ? w : 1, row - 4);
		if (strcmp(e->status, "ok"))
			fprintf(f, "#d33");
		else
			fprintf(f, "hsl(%u,55%%,55%%)", hue(e->stage));
		fprintf(f, "\"><title>");
		xml(f, e->stage);
		fputc(' ', f);
		xml(f, e->step);
		fprintf(f, ": %s (%s)</title></rect>\n", fmtdur(e->secs, d), e->status);
	}
	fprintf(f, "</svg>\n");
}

void report_write(void)
{
	char *dir = xasprintf("%s/logs", opts.work), *csv = xasprintf("%s/timeline.csv", dir);
	char *pic = xasprintf("%s/timeline.svg", dir), *hist = xasprintf("%s/state/history.csv", opts.cache);
	char *tmp = xasprintf("%s.tmp", csv), *ptmp = xasprintf("%s.tmp", pic);
	double total = 1;
	char when[32];
	time_t t = time(NULL);
	FILE *f, *h;

	if (!n)
		goto out;
	fmtutc(t, when);
	mkdirp(dir);
	for (size_t i = 0; i < n; i++)
		if (entries[i].start + entries[i].secs > total)
			total = entries[i].start + entries[i].secs;
	/* written aside, then renamed: a reader never sees half of one */
	if ((f = fopen(tmp, "w"))) {
		fprintf(f, "stage,step,start,seconds,status\n");
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%s,%s,%.1f,%.1f,%s\n", entries[i].stage, entries[i].step, entries[i].start,
			        entries[i].secs, entries[i].status);
		if (fclose(f) == 0)
			rename(tmp, csv);
	}
	if ((f = fopen(ptmp, "w"))) {
		svg(f, total);
		if (fclose(f) == 0)
			rename(ptmp, pic);
	}
	if ((h = fopen(hist, "a"))) {
		for (size_t i = 0; i < n; i++)
			if (!strcmp(entries[i].status, "ok"))
				fprintf(h, "%s,%s,%s,%.1f\n", when, entries[i].stage, entries[i].step, entries[i].total);
		fclose(h);
	}
	printf("timeline: %s (and .csv)\n", pic);
out:
	free(dir), free(csv), free(pic), free(hist), free(tmp), free(ptmp);
}
