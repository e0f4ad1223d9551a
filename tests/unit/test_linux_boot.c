/* Unit tests of Linux's 64-bit boot protocol (vmm/boot/linux.c), the host workarounds' pure parts (vcpu/quirks.c, vmm/host_fixes.c). */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "firmware/linux_boot.h"
#include "firmware/machine.h"
#include "firmware/mmio_cmdline.h"
#include "firmware/pvh.h"
#include "tests/unit/elf_fixture.h"
#include "tests/unit/suites.h"
#include "vcpu/quirks.h"
#include "vmm/boot/boot.h"
#include "vmm/host_fixes.h"
#include "vmm/memory.h"

#define ZERO_PAGE 0x7000ull	/* where linux.c puts boot_params */

/* The fixture kernel as a vmlinux: entered at its (physical) ELF entry, with a "Linux" note instead of Xen's. */
static void make_vmlinux(struct kimg *k)
{
	/* namesz 6 ("Linux" and its NUL, padded to 8), descsz 4, type 0x100 (Linux's build salt) */
	static const uint8_t note[24] = { 6, 0, 0, 0, 4, 0, 0, 0, 0, 1, 0, 0, 'L', 'i', 'n', 'u', 'x', 0, 0, 0 };
	Elf64_Ehdr eh;
	Elf64_Phdr ph;

	make_kernel(k);
	eh = get_eh(k);
	eh.e_entry = K_ENTRY;
	put_eh(k, &eh);
	memcpy(k->bytes + K_NOTE_OFF, note, sizeof(note));
	ph = get_ph(k, 1);
	ph.p_filesz = sizeof(note);
	put_ph(k, 1, &ph);
}

/* A bzImage-style setup header for @k: protocol 2.15, 64-bit entry, initrd below @initrd_max. */
static struct linux_setup_header bz_header(uint32_t initrd_max)
{
	struct linux_setup_header h;

	memset(&h, 0, sizeof(h));
	h.setup_sects = 4;
	h.boot_flag = LINUX_BOOT_FLAG;
	h.header = LINUX_HDRS_MAGIC;
	h.version = 0x020f;
	h.xloadflags = LINUX_XLF_KERNEL_64;
	h.initrd_addr_max = initrd_max;
	h.cmdline_size = 2047;
	h.kernel_alignment = 0x200000;
	return h;
}

static void linux_ok(struct guest_mem *mem, uint64_t ram, const struct boot_request *req, struct boot_result *res)
{
	char err[512] = "";
	int r;

	ram_init(mem, ram);
	ck_assert_int_eq(boot_linux.check(mem, req, err, sizeof(err)), 0);
	ck_assert_msg(ram_untouched(mem), "check wrote guest RAM");
	r = boot_linux.load(mem, req, res, err, sizeof(err));
	ck_assert_msg(r == 0, "load failed: %d (%s)", r, err);
}

static void linux_rejected(const struct boot_request *req, uint64_t ram, const char *want)
{
	struct guest_mem mem;
	char err[512] = "";

	ram_init(&mem, ram);
	ck_assert_int_eq(boot_linux.check(&mem, req, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, want), "error \"%s\" does not mention \"%s\"", err, want);
	ck_assert_msg(!strchr(err, '\n'), "error is not one line: %s", err);
	gmem_destroy(&mem);
}

START_TEST(vmlinux_probe_and_choice)
{
	struct kimg pvh, lin;
	struct boot_request req;

	make_kernel(&pvh);
	make_vmlinux(&lin);
	req = request(&pvh);
	ck_assert_ptr_eq(boot_protocol_for(&req), &boot_pvh);	/* the PVH note wins in auto */
	req = request(&lin);
	ck_assert_ptr_eq(boot_protocol_for(&req), &boot_linux);
	req.setup_hdr = (const uint8_t *)"x";			/* any bzImage goes to Linux's protocol */
	req.setup_hdr_len = 1;
	req.kernel = pvh.bytes;
	ck_assert(boot_linux.probe(&req));
}
END_TEST

