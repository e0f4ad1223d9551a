/* Paging checks in ring 0: the higher half, W^X, large pages, guard pages, the frame allocator, faults, invlpg. */
#include "guest/kernel/checks.h"

#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/cr.h"
#include "guest/arch/x86/gdt.h"
#include "guest/arch/x86/layout.h"
#include "guest/arch/x86/mmu.h"
#include "guest/arch/x86/msr.h"
#include "guest/arch/x86/probes.h"
#include "guest/arch/x86/traps.h"
#include "guest/kernel/bootinfo.h"
#include "guest/kernel/smp.h"
#include "guest/mm/frame.h"
#include "guest/mm/kmap.h"
#include "guest/mm/paging.h"

#define ALLOC_FRAMES 32
#define DEMAND_PAGES 8
#define ENTRY_STACK_PAGES 4
#define BOOT_STACK_PAGES 4

extern const char _text_start[], _text_end[], _rodata_start[], _rodata_end[], _kernel_end[];
extern pte_t direct_pdpt[512];

static const uint64_t ro_target = 0x0123456789abcdefull;	/* rodata, for the write fault */

static uint64_t addr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* The kernel runs in the top 2 GiB; the kernel's own page tables map nothing in the lower half. */
enum check_status check_paging_higher_half(struct check_ctx *ctx)
{
	const pte_t *pml4 = pt_table(kernel_pml4_pa);
	uint64_t rip, efer = rdmsr(MSR_EFER);
	unsigned int lower = 0;

	__asm__ volatile("lea 0(%%rip), %0" : "=r"(rip));
	for (unsigned int i = 0; i < 256; i++)
		lower += (pml4[i] & PTE_P) != 0;
	if (rip < KERNEL_VIRT_BASE || addr(this_cpu()) < KERNEL_VIRT_BASE)
		return check_fail(ctx, "running at %#lx, data at %p: not in the top 2 GiB", rip, (void *)this_cpu());
	if (virt_to_phys(_text_start) != KERNEL_PHYS_BASE)
		return check_fail(ctx, "the image starts at physical %#lx", virt_to_phys(_text_start));
	if (!(efer & EFER_NXE) || !(read_cr4() & CR4_PAE))
		return check_fail(ctx, "EFER %#lx, CR4 %#lx: want NXE and PAE", efer, read_cr4());
	check_note(ctx, "kernel at %#lx (physical %#llx); lower-half PML4 entries in use: %u", addr(_text_start),
		   (unsigned long long)KERNEL_PHYS_BASE, lower);
	if (lower)
		return check_fail(ctx, "the kernel's tables still map the lower half (the identity map should be gone)");
	return CHECK_PASS;
}

/* Every page of the image has its section's permissions, and the direct map is no-execute throughout. */
enum check_status check_paging_kernel_wx(struct check_ctx *ctx)
{
	unsigned int text = 0, ro = 0, rw = 0, nx_missing = 0;

	for (uint64_t va = addr(_text_start); va < addr(_kernel_end); va += PAGE_SIZE) {
		pte_t pte;
		int level;
		uint64_t perm;
		bool w, x;

		if (!pt_translate(kernel_pml4_pa, va, &pte, &level, &perm))
			return check_fail(ctx, "image page %#lx is not mapped", va);
		w = perm & PTE_W;
		x = !(perm & PTE_NX);
		if (w && x)
			return check_fail(ctx, "image page %#lx is writable and executable", va);
		if (va < addr(_text_end)) {
			if (w || !x)
				return check_fail(ctx, "text page %#lx: writable %d, executable %d", va, w, x);
			text++;
		} else if (va < addr(_rodata_end)) {
			if (w || x)
				return check_fail(ctx, "rodata page %#lx: writable %d, executable %d", va, w, x);
			ro++;
		} else {
			if (!w || x)
				return check_fail(ctx, "data page %#lx: writable %d, executable %d", va, w, x);
			rw++;
		}
	}
	for (unsigned int i = 0; i < 512; i++) {
		const pte_t *pd;

		if (!(direct_pdpt[i] & PTE_P))
			continue;
		pd = pt_table(direct_pdpt[i]);
		for (unsigned int j = 0; j < 512; j++)
			nx_missing += (pd[j] & PTE_P) && !(pd[j] & PTE_NX);
	}
	check_note(ctx, "image: %u text pages (r-x), %u read-only (r--), %u data (rw-)", text, ro, rw);
	if (nx_missing)
		return check_fail(ctx, "%u direct-map pages are executable", nx_missing);
	return CHECK_PASS;
}

