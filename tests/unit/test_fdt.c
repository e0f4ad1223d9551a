/* Unit tests of keel's flattened device tree (vmm/boot/fdt.c) and its hand-over as the last PVH module. */
#include <elf.h>
#include <errno.h>
#include <libfdt.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/machine.h"
#include "firmware/pvh.h"
#include "tests/unit/suites.h"
#include "vmm/boot/boot.h"
#include "vmm/boot/fdt.h"
#include "vmm/machine.h"
#include "vmm/vm.h"
#include "vmm/memory.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define BOOTARGS "console=ttyS0 root=/dev/vda keel.test=\"fdt\""

/*
 * Build the tree of the keel machine for @ncpus and @ram bytes into a fresh heap buffer (the
 * caller frees it): its devices are created (without KVM) and describe themselves, as in vm_create.
 */
static void *build(uint64_t ram, unsigned int ncpus, const char *bootargs)
{
	struct vm_config cfg = { .cmdline = "", .mem_size = ram, .ncpus = ncpus };
	struct dev_descs devs = { 0 };
	size_t cap = keel_fdt_size_hint(ncpus, strlen(bootargs), DESC_MAX);
	void *fdt = malloc(cap);
	struct vm vm;
	int r;

	ck_assert_ptr_nonnull(fdt);
	ck_assert_int_eq(vm_init(&vm, &cfg), 0);
	ck_assert_int_eq(gmem_init(&vm.plat.mem, ram), 0);
	ck_assert_int_eq(machine_devices_create(&vm), 0);
	ck_assert_int_eq(machine_devices_describe(&vm, &devs), 0);
	r = keel_fdt_build(fdt, cap, &vm.plat.mem, ncpus, bootargs, &devs);
	vm_destroy(&vm);
	ck_assert_int_eq(r, 0);
	ck_assert_int_eq(fdt_check_header(fdt), 0);
	ck_assert_uint_le(fdt_totalsize(fdt), cap);
	return fdt;
}

static int node(const void *fdt, const char *path)
{
	int off = fdt_path_offset(fdt, path);

	ck_assert_msg(off >= 0, "no node %s (%s)", path, fdt_strerror(off));
	return off;
}

static const void *prop(const void *fdt, const char *path, const char *name, int *len)
{
	const void *v = fdt_getprop(fdt, node(fdt, path), name, len);

	ck_assert_msg(v != NULL, "%s has no property %s", path, name);
	return v;
}

static void assert_str(const void *fdt, const char *path, const char *name, const char *want)
{
	int len;
	const char *v = prop(fdt, path, name, &len);

	ck_assert_msg(len == (int)strlen(want) + 1 && memcmp(v, want, (size_t)len) == 0,
		      "%s:%s is \"%.*s\", expected \"%s\"", path, name, len, v, want);
}

static void assert_cells(const void *fdt, const char *path, const char *name, const uint32_t *want,
			 unsigned int n)
{
	int len;
	const uint8_t *v = prop(fdt, path, name, &len);

	ck_assert_msg(len == (int)(n * 4), "%s:%s has %d bytes, expected %u cells", path, name, len, n);
	for (unsigned int i = 0; i < n; i++) {
		fdt32_t be;

		memcpy(&be, v + 4 * i, 4);
		ck_assert_msg(fdt32_to_cpu(be) == want[i], "%s:%s cell %u is 0x%x, expected 0x%x", path,
			      name, i, fdt32_to_cpu(be), want[i]);
	}
}

static void assert_u32(const void *fdt, const char *path, const char *name, uint32_t want)
{
	assert_cells(fdt, path, name, &want, 1);
}

/* /memory@0 reg must be these (address, size) pairs. */
static void assert_memory(const void *fdt, const uint64_t *pairs, unsigned int npairs)
{
	int len;
	const uint8_t *v = prop(fdt, "/memory@0", "reg", &len);

	assert_str(fdt, "/memory@0", "device_type", "memory");
	ck_assert_int_eq(len, (int)(npairs * 16));
	for (unsigned int i = 0; i < 2 * npairs; i++) {
		fdt64_t be;

		memcpy(&be, v + 8 * i, 8);
		ck_assert_uint_eq(fdt64_to_cpu(be), pairs[i]);
	}
}

