/* Linux's 64-bit boot protocol: a vmlinux (from a bzImage or as given) entered at startup_64 with boot_params, e820, command line, initrd, setup_data and ACPI tables. */
#include "vmm/boot/boot.h"

#include "firmware/linux_boot.h"
#include "firmware/machine.h"
#include "vcpu/regs.h"
#include "vmm/boot/elf.h"
#include "vmm/boot/msg.h"
#include "vmm/boot/pvh.h"
#include "vmm/log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define PAGE_MASK 0xfffull

/*
 * Where things go in low RAM: all below 640 KiB, where Linux looks for nothing of its own before
 * it has copied boot_params and the command line and built its page tables.
 */
#define LINUX_GDT_GPA 0x500ull		/* null, null, __BOOT_CS, __BOOT_DS */
#define LINUX_ZERO_PAGE_GPA 0x7000ull	/* boot_params */
#define LINUX_PML4_GPA 0x9000ull	/* identity map of the low 4 GiB: PML4, PDPT, 4 PDs of 2 MiB pages */
#define LINUX_PDPT_GPA 0xa000ull
#define LINUX_PD_GPA 0xb000ull		/* ... to 0xf000 */
#define LINUX_CMDLINE_GPA 0x20000ull
#define LINUX_SETUP_DATA_GPA (LINUX_CMDLINE_GPA + KEEL_CMDLINE_MAX)
#define LINUX_RNG_SEED_LEN 32u
#define LINUX_VERSION_VMLINUX 0x020fu	/* the protocol keel speaks to a bare vmlinux (2.15) */
#define LINUX_INITRD_MAX_DEFAULT 0x7fffffffull

_Static_assert(LINUX_PD_GPA + 4 * 0x1000 <= LINUX_CMDLINE_GPA, "page tables run into the command line");
_Static_assert(LINUX_SETUP_DATA_GPA + 64 <= KEEL_LOW_RAM_END, "setup_data beyond conventional memory");

/* Everything decided before the first byte goes into guest RAM. */
struct linux_plan {
	struct elf_image kernel;
	struct linux_boot_params bp;
	uint64_t initrd_gpa;
	struct boot_acpi acpi;
	uint8_t seed[sizeof(struct linux_setup_data) + LINUX_RNG_SEED_LEN];
};

/* The setup header keel hands over: the bzImage's own, or one for a bare vmlinux. */
static int plan_header(struct linux_plan *p, const struct boot_request *req, char *err, size_t errlen)
{
	struct linux_setup_header *h = &p->bp.hdr;

	if (req->setup_hdr) {
		size_t n = req->setup_hdr_len;

		if (n > sizeof(*h))
			n = sizeof(*h);	/* fields newer than keel knows stay zero */
		memcpy(h, req->setup_hdr, n);
		if (h->boot_flag != LINUX_BOOT_FLAG || h->header != LINUX_HDRS_MAGIC)
			return boot_errf(err, errlen, "%s: not a bzImage (no \"HdrS\" setup header)",
					 req->kernel_name);
		if (h->version < 0x020c || !(h->xloadflags & LINUX_XLF_KERNEL_64))
			return boot_errf(err, errlen, "%s: boot protocol %u.%02u without the 64-bit entry;"
					 " keel needs 2.12 or later", req->kernel_name, h->version >> 8,
					 h->version & 0xff);
	} else {
		h->boot_flag = LINUX_BOOT_FLAG;
		h->header = LINUX_HDRS_MAGIC;
		h->version = LINUX_VERSION_VMLINUX;
		h->kernel_alignment = 0x1000000;
		h->initrd_addr_max = (uint32_t)LINUX_INITRD_MAX_DEFAULT;
		h->cmdline_size = KEEL_CMDLINE_MAX - 1;
	}
	h->type_of_loader = LINUX_LOADER_UNDEFINED;
	h->loadflags |= LINUX_LOADED_HIGH;
	h->setup_data = 0;
	h->ramdisk_image = h->ramdisk_size = 0;
	if (strlen(req->cmdline) > h->cmdline_size)
		return boot_errf(err, errlen, "command line is %zu bytes; %s takes at most %u",
				 strlen(req->cmdline), req->kernel_name, h->cmdline_size);
	h->cmd_line_ptr = (uint32_t)LINUX_CMDLINE_GPA;
	return 0;
}

