/* Unit tests of the AML encoder (firmware/aml.c) and keel's ACPI tables (firmware/acpi.c): checksums, lengths, links, MADT, DSDT contents, errors. */
#include "tests/unit/suites.h"

#include "devices/debug_exit.h"
#include "devices/i8042.h"
#include "devices/pm.h"
#include "devices/uart.h"
#include "devices/virtio/host.h"
#include "firmware/acpi.h"
#include "firmware/aml.h"
#include "firmware/describe.h"
#include "firmware/machine.h"
#include "tests/virtio/testvm.h"
#include "vmm/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BASE KEEL_ACPI_GPA
#define CAP KEEL_ACPI_SIZE
#define NDISKS 3u

static uint8_t buf[CAP];
static size_t len;

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* Is @pat (of @n bytes) somewhere in [@p, @p + @plen)? How many times. */
static unsigned int count(const uint8_t *p, size_t plen, const void *pat, size_t n)
{
	unsigned int c = 0;

	for (size_t i = 0; i + n <= plen; i++)
		c += memcmp(p + i, pat, n) == 0;
	return c;
}

/* --- the AML encoder ----------------------------------------------------------------------- */

/* Encode through @fn into a fresh stream; the bytes in @out. */
static size_t encode(void (*fn)(struct aml *a), uint8_t *out, size_t cap, int *err)
{
	struct aml a;
	size_t n = 0;

	aml_init(&a, out, cap);
	fn(&a);
	*err = aml_finish(&a, &n);
	return n;
}

static void ints(struct aml *a)
{
	aml_integer(a, 0);
	aml_integer(a, 1);
	aml_integer(a, 2);
	aml_integer(a, 0xff);
	aml_integer(a, 0x100);
	aml_integer(a, 0xffff);
	aml_integer(a, 0x10000);
	aml_integer(a, 0x100000000ull);
}

START_TEST(aml_integers_shortest)
{
	const uint8_t want[] = {
		0x00, 0x01, 0x0a, 0x02, 0x0a, 0xff, 0x0b, 0x00, 0x01, 0x0b, 0xff, 0xff,
		0x0c, 0x00, 0x00, 0x01, 0x00, 0x0e, 0, 0, 0, 0, 1, 0, 0, 0,
	};
	uint8_t out[64];
	int err;
	size_t n = encode(ints, out, sizeof(out), &err);

	ck_assert_int_eq(err, 0);
	ck_assert_uint_eq(n, sizeof(want));
	ck_assert_mem_eq(out, want, sizeof(want));
}
END_TEST

static void names(struct aml *a)
{
	aml_name(a, "\\_SB.PCI0.LK16");	/* root, multi-name path */
	aml_string(a, "ab");
	aml_name(a, "^FOO.X");		/* parent prefix, dual-name path, padding */
	aml_eisaid(a, "PNP0A03");
}

START_TEST(aml_names_and_eisaid)
{
	const uint8_t want[] = {
		0x08, '\\', 0x2f, 3, '_', 'S', 'B', '_', 'P', 'C', 'I', '0', 'L', 'K', '1', '6',
		0x0d, 'a', 'b', 0,
		0x08, '^', 0x2e, 'F', 'O', 'O', '_', 'X', '_', '_', '_',
		0x0c, 0x41, 0xd0, 0x0a, 0x03,	/* EISAID ("PNP0A03") = 0x030ad041 */
	};
	uint8_t out[64];
	int err;
	size_t n = encode(names, out, sizeof(out), &err);

	ck_assert_int_eq(err, 0);
	ck_assert_uint_eq(n, sizeof(want));
	ck_assert_mem_eq(out, want, sizeof(want));
}
END_TEST

static unsigned int npad;

/* A Scope whose content is npad bytes of padding (a Buffer op and its data). */
static void scope_of(struct aml *a)
{
	static uint8_t pad[8192];

	aml_scope_begin(a, "_SB");
	aml_buffer(a, pad, npad);
	aml_end(a);
}

