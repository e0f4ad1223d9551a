/* A small AML encoder: names, data objects, Scope/Device/Name/Method and resource templates, into a byte buffer with package-length fix-ups. */
#include "firmware/aml.h"

#include <errno.h>
#include <string.h>

/* AML opcodes and prefixes (ACPI 6.x, 20.3). */
#define AML_ZERO 0x00u
#define AML_ONE 0x01u
#define AML_NAME_OP 0x08u
#define AML_BYTE_PREFIX 0x0au
#define AML_WORD_PREFIX 0x0bu
#define AML_DWORD_PREFIX 0x0cu
#define AML_STRING_PREFIX 0x0du
#define AML_QWORD_PREFIX 0x0eu
#define AML_SCOPE_OP 0x10u
#define AML_BUFFER_OP 0x11u
#define AML_PACKAGE_OP 0x12u
#define AML_METHOD_OP 0x14u
#define AML_DUAL_NAME 0x2eu
#define AML_MULTI_NAME 0x2fu
#define AML_EXT_PREFIX 0x5bu
#define AML_DEVICE_OP 0x82u		/* after AML_EXT_PREFIX */
#define AML_ROOT_CHAR '\\'
#define AML_PARENT_CHAR '^'
#define AML_RETURN_OP 0xa4u

/* Resource descriptor tags (ACPI 6.x, 6.4). */
#define RD_IRQ 0x22u			/* small, IRQ, 2 bytes: the mask */
#define RD_IO 0x47u			/* small, I/O port, 7 bytes */
#define RD_END 0x79u			/* small, end tag, 1 byte: the checksum */
#define RD_MEM32_FIXED 0x86u		/* large, 32-bit fixed memory */
#define RD_DWORD_SPACE 0x87u		/* large, DWord address space */
#define RD_WORD_SPACE 0x88u		/* large, Word address space */
#define RD_EXT_IRQ 0x89u		/* large, extended interrupt */
#define RD_QWORD_SPACE 0x8au		/* large, QWord address space */
#define RD_SPACE_MEMORY 0u		/* address space resource types */
#define RD_SPACE_IO 1u
#define RD_SPACE_BUS 2u
#define RD_GEN_MIN_FIXED (1u << 2)	/* general flags; bit 0 clear: producer, bit 1 clear: positive decode */
#define RD_GEN_MAX_FIXED (1u << 3)
#define RD_MEM_RW 1u			/* memory type flags: read-write, non-cacheable */
#define RD_IO_ENTIRE_RANGE 3u		/* I/O type flags: ISA and non-ISA ports */
#define RD_IRQ_CONSUMER 1u

#define PKGLEN_MAX_BYTES 4u		/* the longest PkgLength: 28 bits */
#define PACKAGE_MAX_ELEMENTS 255u

enum aml_kind {
	OPEN_CONTAINER,			/* Scope, Device, Method: PkgLength then content */
	OPEN_PACKAGE,			/* PkgLength, NumElements, elements */
	OPEN_BUFFER,			/* PkgLength, BufferSize (written at the end), bytes */
	OPEN_TEMPLATE,			/* a buffer of resource descriptors */
};

static void fail(struct aml *a, int err)
{
	if (!a->err)
		a->err = err;
}

/* Room for @n more bytes? Sets the error when not. */
static bool room(struct aml *a, size_t n)
{
	if (a->err)
		return false;
	if (n > a->cap - a->len) {
		fail(a, -ENOSPC);
		return false;
	}
	return true;
}

static void put(struct aml *a, const void *p, size_t n)
{
	if (room(a, n)) {
		memcpy(a->buf + a->len, p, n);
		a->len += n;
	}
}

static void put8(struct aml *a, unsigned int v)
{
	uint8_t b = (uint8_t)v;

	put(a, &b, 1);
}

