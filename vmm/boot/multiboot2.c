/* Multiboot 2: the 0xE85250D6 header and its tags (each honoured or refused in one line), the tagged boot information keel hands over, the entry state. */
#include "firmware/multiboot.h"
#include "vcpu/regs.h"
#include "vmm/boot/boot.h"
#include "vmm/boot/mb.h"
#include "vmm/boot/msg.h"

#include <inttypes.h>
#include <string.h>

/* What the header's tags asked for. */
struct mb2_req {
	bool has_addr, has_entry;
	struct mb_addr addr;
	uint32_t entry;
};

/* Information tags keel can give (the framebuffer one only with a display: keel has none). */
static bool can_provide(uint32_t type)
{
	switch (type) {
	case MB2_TAG_END:
	case MB2_TAG_CMDLINE:
	case MB2_TAG_LOADER_NAME:
	case MB2_TAG_MODULE:
	case MB2_TAG_BASIC_MEMINFO:
	case MB2_TAG_MMAP:
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
	case MB2_TAG_LOAD_BASE:
		return true;
	default:
		return false;
	}
}

static const char *info_name(uint32_t type)
{
	switch (type) {
	case MB2_TAG_BOOTDEV:
		return " (BIOS boot device)";
	case MB2_TAG_VBE:
		return " (VBE information)";
	case MB2_TAG_FRAMEBUFFER:
		return " (framebuffer: keel has no display)";
	case MB2_TAG_ELF_SECTIONS:
		return " (ELF section headers)";
	case MB2_TAG_APM:
		return " (APM table)";
	case MB2_TAG_EFI32:
	case MB2_TAG_EFI64:
	case MB2_TAG_EFI_MMAP:
	case MB2_TAG_EFI_BS:
	case MB2_TAG_EFI32_IH:
	case MB2_TAG_EFI64_IH:
		return " (EFI: keel has no EFI)";
	case MB2_TAG_SMBIOS:
		return " (SMBIOS tables)";
	case MB2_TAG_NETWORK:
		return " (network information)";
	default:
		return "";
	}
}

/* The size a tag of @type must have (0: at least 8, any size). */
static uint32_t tag_size(uint16_t type)
{
	switch (type) {
	case MB2_HT_END:
	case MB2_HT_MODULE_ALIGN:
	case MB2_HT_EFI_BS:
		return 8;
	case MB2_HT_ENTRY:
	case MB2_HT_CONSOLE_FLAGS:
	case MB2_HT_ENTRY_EFI32:
	case MB2_HT_ENTRY_EFI64:
		return 12;
	case MB2_HT_FRAMEBUFFER:
		return 20;
	case MB2_HT_ADDRESS:
	case MB2_HT_RELOCATABLE:
		return 24;
	default:
		return 0;
	}
}

