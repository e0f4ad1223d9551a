/* Multiboot 1: the 0x1BADB002 header (flags, checksum, the a.out kludge's address fields), the multiboot_info keel hands over, the entry state. */
#include "firmware/multiboot.h"
#include "vcpu/regs.h"
#include "vmm/boot/boot.h"
#include "vmm/boot/mb.h"
#include "vmm/boot/msg.h"

#include <inttypes.h>
#include <string.h>

#define MB1_KNOWN_REQUIRED (MB1_HF_PAGE_ALIGN | MB1_HF_MEMINFO | MB1_HF_VIDEO)

static const struct mb_magic mb1_magic = {
	.what = "Multiboot", .magic = MB1_HEADER_MAGIC, .window = MB1_SEARCH, .align = 4, .words = 3,
	.summed = "magic + flags",
};

static int mb1_header(struct mb_plan *p, const struct boot_request *req, char *err, size_t errlen)
{
	const char *name = req->kernel_name;
	size_t off = 0, need = 12;
	uint32_t flags, unknown;
	const uint8_t *h;
	int r = mb_find_header(req, &mb1_magic, &off, err, errlen);

	if (r)
		return r;
	h = req->kernel + off;
	flags = le_get32(h + 4);
	unknown = flags & MB1_HF_REQUIRED_MASK & ~MB1_KNOWN_REQUIRED;
	if (unknown)
		return boot_errf(err, errlen, "%s: Multiboot header flags 0x%08x require features keel does not know"
				 " (bits 0x%04x of the required bits 0-15)", name, flags, unknown);
	if (flags & MB1_HF_VIDEO)
		return boot_errf(err, errlen, "%s: Multiboot header flag 2 requires video mode information, and keel"
				 " has no display", name);
	p->mb1_flags = flags;
	if (flags & MB1_HF_AOUT_KLUDGE)
		need = 32;
	if (off + need > req->kernel_size || off + need > MB1_SEARCH)
		return boot_errf(err, errlen, "%s: truncated: the Multiboot header at offset 0x%zx needs %zu bytes"
				 " (address fields: flag 16) within the file's first %u bytes", name, off, need,
				 MB1_SEARCH);
	if (flags & MB1_HF_AOUT_KLUDGE) {
		const struct mb_addr a = {
			.hdr_off = off, .header_addr = le_get32(h + 12), .load_addr = le_get32(h + 16),
			.load_end_addr = le_get32(h + 20), .bss_end_addr = le_get32(h + 24),
		};

		r = mb_aout_image(p, req, &a, err, errlen);
		return r ? r : mb_check_entry(p, req, le_get32(h + 28), "entry_addr", err, errlen);
	}
	if (req->kernel_size < 4 || memcmp(req->kernel, "\177ELF", 4) != 0)
		return boot_errf(err, errlen, "%s: not an ELF file, and its Multiboot header has no address fields"
				 " (flag 16): keel cannot tell where to load it", name);
	r = mb_elf_image(p, req, err, errlen);
	return r ? r : mb_elf_entry(p, req, p->kernel.e_entry, err, errlen);
}

/* A NUL-terminated @s into the block: its gpa, 0 when full. */
static uint32_t put_string(struct mb_block *b, const char *s)
{
	return (uint32_t)mb_place(b, s, strlen(s) + 1, 1);
}

static int mb1_info(struct mb_plan *p, const struct boot_request *req, char *err, size_t errlen)
{
	struct mb1_info info = { 0 };
	struct mb1_module mods[BOOT_MODULES_MAX];
	char cmdline[KEEL_CMDLINE_MAX + 4096];
	uint64_t info_gpa, mods_gpa = 0, mmap_gpa;
	bool full = false;

	p->info.used = 0;
	info_gpa = mb_place(&p->info, NULL, sizeof(info), 8);
	mmap_gpa = mb_place(&p->info, NULL, p->nmap * sizeof(struct mb1_mmap_entry), 8);
	full = !info_gpa || !mmap_gpa;
	for (unsigned int i = 0; !full && i < p->nmap; i++) {
		const struct mb1_mmap_entry e = {
			.size = sizeof(e) - sizeof(e.size),
			.base_lo = (uint32_t)p->map[i].addr, .base_hi = (uint32_t)(p->map[i].addr >> 32),
			.length_lo = (uint32_t)p->map[i].size, .length_hi = (uint32_t)(p->map[i].size >> 32),
			.type = p->map[i].type,
		};

		mb_put(&p->info, mmap_gpa + i * sizeof(e), &e, sizeof(e));
	}
	if (!full && req->nmodules) {
		mods_gpa = mb_place(&p->info, NULL, req->nmodules * sizeof(mods[0]), 8);
		full = !mods_gpa;
	}
	for (unsigned int i = 0; !full && i < req->nmodules; i++) {
		mods[i] = (struct mb1_module){
			.mod_start = (uint32_t)p->mod_gpa[i],
			.mod_end = (uint32_t)(p->mod_gpa[i] + req->modules[i].size),
			.string = put_string(&p->info, req->modules[i].name ? req->modules[i].name : ""),
		};
		full = !mods[i].string;
	}
	if (!full && req->nmodules)
		mb_put(&p->info, mods_gpa, mods, req->nmodules * sizeof(mods[0]));
	mb_cmdline(req, cmdline, sizeof(cmdline));
	info.flags = MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MODS | MB1_INFO_MMAP | MB1_INFO_LOADER_NAME;
	info.mem_lower = p->mem_lower;
	info.mem_upper = p->mem_upper;
	info.cmdline = full ? 0 : put_string(&p->info, cmdline);
	info.boot_loader_name = full || !info.cmdline ? 0 : put_string(&p->info, "keel " KEEL_VERSION);
	if (full || !info.boot_loader_name)
		return mb_info_full("Multiboot 1", err, errlen);
	info.mods_count = req->nmodules;
	info.mods_addr = (uint32_t)mods_gpa;
	info.mmap_length = (uint32_t)(p->nmap * sizeof(struct mb1_mmap_entry));
	info.mmap_addr = (uint32_t)mmap_gpa;
	mb_put(&p->info, info_gpa, &info, sizeof(info));
	p->info_gpa = info_gpa;
	p->cmdline_gpa = info.cmdline;
	return 0;
}

static const struct mb_version mb1 = {
	.what = "Multiboot 1",
	.header = mb1_header,
	.info = mb1_info,
};

static bool mb1_probe(const struct boot_request *req)
{
	return mb_probe(req, &mb1_magic);
}

static int mb1_check(const struct guest_mem *mem, const struct boot_request *req, char *err, size_t errlen)
{
	return mb_check(&mb1, mem, req, err, errlen);
}

static int mb1_load(struct guest_mem *mem, const struct boot_request *req, struct boot_result *res, char *err,
		    size_t errlen)
{
	return mb_load(&mb1, mem, req, res, err, errlen);
}

static int mb1_set_regs(int vcpu_fd, const struct boot_result *res)
{
	return regs_setup_multiboot(vcpu_fd, res->entry, MB1_BOOT_MAGIC, res->start_info_gpa);
}

const struct boot_protocol boot_multiboot = {
	.name = "multiboot",
	.probe = mb1_probe,
	.check = mb1_check,
	.load = mb1_load,
	.set_regs = mb1_set_regs,
};