/* @n little-endian bytes of @v. */
static void put_le(struct aml *a, uint64_t v, unsigned int n)
{
	uint8_t b[8];

	for (unsigned int i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put(a, b, n);
}

/* A data object starts: one more element of the innermost open package. */
static void element(struct aml *a)
{
	if (a->err || a->depth == 0 || a->open[a->depth - 1].kind != OPEN_PACKAGE)
		return;
	if (++a->open[a->depth - 1].count > PACKAGE_MAX_ELEMENTS)
		fail(a, -E2BIG);
}

/*
 * Open a construct of @kind whose PkgLength starts here. One byte holds its place; aml_end
 * widens it when the content needs more, so the stream never grows past its final length.
 */
static void open_construct(struct aml *a, enum aml_kind kind)
{
	if (a->err)
		return;
	if (a->depth == AML_MAX_DEPTH) {
		fail(a, -E2BIG);
		return;
	}
	if (!room(a, 1))
		return;
	a->open[a->depth].kind = kind;
	a->open[a->depth].pkglen = a->len;
	a->open[a->depth].count = 0;
	a->depth++;
	a->buf[a->len++] = 0;
}

/* The shortest encoding of integer @v (opcode and bytes) into @out; returns its length. */
static size_t int_encode(uint64_t v, uint8_t out[9])
{
	unsigned int n, op;

	if (v <= 1) {
		out[0] = v ? AML_ONE : AML_ZERO;
		return 1;
	}
	if (v <= 0xff) {
		op = AML_BYTE_PREFIX;
		n = 1;
	} else if (v <= 0xffff) {
		op = AML_WORD_PREFIX;
		n = 2;
	} else if (v <= 0xffffffffu) {
		op = AML_DWORD_PREFIX;
		n = 4;
	} else {
		op = AML_QWORD_PREFIX;
		n = 8;
	}
	out[0] = (uint8_t)op;
	for (unsigned int i = 0; i < n; i++)
		out[1 + i] = (uint8_t)(v >> (8 * i));
	return 1 + n;
}

/* Insert @n bytes at @at, moving what follows. */
static void insert(struct aml *a, size_t at, const uint8_t *p, size_t n)
{
	if (!room(a, n))
		return;
	memmove(a->buf + at + n, a->buf + at, a->len - at);
	memcpy(a->buf + at, p, n);
	a->len += n;
}

void aml_end(struct aml *a)
{
	size_t start, content, pkglen = 0;
	unsigned int n;
	uint8_t enc[PKGLEN_MAX_BYTES];

	if (a->err)
		return;
	if (a->depth == 0) {
		fail(a, -EINVAL);
		return;
	}
	a->depth--;
	start = a->open[a->depth].pkglen;
	if (a->open[a->depth].kind == OPEN_PACKAGE) {
		a->buf[start + 1] = (uint8_t)a->open[a->depth].count;
	} else if (a->open[a->depth].kind != OPEN_CONTAINER) {
		uint8_t size[9];
		size_t k = int_encode(a->len - start - 1, size);

		insert(a, start + 1, size, k);
	}
	/* PkgLength counts its own bytes and the content after it: 6 bits in one byte, else 4 + 8 per byte. */
	content = a->len - start - 1;
	for (n = 1; n <= PKGLEN_MAX_BYTES; n++) {
		pkglen = content + n;
		if (pkglen < (n == 1 ? 0x40u : 1ull << (4 + 8 * (n - 1))))
			break;
	}
	if (n > PKGLEN_MAX_BYTES) {
		fail(a, -E2BIG);
		return;
	}
	if (n == 1) {
		enc[0] = (uint8_t)pkglen;
	} else {
		enc[0] = (uint8_t)((n - 1) << 6 | (pkglen & 0x0f));
		for (unsigned int i = 1; i < n; i++)
			enc[i] = (uint8_t)(pkglen >> (4 + 8 * (i - 1)));
	}
	insert(a, start + 1, enc + 1, n - 1);
	if (!a->err)
		a->buf[start] = enc[0];
}

void aml_init(struct aml *a, uint8_t *buf, size_t cap)
{
	memset(a, 0, sizeof(*a));
	a->buf = buf;
	a->cap = cap;
}

int aml_finish(struct aml *a, size_t *len)
{
	if (a->err)
		return a->err;
	if (a->depth)
		return -EINVAL;
	*len = a->len;
	return 0;
}

/* One name segment of @n (1-4) characters at @s, padded with '_', into @out. */
static bool name_seg(const char *s, size_t n, uint8_t out[4])
{
	if (n == 0 || n > 4 || !((s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
		return false;
	for (size_t i = 0; i < 4; i++) {
		char c = i < n ? s[i] : '_';

		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
		out[i] = (uint8_t)c;
	}
	return true;
}

/* A NameString: prefixes, then one segment, a DualNamePath or a MultiNamePath. */
static void name_string(struct aml *a, const char *path)
{
	uint8_t segs[255][4];
	unsigned int nsegs = 0;
	const char *p = path;

	if (*p == AML_ROOT_CHAR) {
		put8(a, AML_ROOT_CHAR);
		p++;
	} else {
		while (*p == AML_PARENT_CHAR) {
			put8(a, AML_PARENT_CHAR);
			p++;
		}
	}
	while (*p) {
		size_t n = strcspn(p, ".");

		if (nsegs == 255 || !name_seg(p, n, segs[nsegs])) {
			fail(a, -EINVAL);
			return;
		}
		nsegs++;
		p += n;
		if (*p == '.' && *++p == '\0') {
			fail(a, -EINVAL);	/* a trailing '.' */
			return;
		}
	}
	if (nsegs == 0) {
		fail(a, -EINVAL);	/* ASL's NullName is not needed here */
		return;
	}
	if (nsegs == 2)
		put8(a, AML_DUAL_NAME);
	else if (nsegs > 2) {
		put8(a, AML_MULTI_NAME);
		put8(a, nsegs);
	}
	put(a, segs, 4 * (size_t)nsegs);
}

void aml_integer(struct aml *a, uint64_t v)
{
	uint8_t enc[9];

	element(a);
	put(a, enc, int_encode(v, enc));
}

void aml_string(struct aml *a, const char *s)
{
	for (const char *c = s; *c; c++) {
		if (*c < 0x20 || *c > 0x7e) {
			fail(a, -EINVAL);
			return;
		}
	}
	element(a);
	put8(a, AML_STRING_PREFIX);
	put(a, s, strlen(s) + 1);
}

void aml_buffer(struct aml *a, const void *data, size_t n)
{
	element(a);
	put8(a, AML_BUFFER_OP);
	open_construct(a, OPEN_BUFFER);
	put(a, data, n);
	aml_end(a);
}

void aml_eisaid(struct aml *a, const char *id)
{
	uint32_t v = 0;

	if (strlen(id) != 7) {
		fail(a, -EINVAL);
		return;
	}
	/* Three letters of 5 bits each ('A' is 1), then four hex digits; stored big-endian. */
	for (unsigned int i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z') {
			fail(a, -EINVAL);
			return;
		}
		v = v << 5 | (uint32_t)(id[i] - 'A' + 1);
	}
	for (unsigned int i = 3; i < 7; i++) {
		unsigned int d;

		if (id[i] >= '0' && id[i] <= '9')
			d = (unsigned int)(id[i] - '0');
		else if (id[i] >= 'A' && id[i] <= 'F')
			d = (unsigned int)(id[i] - 'A' + 10);
		else {
			fail(a, -EINVAL);
			return;
		}
		v = v << 4 | d;
	}
	/* Bit 31 is 0; the bytes go in big-endian order into a little-endian DWord. */
	aml_integer(a, (uint64_t)__builtin_bswap32(v));
}

void aml_name_ref(struct aml *a, const char *path)
{
	element(a);
	name_string(a, path);
}

void aml_package_begin(struct aml *a)
{
	element(a);
	put8(a, AML_PACKAGE_OP);
	open_construct(a, OPEN_PACKAGE);
	put8(a, 0);			/* NumElements, written by aml_end */
}

void aml_scope_begin(struct aml *a, const char *path)
{
	put8(a, AML_SCOPE_OP);
	open_construct(a, OPEN_CONTAINER);
	name_string(a, path);
}

void aml_device_begin(struct aml *a, const char *path)
{
	put8(a, AML_EXT_PREFIX);
	put8(a, AML_DEVICE_OP);
	open_construct(a, OPEN_CONTAINER);
	name_string(a, path);
}

void aml_name(struct aml *a, const char *path)
{
	put8(a, AML_NAME_OP);
	name_string(a, path);
}

void aml_method_begin(struct aml *a, const char *path, unsigned int nargs, bool serialized)
{
	if (nargs > 7) {
		fail(a, -EINVAL);
		return;
	}
	put8(a, AML_METHOD_OP);
	open_construct(a, OPEN_CONTAINER);
	name_string(a, path);
	put8(a, nargs | (serialized ? 1u << 3 : 0));
}

void aml_return(struct aml *a)
{
	put8(a, AML_RETURN_OP);
}

void aml_rt_begin(struct aml *a)
{
	element(a);
	put8(a, AML_BUFFER_OP);
	open_construct(a, OPEN_TEMPLATE);
}

void aml_rt_end(struct aml *a)
{
	size_t start;
	uint8_t sum = RD_END;

	if (a->err)
		return;
	if (a->depth == 0 || a->open[a->depth - 1].kind != OPEN_TEMPLATE) {
		fail(a, -EINVAL);
		return;
	}
	/* The checksum makes the bytes of the template, end tag included, add up to 0. */
	start = a->open[a->depth - 1].pkglen + 1;
	for (size_t i = start; i < a->len; i++)
		sum = (uint8_t)(sum + a->buf[i]);
	put8(a, RD_END);
	put8(a, (uint8_t)-sum);
	aml_end(a);
}

/* Is the innermost open construct a resource template? */
static bool in_template(struct aml *a)
{
	if (!a->err && (a->depth == 0 || a->open[a->depth - 1].kind != OPEN_TEMPLATE))
		fail(a, -EINVAL);
	return !a->err;
}

void aml_rt_io(struct aml *a, uint16_t base, uint8_t len)
{
	if (!in_template(a))
		return;
	put8(a, RD_IO);
	put8(a, 1);			/* decodes 16 address bits */
	put_le(a, base, 2);		/* minimum and maximum base */
	put_le(a, base, 2);
	put8(a, 1);			/* alignment */
	put8(a, len);
}

void aml_rt_irq(struct aml *a, unsigned int irq)
{
	if (irq > 15)
		fail(a, -EINVAL);
	if (!in_template(a))
		return;
	put8(a, RD_IRQ);
	put_le(a, 1u << irq, 2);
}

void aml_rt_memory32_fixed(struct aml *a, uint32_t base, uint32_t size, bool rw)
{
	if (!in_template(a))
		return;
	put8(a, RD_MEM32_FIXED);
	put_le(a, 9, 2);
	put8(a, rw ? 1 : 0);
	put_le(a, base, 4);
	put_le(a, size, 4);
}

void aml_rt_interrupt(struct aml *a, uint32_t gsi, unsigned int flags)
{
	if (flags & ~(AML_IRQ_EDGE | AML_IRQ_ACTIVE_LOW | AML_IRQ_SHARED))
		fail(a, -EINVAL);
	if (!in_template(a))
		return;
	put8(a, RD_EXT_IRQ);
	put_le(a, 2 + 4, 2);		/* flags, count, one interrupt */
	put8(a, RD_IRQ_CONSUMER | flags);
	put8(a, 1);
	put_le(a, gsi, 4);
}

/* An address space descriptor with fields of @w bytes (2, 4 or 8): the header and flags, then granularity, min, max, translation, length. */
static void rt_space(struct aml *a, uint8_t tag, unsigned int w, unsigned int type, unsigned int type_flags,
		     uint64_t min, uint64_t max)
{
	if (max < min)
		fail(a, -EINVAL);
	if (!in_template(a))
		return;
	put8(a, tag);
	put_le(a, 3 + 5 * w, 2);
	put8(a, type);
	put8(a, RD_GEN_MIN_FIXED | RD_GEN_MAX_FIXED);
	put8(a, type_flags);
	put_le(a, 0, w);
	put_le(a, min, w);
	put_le(a, max, w);
	put_le(a, 0, w);
	put_le(a, max - min + 1, w);
}

void aml_rt_word_bus(struct aml *a, uint16_t min, uint16_t max)
{
	rt_space(a, RD_WORD_SPACE, 2, RD_SPACE_BUS, 0, min, max);
}

void aml_rt_word_io(struct aml *a, uint16_t min, uint16_t max)
{
	rt_space(a, RD_WORD_SPACE, 2, RD_SPACE_IO, RD_IO_ENTIRE_RANGE, min, max);
}

void aml_rt_dword_memory(struct aml *a, uint32_t min, uint32_t max)
{
	rt_space(a, RD_DWORD_SPACE, 4, RD_SPACE_MEMORY, RD_MEM_RW, min, max);
}

void aml_rt_qword_memory(struct aml *a, uint64_t min, uint64_t max)
{
	/* [0, 2^64) has no length that fits: refuse it rather than write a length of 0. */
	if (min == 0 && max == UINT64_MAX)
		fail(a, -EINVAL);
	rt_space(a, RD_QWORD_SPACE, 8, RD_SPACE_MEMORY, RD_MEM_RW, min, max);
}