/* One header tag at @t (@size bytes, checked): honour it, or refuse it in one line. */
static int one_tag(struct mb_plan *p, struct mb2_req *q, const struct boot_request *req, size_t off,
		   const uint8_t *t, uint16_t type, uint16_t flags, uint32_t size, char *err, size_t errlen)
{
	const char *name = req->kernel_name;
	const bool optional = flags & MB2_HT_OPTIONAL;

	switch (type) {
	case MB2_HT_INFO_REQUEST:
		if ((size - 8) % 4)
			return boot_errf(err, errlen, "%s: Multiboot 2 information request tag at offset 0x%zx: size %u"
					 " is not 8 plus a multiple of 4", name, off, size);
		for (uint32_t i = 8; i < size; i += 4) {
			uint32_t want = le_get32(t + i);

			if (want == MB2_TAG_LOAD_BASE)
				p->want_load_base = true;
			if (!can_provide(want) && !optional)
				return boot_errf(err, errlen, "%s: the Multiboot 2 information request asks for tag type"
						 " %u%s, which keel cannot provide (and the request is not optional)",
						 name, want, info_name(want));
		}
		return 0;
	case MB2_HT_ADDRESS:
		q->has_addr = true;
		q->addr.header_addr = le_get32(t + 8);
		q->addr.load_addr = le_get32(t + 12);
		q->addr.load_end_addr = le_get32(t + 16);
		q->addr.bss_end_addr = le_get32(t + 20);
		return 0;
	case MB2_HT_ENTRY:
		q->has_entry = true;
		q->entry = le_get32(t + 8);
		return 0;
	case MB2_HT_CONSOLE_FLAGS:
		if ((le_get32(t + 8) & MB2_CONSOLE_REQUIRED) && !optional)
			return boot_errf(err, errlen, "%s: the Multiboot 2 console flags tag requires a console described"
					 " in the boot information (EGA text or a framebuffer); keel has neither (its"
					 " console is COM1)", name);
		return 0;
	case MB2_HT_FRAMEBUFFER:
		if (!optional)
			return boot_errf(err, errlen, "%s: the Multiboot 2 framebuffer tag is not optional and keel has no"
					 " display (mark the tag optional to boot without a framebuffer)", name);
		return 0;
	case MB2_HT_MODULE_ALIGN:
		return 0;	/* keel page-aligns modules anyway */
	case MB2_HT_EFI_BS:
	case MB2_HT_ENTRY_EFI32:
	case MB2_HT_ENTRY_EFI64:
		if (!optional)
			return boot_errf(err, errlen, "%s: Multiboot 2 header tag type %u is for EFI, and keel boots"
					 " without EFI", name, type);
		return 0;
	case MB2_HT_RELOCATABLE:
		p->want_load_base = true;	/* keel loads at the linked address and says so in tag 21 */
		return 0;
	default:
		if (!optional)
			return boot_errf(err, errlen, "%s: Multiboot 2 header tag type %u at offset 0x%zx is unknown to"
					 " keel and not optional", name, type, off);
		return 0;
	}
}

/* Walk the tags of the header at @off (@len bytes, inside the file): each checked, then honoured. */
static int walk_tags(struct mb_plan *p, struct mb2_req *q, const struct boot_request *req, size_t off,
		     uint32_t len, char *err, size_t errlen)
{
	const char *name = req->kernel_name;
	const uint8_t *h = req->kernel + off;

	for (uint32_t at = sizeof(struct mb2_header);;) {
		uint16_t type, flags;
		uint32_t size, want;
		int r;

		if (len - at < sizeof(struct mb2_header_tag))
			return boot_errf(err, errlen, "%s: Multiboot 2 header at offset 0x%zx: no end tag within its"
					 " header_length of %u bytes", name, off, len);
		type = (uint16_t)(h[at] | h[at + 1] << 8);
		flags = (uint16_t)(h[at + 2] | h[at + 3] << 8);
		size = le_get32(h + at + 4);
		if (size < sizeof(struct mb2_header_tag) || size > len - at)
			return boot_errf(err, errlen, "%s: Multiboot 2 header tag type %u at offset 0x%zx: size %u %s",
					 name, type, off + at, size,
					 size < 8 ? "is smaller than a tag header (8)" : "runs past header_length");
		want = tag_size(type);
		if (want && size != want)
			return boot_errf(err, errlen, "%s: Multiboot 2 header tag type %u at offset 0x%zx: size %u,"
					 " expected %u", name, type, off + at, size, want);
		if (type == MB2_HT_END)
			return 0;
		r = one_tag(p, q, req, off + at, h + at, type, flags, size, err, errlen);
		if (r)
			return r;
		at += (size + MB2_ALIGN - 1) & ~(MB2_ALIGN - 1);
		if (at > len)
			at = len;
	}
}

static const struct mb_magic mb2_magic = {
	.what = "Multiboot 2", .magic = MB2_HEADER_MAGIC, .window = MB2_SEARCH, .align = MB2_ALIGN, .words = 4,
	.summed = "magic + architecture + header_length",
};