START_TEST(aml_pkglength_forms)
{
	static uint8_t out[16384];
	int err;
	size_t n;

	/* Scope: op, PkgLength, "_SB_" (4), Buffer op, PkgLength, size (byte const: 2), data. */
	npad = 54;	/* buffer PkgLength 1 + 2 + 54 = 57; scope 1 + 4 + 1 + 57 = 63: one byte */
	n = encode(scope_of, out, sizeof(out), &err);
	ck_assert_int_eq(err, 0);
	ck_assert_uint_eq(out[1], 63);
	ck_assert_uint_eq(n, 64);
	npad = 55;	/* scope content 63 + 2-byte PkgLength = 65 */
	n = encode(scope_of, out, sizeof(out), &err);
	ck_assert_int_eq(err, 0);
	ck_assert_uint_eq(out[1], 0x40 | (65 & 0xf));
	ck_assert_uint_eq(out[2], 65 >> 4);
	ck_assert_uint_eq(n, 66);
	npad = 3000;	/* buffer: word size; both PkgLengths take two bytes */
	n = encode(scope_of, out, sizeof(out), &err);
	ck_assert_int_eq(err, 0);
	ck_assert_uint_eq(n, 1 + 2 + 4 + 1 + 2 + 3 + 3000);
	ck_assert_uint_eq(out[1] >> 6, 1);
	ck_assert_uint_eq((out[1] & 0xf) | out[2] << 4, n - 1);
	npad = 5000;	/* past 4095: three bytes each */
	n = encode(scope_of, out, sizeof(out), &err);
	ck_assert_int_eq(err, 0);
	ck_assert_uint_eq(n, 1 + 3 + 4 + 1 + 3 + 3 + 5000);
	ck_assert_uint_eq(out[1] >> 6, 2);
	ck_assert_uint_eq((out[1] & 0xf) | out[2] << 4 | out[3] << 12, n - 1);
	/* No room: the error sticks. */
	n = encode(scope_of, out, 100, &err);
	ck_assert_int_eq(err, -ENOSPC);
}
END_TEST

static void template(struct aml *a)
{
	aml_rt_begin(a);
	aml_rt_io(a, 0x3f8, 8);
	aml_rt_irq(a, 4);
	aml_rt_memory32_fixed(a, 0xd0000000u, 0x200, true);
	aml_rt_interrupt(a, 17, AML_IRQ_EDGE | AML_IRQ_SHARED);
	aml_rt_word_bus(a, 0, 0);
	aml_rt_word_io(a, 0xd00, 0xffff);
	aml_rt_dword_memory(a, 0xc0000000u, 0xcfffffffu);
	aml_rt_qword_memory(a, 0x100000000ull, 0x1ffffffffull);
	aml_rt_end(a);
}

START_TEST(aml_resource_template)
{
	uint8_t out[256];
	int err;
	size_t n = encode(template, out, sizeof(out), &err), body;

	ck_assert_int_eq(err, 0);
	/* Buffer op, 2-byte PkgLength (the template passes 63 bytes), byte size, the descriptors. */
	ck_assert_uint_eq(out[0], 0x11);
	ck_assert_uint_eq(out[1] >> 6, 1);
	ck_assert_uint_eq(out[3], 0x0a);
	body = out[4];
	ck_assert_uint_eq(n, 5 + body);
	ck_assert_uint_eq(body, 8 + 3 + 12 + 9 + 16 + 16 + 26 + 46 + 2);
	ck_assert_uint_eq(out[5 + body - 2], 0x79);
	ck_assert_uint_eq(acpi_checksum(out + 5, body), 0);	/* the end tag's checksum */
	{
		const uint8_t irq[] = { 0x89, 6, 0, 0x0b, 1, 17, 0, 0, 0 };
		const uint8_t io[] = { 0x47, 1, 0xf8, 3, 0xf8, 3, 1, 8, 0x22, 0x10, 0x00 };

		ck_assert_uint_eq(count(out, n, irq, sizeof(irq)), 1);
		ck_assert_uint_eq(count(out, n, io, sizeof(io)), 1);
	}
}
END_TEST

