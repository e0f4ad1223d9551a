/* keel's ACPI tables: the RSDP, XSDT, FADT, FACS and MADT laid out at their guest-physical address, the DSDT from acpi_dsdt.c. */
#include "firmware/acpi.h"
#include "firmware/le.h"

#include <errno.h>
#include <string.h>

#include "firmware/acpi_dsdt.h"
#include "firmware/aml.h"
#include "firmware/describe.h"
#include "firmware/machine.h"

/* Written from the ACPI 6.3 specification, chapter 5.2. All fields little-endian. */
#define HDR_LEN 36u			/* the common table header */
#define RSDP_LEN 36u
#define RSDP_V1_LEN 20u			/* what the first checksum covers */
#define XSDT_ENTRIES 2u			/* FADT, MADT (no MCFG: no ECAM) */
#define FADT_LEN 276u
#define FADT_REVISION 6u
#define FADT_MINOR 3u			/* ACPI 6.3 */
#define FACS_LEN 64u
#define FACS_ALIGN 64u
#define FACS_VERSION 2u
#define MADT_REVISION 5u		/* ACPI 6.3 */
#define MADT_FIXED 44u			/* header, local APIC address, flags */
#define DSDT_REVISION 2u		/* 64-bit integers */
#define OEM_REVISION 1u
#define CREATOR_REVISION 1u

/* FADT fields (offsets) keel fills. */
#define FADT_FIRMWARE_CTRL 36u
#define FADT_DSDT 40u
#define FADT_SCI_INT 46u
#define FADT_SMI_CMD 48u
#define FADT_PM1A_EVT 56u
#define FADT_PM1A_CNT 64u
#define FADT_PM_TMR 76u
#define FADT_PM1_EVT_LEN 88u
#define FADT_PM1_CNT_LEN 89u
#define FADT_PM_TMR_LEN 91u
#define FADT_P_LVL2_LAT 96u
#define FADT_P_LVL3_LAT 98u
#define FADT_IAPC_BOOT_ARCH 109u
#define FADT_FLAGS 112u
#define FADT_RESET_REG 116u
#define FADT_RESET_VALUE 128u
#define FADT_MINOR_VERSION 131u
#define FADT_X_DSDT 140u
#define FADT_X_PM1A_EVT 148u
#define FADT_X_PM1A_CNT 172u
#define FADT_X_PM_TMR 208u
#define FADT_HYPERVISOR_ID 268u

/* FADT flags and IA-PC boot architecture flags. */
#define FADT_F_WBINVD (1u << 0)
#define FADT_F_PROC_C1 (1u << 2)
#define FADT_F_SLP_BUTTON (1u << 5)	/* set: no fixed-feature sleep button (PWR_BUTTON, bit 4, clear: a fixed power button) */
#define FADT_F_FIX_RTC (1u << 6)	/* set: no RTC wake status in the fixed registers */
#define FADT_F_TMR_VAL_EXT (1u << 8)	/* the PM timer has 32 bits */
#define FADT_F_RESET_REG_SUP (1u << 10)
#define BOOT_LEGACY_DEVICES (1u << 0)
#define BOOT_VGA_NOT_PRESENT (1u << 2)
#define BOOT_CMOS_RTC_NOT_PRESENT (1u << 5)
#define LATENCY_NONE 0x0fffu		/* P_LVL2_LAT > 100 and P_LVL3_LAT > 1000: no C2, no C3 */
#define I8042_RESET_VALUE 0xfeu		/* the i8042's "pulse reset" command */

/* Generic Address Structure (12 bytes). */
#define GAS_SYSTEM_IO 1u
#define GAS_ACCESS_BYTE 1u
#define GAS_ACCESS_WORD 2u
#define GAS_ACCESS_DWORD 3u

