# bootstrap: the stage runner. POSIX make; C99 and libc only.
.POSIX:

CC = cc
CFLAGS = -std=c99 -O2 -g -Wall -Wextra -Wshadow -Wmissing-prototypes -Wpedantic
LDFLAGS =
PREFIX = /usr/local

OBJ = lib/archive.o lib/audit.o lib/build.o lib/cache.o lib/compare.o lib/defs.o \
      lib/doctor.o lib/fetch.o lib/guest.o lib/ledger.o lib/manifest.o lib/matrix.o lib/native.o lib/os.o lib/plan.o lib/proc.o lib/provenance.o \
      lib/rebuilt.o lib/report.o lib/run.o lib/sbom.o lib/scan.o lib/sha256.o lib/tree.o lib/util.o lib/worktree.o

HDR = lib/archive.h lib/audit.h lib/build.h lib/cache.h lib/compare.h lib/defs.h lib/doctor.h \
      lib/fetch.h lib/guest.h lib/ledger.h lib/manifest.h lib/matrix.h lib/native.h lib/opts.h \
      lib/os.h lib/plan.h lib/proc.h lib/provenance.h lib/report.h lib/run.h lib/sbom.h lib/scan.h \
      lib/sha256.h lib/tree.h lib/util.h lib/worktree.h

all: bootstrap

bootstrap: bootstrap.o $(OBJ)
	$(CC) $(LDFLAGS) -o $@ bootstrap.o $(OBJ)

tests/unit: tests/unit.o $(OBJ)
	$(CC) $(LDFLAGS) -o $@ tests/unit.o $(OBJ)

# every object on every header: a structure changed in one header is never
# read in its old shape by an object that was not rebuilt
bootstrap.o tests/unit.o $(OBJ): $(HDR)

.c.o:
	$(CC) $(CFLAGS) -c -o $@ $<

# --version names the commit it was built from, when built from git
REVISION != git describe --always --dirty 2> /dev/null || true
bootstrap.o: bootstrap.c
	$(CC) $(CFLAGS) -DREVISION='"$(REVISION)"' -c -o $@ bootstrap.c

check: bootstrap tests/unit
	sh tests/run

# the manual page: the help's own text, as roff
bootstrap.1: bootstrap
	./bootstrap help --man > $@

install: bootstrap bootstrap.1
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions
	cp bootstrap $(DESTDIR)$(PREFIX)/bin/
	cp bootstrap.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	cp completion.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/bootstrap

clean:
	rm -f bootstrap bootstrap.1 bootstrap.o tests/unit tests/unit.o $(OBJ)

.PHONY: all check install clean