static void package_count(struct aml *a)
{
	aml_name(a, "PKG");
	aml_package_begin(a);
	for (unsigned int i = 0; i < npad; i++) {
		aml_package_begin(a);
		aml_integer(a, i);
		aml_name_ref(a, "\\_SB.LK16");
		aml_end(a);
	}
	aml_end(a);
}

START_TEST(aml_package_counts_and_errors)
{
	static uint8_t out[8192];
	struct aml a;
	size_t n;
	int err;

	npad = 3;
	n = encode(package_count, out, sizeof(out), &err);
	ck_assert_int_eq(err, 0);
	ck_assert_uint_eq(out[5], 0x12);
	ck_assert_uint_eq(out[7], 3);		/* NumElements, after a one-byte PkgLength */
	ck_assert_uint_eq(out[8], 0x12);
	ck_assert_uint_eq(out[10], 2);		/* the first inner package's */
	ck_assert_uint_gt(n, 0);
	npad = 256;
	encode(package_count, out, sizeof(out), &err);
	ck_assert_int_eq(err, -E2BIG);
	/* Bad names, bad ids, unbalanced constructs. */
	aml_init(&a, out, sizeof(out));
	aml_name(&a, "TOOLONG");
	ck_assert_int_eq(aml_finish(&a, &n), -EINVAL);
	aml_init(&a, out, sizeof(out));
	aml_name(&a, "1ABC");
	ck_assert_int_eq(aml_finish(&a, &n), -EINVAL);
	aml_init(&a, out, sizeof(out));
	aml_eisaid(&a, "pnp0a03");
	ck_assert_int_eq(aml_finish(&a, &n), -EINVAL);
	aml_init(&a, out, sizeof(out));
	aml_scope_begin(&a, "_SB");
	ck_assert_int_eq(aml_finish(&a, &n), -EINVAL);
	aml_init(&a, out, sizeof(out));
	aml_end(&a);
	ck_assert_int_eq(aml_finish(&a, &n), -EINVAL);
	aml_init(&a, out, sizeof(out));
	aml_rt_io(&a, 0x60, 1);			/* a descriptor outside a template */
	ck_assert_int_eq(aml_finish(&a, &n), -EINVAL);
}
END_TEST

/* --- the tables ------------------------------------------------------------------------------ */

/* The descriptions of a keel machine: COM1, debug-exit, i8042, PM, and @vm's virtio devices (or none). */
static void machine(struct dev_descs *devs, struct vm *vm)
{
	memset(devs, 0, sizeof(*devs));
	ck_assert_int_eq(uart_describe(KEEL_PORT_UART0, KEEL_UART0_IRQ, true, devs), 0);
	ck_assert_int_eq(debug_exit_describe(devs), 0);
	ck_assert_int_eq(i8042_describe(devs), 0);
	ck_assert_int_eq(pm_describe(devs), 0);
	if (vm)
		ck_assert_int_eq(virtio_describe(vm->virtio, devs), 0);
}

static char imgs[NDISKS][64];

/* A test VM with NDISKS disks and an rng over @transport. */
static void virtio_vm(struct vm *vm, enum virtio_transport_kind transport)
{
	struct virtio_config c = { .transport = transport, .rng = true, .ndisks = NDISKS };

	for (unsigned int i = 0; i < NDISKS; i++) {
		ck_assert_int_eq(testvm_image(imgs[i], sizeof(imgs[i]), 4096, 0), 0);
		c.disks[i] = testvm_disk(imgs[i], true, NULL);
	}
	ck_assert_int_eq(testvm_start(vm, &c), 0);
}

