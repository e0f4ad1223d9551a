/* Validating an untrusted ELF kernel (ELF64 for PVH or the Linux 64-bit entry, ELF32 too for Multiboot) and loading its segments at their physical addresses. */
#include "vmm/boot/elf.h"

#include "firmware/machine.h"
#include "firmware/pvh.h"

#include <stdbool.h>
#include "vmm/boot/boot.h"
#include "vmm/boot/msg.h"

#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

_Static_assert(sizeof(size_t) == sizeof(uint64_t), "keel runs on 64-bit hosts");

/* What every check needs: the file, the RAM it must fit in, and where to report. */
struct elf_check {
	const struct guest_mem *mem;
	const uint8_t *file;
	size_t size;
	const char *name;
	char *err;
	size_t errlen;
	bool allow32;			/* ELFCLASS32 (EM_386) accepted too: Multiboot kernels */
};

/* One line "NAME: problem" into the caller's buffer; evaluates to -EINVAL. */
#define FAIL(c, fmt, ...) boot_errf((c)->err, (c)->errlen, "%s: " fmt, (c)->name, ##__VA_ARGS__)

static uint64_t align_up(uint64_t v, uint64_t align)
{
	return (v + align - 1) & ~(align - 1);
}

/* Little-endian value of @len (4 or 8) bytes at @p. */
static uint64_t read_le(const uint8_t *p, unsigned int len)
{
	uint64_t v = 0;

	for (unsigned int i = len; i-- > 0;)
		v = (v << 8) | p[i];
	return v;
}

/* " ET_DYN, a shared object or PIE" and the like, for the e_type message. */
static const char *type_name(unsigned int type)
{
	switch (type) {
	case ET_NONE:
		return " ET_NONE";
	case ET_REL:
		return " ET_REL, a relocatable object";
	case ET_DYN:
		return " ET_DYN, a shared object or PIE";
	case ET_CORE:
		return " ET_CORE, a core dump";
	default:
		return "";
	}
}

/* The ELF header, widened into @eh when it is an ELF32 one (accepted only with c->allow32). */
static int read_header(const struct elf_check *c, Elf64_Ehdr *eh)
{
	const bool is32 = c->allow32 && c->file[EI_CLASS] == ELFCLASS32;
	const size_t need = is32 ? sizeof(Elf32_Ehdr) : sizeof(Elf64_Ehdr);
	Elf32_Ehdr e;

	if (c->size < need)
		return FAIL(c, "truncated: the ELF header needs %zu bytes but the file has %zu", need, c->size);
	if (!is32) {
		memcpy(eh, c->file, sizeof(*eh));
		return 0;
	}
	memcpy(&e, c->file, sizeof(e));
	memset(eh, 0, sizeof(*eh));
	memcpy(eh->e_ident, e.e_ident, EI_NIDENT);
	eh->e_type = e.e_type;
	eh->e_machine = e.e_machine;
	eh->e_version = e.e_version;
	eh->e_entry = e.e_entry;
	eh->e_phoff = e.e_phoff;
	eh->e_phentsize = e.e_phentsize;
	eh->e_phnum = e.e_phnum;
	return 0;
}