START_TEST(boot_params_of_a_vmlinux)
{
	struct boot_module mod;
	struct linux_boot_params bp;
	struct boot_request req;
	struct boot_result res;
	struct guest_mem mem;
	uint8_t initrd[5000];
	char cmd[64];
	struct kimg k;

	make_vmlinux(&k);
	memset(initrd, 0xab, sizeof(initrd));
	req = request(&k);
	req.cmdline = "console=ttyS0 root=/dev/vda";
	mod = (struct boot_module){ .data = initrd, .size = sizeof(initrd), .name = "test-initrd" };
	req.modules = &mod;
	req.nmodules = 1;
	linux_ok(&mem, 64 * MiB, &req, &res);
	ck_assert_uint_eq(res.entry, K_ENTRY);
	ck_assert_uint_eq(res.start_info_gpa, ZERO_PAGE);
	read_gpa(&mem, ZERO_PAGE, &bp, sizeof(bp));
	ck_assert_uint_eq(bp.hdr.boot_flag, LINUX_BOOT_FLAG);
	ck_assert_uint_eq(bp.hdr.header, LINUX_HDRS_MAGIC);
	ck_assert_uint_eq(bp.hdr.type_of_loader, LINUX_LOADER_UNDEFINED);
	ck_assert(bp.hdr.loadflags & LINUX_LOADED_HIGH);
	read_gpa(&mem, bp.hdr.cmd_line_ptr, cmd, sizeof(cmd));
	ck_assert_str_eq(cmd, "console=ttyS0 root=/dev/vda");
	/* the initrd: at the top of RAM, page aligned, whole */
	ck_assert_uint_eq(bp.hdr.ramdisk_size, sizeof(initrd));
	ck_assert_uint_eq(bp.hdr.ramdisk_image % 4096, 0);
	ck_assert_uint_le(bp.hdr.ramdisk_image + sizeof(initrd), 64 * MiB);
	ck_assert_uint_gt(bp.hdr.ramdisk_image + sizeof(initrd), 64 * MiB - 4096 - sizeof(initrd));
	ck_assert_uint_eq(res.initrd_gpa, bp.hdr.ramdisk_image);
	/* the e820 map: low RAM, the legacy hole, RAM from 1 MiB */
	ck_assert_uint_eq(bp.e820_entries, 3);
	ck_assert_uint_eq(bp.e820_table[0].addr, 0);
	ck_assert_uint_eq(bp.e820_table[0].size, KEEL_LOW_RAM_END);
	ck_assert_uint_eq(bp.e820_table[0].type, LINUX_E820_RAM);
	ck_assert_uint_eq(bp.e820_table[1].type, LINUX_E820_RESERVED);
	ck_assert_uint_eq(bp.e820_table[2].addr, MiB);
	ck_assert_uint_eq(bp.e820_table[2].size, 63 * MiB);
	/* setup_data: one RNG seed */
	if (bp.hdr.setup_data) {
		struct linux_setup_data sd;

		read_gpa(&mem, bp.hdr.setup_data, &sd, sizeof(sd));
		ck_assert_uint_eq(sd.type, LINUX_SETUP_RNG_SEED);
		ck_assert_uint_eq(sd.len, 32);
		ck_assert_uint_eq(sd.next, 0);
	}
	ck_assert_uint_eq(bp.acpi_rsdp_addr, res.acpi_gpa);
	gmem_destroy(&mem);
}
END_TEST

START_TEST(initrd_below_initrd_addr_max)
{
	struct boot_module mod;
	struct linux_setup_header h = bz_header(0x01ffffff);	/* 32 MiB - 1 */
	struct linux_boot_params bp;
	struct boot_request req;
	struct boot_result res;
	struct guest_mem mem;
	uint8_t initrd[8192] = { 1 };
	struct kimg k;

	make_vmlinux(&k);
	req = request(&k);
	req.setup_hdr = (const uint8_t *)&h;
	req.setup_hdr_len = sizeof(h);
	mod = (struct boot_module){ .data = initrd, .size = sizeof(initrd), .name = "initrd" };
	req.modules = &mod;
	req.nmodules = 1;
	linux_ok(&mem, 64 * MiB, &req, &res);
	read_gpa(&mem, ZERO_PAGE, &bp, sizeof(bp));
	ck_assert_uint_eq(bp.hdr.version, 0x020f);
	ck_assert_uint_le(bp.hdr.ramdisk_image + sizeof(initrd), 0x02000000);
	ck_assert_uint_ge(bp.hdr.ramdisk_image + sizeof(initrd), 0x02000000 - 4096);
	gmem_destroy(&mem);
}
END_TEST