/* MADT entries. */
#define MADT_PCAT_COMPAT 1u
#define MADT_LAPIC 0u
#define MADT_LAPIC_LEN 8u
#define MADT_IOAPIC 1u
#define MADT_IOAPIC_LEN 12u
#define MADT_ISO 2u
#define MADT_ISO_LEN 10u
#define MADT_LAPIC_NMI 4u
#define MADT_LAPIC_NMI_LEN 6u
#define MADT_X2APIC 9u
#define MADT_X2APIC_LEN 16u
#define MADT_X2APIC_NMI 10u
#define MADT_X2APIC_NMI_LEN 12u
#define MADT_ENABLED 1u
#define MADT_ALL_UIDS_8 0xffu
#define MADT_ALL_UIDS_32 0xffffffffu
#define MPS_ACTIVE_HIGH 1u		/* MPS INTI flags: polarity bits 1:0, trigger bits 3:2 */
#define MPS_EDGE (1u << 2)
#define MPS_LEVEL (3u << 2)
#define XAPIC_MAX_ID 254u		/* ids from 255 on need x2APIC entries */
#define LINT1 1u

uint8_t acpi_checksum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (n--)
		sum = (uint8_t)(sum + *b++);
	return sum;
}

/* Make the @n bytes at @p add up to 0 through the checksum byte at @p + @at. */
static void fix_checksum(uint8_t *p, size_t n, size_t at)
{
	p[at] = 0;
	p[at] = (uint8_t)-acpi_checksum(p, n);
}

/* The tables under construction: offsets into buf, which sits at guest-physical base. */
struct layout {
	uint8_t *buf;
	size_t cap, len;
	uint64_t base;
	int err;
};

/* @size zeroed bytes at the next multiple of @align; their offset (0 after an error). */
static size_t take(struct layout *l, size_t size, size_t align)
{
	size_t at = (l->len + align - 1) & ~(align - 1);

	if (l->err)
		return 0;
	if (at > l->cap || size > l->cap - at) {
		l->err = -ENOSPC;
		return 0;
	}
	memset(l->buf + l->len, 0, at + size - l->len);
	l->len = at + size;
	return at;
}

/* The common header of a table of @len bytes (checksum left for later). */
static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev, const char *table_id)
{
	memcpy(t, sig, 4);
	le_put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, ACPI_OEM_ID, 6);
	memcpy(t + 16, "KEEL", 4);
	memcpy(t + 20, table_id, 4);	/* "KEEL" + four characters of its own */
	le_put32(t + 24, OEM_REVISION);
	memcpy(t + 28, ACPI_CREATOR_ID, 4);
	le_put32(t + 32, CREATOR_REVISION);
}

static void finish_table(uint8_t *t)
{
	fix_checksum(t, le_get32(t + 4), 9);
}

/* A Generic Address Structure: @bytes of system I/O at @port, accessed @access at a time. */
static void gas_io(uint8_t *p, uint64_t port, unsigned int bytes, unsigned int access)
{
	p[0] = GAS_SYSTEM_IO;
	p[1] = (uint8_t)(8 * bytes);
	p[2] = 0;
	p[3] = (uint8_t)access;
	le_put64(p + 4, port);
}

/* The port of the i8042's command register, if one is described (0: none). */
static uint64_t i8042_command_port(const struct dev_descs *devs)
{
	for (unsigned int i = 0; devs && i < devs->n; i++) {
		const struct dev_desc *d = &devs->d[i];

		if (d->space == DESC_ISA_IO && d->compatible && !strcmp(d->compatible, "intel,8042") &&
		    d->nregs == 2 && d->regs[1].base <= 0xffff)
			return d->regs[1].base;
	}
	return 0;
}