static void virtio_vm_stop(struct vm *vm)
{
	testvm_stop(vm);
	for (unsigned int i = 0; i < NDISKS; i++)
		unlink(imgs[i]);
}

/* Build into buf; check the RSDP, every table's checksum and length, and the links between them. */
static void build_and_check(unsigned int ncpus, const struct dev_descs *devs)
{
	uint64_t rsdp = 0, xsdt, fadt, x;
	long off;

	memset(buf, 0xa5, sizeof(buf));
	ck_assert_int_eq(acpi_build(ncpus, devs, BASE, buf, CAP, &len, &rsdp), 0);
	ck_assert_uint_eq(rsdp, BASE);
	ck_assert_uint_le(len, CAP);
	/* RSDP: signature, both checksums, revision 2, length, the XSDT's address. */
	ck_assert_mem_eq(buf, "RSD PTR ", 8);
	ck_assert_uint_eq(acpi_checksum(buf, 20), 0);
	ck_assert_uint_eq(acpi_checksum(buf, 36), 0);
	ck_assert_uint_eq(buf[15], 2);
	ck_assert_mem_eq(buf + 9, "KEEL  ", 6);
	ck_assert_uint_eq(get32(buf + 20), 36);
	xsdt = get64(buf + 24) - BASE;
	ck_assert_uint_lt(xsdt, len);
	ck_assert_mem_eq(buf + xsdt, "XSDT", 4);
	ck_assert_uint_eq(get32(buf + xsdt + 4), 36 + 16);	/* the FADT and the MADT */
	/* Every table the XSDT lists, then the FADT's FACS and DSDT. */
	fadt = 0;
	for (unsigned int i = 0; i < 2; i++) {
		uint64_t t = get64(buf + xsdt + 36 + 8 * i) - BASE;

		ck_assert_uint_lt(t, len);
		ck_assert_uint_le(t + get32(buf + t + 4), len);
		ck_assert_uint_eq(acpi_checksum(buf + t, get32(buf + t + 4)), 0);
		ck_assert_mem_eq(buf + t + 10, "KEEL  KEEL", 10);
		ck_assert_mem_eq(buf + t + 28, "KEEL", 4);
		if (!memcmp(buf + t, "FACP", 4))
			fadt = t;
		else
			ck_assert_mem_eq(buf + t, "APIC", 4);
	}
	ck_assert_uint_eq(acpi_checksum(buf + xsdt, get32(buf + xsdt + 4)), 0);
	ck_assert_uint_ne(fadt, 0);
	ck_assert_uint_eq(get32(buf + fadt + 4), 276);
	ck_assert_uint_eq(buf[fadt + 8], 6);
	/* FACS: the 32-bit pointer only, 64-byte aligned, 64 bytes, no checksum to check. */
	x = get32(buf + fadt + 36);
	ck_assert_uint_eq(get64(buf + fadt + 132), 0);
	ck_assert_uint_eq(x % 64, 0);
	ck_assert_mem_eq(buf + x - BASE, "FACS", 4);
	ck_assert_uint_eq(get32(buf + x - BASE + 4), 64);
	/* DSDT: both pointers, the same table. */
	x = get64(buf + fadt + 140);
	ck_assert_uint_eq(get32(buf + fadt + 40), x);
	ck_assert_mem_eq(buf + x - BASE, "DSDT", 4);
	ck_assert_uint_eq(buf[x - BASE + 8], 2);
	ck_assert_uint_eq(x - BASE + get32(buf + x - BASE + 4), len);	/* the DSDT is last */
	ck_assert_uint_eq(acpi_checksum(buf + x - BASE, get32(buf + x - BASE + 4)), 0);
	/* acpi_find follows the same links. */
	off = acpi_find(buf, len, BASE, "DSDT");
	ck_assert_int_eq(off, (long)(x - BASE));
	ck_assert_int_eq(acpi_find(buf, len, BASE, "FACP"), (long)fadt);
	ck_assert_int_eq(acpi_find(buf, len, BASE, "XSDT"), (long)xsdt);
	ck_assert_int_eq(acpi_find(buf, len, BASE, "MCFG"), -ENOENT);	/* no ECAM, no MCFG */
	/* Nothing written past len. */
	ck_assert_uint_eq(buf[len], 0xa5);
}

