/* Multiboot 1 and 2 alike: the image (ELF or address fields) checked against the file and keel's RAM, modules after the kernel, then everything written in one pass. */
#include "vmm/boot/mb.h"

#include "firmware/multiboot.h"
#include "vmm/boot/msg.h"
#include "vmm/log.h"

#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 0x1000ull
#define FOUR_GIB 0x100000000ull

/* The sum of the @n little-endian 32-bit words at @p. */
static uint32_t mb_sum(const uint8_t *p, unsigned int n)
{
	uint32_t s = 0;

	for (unsigned int i = 0; i < n; i++)
		s += le_get32(p + 4 * i);
	return s;
}

long mb_find(const uint8_t *file, size_t size, uint32_t magic, size_t window, size_t align, size_t from)
{
	size_t end = size < window ? size : window;

	if (!file)
		return -1;
	for (size_t off = (from + align - 1) / align * align; off + 4 <= end; off += align)
		if (le_get32(file + off) == magic)
			return (long)off;
	return -1;
}

int mb_find_header(const struct boot_request *req, const struct mb_magic *m, size_t *off, char *err,
		   size_t errlen)
{
	const uint8_t *f = req->kernel;
	long first = -1;

	for (long o = mb_find(f, req->kernel_size, m->magic, m->window, m->align, 0); o >= 0;
	     o = mb_find(f, req->kernel_size, m->magic, m->window, m->align, (size_t)o + m->align)) {
		if ((size_t)o + 4 * m->words > req->kernel_size)
			return boot_errf(err, errlen, "%s: truncated: the %s header at offset 0x%lx needs %u bytes but"
					 " the file ends at 0x%zx", req->kernel_name, m->what, o, 4 * m->words,
					 req->kernel_size);
		if (mb_sum(f + o, m->words) == 0) {
			*off = (size_t)o;
			return 0;
		}
		if (first < 0)
			first = o;
	}
	if (first < 0)
		return boot_errf(err, errlen, "%s: no %s header (magic 0x%08x at a %u-byte boundary in the first %u"
				 " bytes)", req->kernel_name, m->what, m->magic, m->align, m->window);
	return boot_errf(err, errlen, "%s: %s header at offset 0x%lx: bad checksum 0x%08x (%s + checksum is 0x%08x,"
			 " not 0)", req->kernel_name, m->what, first, le_get32(f + first + 4 * (m->words - 1)),
			 m->summed, mb_sum(f + first, m->words));
}

bool mb_probe(const struct boot_request *req, const struct mb_magic *m)
{
	size_t off;
	bool pvh, linux_note;

	if (mb_find(req->kernel, req->kernel_size, m->magic, m->window, m->align, 0) < 0)
		return false;
	if (mb_find_header(req, m, &off, NULL, 0) == 0)
		return true;
	return !(elf_notes(req->kernel, req->kernel_size, &pvh, &linux_note) && pvh);
}

int mb_aout_image(struct mb_plan *p, const struct boot_request *req, const struct mb_addr *a, char *err,
		  size_t errlen)
{
	const char *name = req->kernel_name;
	uint64_t load = a->load_addr, start, filesz, memsz;

	if (a->from_start_ok && a->load_addr == MB2_LOAD_FROM_FILE_START) {
		if (a->header_addr < a->hdr_off)
			return boot_errf(err, errlen, "%s: header_addr 0x%x is below the header's file offset 0x%" PRIx64
					 ": loading from the file's start would begin below address 0", name,
					 a->header_addr, a->hdr_off);
		load = a->header_addr - a->hdr_off;
		start = 0;
	} else {
		if (a->load_addr > a->header_addr)
			return boot_errf(err, errlen, "%s: load_addr 0x%x is above header_addr 0x%x (the loaded part"
					 " must start at or before the header)", name, a->load_addr, a->header_addr);
		if (a->header_addr - a->load_addr > a->hdr_off)
			return boot_errf(err, errlen, "%s: header_addr - load_addr is 0x%x but the header is at file"
					 " offset 0x%" PRIx64 ": loading would start before the file", name,
					 a->header_addr - a->load_addr, a->hdr_off);
		start = a->hdr_off - (a->header_addr - a->load_addr);
	}
	if (a->load_end_addr == 0) {
		filesz = req->kernel_size - start;
	} else {
		if (a->load_end_addr <= load)
			return boot_errf(err, errlen, "%s: load_end_addr 0x%x is not above the load address 0x%" PRIx64,
					 name, a->load_end_addr, load);
		filesz = a->load_end_addr - load;
		if (filesz > req->kernel_size - start)
			return boot_errf(err, errlen, "%s: load_end_addr 0x%x asks for 0x%" PRIx64 " bytes from file"
					 " offset 0x%" PRIx64 " but the file has 0x%zx bytes", name,
					 a->load_end_addr, filesz, start, req->kernel_size);
	}
	if (a->hdr_off - start + 12 > filesz)
		return boot_errf(err, errlen, "%s: the loaded part [0x%" PRIx64 ", 0x%" PRIx64 ") of the file does"
				 " not contain the Multiboot header at 0x%" PRIx64, name, start, start + filesz,
				 a->hdr_off);
	memsz = filesz;
	if (a->bss_end_addr) {
		if (a->bss_end_addr < load + filesz)
			return boot_errf(err, errlen, "%s: bss_end_addr 0x%x is below the end of the loaded part 0x%"
					 PRIx64, name, a->bss_end_addr, load + filesz);
		memsz = a->bss_end_addr - load;
	}
	if (load + memsz > FOUR_GIB)
		return boot_errf(err, errlen, "%s: the image [0x%" PRIx64 ", 0x%" PRIx64 ") runs past 4 GiB", name,
				 load, load + memsz);
	memset(&p->kernel, 0, sizeof(p->kernel));
	p->kernel.file = req->kernel;
	p->kernel.size = req->kernel_size;
	p->kernel.nsegs = 1;
	p->kernel.segs[0] = (struct elf_segment){
		.index = 0, .flags = PF_R | PF_W | PF_X, .paddr = load, .vaddr = load, .memsz = memsz,
		.offset = start, .filesz = filesz,
	};
	p->kernel.start = load;
	p->kernel.end = load + memsz;
	p->aout = true;
	return 0;
}

