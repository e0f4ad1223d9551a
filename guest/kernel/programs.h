/* The user programs embedded in the kernel image (built from guest/user/, listed in guest/guest.mk). */
#ifndef KEEL_GUEST_KERNEL_PROGRAMS_H
#define KEEL_GUEST_KERNEL_PROGRAMS_H

#include <stdint.h>

struct program {
	const char *name;
	const uint8_t *start, *end;	/* the ELF file, page-aligned */
};

/* The program called @name, or NULL. */
const struct program *program_find(const char *name);

#endif
