/* Test tool: copy an ELF64 file with one header field changed, to make malformed kernels for the integration tests. */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Usage: elfpatch IN OUT FIELD VALUE
 * FIELD: e_phoff e_phnum e_phentsize e_machine e_type class
 *        loadN.paddr loadN.filesz loadN.memsz loadN.offset   (N-th PT_LOAD, from 0)
 *        copy-load0-paddr-to-load1   (VALUE ignored: makes segments 0 and 1 overlap)
 *        truncate                    (VALUE = new length in bytes)
 */
static Elf64_Phdr *nth_load(unsigned char *buf, size_t size, unsigned int n)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;

	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		size_t off = eh->e_phoff + (size_t)i * sizeof(Elf64_Phdr);
		Elf64_Phdr *ph = (Elf64_Phdr *)(buf + off);

		if (off + sizeof(*ph) > size)
			break;
		if (ph->p_type == PT_LOAD && n-- == 0)
			return ph;
	}
	fprintf(stderr, "elfpatch: no such PT_LOAD\n");
	exit(1);
}

int main(int argc, char **argv)
{
	unsigned char *buf;
	unsigned long long v;
	unsigned int n;
	char what[16];
	size_t size;
	FILE *f;

	if (argc != 5) {
		fprintf(stderr, "usage: elfpatch IN OUT FIELD VALUE\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f || fseek(f, 0, SEEK_END) != 0)
		return perror(argv[1]), 1;
	size = (size_t)ftell(f);
	rewind(f);
	buf = malloc(size);
	if (!buf || fread(buf, 1, size, f) != size)
		return perror("read"), 1;
	fclose(f);
	v = strtoull(argv[4], NULL, 0);

	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	if (!strcmp(argv[3], "e_phoff"))
		eh->e_phoff = v;
	else if (!strcmp(argv[3], "e_phnum"))
		eh->e_phnum = (Elf64_Half)v;
	else if (!strcmp(argv[3], "e_phentsize"))
		eh->e_phentsize = (Elf64_Half)v;
	else if (!strcmp(argv[3], "e_machine"))
		eh->e_machine = (Elf64_Half)v;
	else if (!strcmp(argv[3], "e_type"))
		eh->e_type = (Elf64_Half)v;
	else if (!strcmp(argv[3], "class"))
		eh->e_ident[EI_CLASS] = (unsigned char)v;
	else if (!strcmp(argv[3], "truncate"))
		size = v < size ? (size_t)v : size;
	else if (!strcmp(argv[3], "copy-load0-paddr-to-load1"))
		nth_load(buf, size, 1)->p_paddr = nth_load(buf, size, 0)->p_paddr;
	else if (sscanf(argv[3], "load%u.%15s", &n, what) == 2) {
		Elf64_Phdr *ph = nth_load(buf, size, n);

		if (!strcmp(what, "paddr"))
			ph->p_paddr = v;
		else if (!strcmp(what, "filesz"))
			ph->p_filesz = v;
		else if (!strcmp(what, "memsz"))
			ph->p_memsz = v;
		else if (!strcmp(what, "offset"))
			ph->p_offset = v;
		else
			return fprintf(stderr, "elfpatch: unknown field %s\n", argv[3]), 2;
	} else {
		return fprintf(stderr, "elfpatch: unknown field %s\n", argv[3]), 2;
	}
	f = fopen(argv[2], "wb");
	if (!f || fwrite(buf, 1, size, f) != size || fclose(f) != 0)
		return perror(argv[2]), 1;
	free(buf);
	return 0;
}