int mb_elf_image(struct mb_plan *p, const struct boot_request *req, char *err, size_t errlen)
{
	/* no guest memory here: check_ram judges every segment against keel's memory map */
	return elf_parse_any(NULL, req->kernel, req->kernel_size, req->kernel_name, &p->kernel, err, errlen);
}

/* The executable segment whose bytes from the file hold @addr (physical, or by @virt its linked address), or NULL. */
static const struct elf_segment *exec_segment(const struct mb_plan *p, uint64_t addr, bool virt)
{
	for (unsigned int i = 0; i < p->kernel.nsegs; i++) {
		const struct elf_segment *s = &p->kernel.segs[i];
		uint64_t base = virt ? s->vaddr : s->paddr;

		if ((s->flags & PF_X) && addr >= base && addr - base < s->filesz)
			return s;
	}
	return NULL;
}

int mb_elf_entry(struct mb_plan *p, const struct boot_request *req, uint64_t e_entry, char *err, size_t errlen)
{
	const struct elf_segment *s = exec_segment(p, e_entry, false);

	if (s) {
		p->entry = e_entry;
		return 0;
	}
	s = exec_segment(p, e_entry, true);
	if (s) {
		p->entry = s->paddr + (e_entry - s->vaddr);
		return 0;
	}
	return boot_errf(err, errlen, "%s: ELF entry point 0x%" PRIx64 " is outside every executable segment (by"
			 " physical and by virtual address)%s", req->kernel_name, e_entry,
			 p->kernel.elf_class == 64 ? "; a 64-bit ELF gives its 32-bit entry in the Multiboot 2"
						     " entry address tag" : "");
}

int mb_check_entry(struct mb_plan *p, const struct boot_request *req, uint64_t entry, const char *whose, char *err,
		   size_t errlen)
{
	if (exec_segment(p, entry, false)) {
		p->entry = entry;
		return 0;
	}
	return boot_errf(err, errlen, "%s: %s 0x%" PRIx64 " is outside the executable part of the image loaded"
			 " from the file [0x%" PRIx64 ", 0x%" PRIx64 ")", req->kernel_name, whose, entry,
			 p->kernel.start, p->kernel.end);
}

/* [@a, @a + @len) lies inside one RAM entry of keel's memory map. */
static bool in_ram(const struct mb_plan *p, uint64_t a, uint64_t len)
{
	for (unsigned int i = 0; i < p->nmap; i++)
		if (p->map[i].type == PVH_MEMMAP_RAM && a >= p->map[i].addr && len <= p->map[i].size &&
		    a - p->map[i].addr <= p->map[i].size - len)
			return true;
	return false;
}

