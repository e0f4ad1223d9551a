/* The boot protocol table, and PVH: validate the kernel, place the initrds and device tree, then write everything into guest RAM. */
#include "vmm/boot/boot.h"

#include "firmware/machine.h"
#include "firmware/pvh.h"
#include "vmm/boot/elf.h"
#include "vmm/boot/fdt.h"
#include "vmm/boot/msg.h"
#include "vmm/boot/pvh.h"
#include "vcpu/regs.h"
#include "vmm/log.h"

#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_MASK 0xfffull

/* Everything decided before the first byte goes into guest RAM. */
struct boot_plan {
	struct elf_image kernel;
	struct pvh_block info;
	void *fdt;			/* built device tree (heap) */
	uint64_t fdt_gpa, fdt_size;
	uint64_t mod_gpa[BOOT_MODULES_MAX];	/* the --initrd files, each below the one before */
	struct boot_acpi acpi;
};

uint64_t boot_low_ram_end(const struct guest_mem *mem)
{
	for (unsigned int i = 0; i < mem->nregions; i++)
		if (mem->regions[i].gpa == 0)
			return mem->regions[i].size;
	return 0;
}

/* Build the device tree and place it at the top of low RAM, page aligned, clear of the kernel. */
static int plan_fdt(struct boot_plan *p, const struct guest_mem *mem,
		    const struct boot_request *req, char *err, size_t errlen)
{
	size_t cap = keel_fdt_size_hint(req->ncpus, strlen(req->cmdline), req->devices ? req->devices->n : 0);
	uint64_t low = boot_low_ram_end(mem);
	const struct elf_segment *s;
	int r;

	p->fdt = calloc(1, cap);
	if (!p->fdt) {
		boot_errf(err, errlen, "out of host memory for a %s device tree", boot_size(cap).s);
		return -ENOMEM;
	}
	r = keel_fdt_build(p->fdt, cap, mem, req->ncpus, req->cmdline, req->devices);
	if (r) {
		boot_errf(err, errlen, "device tree: libfdt could not build it (%s)", strerror(-r));
		return -EIO;	/* the size hint or libfdt is wrong: a keel bug, not bad input */
	}
	p->fdt_size = fdt_totalsize(p->fdt);
	if (low < KEEL_HIGH_MEM_START + p->fdt_size ||
	    ((low - p->fdt_size) & ~PAGE_MASK) < KEEL_HIGH_MEM_START)
		return boot_errf(err, errlen, "device tree (%s) does not fit in guest RAM above 1 MiB",
				 boot_size(p->fdt_size).s);
	p->fdt_gpa = (low - p->fdt_size) & ~PAGE_MASK;
	s = elf_overlaps(&p->kernel, p->fdt_gpa, p->fdt_size);
	if (s)
		return boot_errf(err, errlen, "%s: segment %u [0x%" PRIx64 ", 0x%" PRIx64 ") overlaps the"
				 " device tree keel places at the top of low RAM [0x%" PRIx64 ", 0x%"
				 PRIx64 ")", req->kernel_name, s->index, s->paddr, s->paddr + s->memsz,
				 p->fdt_gpa, p->fdt_gpa + p->fdt_size);
	return 0;
}

/*
 * Place module @i (an --initrd file) right below @top (the device tree, or the module before it),
 * page aligned, above 1 MiB, clear of the kernel; its address into p->mod_gpa[@i].
 */
static int plan_module(struct boot_plan *p, const struct guest_mem *mem, const struct boot_request *req,
		       unsigned int i, uint64_t top, char *err, size_t errlen)
{
	const struct boot_module *m = &req->modules[i];
	const char *name = m->name ? m->name : "initrd";
	uint64_t size = m->size, gpa;
	const struct elf_segment *s;
	void *hva;

	if (size == 0)
		return boot_errf(err, errlen, "%s: empty initrd", name);
	if (top < KEEL_HIGH_MEM_START || size > top - KEEL_HIGH_MEM_START)
		return boot_errf(err, errlen, "%s: %s initrd does not fit in guest RAM below 0x%" PRIx64,
				 name, boot_size(size).s, top);
	gpa = (top - size) & ~PAGE_MASK;
	if (gpa < KEEL_HIGH_MEM_START)
		return boot_errf(err, errlen, "%s: %s initrd does not fit in guest RAM below 0x%" PRIx64,
				 name, boot_size(size).s, top);
	s = elf_overlaps(&p->kernel, gpa, size);
	if (s)
		return boot_errf(err, errlen, "%s: %s initrd at [0x%" PRIx64 ", 0x%" PRIx64 ") would overlap"
				 " kernel segment %u [0x%" PRIx64 ", 0x%" PRIx64 "); give the guest more RAM",
				 name, boot_size(size).s, gpa, gpa + size, s->index, s->paddr,
				 s->paddr + s->memsz);
	if (boot_ranges_overlap(gpa, size, KEEL_BOOT_INFO_GPA, KEEL_BOOT_INFO_SIZE) ||
	    gmem_translate(mem, gpa, size, &hva) != 0)
		return boot_errf(err, errlen, "%s: %s initrd does not fit in guest RAM below 0x%" PRIx64,
				 name, boot_size(size).s, top);
	p->mod_gpa[i] = gpa;
	return 0;
}