/* The direct map uses 2 MiB pages and maps each physical address where phys_to_virt() says. */
enum check_status check_paging_large_pages(struct check_ctx *ctx)
{
	static const uint64_t probes[] = { 0x200000, KERNEL_PHYS_BASE, 0x40000000 };
	uint64_t pa_var = virt_to_phys(&direct_pdpt[0]);

	for (unsigned int i = 0; i < sizeof(probes) / sizeof(probes[0]) + 1; i++) {
		uint64_t pa = i < 3 ? probes[i] : (direct_map_end > (4ull << 30) ? 4ull << 30 : pa_var);
		pte_t pte;
		int level;
		uint64_t perm;

		if (!pt_translate(kernel_pml4_pa, addr(phys_to_virt(pa)), &pte, &level, &perm))
			return check_fail(ctx, "physical %#lx is not in the direct map", pa);
		if (level != 2)
			return check_fail(ctx, "physical %#lx is mapped by a level-%d entry, want 2 MiB (level 2)", pa,
					  level);
		if ((pte & PTE_ADDR & ~(LARGE_PAGE_SIZE - 1)) + (pa & (LARGE_PAGE_SIZE - 1)) != pa)
			return check_fail(ctx, "physical %#lx: the 2 MiB entry points at %#lx", pa, pte & PTE_ADDR);
	}
	/* The same byte through both mappings. */
	if (*(volatile pte_t *)phys_to_virt(pa_var) != direct_pdpt[0])
		return check_fail(ctx, "the direct map's alias of a kernel variable reads differently");
	check_note(ctx, "direct map: %lu MiB of physical space", (unsigned long)(direct_map_end >> 20));
	return CHECK_PASS;
}

/* True when [top - pages, top) is mapped and the page below is not. */
static bool guarded(uint64_t top, unsigned int pages)
{
	pte_t pte;
	int level;
	uint64_t perm;

	return top && pt_translate(kernel_pml4_pa, top - pages * PAGE_SIZE, &pte, &level, &perm) &&
	       !pt_translate(kernel_pml4_pa, top - (pages + 1) * PAGE_SIZE, &pte, &level, &perm);
}

/* Every kernel stack of every CPU has an unmapped guard page right below it. */
enum check_status check_paging_stack_guard(struct check_ctx *ctx)
{
	unsigned int n = 0;

	for (unsigned int k = 0; k < smp_online_count(); k++) {
		const struct cpu *c = &cpus[smp_online_cpu(k)];

		if (!guarded(c->entry_stack_top, ENTRY_STACK_PAGES) || !guarded(c->boot_stack_top, BOOT_STACK_PAGES))
			return check_fail(ctx, "cpu %u: a stack without a guard page", c->index);
		for (int i = 0; i < 3; i++)
			if (!guarded(c->ist_top[i], 1))
				return check_fail(ctx, "cpu %u: IST stack %d without a guard page", c->index, i + 1);
		n += 5;
	}
	check_note(ctx, "%u stacks checked", n);
	return CHECK_PASS;
}

static bool in_ranges(uint64_t pa, const struct phys_range *r, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (pa >= r[i].start && pa + PAGE_SIZE <= r[i].end)
			return true;
	return false;
}

