/* Interrupt vector numbers the kernel assigns (exceptions are 0-31). */
#ifndef KEEL_GUEST_ARCH_X86_VECTORS_H
#define KEEL_GUEST_ARCH_X86_VECTORS_H

#define VEC_TIMER 0x20			/* local APIC timer: the scheduler tick, timer checks */
#define VEC_RESCHED 0x21		/* IPI: look at your run queue (new task, kill, wake, quiesce) */
#define VEC_IPI_PING 0x22		/* IPI check: the BSP pings an AP ... */
#define VEC_IPI_PONG 0x23		/* ... which answers the BSP */
#define VEC_UART 0x24			/* COM1 (ISA IRQ 4) through the IOAPIC */
#define VEC_KBD 0x25			/* the i8042 keyboard (ISA IRQ 1) through the IOAPIC */
#define VEC_PIC_BASE 0x30		/* the 8259s, remapped here and masked: 0x30-0x3f */
#define VEC_STRAY_TEST 0x99		/* nothing is assigned here: the stray-vector check uses it */
#define VEC_SPURIOUS 0xff		/* the local APIC's spurious-interrupt vector (SVR) */

#define ISA_IRQ_UART 4
#define ISA_IRQ_KBD 1

#endif
