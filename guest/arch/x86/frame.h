/* The register frame every entry into the kernel saves (interrupt, exception, syscall), and its offsets for assembly. */
#ifndef KEEL_GUEST_ARCH_X86_FRAME_H
#define KEEL_GUEST_ARCH_X86_FRAME_H

/* Byte offsets in struct trap_frame, for entry.S. */
#define FRAME_RCX 0x60
#define FRAME_RAX 0x70
#define FRAME_VECTOR 0x78
#define FRAME_ERROR 0x80
#define FRAME_RIP 0x88
#define FRAME_CS 0x90
#define FRAME_RFLAGS 0x98
#define FRAME_RSP 0xa0
#define FRAME_SS 0xa8
#define FRAME_SIZE 0xb0

/* The vector field of a frame built by the syscall entry: return with SYSRET when the host allows it. */
#define VEC_SYSCALL 0x100

#define RFLAGS_RESERVED 0x2		/* always 1 */
#define RFLAGS_TF 0x100
#define RFLAGS_IF 0x200
#define RFLAGS_DF 0x400
#define RFLAGS_IOPL3 0x3000
#define RFLAGS_AC 0x40000

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

/*
 * All general registers, lowest address first, then what the CPU pushes. A context switch copies
 * whole frames: each task keeps one, and the scheduler swaps it with the one on the entry stack.
 */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;		/* pushed by the entry stub (0 when the CPU has none) */
	uint64_t rip, cs, rflags, rsp, ss;	/* pushed by the CPU (by the syscall entry for syscalls) */
};

_Static_assert(offsetof(struct trap_frame, rcx) == FRAME_RCX, "FRAME_RCX");
_Static_assert(offsetof(struct trap_frame, rax) == FRAME_RAX, "FRAME_RAX");
_Static_assert(offsetof(struct trap_frame, vector) == FRAME_VECTOR, "FRAME_VECTOR");
_Static_assert(offsetof(struct trap_frame, error_code) == FRAME_ERROR, "FRAME_ERROR");
_Static_assert(offsetof(struct trap_frame, rip) == FRAME_RIP, "FRAME_RIP");
_Static_assert(offsetof(struct trap_frame, cs) == FRAME_CS, "FRAME_CS");
_Static_assert(offsetof(struct trap_frame, rflags) == FRAME_RFLAGS, "FRAME_RFLAGS");
_Static_assert(offsetof(struct trap_frame, rsp) == FRAME_RSP, "FRAME_RSP");
_Static_assert(offsetof(struct trap_frame, ss) == FRAME_SS, "FRAME_SS");
_Static_assert(sizeof(struct trap_frame) == FRAME_SIZE, "FRAME_SIZE");

static inline int frame_from_user(const struct trap_frame *f)
{
	return (f->cs & 3) == 3;
}
#endif

#endif
