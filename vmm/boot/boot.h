/* Booting a guest: the boot protocols behind one const ops table (PVH first), and the PVH loader of kernel, initrd, command line and FDT. */
#ifndef KEEL_VMM_BOOT_BOOT_H
#define KEEL_VMM_BOOT_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/memory.h"

struct dev_descs;

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
	const struct dev_descs *devices;	/* the devices as they describe themselves, for the FDT; NULL: none */
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

/*
 * boot_check - every check boot_setup makes, writing nothing into @mem: the inputs are judged
 * before KVM is opened and the devices exist. Same errors as boot_setup.
 */
int boot_check(const struct guest_mem *mem, const struct boot_request *req, char *err, size_t errlen);

/*
 * One boot protocol. probe: whether the kernel image (@image, @size bytes) is this protocol's;
 * check: judge the whole request against @mem, writing nothing; load: write the kernel and
 * everything the protocol hands over (command line, initrd, tables) into @mem and say where in
 * @res; set_regs: the boot vCPU's registers (KVM fd @vcpu_fd) at the kernel's entry. check and
 * load return 0 or a negative errno with one line in @err (-EINVAL: the input was bad).
 */
struct boot_protocol {
	const char *name;
	bool (*probe)(const uint8_t *image, size_t size);
	int (*check)(const struct guest_mem *mem, const struct boot_request *req, char *err, size_t errlen);
	int (*load)(struct guest_mem *mem, const struct boot_request *req, struct boot_result *res, char *err,
		    size_t errlen);
	int (*set_regs)(int vcpu_fd, const struct boot_result *res);
};

/* The PVH protocol (ELF64 with XEN_ELFNOTE_PHYS32_ENTRY): boot_check, boot_setup, PVH registers. */
extern const struct boot_protocol boot_pvh;

/*
 * boot_protocol_for - the first protocol of the table whose probe claims @image; when none does,
 * the table's last entry (PVH), whose check then names what is wrong with it. The Linux boot
 * protocol and multiboot go before PVH.
 */
const struct boot_protocol *boot_protocol_for(const uint8_t *image, size_t size);

#endif