static int check_header(const struct elf_check *c, Elf64_Ehdr *eh)
{
	uint64_t phsize, phend;
	bool is32;
	size_t phentsize;
	int r;

	if (c->size == 0)
		return FAIL(c, "empty file (not an ELF file)");
	if (c->size < SELFMAG || memcmp(c->file, ELFMAG, SELFMAG) != 0)
		return FAIL(c, "not an ELF file (bad magic)");
	r = read_header(c, eh);
	if (r)
		return r;
	is32 = c->allow32 && eh->e_ident[EI_CLASS] == ELFCLASS32;
	phentsize = is32 ? sizeof(Elf32_Phdr) : sizeof(Elf64_Phdr);
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 && !is32)
		return FAIL(c, "not a %s ELF file (class %u, keel boots ELFCLASS64%s kernels)",
			    c->allow32 ? "32- or 64-bit" : "64-bit", eh->e_ident[EI_CLASS],
			    c->allow32 ? " and ELFCLASS32" : "");
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return FAIL(c, "not a little-endian ELF file (data encoding %u, expected ELFDATA2LSB)",
			    eh->e_ident[EI_DATA]);
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return FAIL(c, "unsupported ELF version %u/%u (expected EV_CURRENT)",
			    eh->e_ident[EI_VERSION], eh->e_version);
	if (is32 && eh->e_machine != EM_386)
		return FAIL(c, "not an i386 ELF file (e_machine %u, expected EM_386 in a 32-bit ELF)",
			    eh->e_machine);
	if (!is32 && eh->e_machine != EM_X86_64)
		return FAIL(c, "not an x86-64 ELF file (e_machine %u, expected EM_X86_64)",
			    eh->e_machine);
	if (eh->e_type != ET_EXEC)
		return FAIL(c, "not an executable ELF file (e_type %u%s, keel boots ET_EXEC kernels)",
			    eh->e_type, type_name(eh->e_type));
	if (eh->e_phentsize != phentsize)
		return FAIL(c, "program header size is %u bytes, expected %zu", eh->e_phentsize, phentsize);
	if (eh->e_phnum == 0)
		return FAIL(c, "no program headers");
	if (eh->e_phnum == PN_XNUM)
		return FAIL(c, "extended program header numbering (e_phnum PN_XNUM) is not supported");
	if (__builtin_mul_overflow((uint64_t)eh->e_phnum, (uint64_t)eh->e_phentsize, &phsize) ||
	    __builtin_add_overflow(eh->e_phoff, phsize, &phend))
		return FAIL(c, "program headers at offset 0x%" PRIx64 " wrap past 2^64", eh->e_phoff);
	if (phend > c->size)
		return FAIL(c, "truncated: program headers end at 0x%" PRIx64
			    " but the file has 0x%zx bytes", phend, c->size);
	return 0;
}

/* A PT_LOAD header: file range, RAM range, boot-info area, other segments; then record it. */
static int check_load(const struct elf_check *c, unsigned int idx, const Elf64_Phdr *ph,
		      struct elf_image *img)
{
	struct elf_segment *s;
	uint64_t fend, mend;
	void *hva;

	if (ph->p_filesz > ph->p_memsz)
		return FAIL(c, "segment %u: file size 0x%" PRIx64 " is larger than its memory size 0x%"
			    PRIx64, idx, ph->p_filesz, ph->p_memsz);
	if (__builtin_add_overflow(ph->p_offset, ph->p_filesz, &fend))
		return FAIL(c, "segment %u: file range at offset 0x%" PRIx64 " wraps past 2^64", idx,
			    ph->p_offset);
	if (fend > c->size)
		return FAIL(c, "truncated: segment %u ends at file offset 0x%" PRIx64
			    " but the file has 0x%zx bytes", idx, fend, c->size);
	if (ph->p_memsz == 0)
		return 0;	/* nothing to load */
	if (__builtin_add_overflow(ph->p_paddr, ph->p_memsz, &mend))
		return FAIL(c, "segment %u [0x%" PRIx64 ", +0x%" PRIx64
			    ") wraps past the end of the 64-bit address space", idx, ph->p_paddr,
			    ph->p_memsz);
	if (c->mem && gmem_translate(c->mem, ph->p_paddr, ph->p_memsz, &hva) != 0)
		return FAIL(c, "segment %u [0x%" PRIx64 ", 0x%" PRIx64 ") does not fit in %s of guest RAM",
			    idx, ph->p_paddr, mend, boot_size(c->mem->size).s);
	if (boot_ranges_overlap(ph->p_paddr, ph->p_memsz, KEEL_BOOT_INFO_GPA, KEEL_BOOT_INFO_SIZE))
		return FAIL(c, "segment %u [0x%" PRIx64 ", 0x%" PRIx64
			    ") overlaps keel's boot information area [0x%llx, 0x%llx)", idx, ph->p_paddr,
			    mend, KEEL_BOOT_INFO_GPA, KEEL_BOOT_INFO_GPA + KEEL_BOOT_INFO_SIZE);
	for (unsigned int j = 0; j < img->nsegs; j++) {
		const struct elf_segment *o = &img->segs[j];

		if (boot_ranges_overlap(ph->p_paddr, ph->p_memsz, o->paddr, o->memsz))
			return FAIL(c, "segment %u [0x%" PRIx64 ", 0x%" PRIx64 ") overlaps segment %u [0x%"
				    PRIx64 ", 0x%" PRIx64 ")", idx, ph->p_paddr, mend, o->index, o->paddr,
				    o->paddr + o->memsz);
	}
	if (img->nsegs == ELF_MAX_LOAD_SEGMENTS)
		return FAIL(c, "more than %d loadable segments", ELF_MAX_LOAD_SEGMENTS);
	s = &img->segs[img->nsegs++];
	*s = (struct elf_segment){
		.index = idx,
		.flags = ph->p_flags,
		.paddr = ph->p_paddr,
		.vaddr = ph->p_vaddr,
		.memsz = ph->p_memsz,
		.offset = ph->p_offset,
		.filesz = ph->p_filesz,
	};
	if (img->nsegs == 1 || s->paddr < img->start)
		img->start = s->paddr;
	if (img->nsegs == 1 || mend > img->end)
		img->end = mend;
	return 0;
}