/* Several --initrd files: one initrd, the archives one after another, each padded to 4 bytes with zeros. */
START_TEST(initrds_concatenated)
{
	static const uint8_t a[5] = { 1, 2, 3, 4, 5 }, b[3] = { 6, 7, 8 }, c[4] = { 9, 10, 11, 12 };
	static const uint8_t want[] = { 1, 2, 3, 4, 5, 0, 0, 0, 6, 7, 8, 0, 9, 10, 11, 12 };
	const struct boot_module mods[3] = {
		{ .data = a, .size = sizeof(a), .name = "a" },
		{ .data = b, .size = sizeof(b), .name = "b" },
		{ .data = c, .size = sizeof(c), .name = "c" },
	};
	struct linux_boot_params bp;
	struct boot_request req;
	struct boot_result res;
	struct guest_mem mem;
	uint8_t got[sizeof(want)];
	struct kimg k;

	make_vmlinux(&k);
	req = request(&k);
	req.modules = mods;
	req.nmodules = 3;
	linux_ok(&mem, 64 * MiB, &req, &res);
	read_gpa(&mem, ZERO_PAGE, &bp, sizeof(bp));
	ck_assert_uint_eq(bp.hdr.ramdisk_size, sizeof(want));
	ck_assert_uint_eq(res.initrd_size, sizeof(want));
	read_gpa(&mem, bp.hdr.ramdisk_image, got, sizeof(got));
	ck_assert_int_eq(memcmp(got, want, sizeof(want)), 0);
	gmem_destroy(&mem);
}
END_TEST

START_TEST(bad_linux_requests)
{
	struct boot_module mod;
	struct linux_setup_header h = bz_header(0x7fffffff);
	uint8_t big[4096];
	struct boot_request req;
	struct kimg k;
	char longcmd[300];

	make_vmlinux(&k);
	req = request(&k);
	req.setup_hdr = (const uint8_t *)&h;
	req.setup_hdr_len = sizeof(h);
	h.version = 0x020a;
	linux_rejected(&req, 16 * MiB, "2.12 or later");
	h = bz_header(0x7fffffff);
	h.xloadflags = 0;
	linux_rejected(&req, 16 * MiB, "64-bit entry");
	h = bz_header(0x7fffffff);
	h.cmdline_size = 255;
	memset(longcmd, 'a', sizeof(longcmd) - 1);
	longcmd[sizeof(longcmd) - 1] = '\0';
	req.cmdline = longcmd;
	linux_rejected(&req, 16 * MiB, "at most 255");
	/* an initrd that cannot fit between the kernel and initrd_addr_max */
	h = bz_header(0x00101fff);
	req.cmdline = "";
	mod = (struct boot_module){ .data = big, .size = sizeof(big), .name = "initrd" };
	req.modules = &mod;
	req.nmodules = 1;
	linux_rejected(&req, 16 * MiB, "does not fit");
	/* a kernel beyond RAM */
	{
		Elf64_Phdr ph = get_ph(&k, 0);

		ph.p_paddr = 32 * MiB;
		put_ph(&k, 0, &ph);
		req = request(&k);
		linux_rejected(&req, 16 * MiB, "does not fit in 16 MiB of guest RAM");
		make_vmlinux(&k);
	}
	/* an ELF without an executable segment at e_entry */
	{
		Elf64_Ehdr eh = get_eh(&k);

		eh.e_entry = 0x42;
		put_eh(&k, &eh);
		req = request(&k);
		linux_rejected(&req, 16 * MiB, "entry point");
	}
}
END_TEST

START_TEST(pvh_module0_is_the_initrd)
{
	struct hvm_modlist_entry mods[2];
	struct hvm_start_info si;
	struct boot_request req;
	struct boot_result res;
	struct guest_mem mem;
	struct kimg k;

	make_kernel(&k);
	req = request(&k);
	boot_ok(&mem, 16 * MiB, &req, &res);
	read_gpa(&mem, res.start_info_gpa, &si, sizeof(si));
	ck_assert_uint_eq(si.nr_modules, 2);
	read_gpa(&mem, si.modlist_paddr, mods, sizeof(mods));
	ck_assert_uint_eq(mods[0].size, 0);		/* no initrd: an empty module 0 */
	ck_assert_uint_eq(mods[1].paddr, res.fdt_gpa);	/* never the device tree */
	ck_assert_uint_eq(si.rsdp_paddr, res.acpi_gpa);
	gmem_destroy(&mem);
}
END_TEST

