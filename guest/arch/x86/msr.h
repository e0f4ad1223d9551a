/* Model-specific register numbers and bits the guest uses (shared by C and assembly). */
#ifndef KEEL_GUEST_ARCH_X86_MSR_H
#define KEEL_GUEST_ARCH_X86_MSR_H

#define MSR_APIC_BASE 0x1b		/* IA32_APIC_BASE */
#define APIC_BASE_BSP (1u << 8)		/* this CPU is the bootstrap processor */
#define APIC_BASE_EXTD (1u << 10)	/* x2APIC mode */
#define APIC_BASE_EN (1u << 11)		/* local APIC enabled */
#define APIC_BASE_ADDR_MASK 0xfffff000ull

#define MSR_TSC_DEADLINE 0x6e0		/* IA32_TSC_DEADLINE */

#define MSR_EFER 0xc0000080
#define EFER_SCE (1u << 0)		/* syscall/sysret enable */
#define EFER_LME (1u << 8)		/* long mode enable */
#define EFER_LMA (1u << 10)		/* long mode active */
#define EFER_NXE (1u << 11)		/* no-execute page bit enable */

#define MSR_STAR 0xc0000081		/* syscall and sysret segment bases */
#define MSR_LSTAR 0xc0000082		/* 64-bit syscall entry */
#define MSR_FMASK 0xc0000084		/* RFLAGS bits cleared on syscall */
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102	/* swapped with GS base by swapgs */

#define MSR_X2APIC_BASE 0x800		/* x2APIC register r (xAPIC offset r << 4) is MSR 0x800 + r */

#endif
