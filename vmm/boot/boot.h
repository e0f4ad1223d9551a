/* Booting a guest: load an ELF64 kernel with the PVH protocol, its initrd, command line and FDT into guest RAM. */
#ifndef KEEL_VMM_BOOT_BOOT_H
#define KEEL_VMM_BOOT_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/memory.h"

struct keel_fdt_devices;

/* What to boot. Buffers belong to the caller and must stay valid during boot_setup(). */
struct boot_request {
	const uint8_t *kernel;		/* whole ELF file */
	size_t kernel_size;
	const char *kernel_name;	/* path or "bundled guest", for messages */
	const uint8_t *initrd;		/* NULL when none */
	size_t initrd_size;
	const char *initrd_name;	/* path, for messages */
	const char *cmdline;		/* never NULL; at most KEEL_CMDLINE_MAX - 1 bytes */
	unsigned int ncpus;		/* vCPUs; vCPU i has APIC id i */
	const struct keel_fdt_devices *fdt_devices; /* optional devices for the FDT, NULL: none */
};

/* Where things landed. */
struct boot_result {
	uint64_t entry;			/* 32-bit PVH entry point (XEN_ELFNOTE_PHYS32_ENTRY) */
	uint64_t start_info_gpa;	/* hvm_start_info, handed to the guest in %ebx */
	uint64_t kernel_start;		/* lowest loaded byte */
	uint64_t kernel_end;		/* one past the highest loaded byte (memsz included) */
	uint64_t initrd_gpa, initrd_size; /* 0, 0 when none */
	uint64_t fdt_gpa, fdt_size;	/* the device tree module */
};

/*
 * boot_setup - validate and load everything into @mem. On failure returns a negative errno and
 * writes one line naming the problem (no trailing newline) into @err: "KERNEL: not an ELF file",
 * "KERNEL: segment 2 [0x..., 0x...) does not fit in 64 MiB of guest RAM", ...
 * -EINVAL means the input was bad (exit status 2); anything else is a host failure.
 */
int boot_setup(struct guest_mem *mem, const struct boot_request *req, struct boot_result *res,
	       char *err, size_t errlen);

#endif
