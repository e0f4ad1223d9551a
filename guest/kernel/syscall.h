/* System calls: the dispatcher the syscall entry calls, and the shared state some calls use. */
#ifndef KEEL_GUEST_KERNEL_SYSCALL_H
#define KEEL_GUEST_KERNEL_SYSCALL_H

#include <stdint.h>

#include "guest/arch/x86/frame.h"
#include "guest/kernel/task.h"
#include "guest/user/abi.h"

#define SYSCALL_WRITE_MAX 4096		/* longest write */
#define SYSCALL_SLEEP_MAX_NS 10000000000ull	/* 10 s */

/* Called by entry.S with the syscall's frame: RAX = number, RDI, RSI, RDX, R10, R8, R9 = arguments. */
void syscall_entry_c(struct trap_frame *f);

/* The memory calls (syscall_mem.c). Each sets f->rax. */
void sys_mmap(struct trap_frame *f, struct task *t);
void sys_munmap(struct trap_frame *f, struct task *t);
void sys_shm(struct trap_frame *f, struct task *t);
void sys_map_device(struct trap_frame *f, struct task *t);
/* gpu_bench.c: SYS_GPU_FRAME. */
void sys_gpu_frame(struct trap_frame *f, struct task *t);

/* The kernel counters of SYS_COUNTER_ADD: read, and reset to 0. */
uint64_t syscall_counter(unsigned int key);
void syscall_counter_reset(unsigned int key);

/* The kernel's view of shared page @key (NULL until a task asked for it). */
volatile void *syscall_shm_page(unsigned int key);

/* The same, allocating the page (zeroed) if no task has yet; NULL when out of frames. */
volatile void *syscall_shm_get(unsigned int key);

/* Syscalls handled, and those refused with -ENOSYS. */
extern uint64_t syscall_count, syscall_enosys;

#endif