static void fadt(uint8_t *t, uint32_t facs, uint64_t dsdt, const struct dev_descs *devs)
{
	uint32_t flags = FADT_F_WBINVD | FADT_F_PROC_C1 | FADT_F_SLP_BUTTON | FADT_F_FIX_RTC | FADT_F_TMR_VAL_EXT;
	uint64_t reset = i8042_command_port(devs);

	header(t, "FACP", FADT_LEN, FADT_REVISION, "FACP");
	le_put32(t + FADT_FIRMWARE_CTRL, facs);	/* below 4 GiB: X_FIRMWARE_CTRL stays 0, as 5.2.9 requires */
	le_put32(t + FADT_DSDT, (uint32_t)dsdt);
	le_put16(t + FADT_SCI_INT, KEEL_SCI_IRQ);
	le_put32(t + FADT_SMI_CMD, 0);		/* no SMM: ACPI mode always on, SCI_EN reads 1 */
	le_put32(t + FADT_PM1A_EVT, KEEL_PORT_PM1A_EVT);
	le_put32(t + FADT_PM1A_CNT, KEEL_PORT_PM1A_CNT);
	le_put32(t + FADT_PM_TMR, KEEL_PORT_PM_TMR);
	t[FADT_PM1_EVT_LEN] = 4;
	t[FADT_PM1_CNT_LEN] = 2;
	t[FADT_PM_TMR_LEN] = 4;
	le_put16(t + FADT_P_LVL2_LAT, LATENCY_NONE);
	le_put16(t + FADT_P_LVL3_LAT, LATENCY_NONE);
	le_put16(t + FADT_IAPC_BOOT_ARCH, BOOT_LEGACY_DEVICES | BOOT_VGA_NOT_PRESENT | BOOT_CMOS_RTC_NOT_PRESENT);
	if (reset) {
		flags |= FADT_F_RESET_REG_SUP;
		gas_io(t + FADT_RESET_REG, reset, 1, GAS_ACCESS_BYTE);
		t[FADT_RESET_VALUE] = I8042_RESET_VALUE;
	}
	le_put32(t + FADT_FLAGS, flags);
	t[FADT_MINOR_VERSION] = FADT_MINOR;
	le_put64(t + FADT_X_DSDT, dsdt);
	gas_io(t + FADT_X_PM1A_EVT, KEEL_PORT_PM1A_EVT, 4, GAS_ACCESS_WORD);	/* two 16-bit registers */
	gas_io(t + FADT_X_PM1A_CNT, KEEL_PORT_PM1A_CNT, 2, GAS_ACCESS_WORD);
	gas_io(t + FADT_X_PM_TMR, KEEL_PORT_PM_TMR, 4, GAS_ACCESS_DWORD);
	memcpy(t + FADT_HYPERVISOR_ID, "KEEL", 4);
}

static void facs(uint8_t *t)
{
	memcpy(t, "FACS", 4);
	le_put32(t + 4, FACS_LEN);
	t[32] = FACS_VERSION;			/* hardware signature, waking vectors, global lock, flags: 0 */
}

/* The MADT's size for @ncpus vCPUs. */
static size_t madt_len(unsigned int ncpus)
{
	size_t x2apics = ncpus > XAPIC_MAX_ID + 1 ? ncpus - (XAPIC_MAX_ID + 1) : 0;
	size_t len = MADT_FIXED + (ncpus - x2apics) * MADT_LAPIC_LEN + x2apics * MADT_X2APIC_LEN;

	len += MADT_IOAPIC_LEN + MADT_ISO_LEN + MADT_LAPIC_NMI_LEN;
	return len + (x2apics ? MADT_X2APIC_NMI_LEN : 0);
}