/* Every loaded piece: below 4 GiB, in RAM, clear of keel's boot information area. */
static int check_ram(const struct mb_plan *p, const struct guest_mem *mem, const struct boot_request *req,
		     char *err, size_t errlen)
{
	for (unsigned int i = 0; i < p->kernel.nsegs; i++) {
		const struct elf_segment *s = &p->kernel.segs[i];
		const char *what = p->aout ? "the image" : "segment";
		char idx[16] = "";

		if (!p->aout)
			snprintf(idx, sizeof(idx), " %u", s->index);
		if (s->paddr >= FOUR_GIB || s->memsz > FOUR_GIB - s->paddr)
			return boot_errf(err, errlen, "%s: %s%s [0x%" PRIx64 ", +0x%" PRIx64 ") is not below 4 GiB"
					 " (Multiboot kernels run with 32-bit physical addresses)", req->kernel_name,
					 what, idx, s->paddr, s->memsz);
		if (!in_ram(p, s->paddr, s->memsz))
			return boot_errf(err, errlen, "%s: %s%s [0x%" PRIx64 ", 0x%" PRIx64 ") is not in the guest's"
					 " RAM (%s; RAM is [0, 0x%llx) and [1 MiB, 0x%" PRIx64 "))", req->kernel_name,
					 what, idx, s->paddr, s->paddr + s->memsz, boot_size(mem->size).s,
					 KEEL_LOW_RAM_END, boot_low_ram_end(mem));
		if (boot_ranges_overlap(s->paddr, s->memsz, KEEL_BOOT_INFO_GPA, KEEL_BOOT_INFO_SIZE))
			return boot_errf(err, errlen, "%s: %s%s [0x%" PRIx64 ", 0x%" PRIx64 ") overlaps keel's boot"
					 " information area [0x%llx, 0x%llx)", req->kernel_name, what, idx, s->paddr,
					 s->paddr + s->memsz, KEEL_BOOT_INFO_GPA, KEEL_BOOT_INFO_GPA + KEEL_BOOT_INFO_SIZE);
	}
	return 0;
}

/* The modules one after another from the first page after the kernel (and at least 1 MiB), page aligned. */
static int place_modules(struct mb_plan *p, const struct boot_request *req, char *err, size_t errlen)
{
	uint64_t at = (p->kernel.end + PAGE - 1) & ~(PAGE - 1);

	if (req->nmodules > BOOT_MODULES_MAX)
		return boot_errf(err, errlen, "%u initrds: keel hands over at most %d modules", req->nmodules,
				 BOOT_MODULES_MAX);
	if (at < KEEL_HIGH_MEM_START)
		at = KEEL_HIGH_MEM_START;
	for (unsigned int i = 0; i < req->nmodules; i++) {
		const struct boot_module *m = &req->modules[i];

		if (m->size == 0)	/* as PVH and Linux refuse it: load could not write it */
			return boot_errf(err, errlen, "%s: empty initrd", m->name ? m->name : "initrd");
		if (!in_ram(p, at, m->size) || elf_overlaps(&p->kernel, at, m->size))
			return boot_errf(err, errlen, "%s: the %s module does not fit in guest RAM at 0x%" PRIx64
					 " (after the kernel and the modules before it); give the guest more --mem",
					 m->name ? m->name : "initrd", boot_size(m->size).s, at);
		p->mod_gpa[i] = at;
		at = (at + m->size + PAGE - 1) & ~(PAGE - 1);
	}
	return 0;
}

/* mem_lower and mem_upper: RAM from 0 up to 640 KiB, RAM from 1 MiB up to the first hole, in KiB. */
static void meminfo(struct mb_plan *p, const struct guest_mem *mem)
{
	uint64_t low = boot_low_ram_end(mem);

	p->mem_lower = (uint32_t)((low < KEEL_LOW_RAM_END ? low : KEEL_LOW_RAM_END) >> 10);
	p->mem_upper = low > KEEL_HIGH_MEM_START ? (uint32_t)((low - KEEL_HIGH_MEM_START) >> 10) : 0;
}

static int plan(const struct mb_version *v, struct mb_plan *p, const struct guest_mem *mem,
		const struct boot_request *req, char *err, size_t errlen)
{
	int n, r;

	if (!req->kernel_name || !req->cmdline || !req->kernel || (req->nmodules && !req->modules))
		return boot_errf(err, errlen, "boot request without a kernel, its name or a command line");
	if (req->ncpus == 0)
		return boot_errf(err, errlen, "no vCPUs to boot");
	n = pvh_memmap(mem, p->map, PVH_MEMMAP_MAX);
	if (n < 0)
		return boot_errf(err, errlen, "the memory map has more than %d entries", PVH_MEMMAP_MAX);
	p->nmap = (unsigned int)n;
	meminfo(p, mem);
	r = pvh_check_cmdline(req->cmdline, err, errlen);
	if (r == 0)
		r = v->header(p, req, err, errlen);
	if (r == 0)
		r = check_ram(p, mem, req, err, errlen);
	if (r == 0)
		r = place_modules(p, req, err, errlen);
	if (r == 0)
		r = boot_acpi_plan(&p->acpi, mem, req, err, errlen);
	if (r == 0)
		r = v->info(p, req, err, errlen);
	return r;
}