static const uint8_t *table(const char *sig, uint32_t *tlen)
{
	long off = acpi_find(buf, len, BASE, sig);

	ck_assert_int_ge(off, 0);
	*tlen = get32(buf + off + 4);
	return buf + off;
}

START_TEST(tables_fadt_fields)
{
	struct dev_descs devs;
	uint32_t n;
	const uint8_t *f;

	machine(&devs, NULL);
	build_and_check(1, &devs);
	f = table("FACP", &n);
	ck_assert_uint_eq(f[46], KEEL_SCI_IRQ);
	ck_assert_uint_eq(get32(f + 48), 0);				/* no SMI command port */
	ck_assert_uint_eq(get32(f + 56), KEEL_PORT_PM1A_EVT);
	ck_assert_uint_eq(get32(f + 64), KEEL_PORT_PM1A_CNT);
	ck_assert_uint_eq(get32(f + 76), KEEL_PORT_PM_TMR);
	ck_assert_uint_eq(f[88], 4);
	ck_assert_uint_eq(f[89], 2);
	ck_assert_uint_eq(f[91], 4);
	ck_assert_uint_eq(get32(f + 112) & (1u << 4), 0);		/* fixed power button */
	ck_assert_uint_ne(get32(f + 112) & (1u << 5), 0);		/* no fixed sleep button */
	ck_assert_uint_ne(get32(f + 112) & (1u << 8), 0);		/* 32-bit PM timer */
	ck_assert_uint_eq(get32(f + 112) & (1u << 20), 0);		/* not hardware-reduced */
	ck_assert_uint_eq(f[109] & 3, 1);				/* legacy devices, no 8042 */
	ck_assert_uint_ne(get32(f + 112) & (1u << 10), 0);		/* reset: 0xfe to the i8042 */
	ck_assert_uint_eq(get64(f + 120), KEEL_PORT_I8042_CMD);
	ck_assert_uint_eq(f[128], 0xfe);
	/* The X_ blocks: system I/O, the same ports, bit widths of the lengths. */
	ck_assert_uint_eq(f[148], 1);
	ck_assert_uint_eq(f[149], 32);
	ck_assert_uint_eq(get64(f + 152), KEEL_PORT_PM1A_EVT);
	ck_assert_uint_eq(f[173], 16);
	ck_assert_uint_eq(get64(f + 176), KEEL_PORT_PM1A_CNT);
	ck_assert_uint_eq(f[209], 32);
	ck_assert_uint_eq(get64(f + 212), KEEL_PORT_PM_TMR);
	/* No devices at all: still every table, no reset register, an empty \_SB and \_S5. */
	build_and_check(1, NULL);
	f = table("FACP", &n);
	ck_assert_uint_eq(get32(f + 112) & (1u << 10), 0);
	f = table("DSDT", &n);
	ck_assert_uint_eq(count(f, n, "_S5_", 4), 1);
}
END_TEST

