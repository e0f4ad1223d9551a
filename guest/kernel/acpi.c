/* Finding the RSDP, walking the RSDT or XSDT to the MADT, and reading its processor entries. */
#include "guest/kernel/acpi.h"

#include <stdbool.h>

#include "guest/arch/x86/mmu.h"
#include "guest/lib/string.h"

struct rsdp {
	char signature[8];		/* "RSD PTR " */
	uint8_t checksum;		/* over the first 20 bytes */
	char oem_id[6];
	uint8_t revision;		/* 0: ACPI 1.0 (RSDT only); 2 and up: XSDT too */
	uint32_t rsdt_address;
	uint32_t length;		/* revision >= 2 from here on */
	uint64_t xsdt_address;
	uint8_t extended_checksum;	/* over all 36 bytes */
	uint8_t reserved[3];
} __attribute__((packed));

struct sdt_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __attribute__((packed));

#define RSDP_V1_LENGTH 20
#define MADT_ENTRIES_OFFSET (sizeof(struct sdt_header) + 8)	/* after local APIC address, flags */
#define MADT_LOCAL_APIC 0
#define MADT_IO_APIC 1
#define MADT_LOCAL_X2APIC 9
#define MADT_ENABLED 0x1

#define BDA_EBDA_SEGMENT 0x40e		/* word: EBDA segment */
#define EBDA_SEARCH_LENGTH 1024
#define BIOS_AREA_START 0xe0000
#define BIOS_AREA_END 0x100000

static bool sum_is_zero(const void *p, uint32_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	for (uint32_t i = 0; i < len; i++)
		sum += b[i];
	return sum == 0;
}

static const struct rsdp *rsdp_at(uint64_t pa)
{
	const struct rsdp *r;

	if (!phys_mapped(pa, sizeof(*r)))
		return NULL;
	r = phys_to_virt(pa);
	if (memcmp(r->signature, "RSD PTR ", 8) || !sum_is_zero(r, RSDP_V1_LENGTH))
		return NULL;
	return r;
}

/* The RSDP in [start, end), on a 16-byte boundary. */
static const struct rsdp *rsdp_scan(uint64_t start, uint64_t end)
{
	for (uint64_t pa = start; pa + sizeof(struct rsdp) <= end; pa += 16) {
		const struct rsdp *r = rsdp_at(pa);

		if (r)
			return r;
	}
	return NULL;
}

static const struct rsdp *rsdp_find(uint64_t hint)
{
	const struct rsdp *r;
	uint64_t ebda;

	if (hint && (r = rsdp_at(hint)))
		return r;
	ebda = (uint64_t)*(const uint16_t *)phys_to_virt(BDA_EBDA_SEGMENT) << 4;
	r = ebda ? rsdp_scan(ebda, ebda + EBDA_SEARCH_LENGTH) : NULL;
	return r ? r : rsdp_scan(BIOS_AREA_START, BIOS_AREA_END);
}

/* The system description table at @pa, if mapped and its length is sane. */
static const struct sdt_header *sdt_at(uint64_t pa)
{
	const struct sdt_header *h;

	if (!pa || !phys_mapped(pa, sizeof(*h)))
		return NULL;
	h = phys_to_virt(pa);
	if (h->length < sizeof(*h) || !phys_mapped(pa, h->length))
		return NULL;
	return h;
}

/* The MADT, found through the XSDT (revision 2 and up) or else the RSDT. */
static const struct sdt_header *madt_find(const struct rsdp *r)
{
	bool x = r->revision >= 2 && r->xsdt_address;
	const struct sdt_header *root = sdt_at(x ? r->xsdt_address : r->rsdt_address);
	uint32_t entry_size = x ? 8 : 4;

	if (!root || memcmp(root->signature, x ? "XSDT" : "RSDT", 4) || !sum_is_zero(root, root->length))
		return NULL;
	for (uint32_t off = sizeof(*root); off + entry_size <= root->length; off += entry_size) {
		const uint8_t *e = (const uint8_t *)root + off;
		uint64_t pa = 0;
		const struct sdt_header *t;

		memcpy(&pa, e, entry_size);
		t = sdt_at(pa);
		if (t && !memcmp(t->signature, "APIC", 4) && sum_is_zero(t, t->length))
			return t;
	}
	return NULL;
}

int acpi_madt_cpus(uint64_t rsdp_pa, uint32_t *ids, unsigned int max, uint64_t *ioapic_base)
{
	const struct rsdp *r = rsdp_find(rsdp_pa);
	const struct sdt_header *madt = r ? madt_find(r) : NULL;
	const uint8_t *p, *end;
	unsigned int n = 0;
	bool found_ioapic = false;

	if (!madt)
		return -1;
	p = (const uint8_t *)madt + MADT_ENTRIES_OFFSET;
	end = (const uint8_t *)madt + madt->length;
	for (; p + 2 <= end && p[1] >= 2 && p + p[1] <= end; p += p[1]) {
		uint32_t id, flags;

		if (p[0] == MADT_IO_APIC && p[1] >= 12 && !found_ioapic) {
			uint32_t a;

			memcpy(&a, p + 4, 4);	/* type, length, id, reserved, address, GSI base */
			*ioapic_base = a;
			found_ioapic = true;
			continue;
		}
		if (p[0] == MADT_LOCAL_APIC && p[1] >= 8) {
			id = p[3];			/* type, length, ACPI processor id, APIC id */
			memcpy(&flags, p + 4, 4);
		} else if (p[0] == MADT_LOCAL_X2APIC && p[1] >= 16) {
			memcpy(&id, p + 4, 4);		/* type, length, reserved[2], x2APIC id */
			memcpy(&flags, p + 8, 4);
		} else {
			continue;
		}
		if (!(flags & MADT_ENABLED))
			continue;
		if (n < max)
			ids[n] = id;
		n++;
	}
	return (int)n;
}