/* Every check, in the order a user would want to hear about problems; writes no guest RAM. */
static int plan(struct boot_plan *p, const struct guest_mem *mem, const struct boot_request *req,
		char *err, size_t errlen)
{
	struct pvh_module mods[BOOT_MODULES_MAX + 1];
	unsigned int nmods = 0;
	int r;

	if (!req->kernel_name || !req->cmdline || (!req->kernel && req->kernel_size) ||
	    (req->nmodules && !req->modules))
		return boot_errf(err, errlen, "boot request without a kernel name or command line");
	if (req->ncpus == 0)
		return boot_errf(err, errlen, "no vCPUs to boot");
	r = elf_validate(mem, req->kernel, req->kernel_size, req->kernel_name, &p->kernel, err,
			 errlen);
	if (r)
		return r;
	r = pvh_check_cmdline(req->cmdline, err, errlen);
	if (r)
		return r;
	r = plan_fdt(p, mem, req, err, errlen);
	if (r)
		return r;
	if (req->nmodules > BOOT_MODULES_MAX)
		return boot_errf(err, errlen, "%u initrds: keel hands over at most %d", req->nmodules,
				 BOOT_MODULES_MAX);
	for (unsigned int i = 0; i < req->nmodules; i++) {
		r = plan_module(p, mem, req, i, i ? p->mod_gpa[i - 1] : p->fdt_gpa, err, errlen);
		if (r)
			return r;
	}
	r = boot_acpi_plan(&p->acpi, mem, req, err, errlen);
	if (r)
		return r;
	/*
	 * Linux takes module 0 as its initrd, so module 0 is always the initrd: an empty one (size 0,
	 * which Linux ignores) when there is none, so that the device tree is never taken for it. The
	 * other --initrd files follow; the device tree is the last module (the bundled guest looks
	 * for it there).
	 */
	if (!req->nmodules)
		mods[nmods++] = (struct pvh_module){ .paddr = 0, .size = 0 };
	for (unsigned int i = 0; i < req->nmodules; i++)
		mods[nmods++] = (struct pvh_module){ .paddr = p->mod_gpa[i], .size = req->modules[i].size };
	mods[nmods++] = (struct pvh_module){
		.paddr = p->fdt_gpa, .size = p->fdt_size, .cmdline = KEEL_FDT_MODULE_CMDLINE
	};
	return pvh_build(&p->info, mem, req->cmdline, mods, nmods, p->acpi.rsdp_gpa, err, errlen);
}

static int load(const struct boot_plan *p, const struct guest_mem *mem,
		const struct boot_request *req)
{
	int r = elf_load(mem, &p->kernel);

	for (unsigned int i = 0; r == 0 && i < req->nmodules; i++)
		r = gmem_write(mem, p->mod_gpa[i], req->modules[i].data, req->modules[i].size);
	if (r == 0)
		r = gmem_write(mem, p->fdt_gpa, p->fdt, p->fdt_size);
	if (r == 0)
		r = boot_acpi_write(&p->acpi, mem);
	if (r == 0)
		r = pvh_write(mem, &p->info);
	return r;
}

/* Plan @req against @mem into a new plan in *@out (NULL when out of memory). 0 or a negative errno. */
static int plan_new(const struct guest_mem *mem, const struct boot_request *req, struct boot_plan **out,
		    char *err, size_t errlen)
{
	*out = boot_plan_alloc(sizeof(**out), err, errlen);
	return *out ? plan(*out, mem, req, err, errlen) : -ENOMEM;
}

uint64_t boot_modules_size(const struct boot_request *req)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < req->nmodules; i++)
		n += req->modules[i].size;
	return n;
}