/* The MADT's entries of @type. */
static unsigned int madt_entries(unsigned int type, unsigned int *enabled)
{
	uint32_t n;
	const uint8_t *m = table("APIC", &n);
	unsigned int c = 0;

	*enabled = 0;
	ck_assert_uint_eq(get32(m + 36), 0xfee00000u);
	ck_assert_uint_eq(get32(m + 40), 1);		/* PCAT_COMPAT */
	for (uint32_t off = 44; off < n; off += m[off + 1]) {
		ck_assert_uint_ge(m[off + 1], 2);
		if (m[off] != type)
			continue;
		if (type == 0) {
			ck_assert_uint_eq(m[off + 3], c);	/* APIC id i */
			*enabled += get32(m + off + 4) & 1;
		} else if (type == 9) {
			*enabled += get32(m + off + 8) & 1;
		} else if (type == 1) {
			ck_assert_uint_eq(get32(m + off + 4), 0xfec00000u);
			ck_assert_uint_eq(get32(m + off + 8), 0);
			*enabled = m[off + 2];		/* its id */
		} else if (type == 2) {
			ck_assert_uint_eq(m[off + 3], KEEL_SCI_IRQ);
			ck_assert_uint_eq(get32(m + off + 4), KEEL_SCI_IRQ);
			ck_assert_uint_eq(m[off + 8], 0x0d);	/* level, active high */
		}
		c++;
	}
	return c;
}

START_TEST(tables_madt_cpus)
{
	const unsigned int cpus[] = { 1, 2, 64, 254, 255 };
	unsigned int en;

	for (unsigned int i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++) {
		build_and_check(cpus[i], NULL);
		ck_assert_uint_eq(madt_entries(0, &en), cpus[i]);
		ck_assert_uint_eq(en, cpus[i]);
		ck_assert_uint_eq(madt_entries(9, &en), 0);
		ck_assert_uint_eq(madt_entries(1, &en), 1);
		ck_assert_uint_eq(en, cpus[i] < 255 ? cpus[i] : 0);	/* an id no local APIC has */
		ck_assert_uint_eq(madt_entries(2, &en), 1);		/* the SCI's override only */
		ck_assert_uint_eq(madt_entries(4, &en), 1);		/* LINT1 NMI */
	}
	/* From APIC id 255 on, x2APIC entries (and their NMI entry). */
	build_and_check(300, NULL);
	ck_assert_uint_eq(madt_entries(0, &en), 255);
	ck_assert_uint_eq(madt_entries(9, &en), 45);
	ck_assert_uint_eq(en, 45);
	ck_assert_uint_eq(madt_entries(10, &en), 1);
}
END_TEST

/* The bytes of a _PRT entry for @slot's INTA# through link LK@gsi. */
static size_t prt_entry(uint8_t *p, unsigned int slot, unsigned int gsi)
{
	const uint8_t head[] = { 0x0c, 0xff, 0xff, (uint8_t)slot, 0x00, 0x00, '\\', 0x2e, '_', 'S', 'B', '_', 'L', 'K' };

	memcpy(p, head, sizeof(head));
	p[sizeof(head)] = (uint8_t)('0' + gsi / 10);
	p[sizeof(head) + 1] = (uint8_t)('0' + gsi % 10);
	p[sizeof(head) + 2] = 0;	/* source index Zero */
	return sizeof(head) + 3;
}

START_TEST(tables_dsdt_pci)
{
	struct dev_descs devs;
	struct vm vm;
	uint8_t pat[32];
	uint32_t n;
	const uint8_t *d;
	unsigned int fns = 0;

	log_set_level(LOG_OFF);
	virtio_vm(&vm, VIRTIO_TRANSPORT_PCI);
	machine(&devs, &vm);
	build_and_check(2, &devs);
	d = table("DSDT", &n);
	ck_assert_uint_eq(count(d, n, "PCI0", 4), 1);
	ck_assert_uint_eq(count(d, n, "_PRT", 4), 1);
	ck_assert_uint_eq(count(d, n, "LNRO0005", 8), 0);
	ck_assert_uint_eq(count(d, n, "COM1", 4), 1);
	/* One entry per function (each in a slot of its own here), through the link of its GSI. */
	for (unsigned int i = 0; i < devs.n; i++) {
		const struct dev_desc *f = &devs.d[i];
		char link[8];

		if (f->space != DESC_PCI)
			continue;
		fns++;
		ck_assert_uint_eq(f->pci.fn, 0);
		ck_assert_uint_eq(f->pci.pin, DESC_PCI_PIN_INTA);
		ck_assert_uint_eq(count(d, n, pat, prt_entry(pat, f->pci.slot, (unsigned int)f->irq)), 1);
		snprintf(link, sizeof(link), "LK%02d", f->irq);
		ck_assert_uint_ge(count(d, n, link, 4), 2);	/* the device and the _PRT's reference */
	}
	ck_assert_uint_eq(fns, NDISKS + 1);
	virtio_vm_stop(&vm);
}
END_TEST

