/* Booting a guest: the boot protocols behind one const ops table (Linux's 64-bit protocol, Multiboot 2 and 1, then PVH), and what they share (ACPI tables, low RAM, modules). */
#ifndef KEEL_VMM_BOOT_BOOT_H
#define KEEL_VMM_BOOT_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/memory.h"

struct dev_descs;

#define BOOT_MODULES_MAX 16	/* --initrd files (modules) keel hands over */

/*
 * One --initrd file. Linux gets them concatenated (each padded to 4 bytes: initramfs archives
 * may follow each other), PVH as modules 0..n-1 (the device tree module after them), Multiboot
 * as modules with @name as each one's string.
 */
struct boot_module {
	const uint8_t *data;
	size_t size;
	const char *name;		/* the path as given: messages, and the Multiboot module string */
};

/* What to boot. Buffers belong to the caller and must stay valid during boot_setup(). */
struct boot_request {
	const uint8_t *kernel;		/* the ELF to load: the file itself, or the vmlinux unpacked from a bzImage */
	size_t kernel_size;
	const uint8_t *setup_hdr;	/* a bzImage's setup header (from file offset 0x1f1), NULL for an ELF */
	size_t setup_hdr_len;
	const char *kernel_name;	/* path or "bundled guest", for messages */
	const struct boot_module *modules; /* the --initrd files in order (boot_initrd: the first); NULL when none */
	unsigned int nmodules;		/* at most BOOT_MODULES_MAX */
	const char *cmdline;		/* never NULL; at most KEEL_CMDLINE_MAX - 1 bytes */
	unsigned int ncpus;		/* vCPUs; vCPU i has APIC id i */
	const struct dev_descs *devices;	/* the devices as they describe themselves, for the FDT; NULL: none */
};

/* boot_initrd - the first module of @req (what Linux and PVH call the initrd), or NULL. */
static inline const struct boot_module *boot_initrd(const struct boot_request *req)
{
	return req->nmodules ? &req->modules[0] : NULL;
}

/* boot_ranges_overlap - do [@a, @a + @alen) and [@b, @b + @blen) share a byte? (Neither may wrap.) */
static inline bool boot_ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* boot_modules_size - the bytes of all of @req's modules. */
uint64_t boot_modules_size(const struct boot_request *req);

#define BOOT_MAP_MAX 16		/* image map entries (one per loaded segment) */

/*
 * One piece of the kernel image: the virtual addresses it was linked for and the guest-physical
 * ones it was loaded at. The gdb stub plants breakpoints through this map while the guest has not
 * mapped those addresses yet (paging off, or its page tables not built).
 */
struct boot_map_seg {
	uint64_t vaddr, paddr, size;
};

/* Where things landed. */
struct boot_result {
	uint64_t entry;			/* PVH, Multiboot: the 32-bit entry; Linux: startup_64 (physical) */
	uint64_t start_info_gpa;	/* PVH: hvm_start_info (%ebx); Linux: boot_params (%rsi); Multiboot: its information (%ebx) */
	uint64_t kernel_start;		/* lowest loaded byte */
	uint64_t kernel_end;		/* one past the highest loaded byte (memsz included) */
	uint64_t initrd_gpa, initrd_size; /* the first module (Linux: all of them concatenated); 0, 0 when none */
	uint64_t fdt_gpa, fdt_size;	/* the device tree module (PVH) */
	uint64_t cmdline_gpa;		/* the NUL-terminated command line the kernel finds (PVH, Linux); 0: not said */
	uint64_t acpi_gpa;		/* the RSDP */
	unsigned int nmap;		/* the kernel image's virtual -> physical map */
	struct boot_map_seg map[BOOT_MAP_MAX];
};

struct elf_image;
/* boot_result_map_elf - fill @res's image map from @img's loaded segments. */
void boot_result_map_elf(struct boot_result *res, const struct elf_image *img);

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
 * One boot protocol. probe: whether the kernel of @req is this protocol's;
 * check: judge the whole request against @mem, writing nothing; load: write the kernel and
 * everything the protocol hands over (command line, initrd, tables) into @mem and say where in
 * @res; set_regs: the boot vCPU's registers (KVM fd @vcpu_fd) at the kernel's entry. check and
 * load return 0 or a negative errno with one line in @err (-EINVAL: the input was bad).
 */
struct boot_protocol {
	const char *name;
	bool (*probe)(const struct boot_request *req);
	int (*check)(const struct guest_mem *mem, const struct boot_request *req, char *err, size_t errlen);
	int (*load)(struct guest_mem *mem, const struct boot_request *req, struct boot_result *res, char *err,
		    size_t errlen);
	int (*set_regs)(int vcpu_fd, const struct boot_result *res);
};

/* The PVH protocol (ELF64 with XEN_ELFNOTE_PHYS32_ENTRY): boot_check, boot_setup, PVH registers. */
extern const struct boot_protocol boot_pvh;
/* Linux's 64-bit boot protocol (vmm/boot/linux.c): a bzImage's vmlinux, or a vmlinux without the PVH note. */
extern const struct boot_protocol boot_linux;
/* Multiboot 1 (vmm/boot/multiboot.c) and Multiboot 2 (vmm/boot/multiboot2.c): a kernel with that header. */
extern const struct boot_protocol boot_multiboot;
extern const struct boot_protocol boot_multiboot2;

/*
 * boot_protocol_for - the first protocol of the table whose probe claims @req's kernel; when none
 * does, the table's last entry (PVH), whose check then names what is wrong with it.
 */
const struct boot_protocol *boot_protocol_for(const struct boot_request *req);

/* boot_protocol_named - the protocol called @name ("linux", "multiboot2", "multiboot", "pvh"), or NULL. */
const struct boot_protocol *boot_protocol_named(const char *name);

/*
 * boot_plan_alloc - a zeroed plan of @size bytes for a protocol's check or load, with @err
 * emptied; NULL with one line in @err when the host is out of memory.
 */
void *boot_plan_alloc(size_t size, char *err, size_t errlen);

/* boot_low_ram_end - size of the RAM region that starts at guest-physical 0. */
uint64_t boot_low_ram_end(const struct guest_mem *mem);

/* The ACPI tables of a boot (vmm/boot/acpi.c): built from @req's vCPUs and devices at KEEL_ACPI_GPA. */
struct boot_acpi {
	uint8_t *buf;			/* the tables (heap), NULL when none */
	size_t len;
	uint64_t rsdp_gpa;		/* 0 when none */
};

/*
 * boot_acpi_plan - build them into @a (writes no guest RAM). 0, or a negative errno with one
 * line in @err. boot_acpi_write - copy them to guest RAM. boot_acpi_free - release @a.
 */
int boot_acpi_plan(struct boot_acpi *a, const struct guest_mem *mem, const struct boot_request *req,
		   char *err, size_t errlen);
int boot_acpi_write(const struct boot_acpi *a, const struct guest_mem *mem);
void boot_acpi_free(struct boot_acpi *a);

#endif