/* The --initrd files as Linux gets them: one after another, each padded to 4 bytes, as one initrd. */
static uint64_t initrd_total(const struct boot_request *req)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < req->nmodules; i++)
		n = ((n + 3) & ~3ull) + req->modules[i].size;
	return n;
}

/* The initrd as high as it may go: below initrd_addr_max and the end of low RAM, clear of the kernel. */
static int plan_initrd(struct linux_plan *p, const struct guest_mem *mem, const struct boot_request *req,
		       char *err, size_t errlen)
{
	const char *name = req->nmodules > 1 ? "--initrd files" : req->modules[0].name ? req->modules[0].name : "initrd";
	uint64_t top = boot_low_ram_end(mem), max = p->bp.hdr.initrd_addr_max;
	uint64_t size = initrd_total(req), kend = p->kernel.end, gpa;
	void *hva;

	for (unsigned int i = 0; i < req->nmodules; i++)
		if (req->modules[i].size == 0)
			return boot_errf(err, errlen, "%s: empty initrd",
					 req->modules[i].name ? req->modules[i].name : "initrd");
	if (max == 0)
		max = LINUX_INITRD_MAX_DEFAULT;
	if (top > max + 1)
		top = max + 1;
	if (p->bp.hdr.init_size && p->kernel.start + p->bp.hdr.init_size > kend)
		kend = p->kernel.start + p->bp.hdr.init_size;	/* room the kernel needs while it boots */
	if (size > top || ((top - size) & ~PAGE_MASK) < kend || gmem_translate(mem, (top - size) & ~PAGE_MASK, size, &hva))
		return boot_errf(err, errlen, "%s: %s initrd does not fit in guest RAM between the kernel"
				 " (ends at 0x%" PRIx64 ") and 0x%" PRIx64 "; give the guest more --mem",
				 name, boot_size(size).s, kend, top);
	gpa = (top - size) & ~PAGE_MASK;
	p->initrd_gpa = gpa;
	p->bp.hdr.ramdisk_image = (uint32_t)gpa;
	p->bp.ext_ramdisk_image = (uint32_t)(gpa >> 32);
	p->bp.hdr.ramdisk_size = (uint32_t)size;
	p->bp.ext_ramdisk_size = (uint32_t)(size >> 32);
	return 0;
}

/* The memory map: the same ranges PVH guests get, in e820 form. */
static int plan_e820(struct linux_plan *p, const struct guest_mem *mem, char *err, size_t errlen)
{
	struct hvm_memmap_table_entry map[PVH_MEMMAP_MAX];
	int n = pvh_memmap(mem, map, PVH_MEMMAP_MAX);

	if (n < 0 || n > (int)LINUX_E820_MAX)
		return boot_errf(err, errlen, "guest memory map does not fit in boot_params");
	for (int i = 0; i < n; i++)
		p->bp.e820_table[i] = (struct linux_e820_entry){
			.addr = map[i].addr, .size = map[i].size, .type = map[i].type,
		};
	p->bp.e820_entries = (uint8_t)n;
	return 0;
}

/* setup_data: 32 random bytes for the kernel's RNG before it has any entropy of its own (protocol 2.09+). */
static void plan_seed(struct linux_plan *p)
{
	struct linux_setup_data sd = { .next = 0, .type = LINUX_SETUP_RNG_SEED, .len = LINUX_RNG_SEED_LEN };
	uint8_t *data = p->seed + sizeof(sd);

	if (p->bp.hdr.version < 0x0209 ||
	    getrandom(data, LINUX_RNG_SEED_LEN, GRND_NONBLOCK) != (ssize_t)LINUX_RNG_SEED_LEN)
		return;		/* no seed: the kernel gathers entropy itself, only later */
	memcpy(p->seed, &sd, sizeof(sd));
	p->bp.hdr.setup_data = LINUX_SETUP_DATA_GPA;
}