START_TEST(tables_dsdt_mmio)
{
	struct dev_descs devs;
	struct vm vm;
	uint32_t n;
	const uint8_t *d;
	unsigned int windows = 0;

	log_set_level(LOG_OFF);
	virtio_vm(&vm, VIRTIO_TRANSPORT_MMIO);
	machine(&devs, &vm);
	build_and_check(4, &devs);
	d = table("DSDT", &n);
	ck_assert_uint_eq(count(d, n, "LNRO0005", 8), NDISKS + 1);
	ck_assert_uint_eq(count(d, n, "PCI0", 4), 0);
	ck_assert_uint_eq(count(d, n, "_PRT", 4), 0);
	for (unsigned int i = 0; i < devs.n; i++) {
		const struct dev_desc *w = &devs.d[i];
		uint8_t mem[12] = { 0x86, 9, 0, 1 };
		uint8_t irq[9] = { 0x89, 6, 0, 0x03, 1 };	/* consumer, edge, active high, exclusive */

		if (w->space != DESC_MMIO)
			continue;
		windows++;
		for (unsigned int k = 0; k < 4; k++) {
			mem[4 + k] = (uint8_t)(w->regs[0].base >> (8 * k));
			mem[8 + k] = (uint8_t)(w->regs[0].size >> (8 * k));
		}
		irq[5] = (uint8_t)w->irq;
		ck_assert_uint_eq(count(d, n, mem, sizeof(mem)), 1);
		ck_assert_uint_eq(count(d, n, irq, sizeof(irq)), 1);
	}
	ck_assert_uint_eq(windows, NDISKS + 1);
	virtio_vm_stop(&vm);
}
END_TEST

/* A PCI host and functions described by hand. */
static void pci_descs(struct dev_descs *devs)
{
	const struct dev_desc host = {
		.name = "pci", .compatible = "keel,pci-host-cf8", .space = DESC_PCI_HOST, .nregs = 2,
		.regs = { { 0xcf8, 8 }, { KEEL_PCI_MMIO_BASE, KEEL_PCI_MMIO_SIZE } }, .irq = -1,
	};
	struct dev_desc fn = { .name = "f", .compatible = "keel,pci-function", .space = DESC_PCI };

	memset(devs, 0, sizeof(*devs));
	ck_assert_int_eq(desc_add(devs, &host), 0);
	fn.irq = 16;
	fn.pci = (typeof(fn.pci)){ .slot = 1, .fn = 0, .pin = DESC_PCI_PIN_INTA };
	ck_assert_int_eq(desc_add(devs, &fn), 0);
	fn.irq = 23;					/* another function of slot 1, on INTA# too */
	fn.pci = (typeof(fn.pci)){ .slot = 1, .fn = 1, .pin = DESC_PCI_PIN_INTA };
	ck_assert_int_eq(desc_add(devs, &fn), 0);
	fn.irq = 17;
	fn.pci = (typeof(fn.pci)){ .slot = 2, .fn = 0, .pin = 2 };	/* INTB# */
	ck_assert_int_eq(desc_add(devs, &fn), 0);
}