static void plan_free(struct mb_plan *p)
{
	if (p)
		boot_acpi_free(&p->acpi);
	free(p);
}

int mb_check(const struct mb_version *v, const struct guest_mem *mem, const struct boot_request *req, char *err,
	     size_t errlen)
{
	struct mb_plan *p = boot_plan_alloc(sizeof(*p), err, errlen);
	int r = p ? plan(v, p, mem, req, err, errlen) : -ENOMEM;

	plan_free(p);
	return r;
}

static int write_all(const struct mb_plan *p, const struct guest_mem *mem, const struct boot_request *req)
{
	int r = elf_load(mem, &p->kernel);

	for (unsigned int i = 0; r == 0 && i < req->nmodules; i++)
		r = gmem_write(mem, p->mod_gpa[i], req->modules[i].data, req->modules[i].size);
	if (r == 0)
		r = boot_acpi_write(&p->acpi, mem);
	if (r == 0)
		r = gmem_write(mem, KEEL_BOOT_INFO_GPA, p->info.bytes, p->info.used);
	return r;
}

int mb_load(const struct mb_version *v, struct guest_mem *mem, const struct boot_request *req,
	    struct boot_result *res, char *err, size_t errlen)
{
	struct mb_plan *p = boot_plan_alloc(sizeof(*p), err, errlen);
	int r = p ? plan(v, p, mem, req, err, errlen) : -ENOMEM;

	if (r == 0) {
		r = write_all(p, mem, req);
		if (r)
			boot_errf(err, errlen, "writing the boot image into guest RAM failed (%s)", strerror(-r));
	}
	if (r == 0) {
		*res = (struct boot_result){
			.entry = p->entry,
			.start_info_gpa = p->info_gpa,
			.kernel_start = p->kernel.start,
			.kernel_end = p->kernel.end,
			.initrd_gpa = req->nmodules ? p->mod_gpa[0] : 0,
			.initrd_size = req->nmodules ? req->modules[0].size : 0,
			.cmdline_gpa = p->cmdline_gpa,
			.acpi_gpa = p->acpi.rsdp_gpa,
		};
		boot_result_map_elf(res, &p->kernel);	/* the address fields' one segment: vaddr = paddr */
		log_debug("boot: %s, kernel [0x%" PRIx64 ", 0x%" PRIx64 ") entry 0x%" PRIx64 ", information at 0x%"
			  PRIx64 ", %u module%s", v->what, res->kernel_start, res->kernel_end, res->entry,
			  res->start_info_gpa, req->nmodules, req->nmodules == 1 ? "" : "s");
	}
	plan_free(p);
	return r;
}

uint64_t mb_place(struct mb_block *b, const void *src, size_t len, size_t align)
{
	size_t at = (b->used + align - 1) & ~(align - 1);

	if (at > sizeof(b->bytes) || len > sizeof(b->bytes) - at)
		return 0;
	if (src)
		memcpy(b->bytes + at, src, len);
	else
		memset(b->bytes + at, 0, len);
	b->used = at + len;
	return KEEL_BOOT_INFO_GPA + at;
}

void mb_put(struct mb_block *b, uint64_t gpa, const void *src, size_t len)
{
	memcpy(b->bytes + (gpa - KEEL_BOOT_INFO_GPA), src, len);
}

void mb_cmdline(const struct boot_request *req, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s%s%s", req->kernel_name, req->cmdline[0] ? " " : "", req->cmdline);
}

const uint8_t *mb_rsdp(const struct mb_plan *p, size_t *len, unsigned int *revision)
{
	const uint8_t *r;
	uint64_t off = p->acpi.rsdp_gpa - KEEL_ACPI_GPA;

	if (!p->acpi.buf || !p->acpi.rsdp_gpa || p->acpi.rsdp_gpa < KEEL_ACPI_GPA || off + 36 > p->acpi.len)
		return NULL;
	r = p->acpi.buf + off;
	*revision = r[15];
	*len = *revision >= 2 ? le_get32(r + 20) : MB_ACPI_RSDP_V1_LEN;
	if (*len < MB_ACPI_RSDP_V1_LEN || off + *len > p->acpi.len)
		return NULL;
	return r;
}

int mb_info_full(const char *what, char *err, size_t errlen)
{
	return boot_errf(err, errlen, "the %s boot information (command line, module strings, memory map) does not"
			 " fit in keel's %s boot area", what, boot_size(KEEL_BOOT_INFO_SIZE).s);
}
