/* Validating an untrusted ELF kernel held in memory (ELF64 for PVH or Linux's 64-bit entry, ELF32 too for Multiboot) and loading its segments. */
#ifndef KEEL_VMM_BOOT_ELF_H
#define KEEL_VMM_BOOT_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/memory.h"

#define ELF_MAX_LOAD_SEGMENTS 16	/* PT_LOAD segments keel accepts (Linux has about 5) */

/* One non-empty PT_LOAD segment, already checked against the file and guest RAM. */
struct elf_segment {
	unsigned int index;		/* program header number, for messages */
	uint32_t flags;			/* PF_R / PF_W / PF_X */
	uint64_t paddr;			/* guest-physical load address */
	uint64_t vaddr;			/* the virtual address the kernel was linked for (p_vaddr) */
	uint64_t memsz;			/* bytes in guest RAM (>= filesz, > 0) */
	uint64_t offset;		/* where the bytes start in the file */
	uint64_t filesz;		/* bytes copied from the file; the rest is zeroed */
};

/* A validated kernel: everything elf_load() needs, pointing into the caller's file buffer. */
struct elf_image {
	const uint8_t *file;
	size_t size;
	unsigned int nsegs;
	struct elf_segment segs[ELF_MAX_LOAD_SEGMENTS];
	uint64_t entry;			/* where the protocol enters: the PVH note's 32-bit entry, or e_entry */
	uint64_t e_entry;		/* the ELF header's entry (a vmlinux's physical startup_64) */
	bool has_pvh;			/* carries XEN_ELFNOTE_PHYS32_ENTRY */
	bool linux_note;		/* carries a note owned by "Linux" (a Linux vmlinux does) */
	uint64_t start, end;		/* lowest loaded byte, one past the highest */
	unsigned int elf_class;		/* 32 or 64 */
};

/*
 * elf_validate - check @file (@size bytes, hostile) as a PVH ELF64 kernel that fits in @mem and
 * fill @img. Writes nothing to guest RAM. On failure returns -EINVAL and writes one line
 * "@name: problem" into @err (@errlen bytes).
 */
int elf_validate(const struct guest_mem *mem, const uint8_t *file, size_t size, const char *name,
		 struct elf_image *img, char *err, size_t errlen);

/*
 * elf_parse - the checks common to every protocol: header, loadable segments against the file and
 * (unless @mem is NULL) guest RAM, notes. Fills @img (entry left 0). -EINVAL with one line in @err.
 * elf_validate_linux64 - elf_parse, then e_entry must lie in an executable segment; entry = e_entry.
 */
int elf_parse(const struct guest_mem *mem, const uint8_t *file, size_t size, const char *name,
	      struct elf_image *img, char *err, size_t errlen);
/*
 * elf_parse_any - elf_parse accepting an ELF32 i386 file (EM_386, its headers widened) as well as
 * ELF64 x86-64: Multiboot kernels. img->elf_class says which it was.
 */
int elf_parse_any(const struct guest_mem *mem, const uint8_t *file, size_t size, const char *name,
		  struct elf_image *img, char *err, size_t errlen);
int elf_validate_linux64(const struct guest_mem *mem, const uint8_t *file, size_t size, const char *name,
			 struct elf_image *img, char *err, size_t errlen);

/*
 * elf_notes - for protocol probes: whether @file (@size bytes) is a well-formed ELF64 kernel
 * (false if not), and then whether it carries the PVH entry note (*@pvh) and a "Linux" note.
 */
bool elf_notes(const uint8_t *file, size_t size, bool *pvh, bool *linux_note);

/*
 * elf_load - copy each segment of @img (from elf_validate() against the same @mem) to its physical
 * address and zero its tail. Returns 0 or the gmem_translate() error.
 */
int elf_load(const struct guest_mem *mem, const struct elf_image *img);

/* elf_overlaps - the first segment of @img overlapping [@gpa, @gpa + @len) (not wrapping), or NULL. */
const struct elf_segment *elf_overlaps(const struct elf_image *img, uint64_t gpa, uint64_t len);

#endif
