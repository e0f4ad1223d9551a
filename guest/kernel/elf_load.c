/* The user ELF loader: header and segment checks, shared read-only pages, copied writable pages. */
#include "guest/kernel/elf_load.h"

#include "guest/arch/x86/layout.h"
#include "guest/arch/x86/mmu.h"
#include "guest/lib/string.h"
#include "guest/mm/frame.h"

/* The ELF64 structures and constants used here (written from the System V ABI). */
#define EI_NIDENT 16
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ET_EXEC 2
#define EM_X86_64 62
#define PT_LOAD 1
#define PF_X 1
#define PF_W 2
#define PF_R 4

struct elf64_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type, e_machine;
	uint32_t e_version;
	uint64_t e_entry, e_phoff, e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type, p_flags;
	uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

#define IMAGE_END (USER_STACK_TOP - USER_STACK_SIZE - PAGE_SIZE)	/* a gap above, under the stack */

static int header_ok(const struct elf64_ehdr *eh, uint64_t size, const char **why)
{
	if (size < sizeof(*eh) || memcmp(eh->e_ident, "\177ELF", 4))
		*why = "not an ELF file";
	else if (eh->e_ident[4] != ELFCLASS64 || eh->e_ident[5] != ELFDATA2LSB || eh->e_machine != EM_X86_64)
		*why = "not a little-endian x86-64 ELF file";
	else if (eh->e_type != ET_EXEC)
		*why = "not an executable";
	else if (eh->e_phentsize != sizeof(struct elf64_phdr) || eh->e_phoff > size ||
		 (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr) > size - eh->e_phoff)
		*why = "bad program headers";
	else
		return 0;
	return -1;
}

static int segment_ok(const struct elf64_phdr *ph, uint64_t size, const char **why)
{
	if ((ph->p_vaddr | ph->p_offset) & (PAGE_SIZE - 1))
		*why = "a segment is not page-aligned";
	else if (ph->p_filesz > ph->p_memsz || ph->p_offset > size || ph->p_filesz > size - ph->p_offset)
		*why = "a segment lies outside the file";
	else if (ph->p_vaddr < USER_IMAGE_BASE || ph->p_memsz > IMAGE_END - ph->p_vaddr)
		*why = "a segment lies outside the user image area";
	else if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X))
		*why = "a segment is both writable and executable";
	else
		return 0;
	return -1;
}

/* Page @i of segment @ph: the image's own frame when read-only and wholly in the file, else a copy. */
static int load_page(struct aspace *as, const uint8_t *image, const struct elf64_phdr *ph, uint64_t i,
		     uint64_t flags)
{
	uint64_t off = i * PAGE_SIZE, in_file = ph->p_filesz > off ? ph->p_filesz - off : 0, pa;

	if (in_file > PAGE_SIZE)
		in_file = PAGE_SIZE;
	if (!(ph->p_flags & PF_W) && in_file == PAGE_SIZE)
		return aspace_map(as, ph->p_vaddr + off, virt_to_phys(image + ph->p_offset + off),
				  flags | PTE_NOFREE);
	pa = frame_alloc();
	if (!pa)
		return -1;
	memcpy(phys_to_virt(pa), image + ph->p_offset + off, in_file);
	memset((uint8_t *)phys_to_virt(pa) + in_file, 0, PAGE_SIZE - in_file);
	if (aspace_map(as, ph->p_vaddr + off, pa, flags)) {
		frame_free(pa);
		return -1;
	}
	return 0;
}

int elf_load_user(struct aspace *as, const uint8_t *image, uint64_t size, uint64_t *entry, const char **why)
{
	const struct elf64_ehdr *eh = (const struct elf64_ehdr *)image;
	bool entry_ok = false;

	if (header_ok(eh, size, why))
		return -1;
	for (unsigned int s = 0; s < eh->e_phnum; s++) {
		const struct elf64_phdr *ph = (const struct elf64_phdr *)(image + eh->e_phoff) + s;
		uint32_t prot = VMA_READ | (ph->p_flags & PF_W ? VMA_WRITE : 0) | (ph->p_flags & PF_X ? VMA_EXEC : 0);
		uint64_t pages;

		if (ph->p_type != PT_LOAD || ph->p_memsz == 0)
			continue;
		if (segment_ok(ph, size, why))
			return -1;
		pages = (ph->p_memsz + PAGE_SIZE - 1) / PAGE_SIZE;
		if (aspace_add_vma(as, ph->p_vaddr, ph->p_vaddr + pages * PAGE_SIZE, prot, VMA_IMAGE)) {
			*why = "overlapping segments";
			return -1;
		}
		for (uint64_t i = 0; i < pages; i++) {
			if (load_page(as, image, ph, i, aspace_pte_flags(prot))) {
				*why = "out of memory";
				return -1;
			}
		}
		entry_ok |= (ph->p_flags & PF_X) && eh->e_entry - ph->p_vaddr < ph->p_memsz;
	}
	if (!entry_ok) {
		*why = "the entry point is not in an executable segment";
		return -1;
	}
	*entry = eh->e_entry;
	return 0;
}