static unsigned int count_subnodes(const void *fdt, const char *path)
{
	unsigned int n = 0;
	int child;

	fdt_for_each_subnode(child, fdt, node(fdt, path))
		n++;
	return n;
}

START_TEST(tree_contents)
{
	void *fdt = build(5 * GiB, 3, BOOTARGS);
	const uint64_t mem[] = { 0, 0xa0000, 1 * MiB, 3 * GiB - 1 * MiB, 4 * GiB, 2 * GiB };
	const uint32_t serial[] = { 1, 0x3f8, 8 };
	const uint32_t dbg[] = { 1, 0xf4, 1 };
	const uint32_t i8042[] = { 1, 0x60, 1, 1, 0x64, 1 };
	const uint32_t pm[] = { 1, 0x604, 2 };
	const uint32_t fw_cfg[] = { 1, 0x510, 12 };
	int len;
	const char *stdout_path;

	/* / */
	assert_str(fdt, "/", "compatible", "keel,vm");
	assert_str(fdt, "/", "model", "keel");
	assert_u32(fdt, "/", "#address-cells", 2);
	assert_u32(fdt, "/", "#size-cells", 2);

	/* /chosen */
	assert_str(fdt, "/chosen", "bootargs", BOOTARGS);
	assert_str(fdt, "/chosen", "stdout-path", "/isa/serial@i3f8");
	stdout_path = prop(fdt, "/chosen", "stdout-path", &len);
	node(fdt, stdout_path);		/* it names a real node */

	/* /memory@0: the RAM ranges of the PVH memory map (the legacy hole [0xa0000, 1 MiB) is not RAM) */
	assert_memory(fdt, mem, 3);

	/* /cpus */
	assert_u32(fdt, "/cpus", "#address-cells", 1);
	assert_u32(fdt, "/cpus", "#size-cells", 0);
	ck_assert_uint_eq(count_subnodes(fdt, "/cpus"), 3);
	for (unsigned int i = 0; i < 3; i++) {
		char path[32];

		snprintf(path, sizeof(path), "/cpus/cpu@%u", i);
		assert_str(fdt, path, "device_type", "cpu");
		assert_u32(fdt, path, "reg", i);
	}
	ck_assert_int_lt(fdt_path_offset(fdt, "/cpus/cpu@3"), 0);

	/* /isa */
	assert_str(fdt, "/isa", "compatible", "isa");
	assert_u32(fdt, "/isa", "#address-cells", 2);
	assert_u32(fdt, "/isa", "#size-cells", 1);
	ck_assert_uint_eq(count_subnodes(fdt, "/isa"), 5);
	assert_str(fdt, "/isa/serial@i3f8", "compatible", "ns16550a");
	assert_cells(fdt, "/isa/serial@i3f8", "reg", serial, 3);
	assert_u32(fdt, "/isa/serial@i3f8", "interrupts", 4);
	assert_u32(fdt, "/isa/serial@i3f8", "clock-frequency", 1843200);
	assert_str(fdt, "/isa/debug-exit@if4", "compatible", "keel,debug-exit");
	assert_cells(fdt, "/isa/debug-exit@if4", "reg", dbg, 3);
	assert_str(fdt, "/isa/i8042@i60", "compatible", "intel,8042");
	assert_cells(fdt, "/isa/i8042@i60", "reg", i8042, 6);
	assert_str(fdt, "/isa/poweroff@i604", "compatible", "keel,pm1a-control");
	assert_cells(fdt, "/isa/poweroff@i604", "reg", pm, 3);
	assert_str(fdt, "/isa/fw-cfg@i510", "compatible", "qemu,fw-cfg-io");
	assert_cells(fdt, "/isa/fw-cfg@i510", "reg", fw_cfg, 3);

	/* Nothing else at the top level. */
	ck_assert_uint_eq(count_subnodes(fdt, "/"), 4);
	free(fdt);
}
END_TEST