void *boot_plan_alloc(size_t size, char *err, size_t errlen)
{
	void *p = calloc(1, size);

	if (err && errlen)
		err[0] = '\0';
	if (!p)
		boot_errf(err, errlen, "out of host memory preparing the boot image");
	return p;
}

static void plan_free(struct boot_plan *p)
{
	if (p) {
		free(p->fdt);
		boot_acpi_free(&p->acpi);
	}
	free(p);
}

int boot_setup(struct guest_mem *mem, const struct boot_request *req, struct boot_result *res,
	       char *err, size_t errlen)
{
	struct boot_plan *p;
	int r = plan_new(mem, req, &p, err, errlen);

	if (r == 0) {
		r = load(p, mem, req);
		if (r)
			boot_errf(err, errlen, "writing the boot image into guest RAM failed (%s)",
				  strerror(-r));
	}
	if (r == 0) {
		*res = (struct boot_result){
			.entry = p->kernel.entry,
			.start_info_gpa = p->info.start_info_gpa,
			.kernel_start = p->kernel.start,
			.kernel_end = p->kernel.end,
			.initrd_gpa = req->nmodules ? p->mod_gpa[0] : 0,
			.initrd_size = req->nmodules ? req->modules[0].size : 0,
			.fdt_gpa = p->fdt_gpa,
			.fdt_size = p->fdt_size,
			.acpi_gpa = p->acpi.rsdp_gpa,
			.cmdline_gpa = p->info.cmdline_gpa,
		};
		boot_result_map_elf(res, &p->kernel);
		log_debug("boot: kernel [0x%" PRIx64 ", 0x%" PRIx64 ") entry 0x%" PRIx64
			  ", device tree at 0x%" PRIx64 ", initrd at 0x%" PRIx64 " (%" PRIu64 " bytes)",
			  res->kernel_start, res->kernel_end, res->entry, res->fdt_gpa,
			  res->initrd_gpa, res->initrd_size);
	}
	plan_free(p);
	return r;
}

void boot_result_map_elf(struct boot_result *res, const struct elf_image *img)
{
	_Static_assert(BOOT_MAP_MAX >= ELF_MAX_LOAD_SEGMENTS, "a map entry for every segment");
	res->nmap = img->nsegs;
	for (unsigned int i = 0; i < img->nsegs; i++)
		res->map[i] = (struct boot_map_seg){ .vaddr = img->segs[i].vaddr, .paddr = img->segs[i].paddr,
						     .size = img->segs[i].memsz };
}

int boot_check(const struct guest_mem *mem, const struct boot_request *req, char *err, size_t errlen)
{
	struct boot_plan *p;
	int r = plan_new(mem, req, &p, err, errlen);

	plan_free(p);
	return r;
}

/* PVH kernels are ELF files (the PVH note itself is judged by the check, which names what is wrong). */
static bool pvh_probe(const struct boot_request *req)
{
	return req->kernel && req->kernel_size >= SELFMAG && memcmp(req->kernel, ELFMAG, SELFMAG) == 0;
}

static int pvh_set_regs(int vcpu_fd, const struct boot_result *res)
{
	return regs_setup_pvh(vcpu_fd, res->entry, res->start_info_gpa);
}

const struct boot_protocol boot_pvh = {
	.name = "pvh",
	.probe = pvh_probe,
	.check = boot_check,
	.load = boot_setup,
	.set_regs = pvh_set_regs,
};

/* In probe order; the last one claims every image. */
static const struct boot_protocol *const boot_protocols[] = {
	&boot_linux,
	&boot_multiboot2,	/* a kernel with both Multiboot headers gets the richer information */
	&boot_multiboot,
	&boot_pvh,
};

#define NPROTOCOLS (sizeof(boot_protocols) / sizeof(boot_protocols[0]))

const struct boot_protocol *boot_protocol_for(const struct boot_request *req)
{
	for (size_t i = 0; i < NPROTOCOLS; i++)
		if (boot_protocols[i]->probe(req))
			return boot_protocols[i];
	return boot_protocols[NPROTOCOLS - 1];	/* nobody claims it: the last one's check says what is wrong */
}

const struct boot_protocol *boot_protocol_named(const char *name)
{
	for (size_t i = 0; i < NPROTOCOLS; i++)
		if (strcmp(boot_protocols[i]->name, name) == 0)
			return boot_protocols[i];
	return NULL;
}