/*
 * A PT_NOTE header: walk every note (namesz, descsz, type, name, desc; each padded to the
 * segment's 4- or 8-byte alignment), bounds-checking each; keep the first PVH entry note.
 */
static int check_notes(const struct elf_check *c, unsigned int idx, const Elf64_Phdr *ph,
		       struct elf_image *img)
{
	const uint64_t align = ph->p_align == 8 ? 8 : 4;
	const uint8_t *seg;
	uint64_t end, off = 0;

	if (__builtin_add_overflow(ph->p_offset, ph->p_filesz, &end))
		return FAIL(c, "note segment %u at offset 0x%" PRIx64 " wraps past 2^64", idx,
			    ph->p_offset);
	if (end > c->size)
		return FAIL(c, "truncated: note segment %u ends at file offset 0x%" PRIx64
			    " but the file has 0x%zx bytes", idx, end, c->size);
	seg = c->file + ph->p_offset;
	while (ph->p_filesz - off >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;
		uint64_t name_off, desc_off, desc_end;
		const uint8_t *name, *desc;

		memcpy(&nh, seg + off, sizeof(nh));
		name_off = off + sizeof(nh);
		/* The name lies before the descriptor, so the descriptor's end bounds both. */
		if (__builtin_add_overflow(name_off, align_up(nh.n_namesz, align), &desc_off) ||
		    __builtin_add_overflow(desc_off, (uint64_t)nh.n_descsz, &desc_end) ||
		    desc_end > ph->p_filesz)
			return FAIL(c, "note at offset 0x%" PRIx64 " of segment %u: its name (%u bytes)"
				    " and descriptor (%u bytes) run past the segment's 0x%" PRIx64 " bytes",
				    off, idx, nh.n_namesz, nh.n_descsz, ph->p_filesz);
		name = seg + name_off;
		desc = seg + desc_off;
		if (nh.n_type == XEN_ELFNOTE_PHYS32_ENTRY && nh.n_namesz == sizeof(XEN_ELFNOTE_NAME) &&
		    memcmp(name, XEN_ELFNOTE_NAME, sizeof(XEN_ELFNOTE_NAME)) == 0) {
			if (nh.n_descsz != 4 && nh.n_descsz != 8)
				return FAIL(c, "PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY) has a %u-byte"
					    " descriptor, expected 4 or 8", nh.n_descsz);
			if (!img->has_pvh)
				img->entry = read_le(desc, nh.n_descsz);
			img->has_pvh = true;
		}
		if (nh.n_namesz == sizeof(LINUX_NOTE_NAME) && memcmp(name, LINUX_NOTE_NAME, sizeof(LINUX_NOTE_NAME)) == 0)
			img->linux_note = true;
		/* The last note's padding may be missing; anything after it must be a whole note. */
		off = align_up(desc_end, align);
		if (off > ph->p_filesz)
			break;
	}
	return 0;
}

/* @entry lies inside a loaded executable (PF_X) segment. */
static bool entry_in_exec(const struct elf_image *img, uint64_t entry)
{
	for (unsigned int i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];

		if ((s->flags & PF_X) && entry >= s->paddr && entry - s->paddr < s->memsz)
			return true;
	}
	return false;
}

/* Program header @i of the table at @eh->e_phoff, widened from Elf32_Phdr when the file is ELF32. */
static void read_phdr(const struct elf_check *c, const Elf64_Ehdr *eh, unsigned int i, Elf64_Phdr *ph)
{
	Elf32_Phdr p;

	if (eh->e_ident[EI_CLASS] == ELFCLASS64) {
		memcpy(ph, c->file + eh->e_phoff + (uint64_t)i * sizeof(*ph), sizeof(*ph));
		return;
	}
	memcpy(&p, c->file + eh->e_phoff + (uint64_t)i * sizeof(p), sizeof(p));
	*ph = (Elf64_Phdr){
		.p_type = p.p_type, .p_flags = p.p_flags, .p_offset = p.p_offset, .p_vaddr = p.p_vaddr,
		.p_paddr = p.p_paddr, .p_filesz = p.p_filesz, .p_memsz = p.p_memsz, .p_align = p.p_align,
	};
}