static int mb2_header(struct mb_plan *p, const struct boot_request *req, char *err, size_t errlen)
{
	const char *name = req->kernel_name;
	struct mb2_req q = { 0 };
	uint32_t arch, len;
	size_t off = 0;
	int r = mb_find_header(req, &mb2_magic, &off, err, errlen);

	if (r)
		return r;
	arch = le_get32(req->kernel + off + 4);
	len = le_get32(req->kernel + off + 8);
	if (arch != MB2_ARCH_I386)
		return boot_errf(err, errlen, "%s: Multiboot 2 header at offset 0x%zx is for architecture %u; keel"
				 " boots i386 (0) kernels", name, off, arch);
	if (len < sizeof(struct mb2_header) + sizeof(struct mb2_header_tag))
		return boot_errf(err, errlen, "%s: Multiboot 2 header at offset 0x%zx: header_length %u is too short"
				 " for the header and its end tag (24)", name, off, len);
	if (len > req->kernel_size - off || len > MB2_SEARCH - off)
		return boot_errf(err, errlen, "%s: Multiboot 2 header at offset 0x%zx: header_length %u runs past %s",
				 name, off, len, len > req->kernel_size - off ? "the end of the file"
									      : "the first 32768 bytes");
	r = walk_tags(p, &q, req, off, len, err, errlen);
	if (r)
		return r;
	if (q.has_addr) {
		q.addr.hdr_off = off;
		q.addr.from_start_ok = true;
		r = mb_aout_image(p, req, &q.addr, err, errlen);
		if (r)
			return r;
		if (!q.has_entry)
			return boot_errf(err, errlen, "%s: Multiboot 2 header has an address tag but no entry address"
					 " tag: keel cannot tell where to enter", name);
	} else {
		if (req->kernel_size < 4 || memcmp(req->kernel, "\177ELF", 4) != 0)
			return boot_errf(err, errlen, "%s: not an ELF file, and its Multiboot 2 header has no address"
					 " tag: keel cannot tell where to load it", name);
		r = mb_elf_image(p, req, err, errlen);
		if (r)
			return r;
	}
	if (q.has_entry)
		return mb_check_entry(p, req, q.entry, "the entry address tag's entry_addr", err, errlen);
	return mb_elf_entry(p, req, p->kernel.e_entry, err, errlen);
}

/* Reserve a tag of @type with @size bytes (header included) in the block, 8-byte aligned; 0 when full. */
static uint64_t add_tag(struct mb_block *b, uint32_t type, uint32_t size, const void *body)
{
	const struct mb2_tag t = { .type = type, .size = size };
	uint64_t gpa = mb_place(b, NULL, size, MB2_ALIGN);

	if (gpa) {
		mb_put(b, gpa, &t, sizeof(t));
		if (body && size > sizeof(t))
			mb_put(b, gpa + sizeof(t), body, size - sizeof(t));
	}
	return gpa;
}

/* A string tag (command line, boot loader name): the string's gpa, 0 when full. */
static uint64_t add_string(struct mb_block *b, uint32_t type, const char *s)
{
	uint64_t at = add_tag(b, type, (uint32_t)(sizeof(struct mb2_tag) + strlen(s) + 1), s);

	return at ? at + sizeof(struct mb2_tag) : 0;
}

static bool add_module(struct mb_block *b, uint64_t gpa, const struct boot_module *m)
{
	const char *s = m->name ? m->name : "";
	const uint32_t size = (uint32_t)(sizeof(struct mb2_tag_module) + strlen(s) + 1);
	const uint32_t range[2] = { (uint32_t)gpa, (uint32_t)(gpa + m->size) };
	uint64_t at = add_tag(b, MB2_TAG_MODULE, size, NULL);

	if (at) {
		mb_put(b, at + sizeof(struct mb2_tag), range, sizeof(range));
		mb_put(b, at + sizeof(struct mb2_tag_module), s, strlen(s) + 1);
	}
	return at != 0;
}

