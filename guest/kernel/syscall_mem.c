/* The memory system calls: anonymous mmap and munmap, shared pages, device pages for privileged tasks. */
#include "guest/kernel/syscall.h"

#include "guest/arch/x86/layout.h"
#include "guest/arch/x86/mmu.h"
#include "guest/kernel/errno.h"
#include "guest/lib/spinlock.h"
#include "guest/mm/frame.h"

#define DEVICE_MAP_MAX (64ull << 20)	/* a 4K scanout resource (gpu-bench) */

static struct spinlock shm_lock;
static uint64_t shm_frames[SHM_KEYS];	/* allocated (zeroed) on first use, kept for the whole run */

volatile void *syscall_shm_page(unsigned int key)
{
	uint64_t pa = key < SHM_KEYS ? __atomic_load_n(&shm_frames[key], __ATOMIC_ACQUIRE) : 0;

	return pa ? phys_to_virt(pa) : NULL;
}

static uint64_t shm_frame(unsigned int key)
{
	uint64_t pa;

	spin_lock(&shm_lock);
	if (!shm_frames[key])
		shm_frames[key] = frame_alloc_zeroed();
	pa = shm_frames[key];
	spin_unlock(&shm_lock);
	return pa;
}

volatile void *syscall_shm_get(unsigned int key)
{
	uint64_t pa = key < SHM_KEYS ? shm_frame(key) : 0;

	return pa ? phys_to_virt(pa) : NULL;
}

void sys_mmap(struct trap_frame *f, struct task *t)
{
	uint32_t prot = (f->rsi & PROT_READ ? VMA_READ : 0) | (f->rsi & PROT_WRITE ? VMA_WRITE : 0);

	if (f->rsi & ~(uint64_t)(PROT_READ | PROT_WRITE))
		f->rax = (uint64_t)-EINVAL;
	else
		f->rax = (uint64_t)aspace_mmap(&t->as, f->rdi, prot);
}

void sys_munmap(struct trap_frame *f, struct task *t)
{
	f->rax = (uint64_t)(int64_t)aspace_munmap(&t->as, f->rdi, f->rsi);
}

void sys_shm(struct trap_frame *f, struct task *t)
{
	uint64_t key = f->rdi, va = USER_SHM_BASE + key * PAGE_SIZE, pa;

	if (key >= SHM_KEYS) {
		f->rax = (uint64_t)-EINVAL;
		return;
	}
	for (unsigned int i = 0; i < t->as.nvma; i++)
		if (t->as.vma[i].start == va && t->as.vma[i].kind == VMA_SHARED) {
			f->rax = va;		/* asked before: the same page */
			return;
		}
	pa = shm_frame((unsigned int)key);
	if (!pa) {
		f->rax = (uint64_t)-ENOMEM;
		return;
	}
	if (aspace_add_vma(&t->as, va, va + PAGE_SIZE, VMA_READ | VMA_WRITE, VMA_SHARED) ||
	    aspace_map(&t->as, va, pa, aspace_pte_flags(VMA_READ | VMA_WRITE) | PTE_NOFREE)) {
		f->rax = (uint64_t)-ENOMEM;
		return;
	}
	f->rax = va;
}

/*
 * For benchmark tasks (TASK_CAP_DEVICE): map [phys, phys + len) uncached into the task, in the
 * mmap area. The frames are the device's, never freed.
 */
void sys_map_device(struct trap_frame *f, struct task *t)
{
	uint64_t phys = f->rdi, len = (f->rsi + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	int64_t va;

	if (!(t->caps & TASK_CAP_DEVICE)) {
		f->rax = (uint64_t)-EPERM;
		return;
	}
	if ((phys & (PAGE_SIZE - 1)) || len == 0 || len > DEVICE_MAP_MAX) {
		f->rax = (uint64_t)-EINVAL;
		return;
	}
	va = aspace_mmap(&t->as, len, VMA_READ | VMA_WRITE);
	if (va < 0) {
		f->rax = (uint64_t)va;
		return;
	}
	/* Turn the fresh anonymous region into a shared one and fill it now. */
	for (unsigned int i = 0; i < t->as.nvma; i++)
		if (t->as.vma[i].start == (uint64_t)va)
			t->as.vma[i].kind = VMA_SHARED;
	for (uint64_t off = 0; off < len; off += PAGE_SIZE)
		if (aspace_map(&t->as, (uint64_t)va + off, phys + off,
			       aspace_pte_flags(VMA_READ | VMA_WRITE) | PTE_NOFREE | PTE_UC)) {
			f->rax = (uint64_t)-ENOMEM;
			return;
		}
	f->rax = (uint64_t)va;
}