START_TEST(tables_prt_per_slot_pin)
{
	struct dev_descs devs;
	uint8_t pat[32];
	uint32_t n;
	const uint8_t *d;
	const uint8_t intb[] = { 0x0c, 0xff, 0xff, 2, 0x00, 0x01 };	/* slot 2, pin One */

	pci_descs(&devs);
	build_and_check(1, &devs);
	d = table("DSDT", &n);
	/* ACPI routes a slot's pin: slot 1's INTA# is its function 0's GSI; no link for GSI 23. */
	ck_assert_uint_eq(count(d, n, pat, prt_entry(pat, 1, 16)), 1);
	ck_assert_uint_eq(count(d, n, "LK23", 4), 0);
	ck_assert_uint_eq(count(d, n, intb, sizeof(intb)), 1);
	ck_assert_uint_eq(count(d, n, "LK17", 4), 2);
}
END_TEST

START_TEST(tables_errors)
{
	struct dev_descs devs;
	uint64_t rsdp;
	size_t full, l;
	static uint8_t small[CAP];

	machine(&devs, NULL);
	ck_assert_int_eq(acpi_build(2, &devs, BASE, small, CAP, &full, &rsdp), 0);
	/* Every buffer shorter than the tables: -ENOSPC, and nothing written past it. */
	for (size_t cap = 0; cap < full; cap += cap < 64 ? 1 : 7) {
		memset(small, 0x5a, sizeof(small));
		ck_assert_int_eq(acpi_build(2, &devs, BASE, small, cap, &l, &rsdp), -ENOSPC);
		ck_assert_uint_eq(small[cap], 0x5a);
	}
	ck_assert_int_eq(acpi_build(2, &devs, BASE, small, full, &l, &rsdp), 0);
	ck_assert_uint_eq(l, full);
	/* Nonsense. */
	ck_assert_int_eq(acpi_build(0, &devs, BASE, small, CAP, &l, &rsdp), -EINVAL);
	ck_assert_int_eq(acpi_build(1, &devs, BASE + 8, small, CAP, &l, &rsdp), -EINVAL);
	ck_assert_int_eq(acpi_build(1, &devs, 0xffffff00ull, small, CAP, &l, &rsdp), -EINVAL);
	pci_descs(&devs);
	devs.d[0].space = DESC_ISA_IO;			/* functions without a host */
	ck_assert_int_eq(acpi_build(1, &devs, BASE, small, CAP, &l, &rsdp), -EINVAL);
	pci_descs(&devs);
	devs.d[1].irq = 24;				/* beyond the IOAPIC */
	ck_assert_int_eq(acpi_build(1, &devs, BASE, small, CAP, &l, &rsdp), -EINVAL);
	pci_descs(&devs);
	ck_assert_int_eq(desc_add(&devs, &devs.d[0]), 0);	/* two hosts */
	ck_assert_int_eq(acpi_build(1, &devs, BASE, small, CAP, &l, &rsdp), -EINVAL);
	/* acpi_find refuses what is not tables. */
	memset(small, 0, 64);
	ck_assert_int_eq(acpi_find(small, 64, BASE, "DSDT"), -EINVAL);
}
END_TEST

Suite *acpi_suite(void)
{
	Suite *s = suite_create("acpi");
	TCase *aml = tcase_create("aml");
	TCase *tables = tcase_create("tables");

	tcase_add_test(aml, aml_integers_shortest);
	tcase_add_test(aml, aml_names_and_eisaid);
	tcase_add_test(aml, aml_pkglength_forms);
	tcase_add_test(aml, aml_resource_template);
	tcase_add_test(aml, aml_package_counts_and_errors);
	suite_add_tcase(s, aml);
	tcase_add_test(tables, tables_fadt_fields);
	tcase_add_test(tables, tables_madt_cpus);
	tcase_add_test(tables, tables_dsdt_pci);
	tcase_add_test(tables, tables_dsdt_mmio);
	tcase_add_test(tables, tables_prt_per_slot_pin);
	tcase_add_test(tables, tables_errors);
	suite_add_tcase(s, tables);
	return s;
}