/* Frames come from the described RAM, never from the image or the boot data; they come back when freed. */
enum check_status check_paging_frame_alloc(struct check_ctx *ctx)
{
	extern const char _kernel_phys_start[], _kernel_phys_end[];
	struct phys_range held[BOOTINFO_MAX_HELD];
	unsigned int nheld = bootinfo_held_ranges(held, BOOTINFO_MAX_HELD);
	const struct phys_range *ranges;
	unsigned int nranges = frame_ranges(&ranges);
	uint64_t frames[ALLOC_FRAMES], before = frame_free_count();
	enum check_status st = CHECK_PASS;
	unsigned int got = 0;

	check_note(ctx, "%s: %u ranges, %lu MiB managed, %lu MiB free", frame_source(), nranges,
		   (unsigned long)(frame_total() >> 8), (unsigned long)(before >> 8));
	for (; got < ALLOC_FRAMES; got++) {
		uint64_t pa = frame_alloc();

		if (!pa) {
			st = check_fail(ctx, "out of frames after %u", got);
			break;
		}
		frames[got] = pa;
		if (pa & (PAGE_SIZE - 1) || !in_ranges(pa, ranges, nranges) || !bootinfo_ram_covers(pa, pa + PAGE_SIZE))
			st = check_fail(ctx, "frame %#lx is not page-aligned RAM", pa);
		if (pa < (uint64_t)(uintptr_t)_kernel_phys_end && pa + PAGE_SIZE > (uint64_t)(uintptr_t)_kernel_phys_start)
			st = check_fail(ctx, "frame %#lx is inside the kernel image", pa);
		for (unsigned int h = 0; h < nheld; h++)
			if (pa < held[h].end && pa + PAGE_SIZE > held[h].start)
				st = check_fail(ctx, "frame %#lx holds boot data [%#lx, %#lx)", pa, held[h].start,
						held[h].end);
		for (unsigned int j = 0; j < got; j++)
			if (frames[j] == pa)
				st = check_fail(ctx, "frame %#lx handed out twice", pa);
		*(volatile uint64_t *)phys_to_virt(pa) = pa ^ 0x5a5a5a5a5a5a5a5aull;
	}
	for (unsigned int j = 0; j < got; j++)
		if (*(volatile uint64_t *)phys_to_virt(frames[j]) != (frames[j] ^ 0x5a5a5a5a5a5a5a5aull))
			st = check_fail(ctx, "frame %#lx did not keep what was written", frames[j]);
	for (unsigned int j = 0; j < got; j++)
		frame_free(frames[j]);
	if (frame_free_count() != before)
		st = check_fail(ctx, "%lu frames free before, %lu after freeing them all", before, frame_free_count());
	return st;
}

/* Touching the scratch region's pages maps zeroed frames through the #PF handler, once per page. */
enum check_status check_paging_demand_fault(struct check_ctx *ctx)
{
	uint64_t base = kdemand_base(), f0 = kmap_demand_faults(), free0 = frame_free_count(), f1;
	enum check_status st = CHECK_PASS;
	unsigned int released;

	for (unsigned int i = 0; i < DEMAND_PAGES; i++) {
		volatile uint64_t *p = (volatile uint64_t *)(base + i * PAGE_SIZE + 8 * i);

		if (*p != 0)
			st = check_fail(ctx, "page %u did not read as zero", i);
		*p = 0xd00d0000ull + i;
	}
	f1 = kmap_demand_faults();
	for (unsigned int i = 0; i < DEMAND_PAGES; i++)
		if (*(volatile uint64_t *)(base + i * PAGE_SIZE + 8 * i) != 0xd00d0000ull + i)
			st = check_fail(ctx, "page %u lost what was written", i);
	if (f1 - f0 != DEMAND_PAGES)
		st = check_fail(ctx, "%lu faults for %u first touches", f1 - f0, DEMAND_PAGES);
	if (kmap_demand_faults() != f1)
		st = check_fail(ctx, "touching mapped pages faulted again");
	released = kmap_demand_release();
	if (released != DEMAND_PAGES || frame_free_count() != free0)
		st = check_fail(ctx, "released %u pages; free frames %lu, before %lu", released, frame_free_count(),
				free0);
	check_note(ctx, "%lu demand faults for %u pages at %#lx", f1 - f0, DEMAND_PAGES, base);
	return st;
}