static void madt(uint8_t *t, size_t len, unsigned int ncpus)
{
	uint8_t *p = t + MADT_FIXED;

	header(t, "APIC", (uint32_t)len, MADT_REVISION, "APIC");
	le_put32(t + 36, (uint32_t)KEEL_LAPIC_GPA);
	le_put32(t + 40, MADT_PCAT_COMPAT);	/* the two 8259s are there (KVM's irqchip) */
	for (unsigned int i = 0; i < ncpus; i++) {
		if (i <= XAPIC_MAX_ID) {
			p[0] = MADT_LAPIC;
			p[1] = MADT_LAPIC_LEN;
			p[2] = (uint8_t)i;		/* ACPI processor UID */
			p[3] = (uint8_t)i;		/* APIC id: KVM gives vCPU i APIC id i */
			le_put32(p + 4, MADT_ENABLED);
			p += MADT_LAPIC_LEN;
		} else {
			p[0] = MADT_X2APIC;
			p[1] = MADT_X2APIC_LEN;
			le_put32(p + 4, i);		/* x2APIC id */
			le_put32(p + 8, MADT_ENABLED);
			le_put32(p + 12, i);		/* UID */
			p += MADT_X2APIC_LEN;
		}
	}
	/* The IOAPIC's id: the first one no local APIC has (x86-64 Linux does not mind a shared one). */
	p[0] = MADT_IOAPIC;
	p[1] = MADT_IOAPIC_LEN;
	p[2] = (uint8_t)(ncpus <= XAPIC_MAX_ID ? ncpus : 0);
	le_put32(p + 4, (uint32_t)KEEL_IOAPIC_GPA);
	le_put32(p + 8, 0);			/* GSI base */
	p += MADT_IOAPIC_LEN;
	/* ISA IRQ 9, the SCI: level, active high. Every other ISA IRQ n is GSI n, edge, high. */
	p[0] = MADT_ISO;
	p[1] = MADT_ISO_LEN;
	p[2] = 0;				/* ISA bus */
	p[3] = KEEL_SCI_IRQ;
	le_put32(p + 4, KEEL_SCI_IRQ);
	le_put16(p + 8, MPS_ACTIVE_HIGH | MPS_LEVEL);
	p += MADT_ISO_LEN;
	/* LINT1 of every local APIC is the NMI input, edge, active high. */
	p[0] = MADT_LAPIC_NMI;
	p[1] = MADT_LAPIC_NMI_LEN;
	p[2] = MADT_ALL_UIDS_8;
	le_put16(p + 3, MPS_ACTIVE_HIGH | MPS_EDGE);
	p[5] = LINT1;
	p += MADT_LAPIC_NMI_LEN;
	if (ncpus > XAPIC_MAX_ID + 1) {
		p[0] = MADT_X2APIC_NMI;
		p[1] = MADT_X2APIC_NMI_LEN;
		le_put16(p + 2, MPS_ACTIVE_HIGH | MPS_EDGE);
		le_put32(p + 4, MADT_ALL_UIDS_32);
		p[8] = LINT1;
	}
}