static int parse(const struct elf_check *c, struct elf_image *img)
{
	Elf64_Ehdr eh = { 0 };
	int r = 0;

	memset(img, 0, sizeof(*img));
	r = check_header(c, &eh);
	if (r)
		return r;
	img->file = c->file;
	img->size = c->size;
	img->e_entry = eh.e_entry;
	img->elf_class = eh.e_ident[EI_CLASS] == ELFCLASS32 ? 32 : 64;
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		read_phdr(c, &eh, i, &ph);
		if (ph.p_type == PT_LOAD)
			r = check_load(c, i, &ph, img);
		else if (ph.p_type == PT_NOTE)
			r = check_notes(c, i, &ph, img);
		if (r)
			return r;
	}
	if (img->nsegs == 0)
		return FAIL(c, "no loadable (PT_LOAD) segment");
	return 0;
}

int elf_parse(const struct guest_mem *mem, const uint8_t *file, size_t size, const char *name,
	      struct elf_image *img, char *err, size_t errlen)
{
	const struct elf_check c = {
		.mem = mem, .file = file, .size = size, .name = name, .err = err, .errlen = errlen,
	};

	return parse(&c, img);
}

int elf_parse_any(const struct guest_mem *mem, const uint8_t *file, size_t size, const char *name,
		  struct elf_image *img, char *err, size_t errlen)
{
	const struct elf_check c = {
		.mem = mem, .file = file, .size = size, .name = name, .err = err, .errlen = errlen,
		.allow32 = true,
	};

	return parse(&c, img);
}

int elf_validate(const struct guest_mem *mem, const uint8_t *file, size_t size, const char *name,
		 struct elf_image *img, char *err, size_t errlen)
{
	const struct elf_check c = {
		.mem = mem, .file = file, .size = size, .name = name, .err = err, .errlen = errlen,
	};
	int r = elf_parse(mem, file, size, name, img, err, errlen);

	if (r)
		return r;
	if (!img->has_pvh)
		return FAIL(&c, "no PVH entry point: an ELF kernel booted by PVH carries a \"Xen\" note of"
			    " type XEN_ELFNOTE_PHYS32_ENTRY (18) in a PT_NOTE segment (a Linux vmlinux"
			    " without one boots with --boot-protocol linux)");
	if (img->entry >= 1ull << 32)
		return FAIL(&c, "PVH entry 0x%" PRIx64 " is above 4 GiB (it is a 32-bit entry point)",
			    img->entry);
	if (!entry_in_exec(img, img->entry))
		return FAIL(&c, "PVH entry 0x%" PRIx64 " is not inside a loaded executable (PF_X) segment",
			    img->entry);
	return 0;
}

int elf_validate_linux64(const struct guest_mem *mem, const uint8_t *file, size_t size, const char *name,
			 struct elf_image *img, char *err, size_t errlen)
{
	const struct elf_check c = {
		.mem = mem, .file = file, .size = size, .name = name, .err = err, .errlen = errlen,
	};
	int r = elf_parse(mem, file, size, name, img, err, errlen);

	if (r)
		return r;
	if (!entry_in_exec(img, img->e_entry))
		return FAIL(&c, "entry point 0x%" PRIx64 " is not inside a loaded executable (PF_X) segment"
			    " (the Linux 64-bit boot protocol enters a vmlinux at its ELF entry, a physical"
			    " address)", img->e_entry);
	img->entry = img->e_entry;
	return 0;
}

bool elf_notes(const uint8_t *file, size_t size, bool *pvh, bool *linux_note)
{
	struct elf_image img;

	*pvh = *linux_note = false;
	if (elf_parse(NULL, file, size, "", &img, NULL, 0) < 0)
		return false;
	*pvh = img.has_pvh;
	*linux_note = img.linux_note;
	return true;
}

int elf_load(const struct guest_mem *mem, const struct elf_image *img)
{
	for (unsigned int i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];
		void *hva;
		int r = gmem_translate(mem, s->paddr, s->memsz, &hva);

		if (r)
			return r;
		memcpy(hva, img->file + s->offset, s->filesz);
		memset((uint8_t *)hva + s->filesz, 0, s->memsz - s->filesz);
	}
	return 0;
}

const struct elf_segment *elf_overlaps(const struct elf_image *img, uint64_t gpa, uint64_t len)
{
	for (unsigned int i = 0; i < img->nsegs; i++)
		if (boot_ranges_overlap(gpa, len, img->segs[i].paddr, img->segs[i].memsz))
			return &img->segs[i];
	return NULL;
}
