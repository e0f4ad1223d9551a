/* Control register bits used when switching to long mode (shared by C and assembly). */
#ifndef KEEL_GUEST_ARCH_X86_CR_H
#define KEEL_GUEST_ARCH_X86_CR_H

#define CR0_PE (1u << 0)		/* protected mode */
#define CR0_WP (1u << 16)		/* write protect in ring 0 */
#define CR0_PG (1u << 31)		/* paging */
#define CR4_PAE (1u << 5)		/* physical address extension, needed for long mode */

#endif
