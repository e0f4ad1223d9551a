/* A small AML encoder: names, data objects, Scope/Device/Name/Method and resource templates, into a byte buffer with package-length fix-ups. */
#ifndef KEEL_FIRMWARE_AML_H
#define KEEL_FIRMWARE_AML_H

/*
 * Written from the ACPI 6.x specification, chapters 6.4 (resource descriptors) and 20 (AML
 * grammar). Only what keel's DSDT needs. Calls append to the buffer in order, as the ASL would
 * read; the first error (-ENOSPC: no room, -EINVAL: a bad name or value, -E2BIG: a package of
 * more than 255 elements or nesting beyond AML_MAX_DEPTH) sticks, later calls then do nothing,
 * and aml_finish reports it. Constructs that hold others (Scope, Device, Method, Package,
 * Buffer, resource templates) are opened by a *_begin call and closed by aml_end, which writes
 * their PkgLength in its shortest form (and a package's element count, a buffer's size). Bytes
 * are only ever written below the stream's final length: a buffer exactly that long is enough.
 *
 * Names are ASL paths: segments of 1-4 characters ([A-Z_][A-Z0-9_]*, padded with '_'),
 * separated by '.', optionally after a leading '\' (root) or '^'s (parent): "\_SB.PCI0", "_HID".
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AML_MAX_DEPTH 16u		/* constructs open at once */

/* Extended Interrupt descriptor flags (aml_rt_interrupt); the default is level, active-high, exclusive. */
#define AML_IRQ_EDGE (1u << 1)
#define AML_IRQ_ACTIVE_LOW (1u << 2)
#define AML_IRQ_SHARED (1u << 3)

/* An AML byte stream under construction. Zero-initialised by aml_init; no heap. */
struct aml {
	uint8_t *buf;
	size_t cap, len;
	int err;			/* first error, 0 while none */
	unsigned int depth;
	struct {
		unsigned int kind;	/* what is open (aml.c's enum) */
		size_t pkglen;		/* where its PkgLength starts (one byte until aml_end widens it) */
		unsigned int count;	/* a package's elements so far */
	} open[AML_MAX_DEPTH];
};

/* aml_init - start writing at @buf, at most @cap bytes. */
void aml_init(struct aml *a, uint8_t *buf, size_t cap);

/*
 * aml_finish - the stream is complete: every construct closed. Returns 0 and its length in
 * *@len, the first error, or -EINVAL when a construct is still open.
 */
int aml_finish(struct aml *a, size_t *len);

/* aml_end - close the innermost open construct. */
void aml_end(struct aml *a);

/* --- data objects (each counts as one element of an enclosing Package) ------------------ */

/* aml_integer - @v in its shortest encoding: Zero, One, or a Byte/Word/DWord/QWord constant. */
void aml_integer(struct aml *a, uint64_t v);

/* aml_string - a String of printable ASCII @s. */
void aml_string(struct aml *a, const char *s);

/* aml_buffer - a Buffer holding the @n bytes at @data. */
void aml_buffer(struct aml *a, const void *data, size_t n);

/* aml_eisaid - EISAID(@id): a compressed 7-character PNP id ("PNP0A03") as a DWord integer. */
void aml_eisaid(struct aml *a, const char *id);

/* aml_name_ref - a name as a data object (a reference, e.g. a _PRT entry's link device). */
void aml_name_ref(struct aml *a, const char *path);

/* aml_package_begin - a Package; its elements follow, aml_end closes it (at most 255). */
void aml_package_begin(struct aml *a);

/* --- named objects and control ---------------------------------------------------------- */

/* aml_scope_begin / aml_device_begin - Scope (@path) or Device (@path); aml_end closes it. */
void aml_scope_begin(struct aml *a, const char *path);
void aml_device_begin(struct aml *a, const char *path);

/* aml_name - Name (@path, ...): the next data object written is its value. */
void aml_name(struct aml *a, const char *path);

/*
 * aml_method_begin - Method (@path, @nargs (0-7), Serialized or not), sync level 0; its body
 * follows, aml_end closes it.
 */
void aml_method_begin(struct aml *a, const char *path, unsigned int nargs, bool serialized);

/* aml_return - Return (...): the next data object written is the value returned. */
void aml_return(struct aml *a);

/* --- resource templates (a Buffer of resource descriptors) -------------------------------- */

/* aml_rt_begin - ResourceTemplate (): descriptors follow; aml_rt_end adds the end tag (with its checksum) and closes it. */
void aml_rt_begin(struct aml *a);
void aml_rt_end(struct aml *a);

/* aml_rt_io - IO (Decode16, @base, @base, 1, @len): a fixed range of I/O ports. */
void aml_rt_io(struct aml *a, uint16_t base, uint8_t len);

/* aml_rt_irq - IRQNoFlags () {@irq}: an ISA interrupt (0-15), edge, active-high, exclusive. */
void aml_rt_irq(struct aml *a, unsigned int irq);

/* aml_rt_memory32_fixed - Memory32Fixed (ReadWrite or ReadOnly, @base, @size). */
void aml_rt_memory32_fixed(struct aml *a, uint32_t base, uint32_t size, bool rw);

/* aml_rt_interrupt - Interrupt (ResourceConsumer, AML_IRQ_* @flags) {@gsi}. */
void aml_rt_interrupt(struct aml *a, uint32_t gsi, unsigned int flags);

/*
 * Address space descriptors, all ResourceProducer, PosDecode, MinFixed, MaxFixed, granularity
 * 0, no translation, length @max - @min + 1 (a bridge's windows):
 * aml_rt_word_bus - WordBusNumber over buses [@min, @max].
 * aml_rt_word_io - WordIO, EntireRange, over ports [@min, @max].
 * aml_rt_dword_memory / aml_rt_qword_memory - DWordMemory / QWordMemory, NonCacheable, ReadWrite.
 */
void aml_rt_word_bus(struct aml *a, uint16_t min, uint16_t max);
void aml_rt_word_io(struct aml *a, uint16_t min, uint16_t max);
void aml_rt_dword_memory(struct aml *a, uint32_t min, uint32_t max);
void aml_rt_qword_memory(struct aml *a, uint64_t min, uint64_t max);

#endif
