/* A hand-made PVH ELF kernel and the boot_setup() checks shared by the ELF loader and PVH tests. */
#ifndef KEEL_TESTS_UNIT_ELF_FIXTURE_H
#define KEEL_TESTS_UNIT_ELF_FIXTURE_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/boot/boot.h"
#include "vmm/memory.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define RAM_FILL 0x5a			/* small test RAM starts with this, to see any write */

/* The hand-made kernel: ELF header, program headers, a Xen note, code; loaded at 1 MiB. */
#define K_NOTE_OFF 0x800u
#define K_CODE_OFF 0x1000u
#define K_CODE_SIZE 0x40u
#define K_PADDR 0x100000ull
#define K_VADDR 0xffffffff81000000ull	/* differs from the physical address on purpose */
#define K_MEMSZ 0x3000ull
#define K_ENTRY (K_PADDR + 0x10)

struct kimg {
	uint8_t bytes[0x2000];
	size_t size;
};

struct xen_note {
	Elf64_Nhdr nh;
	char name[4];
	uint8_t desc[8];
};

/* get_eh / put_eh - read or replace the ELF header of @k. */
Elf64_Ehdr get_eh(const struct kimg *k);
void put_eh(struct kimg *k, const Elf64_Ehdr *eh);

/* get_ph / put_ph - read or replace program header @i of @k. */
Elf64_Phdr get_ph(const struct kimg *k, unsigned int i);
void put_ph(struct kimg *k, unsigned int i, const Elf64_Phdr *ph);

/* put_note - replace the note with owner @name, type @type and a @descsz-byte little-endian @entry. */
void put_note(struct kimg *k, const char *name, uint32_t type, uint32_t descsz, uint64_t entry);

/* code_byte - byte @i of the kernel's code. */
uint8_t code_byte(unsigned int i);

/* make_kernel - a valid PVH ELF64: PT_LOAD [1 MiB, +0x3000) R+X with 0x40 bytes of code, PT_NOTE with the entry. */
void make_kernel(struct kimg *k);

/* ram_init - guest RAM of @size; small RAM is filled with RAM_FILL so that any write shows. */
void ram_init(struct guest_mem *mem, uint64_t size);

/* ram_untouched - whether every byte of @mem is still RAM_FILL. */
int ram_untouched(const struct guest_mem *mem);

/* request - a boot request for @k named "test-kernel", one vCPU, "console=ttyS0". */
struct boot_request request(const struct kimg *k);

/* expect_request_rejected - @req must fail, in @ram bytes of RAM, with one line that contains @want. */
void expect_request_rejected(const struct boot_request *req, uint64_t ram, const char *want);

/*
 * expect_protocol_rejected - @req must fail by @proto's check and load alike, in @ram bytes of RAM,
 * with one line that starts with @prefix (NULL: any) and contains @want, writing no guest RAM.
 */
void expect_protocol_rejected(const struct boot_protocol *proto, const struct boot_request *req, uint64_t ram,
			      const char *prefix, const char *want);

/* expect_rejected - the kernel @k must be rejected, in 4 MiB of RAM, with a "test-kernel: " line containing @want. */
void expect_rejected(const struct kimg *k, const char *want);

/* boot_ok - boot @req in @ram bytes of RAM; it must succeed. */
void boot_ok(struct guest_mem *mem, uint64_t ram, const struct boot_request *req, struct boot_result *res);

/* read_gpa - @len bytes of guest RAM at @gpa into @dst; the read must succeed. */
void read_gpa(const struct guest_mem *mem, uint64_t gpa, void *dst, size_t len);

#endif