START_TEST(pf_trap_site)
{
	static const uint8_t linux61[] = { 0x90, 0x90, 0x90, 0xfc, 0xe8, 0, 0, 0, 0 };	/* ASM_CLAC as NOPs, cld */
	static const uint8_t patched[] = { 0x0f, 0x1f, 0x00, 0xfc };			/* NOPs optimised */
	static const uint8_t ibt[] = { 0xf3, 0x0f, 0x1e, 0xfa, 0x0f, 0x01, 0xca, 0xfc };	/* endbr64, clac, cld */
	static const uint8_t other[] = { 0x55, 0x48, 0x89, 0xe5 };			/* push %rbp ... */
	static const uint8_t cut[] = { 0x0f, 0x1f };

	ck_assert_int_eq(quirks_pf_trap_site(linux61, sizeof(linux61)), 3);
	ck_assert_int_eq(quirks_pf_trap_site(patched, sizeof(patched)), 3);
	ck_assert_int_eq(quirks_pf_trap_site(ibt, sizeof(ibt)), 7);
	ck_assert_int_eq(quirks_pf_trap_site(other, sizeof(other)), -ENOENT);
	ck_assert_int_eq(quirks_pf_trap_site(cut, sizeof(cut)), -ENOENT);
	ck_assert_int_eq(quirks_pf_trap_site(linux61, 3), -ENOENT);
}
END_TEST

START_TEST(syscall_frame)
{
	const uint64_t lstar = 0xffffffff81a00000ull;
	uint64_t f[6] = { 0x15, lstar, 0x33, 0x246, 0x7ffc0000, 0x2b };

	ck_assert(quirks_syscall_frame(f, lstar));
	f[0] = 0x14;			/* not present: still a user fetch */
	ck_assert(quirks_syscall_frame(f, lstar));
	f[0] = 0x05;			/* a user read, not a fetch */
	ck_assert(!quirks_syscall_frame(f, lstar));
	f[0] = 0x11;			/* a kernel fetch */
	ck_assert(!quirks_syscall_frame(f, lstar));
	f[0] = 0x15;
	f[1] = lstar + 1;		/* elsewhere */
	ck_assert(!quirks_syscall_frame(f, lstar));
	f[1] = lstar;
	f[2] = 0x10;			/* from ring 0 */
	ck_assert(!quirks_syscall_frame(f, lstar));
	f[2] = 0x33;
	ck_assert(!quirks_syscall_frame(f, 0));	/* LSTAR never set */
}
END_TEST

/* host_fixes_cmdline with the parameters keel gives @ncpus vCPUs, as vm.c calls it. */
static int fixes_cmdline(char *cmd, size_t cap, unsigned int flags, bool linux_kernel, unsigned int ncpus, char *err,
			 size_t errlen)
{
	char params[HOST_FIXES_PARAMS_MAX];

	host_fixes_params(ncpus, params, sizeof(params));
	return host_fixes_cmdline(cmd, cap, flags, linux_kernel, params, err, errlen);
}

START_TEST(host_fixes_choice)
{
	char cmd[64] = "console=ttyS0";
	char small[32] = "console=ttyS0 quiet loglevel=3";
	char err[256] = "";
	unsigned int all = QUIRK_CPUID_CX16 | QUIRK_FWAIT | QUIRK_INT3;

	ck_assert_uint_eq(host_fixes_flags(CONFIG_FIXES_AUTO, false, true), 0);
	ck_assert_uint_eq(host_fixes_flags(CONFIG_FIXES_OFF, true, true), 0);
	ck_assert_uint_eq(host_fixes_flags(CONFIG_FIXES_AUTO, true, false), all);
	ck_assert_uint_eq(host_fixes_flags(CONFIG_FIXES_AUTO, true, true), all | QUIRK_SYSCALL);
	ck_assert_uint_eq(host_fixes_flags(CONFIG_FIXES_ON, false, true), all | QUIRK_SYSCALL);

	ck_assert_int_eq(fixes_cmdline(cmd, sizeof(cmd), all, false, 2, err, sizeof(err)), 0);
	ck_assert_str_eq(cmd, "console=ttyS0");			/* not Linux: nothing */
	ck_assert_int_eq(fixes_cmdline(cmd, sizeof(cmd), 0, true, 2, err, sizeof(err)), 0);
	ck_assert_str_eq(cmd, "console=ttyS0");			/* no fixes: nothing */
	ck_assert_int_eq(fixes_cmdline(cmd, sizeof(cmd), all, true, 1, err, sizeof(err)), 0);
	ck_assert_str_eq(cmd, "console=ttyS0 " HOST_FIXES_LINUX_PARAMS);	/* one vCPU: no isolcpus */
	strcpy(cmd, "clearcpuid=1 console=ttyS0");		/* the user's own value wins */
	ck_assert_int_eq(fixes_cmdline(cmd, sizeof(cmd), all, true, 1, err, sizeof(err)), 0);
	ck_assert_str_eq(cmd, "clearcpuid=1 console=ttyS0 noxsave");
	strcpy(cmd, "");
	ck_assert_int_eq(fixes_cmdline(cmd, sizeof(cmd), all, true, 1, err, sizeof(err)), 0);
	ck_assert_str_eq(cmd, HOST_FIXES_LINUX_PARAMS);
	/* more vCPUs: user space on vCPU 0 (isolcpus=1 or 1-N), unless the user said otherwise */
	strcpy(cmd, "console=ttyS0");
	ck_assert_int_eq(fixes_cmdline(cmd, sizeof(cmd), all, true, 2, err, sizeof(err)), 0);
	ck_assert_str_eq(cmd, "console=ttyS0 " HOST_FIXES_LINUX_PARAMS " isolcpus=1");
	strcpy(cmd, "");
	ck_assert_int_eq(fixes_cmdline(cmd, sizeof(cmd), all, true, 4, err, sizeof(err)), 0);
	ck_assert_str_eq(cmd, HOST_FIXES_LINUX_PARAMS " isolcpus=1-3");
	strcpy(cmd, "isolcpus=2");
	ck_assert_int_eq(fixes_cmdline(cmd, sizeof(cmd), all, true, 4, err, sizeof(err)), 0);
	ck_assert_str_eq(cmd, "isolcpus=2 " HOST_FIXES_LINUX_PARAMS);
	ck_assert_int_eq(fixes_cmdline(small, sizeof(small), all, true, 1, err, sizeof(err)), -E2BIG);
	ck_assert_ptr_nonnull(strstr(err, "--host-workarounds off"));
}
END_TEST

