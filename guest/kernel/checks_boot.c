/* Checks of the boot hand-over: PVH start info, long mode, command line, memory map. */
#include "guest/kernel/checks.h"

#include <stdint.h>

#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/msr.h"
#include "guest/kernel/bootinfo.h"
#include "guest/kernel/smp.h"

/* Physical extent of the loaded image, .noinit included (guest/arch/x86/kernel.ld). */
extern const char _kernel_phys_start[], _kernel_phys_end[];

enum check_status check_boot_pvh_magic(struct check_ctx *ctx)
{
	const struct hvm_start_info *si = boot_info.si;

	if (!si)
		return check_fail(ctx, "no hvm_start_info with magic %#x at %#llx (%%ebx)", PVH_START_MAGIC,
				  (unsigned long long)boot_info.start_info_pa);
	if (si->version < PVH_START_VERSION)
		return check_fail(ctx, "hvm_start_info version %u, want %u or later", si->version,
				  PVH_START_VERSION);
	return CHECK_PASS;
}

enum check_status check_boot_long_mode(struct check_ctx *ctx)
{
	uint64_t efer = rdmsr(MSR_EFER);

	if (!(efer & EFER_LMA))
		return check_fail(ctx, "EFER is %#llx: LMA clear", (unsigned long long)efer);
	return CHECK_PASS;
}

enum check_status check_boot_cmdline_present(struct check_ctx *ctx)
{
	if (!boot_info.si)
		return check_fail(ctx, "no start info");
	if (!boot_info.cmdline_present)
		return check_fail(ctx, "cmdline_paddr %#llx: no NUL-terminated string of under %u bytes",
				  (unsigned long long)boot_info.si->cmdline_paddr, KEEL_CMDLINE_MAX);
	return CHECK_PASS;
}

enum check_status check_mem_memmap(struct check_ctx *ctx)
{
	uint64_t start = (uint64_t)(uintptr_t)_kernel_phys_start;
	uint64_t end = (uint64_t)(uintptr_t)_kernel_phys_end;

	if (!boot_info.memmap_entries)
		return check_fail(ctx, "no PVH memory map");
	if (!bootinfo_ram_covers(start, end))
		return check_fail(ctx, "no RAM entry covers the kernel image [%#llx, %#llx)",
				  (unsigned long long)start, (unsigned long long)end);
	return CHECK_PASS;
}

enum check_status check_mem_trampoline_page(struct check_ctx *ctx)
{
	if (!smp_trampoline_page_free())
		return check_fail(ctx, "[%#llx, +%#x) is not RAM, or holds boot information",
				  KEEL_AP_TRAMPOLINE_GPA, 0x1000u);
	return CHECK_PASS;
}