static bool add_mmap(struct mb_block *b, const struct mb_plan *p)
{
	const uint32_t head[2] = { sizeof(struct mb2_mmap_entry), 0 };
	uint64_t at = add_tag(b, MB2_TAG_MMAP, (uint32_t)(sizeof(struct mb2_tag_mmap) +
							   p->nmap * sizeof(struct mb2_mmap_entry)), NULL);

	if (!at)
		return false;
	mb_put(b, at + sizeof(struct mb2_tag), head, sizeof(head));
	for (unsigned int i = 0; i < p->nmap; i++) {
		const struct mb2_mmap_entry e = { .base_addr = p->map[i].addr, .length = p->map[i].size,
						  .type = p->map[i].type };

		mb_put(b, at + sizeof(struct mb2_tag_mmap) + i * sizeof(e), &e, sizeof(e));
	}
	return true;
}

static int mb2_info(struct mb_plan *p, const struct boot_request *req, char *err, size_t errlen)
{
	char cmdline[KEEL_CMDLINE_MAX + 4096];
	const uint32_t mem[2] = { p->mem_lower, p->mem_upper };
	const uint32_t base = (uint32_t)p->kernel.start;
	struct mb2_info_header head = { 0 };
	unsigned int rev = 0;
	size_t rsdp_len = 0;
	const uint8_t *rsdp = mb_rsdp(p, &rsdp_len, &rev);
	uint64_t at;
	bool ok;

	p->info.used = 0;
	at = mb_place(&p->info, NULL, sizeof(head), MB2_ALIGN);
	mb_cmdline(req, cmdline, sizeof(cmdline));
	p->cmdline_gpa = at ? add_string(&p->info, MB2_TAG_CMDLINE, cmdline) : 0;
	ok = p->cmdline_gpa && add_string(&p->info, MB2_TAG_LOADER_NAME, "keel " KEEL_VERSION);
	for (unsigned int i = 0; ok && i < req->nmodules; i++)
		ok = add_module(&p->info, p->mod_gpa[i], &req->modules[i]);
	ok = ok && add_tag(&p->info, MB2_TAG_BASIC_MEMINFO, sizeof(struct mb2_tag_meminfo), mem) && add_mmap(&p->info, p);
	if (ok && rsdp)
		ok = add_tag(&p->info, MB2_TAG_ACPI_OLD, sizeof(struct mb2_tag) + MB_ACPI_RSDP_V1_LEN, rsdp);
	if (ok && rsdp && rev >= 2)
		ok = add_tag(&p->info, MB2_TAG_ACPI_NEW, (uint32_t)(sizeof(struct mb2_tag) + rsdp_len), rsdp);
	if (ok && p->want_load_base)
		ok = add_tag(&p->info, MB2_TAG_LOAD_BASE, sizeof(struct mb2_tag_load_base), &base);
	ok = ok && add_tag(&p->info, MB2_TAG_END, sizeof(struct mb2_tag), NULL);
	if (!ok)
		return mb_info_full("Multiboot 2", err, errlen);
	head.total_size = (uint32_t)(p->info.used - (at - KEEL_BOOT_INFO_GPA));
	mb_put(&p->info, at, &head, sizeof(head));
	p->info_gpa = at;
	return 0;
}

static const struct mb_version mb2 = {
	.what = "Multiboot 2",
	.header = mb2_header,
	.info = mb2_info,
};

static bool mb2_probe(const struct boot_request *req)
{
	return mb_probe(req, &mb2_magic);
}

static int mb2_check(const struct guest_mem *mem, const struct boot_request *req, char *err, size_t errlen)
{
	return mb_check(&mb2, mem, req, err, errlen);
}

static int mb2_load(struct guest_mem *mem, const struct boot_request *req, struct boot_result *res, char *err,
		    size_t errlen)
{
	return mb_load(&mb2, mem, req, res, err, errlen);
}

static int mb2_set_regs(int vcpu_fd, const struct boot_result *res)
{
	return regs_setup_multiboot(vcpu_fd, res->entry, MB2_BOOT_MAGIC, res->start_info_gpa);
}

const struct boot_protocol boot_multiboot2 = {
	.name = "multiboot2",
	.probe = mb2_probe,
	.check = mb2_check,
	.load = mb2_load,
	.set_regs = mb2_set_regs,
};