START_TEST(small_ram_skips_legacy_hole)
{
	void *fdt = build(4 * MiB, 1, "");
	const uint64_t mem[] = { 0, 0xa0000, 1 * MiB, 3 * MiB };

	assert_memory(fdt, mem, 2);
	assert_str(fdt, "/chosen", "bootargs", "");
	ck_assert_uint_eq(count_subnodes(fdt, "/cpus"), 1);
	free(fdt);
}
END_TEST

START_TEST(many_cpus_fit_the_size_hint)
{
	void *fdt = build(64 * MiB, 255, BOOTARGS);

	ck_assert_uint_eq(count_subnodes(fdt, "/cpus"), 255);
	assert_u32(fdt, "/cpus/cpu@fe", "reg", 254);	/* unit addresses are hex */
	free(fdt);
}
END_TEST

START_TEST(pci_kinds_have_no_node)
{
	const struct dev_desc host = {
		.name = "pci", .compatible = "keel,pci-host-cf8", .space = DESC_PCI_HOST, .nregs = 2,
		.regs = { { 0xcf8, 8 }, { KEEL_PCI_MMIO_BASE, KEEL_PCI_MMIO_SIZE } }, .irq = -1,
	};
	const struct dev_desc fn = {
		.name = "virtio-rng", .compatible = "keel,pci-function", .space = DESC_PCI, .irq = 16,
		.pci = { .slot = 1, .pin = DESC_PCI_PIN_INTA },
	};
	struct dev_descs devs = { 0 };
	struct guest_mem mem;
	size_t cap = keel_fdt_size_hint(1, 0, DESC_MAX);
	void *fdt = malloc(cap);

	ck_assert_ptr_nonnull(fdt);
	ck_assert_int_eq(gmem_init(&mem, 4 * MiB), 0);
	ck_assert_int_eq(desc_add(&devs, &host), 0);
	ck_assert_int_eq(desc_add(&devs, &fn), 0);
	ck_assert_int_eq(keel_fdt_build(fdt, cap, &mem, 1, "", &devs), 0);
	ck_assert_uint_eq(count_subnodes(fdt, "/"), 4);	/* chosen, memory, cpus, isa */
	ck_assert_uint_eq(count_subnodes(fdt, "/isa"), 0);
	gmem_destroy(&mem);
	free(fdt);
}
END_TEST

START_TEST(build_errors)
{
	struct guest_mem mem;
	char small[64];
	void *buf = malloc(4096);

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(gmem_init(&mem, 4 * MiB), 0);
	ck_assert_int_eq(keel_fdt_build(small, sizeof(small), &mem, 1, "", NULL), -ENOSPC);
	ck_assert_int_eq(keel_fdt_build(buf, 4096, &mem, 0, "", NULL), -EINVAL);
	gmem_destroy(&mem);
	free(buf);
}
END_TEST

/* --- the tree in guest RAM, as the last PVH module ------------------------------------------ */

/* A minimal PVH kernel: one R+X PT_LOAD of 16 bytes at 1 MiB and the Xen entry note. */
struct mini_kernel {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[2];
	Elf64_Nhdr nh;
	char name[4];
	uint32_t entry;
	uint8_t code[16];
};

static void make_mini_kernel(struct mini_kernel *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->eh.e_ident, ELFMAG, SELFMAG);
	k->eh.e_ident[EI_CLASS] = ELFCLASS64;
	k->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	k->eh.e_ident[EI_VERSION] = EV_CURRENT;
	k->eh.e_type = ET_EXEC;
	k->eh.e_machine = EM_X86_64;
	k->eh.e_version = EV_CURRENT;
	k->eh.e_phoff = offsetof(struct mini_kernel, ph);
	k->eh.e_ehsize = sizeof(k->eh);
	k->eh.e_phentsize = sizeof(Elf64_Phdr);
	k->eh.e_phnum = 2;
	k->ph[0] = (Elf64_Phdr){
		.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = offsetof(struct mini_kernel, code),
		.p_paddr = MiB, .p_filesz = sizeof(k->code), .p_memsz = sizeof(k->code),
	};
	k->ph[1] = (Elf64_Phdr){
		.p_type = PT_NOTE, .p_offset = offsetof(struct mini_kernel, nh), .p_align = 4,
		.p_filesz = sizeof(k->nh) + sizeof(k->name) + sizeof(k->entry),
	};
	k->nh = (Elf64_Nhdr){ .n_namesz = 4, .n_descsz = 4, .n_type = XEN_ELFNOTE_PHYS32_ENTRY };
	memcpy(k->name, XEN_ELFNOTE_NAME, 4);
	k->entry = MiB;			/* little-endian host */
	memset(k->code, 0xf4, sizeof(k->code));
}