static int plan(struct linux_plan *p, const struct guest_mem *mem, const struct boot_request *req,
		char *err, size_t errlen)
{
	int r;

	if (!req->kernel_name || !req->cmdline || !req->kernel)
		return boot_errf(err, errlen, "boot request without a kernel, its name or a command line");
	if (req->ncpus == 0)
		return boot_errf(err, errlen, "no vCPUs to boot");
	r = elf_validate_linux64(mem, req->kernel, req->kernel_size, req->kernel_name, &p->kernel, err, errlen);
	if (r)
		return r;
	if (p->kernel.start < KEEL_HIGH_MEM_START)
		return boot_errf(err, errlen, "%s: loads at 0x%" PRIx64 ", below 1 MiB where keel keeps"
				 " boot_params, the command line and page tables", req->kernel_name,
				 p->kernel.start);
	r = pvh_check_cmdline(req->cmdline, err, errlen);
	if (r == 0)
		r = plan_header(p, req, err, errlen);
	if (r == 0 && req->nmodules > BOOT_MODULES_MAX)
		r = boot_errf(err, errlen, "%u initrds: keel hands over at most %d", req->nmodules, BOOT_MODULES_MAX);
	if (r == 0 && req->nmodules)
		r = plan_initrd(p, mem, req, err, errlen);
	if (r == 0)
		r = plan_e820(p, mem, err, errlen);
	if (r == 0)
		r = boot_acpi_plan(&p->acpi, mem, req, err, errlen);
	if (r)
		return r;
	p->bp.acpi_rsdp_addr = p->acpi.rsdp_gpa;
	plan_seed(p);
	return 0;
}

/* Identity-map the low 4 GiB with 2 MiB pages: what the 64-bit entry needs to reach everything keel placed. */
static int write_page_tables(const struct guest_mem *mem)
{
	uint64_t pml4[512] = { 0 }, pdpt[512] = { 0 }, pd[512];
	int r;

	pml4[0] = LINUX_PDPT_GPA | 0x3;			/* present, writable */
	for (uint64_t g = 0; g < 4; g++)
		pdpt[g] = (LINUX_PD_GPA + g * 0x1000) | 0x3;
	r = gmem_write(mem, LINUX_PML4_GPA, pml4, sizeof(pml4));
	if (r == 0)
		r = gmem_write(mem, LINUX_PDPT_GPA, pdpt, sizeof(pdpt));
	for (uint64_t g = 0; g < 4 && r == 0; g++) {
		for (uint64_t i = 0; i < 512; i++)
			pd[i] = ((g << 30) + (i << 21)) | 0x83;	/* present, writable, 2 MiB page */
		r = gmem_write(mem, LINUX_PD_GPA + g * 0x1000, pd, sizeof(pd));
	}
	return r;
}

static int load(const struct linux_plan *p, const struct guest_mem *mem, const struct boot_request *req)
{
	/* null, null, 64-bit code (__BOOT_CS), data (__BOOT_DS) */
	static const uint64_t gdt[4] = { 0, 0, 0x00af9b000000ffffull, 0x00cf93000000ffffull };
	int r = elf_load(mem, &p->kernel);
	uint64_t off = 0;

	for (unsigned int i = 0; r == 0 && i < req->nmodules; i++) {
		static const uint8_t pad[3];
		uint64_t at = (off + 3) & ~3ull;

		if (at > off)	/* zeros between archives */
			r = gmem_write(mem, p->initrd_gpa + off, pad, at - off);
		if (r == 0)
			r = gmem_write(mem, p->initrd_gpa + at, req->modules[i].data, req->modules[i].size);
		off = at + req->modules[i].size;
	}
	if (r == 0)
		r = gmem_write(mem, LINUX_CMDLINE_GPA, req->cmdline, strlen(req->cmdline) + 1);
	if (r == 0 && p->bp.hdr.setup_data)
		r = gmem_write(mem, LINUX_SETUP_DATA_GPA, p->seed, sizeof(p->seed));
	if (r == 0)
		r = boot_acpi_write(&p->acpi, mem);
	if (r == 0)
		r = gmem_write(mem, LINUX_ZERO_PAGE_GPA, &p->bp, sizeof(p->bp));
	if (r == 0)
		r = gmem_write(mem, LINUX_GDT_GPA, gdt, sizeof(gdt));
	if (r == 0)
		r = write_page_tables(mem);
	return r;
}

