/* libelf, as x86_64's kernel build uses it in objtool: open this very
 * program and read its ELF header and section headers through gelf */
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	GElf_Ehdr eh;
	Elf_Scn *scn = NULL;
	Elf *e;
	int fd, n = 0;

	if (argc < 1 || !argv[0] || elf_version(EV_CURRENT) == EV_NONE)
		return 1;
	if ((fd = open(argv[0], O_RDONLY)) < 0)
		return 1;
	if (!(e = elf_begin(fd, ELF_C_READ, NULL)) || !gelf_getehdr(e, &eh))
		return 1;
	while ((scn = elf_nextscn(e, scn)))
		n++;
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return 1;
	printf("elf %s\n", n > 5 ? "ok" : "few sections");
	elf_end(e);
	return 0;
}