/* Boot in @ram with 3 vCPUs and, when @initrd_size, an initrd; check the last module is the tree. */
static void check_fdt_module(uint64_t ram, size_t initrd_size)
{
	static uint8_t initrd[8192];
	const struct boot_module mod = { .data = initrd, .size = initrd_size, .name = "initrd" };
	struct mini_kernel k;
	struct boot_request req;
	struct guest_mem mem;
	struct boot_result res;
	struct hvm_start_info si;
	struct hvm_modlist_entry last;
	char err[256] = "", name[16];
	void *fdt;
	int r;

	make_mini_kernel(&k);
	req = (struct boot_request){
		.kernel = (const uint8_t *)&k, .kernel_size = sizeof(k), .kernel_name = "mini",
		.modules = &mod, .nmodules = initrd_size ? 1 : 0, .cmdline = BOOTARGS, .ncpus = 3,
	};
	ck_assert_int_eq(gmem_init(&mem, ram), 0);
	r = boot_setup(&mem, &req, &res, err, sizeof(err));
	ck_assert_msg(r == 0, "boot_setup: %d (%s)", r, err);

	ck_assert_int_eq(gmem_read(&mem, res.start_info_gpa, &si, sizeof(si)), 0);
	ck_assert_uint_eq(si.nr_modules, 2);	/* module 0 is always the initrd (empty without one) */
	ck_assert_int_eq(gmem_read(&mem, si.modlist_paddr + (si.nr_modules - 1) * sizeof(last), &last,
				   sizeof(last)), 0);
	ck_assert_int_eq(gmem_read(&mem, last.cmdline_paddr, name, sizeof(KEEL_FDT_MODULE_CMDLINE)), 0);
	ck_assert_str_eq(name, "keel,fdt");
	ck_assert_uint_eq(last.paddr, res.fdt_gpa);
	ck_assert_uint_eq(last.size, res.fdt_size);
	ck_assert_uint_eq(last.paddr & 0xfff, 0);

	/* The tree in guest RAM is whole and carries the boot's command line, CPUs and RAM. */
	ck_assert_int_eq(gmem_translate(&mem, last.paddr, last.size, &fdt), 0);
	ck_assert_int_eq(fdt_check_header(fdt), 0);
	ck_assert_uint_eq(fdt_totalsize(fdt), last.size);
	assert_str(fdt, "/chosen", "bootargs", BOOTARGS);
	ck_assert_uint_eq(count_subnodes(fdt, "/cpus"), 3);
	if (ram > 3 * GiB) {
		const uint64_t pairs[] = { 0, 0xa0000, 1 * MiB, 3 * GiB - 1 * MiB, 4 * GiB, ram - 3 * GiB };

		assert_memory(fdt, pairs, 3);
	}
	gmem_destroy(&mem);
}

START_TEST(fdt_is_last_module)
{
	check_fdt_module(5 * GiB, 0);
	check_fdt_module(5 * GiB, 5000);
	check_fdt_module(4 * MiB, 8192);
}
END_TEST

Suite *fdt_suite(void)
{
	Suite *s = suite_create("fdt");
	TCase *tc = tcase_create("tree");

	tcase_add_test(tc, tree_contents);
	tcase_add_test(tc, small_ram_skips_legacy_hole);
	tcase_add_test(tc, many_cpus_fit_the_size_hint);
	tcase_add_test(tc, pci_kinds_have_no_node);
	tcase_add_test(tc, build_errors);
	tcase_add_test(tc, fdt_is_last_module);
	suite_add_tcase(s, tc);
	return s;
}
