/* The legacy 8259 pair: moved out of the exception vectors and masked, the I/O APIC does the routing. */
#ifndef KEEL_GUEST_ARCH_X86_PIC_H
#define KEEL_GUEST_ARCH_X86_PIC_H

/* Reinitialise both 8259s at VEC_PIC_BASE and mask every line. */
void pic_disable(void);

#endif
