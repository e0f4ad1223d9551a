/* Building the kernel's page tables at boot, and the kernel mappings made later: stacks, trampoline, scratch. */
#include "guest/mm/kmap.h"

#include "guest/arch/x86/cr.h"
#include "guest/arch/x86/layout.h"
#include "guest/arch/x86/mmu.h"
#include "guest/arch/x86/trampoline.h"
#include "guest/lib/spinlock.h"
#include "guest/mm/frame.h"
#include "guest/mm/paging.h"

#define SLOT_DIRECT 256
#define SLOT_KSTACK 384
#define SLOT_KSCRATCH 416
#define SLOT_KERNEL 511
#define PDPT_KERNEL 510			/* KERNEL_VIRT_BASE's entry in its PDPT */
#define TABLE (PTE_P | PTE_W)
#define KDEMAND_BASE KSCRATCH_BASE
#define KSCRATCH_REMAP (KSCRATCH_BASE + LARGE_PAGE_SIZE)

uint64_t direct_map_end = 4ull << 30;	/* boot_pagetables.S maps the low 4 GiB */
uint64_t kernel_pml4_pa;

extern pte_t direct_pdpt[512];
extern const char _text_start[], _text_end[], _rodata_start[], _rodata_end[], _kernel_end[];

static pte_t kernel_pml4[512] __attribute__((aligned(4096)));
static pte_t kernel_hi_pdpt[512] __attribute__((aligned(4096)));
static pte_t kernel_pd[512] __attribute__((aligned(4096)));
static pte_t kernel_pt[1024] __attribute__((aligned(4096)));	/* the image's 4 MiB */

static struct spinlock lock;
static uint64_t stack_next = KSTACK_BASE;
static struct pt_tables tramp_tables;
static uint64_t demand_faults;

static uint64_t pa_of(const void *kernel_va)
{
	return virt_to_phys(kernel_va);
}

/* The image, one 4 KiB page at a time: W^X by section. */
static void map_image(void)
{
	for (uint64_t va = (uint64_t)(uintptr_t)_text_start; va < (uint64_t)(uintptr_t)_kernel_end;
	     va += PAGE_SIZE) {
		uint64_t flags = PTE_P | PTE_NX | PTE_W;

		if (va < (uint64_t)(uintptr_t)_text_end)
			flags = PTE_P;
		else if (va < (uint64_t)(uintptr_t)_rodata_end)
			flags = PTE_P | PTE_NX;
		kernel_pt[(va - KERNEL_VIRT_BASE) >> PAGE_SHIFT] = (va - KERNEL_VIRT_BASE) | flags;
	}
}

/* RAM above 4 GiB joins the direct map in 2 MiB pages (ranges rounded out to 2 MiB). */
static void map_high_ram(void)
{
	const struct phys_range *r;
	unsigned int n = frame_ranges(&r);

	for (unsigned int i = 0; i < n; i++) {
		uint64_t start = r[i].start & ~(LARGE_PAGE_SIZE - 1);
		uint64_t end = (r[i].end + LARGE_PAGE_SIZE - 1) & ~(LARGE_PAGE_SIZE - 1);

		if (end <= direct_map_end || end > DIRECT_MAP_MAX)
			continue;
		if (start < direct_map_end)
			start = direct_map_end;
		for (uint64_t pa = start; pa < end; pa += LARGE_PAGE_SIZE) {
			pte_t *pdpte = &direct_pdpt[pt_index(pa, 3)];
			pte_t *pd;

			if (!(*pdpte & PTE_P)) {
				uint64_t t = frame_alloc_zeroed();

				if (!t)
					return;
				*pdpte = t | TABLE;
			}
			pd = pt_table(*pdpte);
			pd[pt_index(pa, 2)] = pa | PTE_P | PTE_W | PTE_PS | PTE_NX;
		}
		direct_map_end = end;
	}
}

void mmu_init(void)
{
	frame_init();
	kernel_pml4[SLOT_DIRECT] = pa_of(direct_pdpt) | TABLE;
	kernel_pml4[SLOT_KERNEL] = pa_of(kernel_hi_pdpt) | TABLE;
	kernel_hi_pdpt[PDPT_KERNEL] = pa_of(kernel_pd) | TABLE;
	kernel_pd[0] = pa_of(&kernel_pt[0]) | TABLE;
	kernel_pd[1] = pa_of(&kernel_pt[512]) | TABLE;
	map_image();
	kernel_pml4[SLOT_KSTACK] = frame_alloc_zeroed() | TABLE;
	kernel_pml4[SLOT_KSCRATCH] = frame_alloc_zeroed() | TABLE;
	kernel_pml4_pa = pa_of(kernel_pml4);
	write_cr3(kernel_pml4_pa);
	map_high_ram();
	/* The demand region's page table exists from the start: faults there only add leaf entries. */
	pt_leaf_table(kernel_pml4_pa, KDEMAND_BASE, true, NULL);
}

void kmap_share_kernel(uint64_t *pml4)
{
	static const unsigned int slots[] = { SLOT_DIRECT, SLOT_KSTACK, SLOT_KSCRATCH, SLOT_KERNEL };

	for (unsigned int i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
		pml4[slots[i]] = kernel_pml4[slots[i]];
}

uint64_t kstack_alloc(unsigned int pages)
{
	uint64_t slot, top;

	if (pages == 0 || pages >= KSTACK_SLOT / PAGE_SIZE)
		return 0;
	spin_lock(&lock);
	slot = stack_next;
	stack_next += KSTACK_SLOT;
	spin_unlock(&lock);
	top = slot + KSTACK_SLOT;
	for (unsigned int i = 1; i <= pages; i++) {
		uint64_t pa = frame_alloc();

		if (!pa || pt_map(kernel_pml4_pa, top - i * PAGE_SIZE, pa, PTE_W | PTE_NX, NULL))
			return 0;
	}
	return top;
}

void kmap_trampoline(bool on)
{
	if (on) {
		pt_map(kernel_pml4_pa, AP_TRAMPOLINE_BASE, AP_TRAMPOLINE_BASE, 0, &tramp_tables);
		return;
	}
	kernel_pml4[0] = 0;
	write_cr3(kernel_pml4_pa);
	for (unsigned int i = 0; i < tramp_tables.n; i++)
		frame_free(tramp_tables.pa[i]);
	tramp_tables.n = 0;
}

uint64_t kdemand_base(void)
{
	return KDEMAND_BASE;
}

bool kmap_demand_fault(uint64_t va)
{
	uint64_t page = va & ~(PAGE_SIZE - 1), pa;

	if (va < KDEMAND_BASE || va >= KDEMAND_BASE + KDEMAND_PAGES * PAGE_SIZE)
		return false;
	pa = frame_alloc_zeroed();
	if (!pa)
		return false;
	if (pt_map(kernel_pml4_pa, page, pa, PTE_W | PTE_NX, NULL)) {
		frame_free(pa);
		return false;
	}
	demand_faults++;
	return true;
}

unsigned int kmap_demand_release(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < KDEMAND_PAGES; i++) {
		pte_t old = pt_unmap(kernel_pml4_pa, KDEMAND_BASE + i * PAGE_SIZE);

		if (old & PTE_P) {
			frame_free(old & PTE_ADDR);
			n++;
		}
	}
	return n;
}

uint64_t kmap_demand_faults(void)
{
	return demand_faults;
}

uint64_t kscratch_page(void)
{
	return KSCRATCH_REMAP;
}