START_TEST(host_detection)
{
	const char *why = "x";

	ck_assert(!host_fixes_needed("/nonexistent", &why));
	ck_assert_ptr_null(why);
}
END_TEST

/* acpi=off, and only then, puts every virtio-mmio window on the command line; PCI functions and UARTs never. */
START_TEST(virtio_mmio_on_the_cmdline)
{
	struct dev_descs devs = { 0 };
	char line[160];

	ck_assert(mmio_cmdline_wanted("console=ttyS0 acpi=off"));
	ck_assert(mmio_cmdline_wanted("acpi=off"));
	ck_assert(!mmio_cmdline_wanted("console=ttyS0"));
	ck_assert(!mmio_cmdline_wanted("acpi=offline pci=noacpi"));
	ck_assert(!mmio_cmdline_wanted("xacpi=off"));
	desc_add(&devs, &(struct dev_desc){ .name = "serial", .compatible = "ns16550a", .space = DESC_ISA_IO, .irq = 4 });
	desc_add(&devs, &(struct dev_desc){ .name = "virtio_mmio", .compatible = "virtio,mmio", .space = DESC_MMIO,
					    .nregs = 1, .regs = { { 0xd0000000, 0x1000 } }, .irq = 5 });
	desc_add(&devs, &(struct dev_desc){ .space = DESC_PCI, .irq = 16 });
	desc_add(&devs, &(struct dev_desc){ .name = "virtio_mmio", .compatible = "virtio,mmio", .space = DESC_MMIO,
					    .nregs = 1, .regs = { { 0xd0001000, 0x1000 } }, .irq = 6 });
	strcpy(line, "acpi=off");
	ck_assert_int_eq(mmio_cmdline_append(&devs, line, sizeof(line)), 2);
	ck_assert_str_eq(line, "acpi=off virtio_mmio.device=0x1000@0xd0000000:5 virtio_mmio.device=0x1000@0xd0001000:6");
	/* no room: nothing appended */
	strcpy(line, "acpi=off");
	ck_assert_int_eq(mmio_cmdline_append(&devs, line, 60), -E2BIG);
	ck_assert_str_eq(line, "acpi=off");
	line[0] = '\0';
	ck_assert_int_eq(mmio_cmdline_append(&devs, line, sizeof(line)), 2);
	ck_assert_int_eq(line[0], 'v');
}
END_TEST

Suite *linux_boot_suite(void)
{
	Suite *s = suite_create("linux_boot");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, vmlinux_probe_and_choice);
	tcase_add_test(tc, boot_params_of_a_vmlinux);
	tcase_add_test(tc, initrd_below_initrd_addr_max);
	tcase_add_test(tc, initrds_concatenated);
	tcase_add_test(tc, bad_linux_requests);
	tcase_add_test(tc, pvh_module0_is_the_initrd);
	tcase_add_test(tc, pf_trap_site);
	tcase_add_test(tc, syscall_frame);
	tcase_add_test(tc, host_fixes_choice);
	tcase_add_test(tc, host_detection);
	tcase_add_test(tc, virtio_mmio_on_the_cmdline);
	suite_add_tcase(s, tc);
	return s;
}
