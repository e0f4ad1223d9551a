/* The bundled guest kernel's ELF image, embedded in keel by vmm/bundled_guest.S. */
#ifndef KEEL_VMM_BUNDLED_GUEST_H
#define KEEL_VMM_BUNDLED_GUEST_H

#include <stdint.h>

extern const unsigned char keel_bundled_guest[];	/* the ELF file's bytes */
extern const uint64_t keel_bundled_guest_size;		/* and their count */

#endif