int acpi_build(unsigned int ncpus, const struct dev_descs *devs, uint64_t base_gpa, uint8_t *buf,
	       size_t cap, size_t *len, uint64_t *rsdp_gpa)
{
	static const struct dev_descs none;
	struct layout l = { .buf = buf, .cap = cap, .base = base_gpa };
	size_t rsdp, xsdt, fa, fc, ma, ds, mlen, dlen;
	struct aml a;
	int ret;

	if (!devs)
		devs = &none;
	if (ncpus == 0 || base_gpa % ACPI_TABLES_ALIGN || base_gpa >= 0x100000000ull ||
	    devs->n > DESC_MAX)
		return -EINVAL;
	mlen = madt_len(ncpus);
	rsdp = take(&l, RSDP_LEN, ACPI_TABLES_ALIGN);
	xsdt = take(&l, HDR_LEN + 8 * XSDT_ENTRIES, ACPI_TABLES_ALIGN);
	fa = take(&l, FADT_LEN, ACPI_TABLES_ALIGN);
	fc = take(&l, FACS_LEN, FACS_ALIGN);
	ma = take(&l, mlen, ACPI_TABLES_ALIGN);
	ds = take(&l, HDR_LEN, ACPI_TABLES_ALIGN);
	if (l.err)
		return l.err;

	/* The DSDT's AML goes straight after its header, into the rest of the buffer. */
	aml_init(&a, buf + ds + HDR_LEN, cap - ds - HDR_LEN);
	ret = acpi_dsdt_body(&a, devs);
	if (ret == 0)
		ret = aml_finish(&a, &dlen);
	if (ret < 0)
		return ret;
	l.len = ds + HDR_LEN + dlen;
	if (base_gpa + l.len > 0x100000000ull)
		return -EINVAL;		/* the 32-bit pointers could not reach every table */
	header(buf + ds, "DSDT", (uint32_t)(HDR_LEN + dlen), DSDT_REVISION, "DSDT");
	finish_table(buf + ds);

	madt(buf + ma, mlen, ncpus);
	finish_table(buf + ma);
	facs(buf + fc);
	fadt(buf + fa, (uint32_t)(base_gpa + fc), base_gpa + ds, devs);
	finish_table(buf + fa);
	header(buf + xsdt, "XSDT", HDR_LEN + 8 * XSDT_ENTRIES, 1, "XSDT");
	le_put64(buf + xsdt + HDR_LEN, base_gpa + fa);
	le_put64(buf + xsdt + HDR_LEN + 8, base_gpa + ma);
	finish_table(buf + xsdt);

	memcpy(buf + rsdp, "RSD PTR ", 8);
	memcpy(buf + rsdp + 9, ACPI_OEM_ID, 6);
	buf[rsdp + 15] = 2;			/* revision: ACPI 2.0+, XSDT */
	le_put32(buf + rsdp + 16, 0);		/* no RSDT */
	le_put32(buf + rsdp + 20, RSDP_LEN);
	le_put64(buf + rsdp + 24, base_gpa + xsdt);
	fix_checksum(buf + rsdp, RSDP_V1_LEN, 8);
	fix_checksum(buf + rsdp, RSDP_LEN, 32);

	*len = l.len;
	*rsdp_gpa = base_gpa + rsdp;
	return 0;
}

/* The offset of the table at guest-physical @gpa with a whole header (and, unless FACS, length) inside @len bytes. */
static long table_at(const uint8_t *buf, size_t len, uint64_t base, uint64_t gpa)
{
	uint64_t off = gpa - base;

	if (gpa < base || off > len || len - off < HDR_LEN || le_get32(buf + off + 4) > len - off ||
	    le_get32(buf + off + 4) < 8)
		return -EINVAL;
	return (long)off;
}

long acpi_find(const uint8_t *buf, size_t len, uint64_t base_gpa, const char *sig)
{
	long xsdt, fa, t;
	uint32_t n;

	if (len < RSDP_LEN || memcmp(buf, "RSD PTR ", 8))
		return -EINVAL;
	xsdt = table_at(buf, len, base_gpa, le_get64(buf + 24));
	if (xsdt < 0 || memcmp(buf + xsdt, "XSDT", 4))
		return -EINVAL;
	if (!strcmp(sig, "XSDT"))
		return xsdt;
	n = (le_get32(buf + xsdt + 4) - HDR_LEN) / 8;
	fa = -ENOENT;
	for (uint32_t i = 0; i < n; i++) {
		t = table_at(buf, len, base_gpa, le_get64(buf + xsdt + HDR_LEN + 8 * i));
		if (t < 0)
			return t;
		if (!memcmp(buf + t, sig, 4))
			return t;
		if (!memcmp(buf + t, "FACP", 4))
			fa = t;
	}
	/* The FACS and the DSDT hang off the FADT. */
	if (fa < 0 || le_get32(buf + fa + 4) < FADT_LEN)
		return fa < 0 ? fa : -EINVAL;
	if (!strcmp(sig, "DSDT")) {
		uint64_t x = le_get64(buf + fa + FADT_X_DSDT);

		t = table_at(buf, len, base_gpa, x ? x : le_get32(buf + fa + FADT_DSDT));
	} else if (!strcmp(sig, "FACS")) {
		t = table_at(buf, len, base_gpa, le_get32(buf + fa + FADT_FIRMWARE_CTRL));
	} else {
		return -ENOENT;
	}
	if (t < 0)
		return t;
	return memcmp(buf + t, sig, 4) ? -EINVAL : t;
}