/* Run @probe(@arg, 0) expecting #PF with error @err at @cr2 and RIP @rip (0: rip == cr2). */
static enum check_status expect_pf(struct check_ctx *ctx, void (*probe)(uint64_t, uint64_t), uint64_t arg,
				   uint64_t err, uint64_t cr2, uint64_t rip)
{
	const struct trap_expect *e;

	trap_expect_arm(14, probe_resume);
	probe(arg, 0);
	e = trap_expect_disarm();
	if (e->hits != 1)
		return check_fail(ctx, "no #PF");
	check_note(ctx, "#PF error %#lx at rip %#lx, cr2 %#lx", e->frame.error_code, e->frame.rip, e->cr2);
	if (e->frame.error_code != err || e->cr2 != cr2 || e->frame.rip != (rip ? rip : cr2) ||
	    e->frame.cs != KERNEL_CS)
		return check_fail(ctx, "want error %#lx, cr2 %#lx, rip %#lx, CS %#x", err, cr2, rip ? rip : cr2,
				  KERNEL_CS);
	return CHECK_PASS;
}

static void probe_write2(uint64_t a, uint64_t v)
{
	probe_write(a, v);
}

static void probe_exec2(uint64_t a, uint64_t v)
{
	(void)v;
	probe_exec(a);
}

/* A ring-0 write to a read-only kernel page (CR0.WP): #PF, present + write. */
enum check_status check_paging_write_ro_fault(struct check_ctx *ctx)
{
	enum check_status st = expect_pf(ctx, probe_write2, addr(&ro_target), PF_ERR_P | PF_ERR_W, addr(&ro_target),
					 addr(probe_write_insn));

	if (ro_target != 0x0123456789abcdefull)
		return check_fail(ctx, "the read-only value changed");
	return st;
}

/* A ring-0 jump into a no-execute page: #PF, present + instruction fetch, at the target. */
enum check_status check_paging_nx_fault(struct check_ctx *ctx)
{
	return expect_pf(ctx, probe_exec2, addr(probe_nx_page), PF_ERR_P | PF_ERR_I, addr(probe_nx_page), 0);
}

/* Remap a page to another frame: after invlpg the new frame shows through. */
enum check_status check_paging_remap_invlpg(struct check_ctx *ctx)
{
	uint64_t va = kscratch_page(), a = frame_alloc(), b = frame_alloc(), before, after;
	volatile uint64_t *p = (volatile uint64_t *)va;
	enum check_status st = CHECK_PASS;
	pte_t *e;

	if (!a || !b)
		return check_fail(ctx, "out of frames");
	*(uint64_t *)phys_to_virt(a) = 0xaaaaaaaa;
	*(uint64_t *)phys_to_virt(b) = 0xbbbbbbbb;
	if (pt_map(kernel_pml4_pa, va, a, PTE_W | PTE_NX, NULL))
		return check_fail(ctx, "cannot map the scratch page");
	if (*p != 0xaaaaaaaa)
		st = check_fail(ctx, "the first frame does not show");
	e = pt_entry(kernel_pml4_pa, va, false, NULL);
	*e = b | PTE_P | PTE_W | PTE_NX;
	before = *p;			/* the old translation may still be cached here */
	invlpg(va);
	after = *p;
	check_note(ctx, "before invlpg the page read %#lx (%s), after %#lx", before,
		   before == 0xaaaaaaaa ? "stale TLB entry" : "already the new frame", after);
	if (after != 0xbbbbbbbb)
		st = check_fail(ctx, "after invlpg the page reads %#lx, want the new frame's 0xbbbbbbbb", after);
	pt_unmap(kernel_pml4_pa, va);
	frame_free(a);
	frame_free(b);
	return st;
}