static int plan_new(const struct guest_mem *mem, const struct boot_request *req, struct linux_plan **out,
		    char *err, size_t errlen)
{
	*out = boot_plan_alloc(sizeof(**out), err, errlen);
	return *out ? plan(*out, mem, req, err, errlen) : -ENOMEM;
}

static void plan_free(struct linux_plan *p)
{
	if (p)
		boot_acpi_free(&p->acpi);
	free(p);
}

static int linux_check(const struct guest_mem *mem, const struct boot_request *req, char *err, size_t errlen)
{
	struct linux_plan *p;
	int r = plan_new(mem, req, &p, err, errlen);

	plan_free(p);
	return r;
}

static int linux_load(struct guest_mem *mem, const struct boot_request *req, struct boot_result *res,
		      char *err, size_t errlen)
{
	struct linux_plan *p;
	int r = plan_new(mem, req, &p, err, errlen);

	if (r == 0) {
		r = load(p, mem, req);
		if (r)
			boot_errf(err, errlen, "writing the boot image into guest RAM failed (%s)", strerror(-r));
	}
	if (r == 0) {
		*res = (struct boot_result){
			.entry = p->kernel.entry,
			.start_info_gpa = LINUX_ZERO_PAGE_GPA,
			.kernel_start = p->kernel.start,
			.kernel_end = p->kernel.end,
			.initrd_gpa = req->nmodules ? p->initrd_gpa : 0,
			.initrd_size = req->nmodules ? initrd_total(req) : 0,
			.acpi_gpa = p->acpi.rsdp_gpa,
			.cmdline_gpa = LINUX_CMDLINE_GPA,
		};
		boot_result_map_elf(res, &p->kernel);
		log_debug("boot: Linux 64-bit protocol %u.%02u, kernel [0x%" PRIx64 ", 0x%" PRIx64 ") entry 0x%"
			  PRIx64 ", boot_params at 0x%llx, initrd at 0x%" PRIx64 " (%" PRIu64 " bytes), RSDP at 0x%"
			  PRIx64, p->bp.hdr.version >> 8, p->bp.hdr.version & 0xff, res->kernel_start,
			  res->kernel_end, res->entry, LINUX_ZERO_PAGE_GPA, res->initrd_gpa, res->initrd_size,
			  res->acpi_gpa);
	}
	plan_free(p);
	return r;
}

/* A bzImage (unpacked by the caller: it left its setup header), or a vmlinux without the PVH note. */
static bool linux_probe(const struct boot_request *req)
{
	bool pvh, linux_note;

	if (req->setup_hdr)
		return true;
	return elf_notes(req->kernel, req->kernel_size, &pvh, &linux_note) && !pvh && linux_note;
}

static int linux_set_regs(int vcpu_fd, const struct boot_result *res)
{
	return regs_setup_linux64(vcpu_fd, res->entry, res->start_info_gpa, LINUX_PML4_GPA, LINUX_GDT_GPA,
				  4 * 8 - 1);
}

const struct boot_protocol boot_linux = {
	.name = "linux",
	.probe = linux_probe,
	.check = linux_check,
	.load = linux_load,
	.set_regs = linux_set_regs,
};
