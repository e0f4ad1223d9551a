/* x86-64 registers for gdb: one table drives the target description XML and the g/G/p/P encodings. */
#include "vmm/gdb/regs.h"

#include "vmm/gdb/packet.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

enum reg_feature {
	FEAT_CORE,	/* general registers, eflags, selectors, x87 (gdb requires all of them) */
	FEAT_SSE,	/* xmm0-15, mxcsr */
	FEAT_SEGMENTS,	/* fs_base, gs_base */
	FEAT_SYSTEM,	/* control registers and EFER: keel's own feature, shown as extra registers */
	FEAT_COUNT,
};

struct reg_desc {
	const char *name;
	size_t offset;		/* in struct gdb_regs */
	unsigned int bits;
	const char *type;	/* a gdb predefined type or one defined in the feature's preamble */
	enum reg_feature feature;
	const char *group;	/* NULL: gdb's default */
};

#define REG(n, field, b, t, f, g) { n, offsetof(struct gdb_regs, field), b, t, f, g }
#define GPR(n, i, t) REG(n, gpr[i], 64, t, FEAT_CORE, NULL)
#define SEG(n, i) REG(n, seg[i], 32, "int32", FEAT_CORE, NULL)
#define ST(n, i) REG(n, st[i], 80, "i387_ext", FEAT_CORE, "float")
#define X87(n, field) REG(n, field, 32, "int", FEAT_CORE, "float")
#define XMM(n, i) REG(n, xmm[i], 128, "vec128", FEAT_SSE, "vector")
#define SYS(n, field) REG(n, field, 64, "int64", FEAT_SYSTEM, "system")
#define SYS32(n, field) REG(n, field, 32, "int32", FEAT_SYSTEM, "system")

static const struct reg_desc regs[GDB_NREGS] = {
	GPR("rax", 0, "int64"), GPR("rbx", 1, "int64"), GPR("rcx", 2, "int64"), GPR("rdx", 3, "int64"),
	GPR("rsi", 4, "int64"), GPR("rdi", 5, "int64"), GPR("rbp", 6, "data_ptr"), GPR("rsp", 7, "data_ptr"),
	GPR("r8", 8, "int64"), GPR("r9", 9, "int64"), GPR("r10", 10, "int64"), GPR("r11", 11, "int64"),
	GPR("r12", 12, "int64"), GPR("r13", 13, "int64"), GPR("r14", 14, "int64"), GPR("r15", 15, "int64"),
	REG("rip", rip, 64, "code_ptr", FEAT_CORE, NULL),
	REG("eflags", eflags, 32, "i386_eflags", FEAT_CORE, NULL),
	SEG("cs", 0), SEG("ss", 1), SEG("ds", 2), SEG("es", 3), SEG("fs", 4), SEG("gs", 5),
	ST("st0", 0), ST("st1", 1), ST("st2", 2), ST("st3", 3),
	ST("st4", 4), ST("st5", 5), ST("st6", 6), ST("st7", 7),
	X87("fctrl", fctrl), X87("fstat", fstat), X87("ftag", ftag), X87("fiseg", fiseg),
	X87("fioff", fioff), X87("foseg", foseg), X87("fooff", fooff), X87("fop", fop),
	XMM("xmm0", 0), XMM("xmm1", 1), XMM("xmm2", 2), XMM("xmm3", 3),
	XMM("xmm4", 4), XMM("xmm5", 5), XMM("xmm6", 6), XMM("xmm7", 7),
	XMM("xmm8", 8), XMM("xmm9", 9), XMM("xmm10", 10), XMM("xmm11", 11),
	XMM("xmm12", 12), XMM("xmm13", 13), XMM("xmm14", 14), XMM("xmm15", 15),
	REG("mxcsr", mxcsr, 32, "i386_mxcsr", FEAT_SSE, "vector"),
	REG("fs_base", fs_base, 64, "int64", FEAT_SEGMENTS, NULL),
	REG("gs_base", gs_base, 64, "int64", FEAT_SEGMENTS, NULL),
	SYS("cr0", cr0), SYS("cr2", cr2), SYS("cr3", cr3), SYS("cr4", cr4), SYS("cr8", cr8), SYS("efer", efer),
	SYS("cs_base", seg_base[0]), SYS("ss_base", seg_base[1]), SYS("ds_base", seg_base[2]),
	SYS("es_base", seg_base[3]),
	SYS32("cs_limit", seg_limit[0]), SYS32("ss_limit", seg_limit[1]), SYS32("ds_limit", seg_limit[2]),
	SYS32("es_limit", seg_limit[3]), SYS32("fs_limit", seg_limit[4]), SYS32("gs_limit", seg_limit[5]),
	SYS("gdtr_base", gdtr_base), SYS32("gdtr_limit", gdtr_limit),
	SYS("idtr_base", idtr_base), SYS32("idtr_limit", idtr_limit),
	SYS32("tr", tr), SYS32("ldtr", ldtr),
	SYS32("mode", mode),
};

_Static_assert(sizeof(regs) / sizeof(regs[0]) == GDB_NREGS, "one table entry per register number");

/* Each feature's name and the types its registers use that gdb does not predefine. */
static const struct {
	const char *name;
	const char *types;
} features[FEAT_COUNT] = {
	[FEAT_CORE] = {
		"org.gnu.gdb.i386.core",
		"    <flags id=\"i386_eflags\" size=\"4\">\n"
		"      <field name=\"CF\" start=\"0\" end=\"0\"/>\n"
		"      <field name=\"\" start=\"1\" end=\"1\"/>\n"
		"      <field name=\"PF\" start=\"2\" end=\"2\"/>\n"
		"      <field name=\"AF\" start=\"4\" end=\"4\"/>\n"
		"      <field name=\"ZF\" start=\"6\" end=\"6\"/>\n"
		"      <field name=\"SF\" start=\"7\" end=\"7\"/>\n"
		"      <field name=\"TF\" start=\"8\" end=\"8\"/>\n"
		"      <field name=\"IF\" start=\"9\" end=\"9\"/>\n"
		"      <field name=\"DF\" start=\"10\" end=\"10\"/>\n"
		"      <field name=\"OF\" start=\"11\" end=\"11\"/>\n"
		"      <field name=\"NT\" start=\"14\" end=\"14\"/>\n"
		"      <field name=\"RF\" start=\"16\" end=\"16\"/>\n"
		"      <field name=\"VM\" start=\"17\" end=\"17\"/>\n"
		"      <field name=\"AC\" start=\"18\" end=\"18\"/>\n"
		"      <field name=\"VIF\" start=\"19\" end=\"19\"/>\n"
		"      <field name=\"VIP\" start=\"20\" end=\"20\"/>\n"
		"      <field name=\"ID\" start=\"21\" end=\"21\"/>\n"
		"    </flags>\n",
	},
	[FEAT_SSE] = {
		"org.gnu.gdb.i386.sse",
		"    <vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
		"    <vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
		"    <vector id=\"v16i8\" type=\"int8\" count=\"16\"/>\n"
		"    <vector id=\"v8i16\" type=\"int16\" count=\"8\"/>\n"
		"    <vector id=\"v4i32\" type=\"int32\" count=\"4\"/>\n"
		"    <vector id=\"v2i64\" type=\"int64\" count=\"2\"/>\n"
		"    <union id=\"vec128\">\n"
		"      <field name=\"v4_float\" type=\"v4f\"/>\n"
		"      <field name=\"v2_double\" type=\"v2d\"/>\n"
		"      <field name=\"v16_int8\" type=\"v16i8\"/>\n"
		"      <field name=\"v8_int16\" type=\"v8i16\"/>\n"
		"      <field name=\"v4_int32\" type=\"v4i32\"/>\n"
		"      <field name=\"v2_int64\" type=\"v2i64\"/>\n"
		"      <field name=\"uint128\" type=\"uint128\"/>\n"
		"    </union>\n"
		"    <flags id=\"i386_mxcsr\" size=\"4\">\n"
		"      <field name=\"IE\" start=\"0\" end=\"0\"/>\n"
		"      <field name=\"DE\" start=\"1\" end=\"1\"/>\n"
		"      <field name=\"ZE\" start=\"2\" end=\"2\"/>\n"
		"      <field name=\"OE\" start=\"3\" end=\"3\"/>\n"
		"      <field name=\"UE\" start=\"4\" end=\"4\"/>\n"
		"      <field name=\"PE\" start=\"5\" end=\"5\"/>\n"
		"      <field name=\"DAZ\" start=\"6\" end=\"6\"/>\n"
		"      <field name=\"IM\" start=\"7\" end=\"7\"/>\n"
		"      <field name=\"DM\" start=\"8\" end=\"8\"/>\n"
		"      <field name=\"ZM\" start=\"9\" end=\"9\"/>\n"
		"      <field name=\"OM\" start=\"10\" end=\"10\"/>\n"
		"      <field name=\"UM\" start=\"11\" end=\"11\"/>\n"
		"      <field name=\"PM\" start=\"12\" end=\"12\"/>\n"
		"      <field name=\"FZ\" start=\"15\" end=\"15\"/>\n"
		"    </flags>\n",
	},
	[FEAT_SEGMENTS] = { "org.gnu.gdb.i386.segments", "" },
	[FEAT_SYSTEM] = { "org.keel.x86.system", "" },
};

uint32_t gdb_regs_mode(uint64_t cr0, uint64_t efer, unsigned int cs_l, unsigned int cs_db)
{
	if (!(cr0 & 1))
		return 16;		/* real mode (CS.D/B is ignored there) */
	if ((efer & (1u << 10)) && cs_l)
		return 64;		/* EFER.LMA and a 64-bit code segment */
	return cs_db ? 32 : 16;
}

size_t gdb_regs_hex_len(void)
{
	size_t n = 0;

	for (unsigned int i = 0; i < GDB_NREGS; i++)
		n += regs[i].bits / 4;
	return n;
}

ssize_t gdb_regs_to_hex(const struct gdb_regs *r, char *out, size_t cap)
{
	size_t n = 0;

	if (cap < gdb_regs_hex_len() + 1)
		return -ENOSPC;
	for (unsigned int i = 0; i < GDB_NREGS; i++) {
		gdb_hex_encode(out + n, (const uint8_t *)r + regs[i].offset, regs[i].bits / 8);
		n += regs[i].bits / 4;
	}
	out[n] = '\0';
	return (ssize_t)n;
}

int gdb_regs_from_hex(struct gdb_regs *r, const char *hex, size_t len)
{
	struct gdb_regs tmp;
	size_t n = 0;

	if (len != gdb_regs_hex_len())
		return -EINVAL;
	for (unsigned int i = 0; i < GDB_NREGS; i++) {
		if (gdb_hex_decode((uint8_t *)&tmp + regs[i].offset, hex + n, regs[i].bits / 8) < 0)
			return -EINVAL;
		n += regs[i].bits / 4;
	}
	*r = tmp;
	return 0;
}

ssize_t gdb_reg_to_hex(const struct gdb_regs *r, unsigned int n, char *out, size_t cap)
{
	size_t len;

	if (n >= GDB_NREGS)
		return -ENOENT;
	len = regs[n].bits / 4;
	if (cap < len + 1)
		return -ENOSPC;
	gdb_hex_encode(out, (const uint8_t *)r + regs[n].offset, regs[n].bits / 8);
	out[len] = '\0';
	return (ssize_t)len;
}

int gdb_reg_from_hex(struct gdb_regs *r, unsigned int n, const char *hex, size_t len)
{
	uint8_t val[16];

	if (n >= GDB_NREGS)
		return -ENOENT;
	if (len != regs[n].bits / 4 || gdb_hex_decode(val, hex, regs[n].bits / 8) < 0)
		return -EINVAL;
	memcpy((uint8_t *)r + regs[n].offset, val, regs[n].bits / 8);
	return 0;
}

int gdb_reg_value(const struct gdb_regs *r, const char *name, uint64_t *v)
{
	for (unsigned int i = 0; i < GDB_NREGS; i++) {
		uint64_t val = 0;

		if (regs[i].bits > 64 || strcmp(regs[i].name, name))
			continue;
		memcpy(&val, (const uint8_t *)r + regs[i].offset, regs[i].bits / 8);	/* little-endian host */
		*v = val;
		return 0;
	}
	return -ENOENT;
}

/* Append printf output to @out, tracking the length in *@n; false once it no longer fits. */
static bool __attribute__((format(printf, 4, 5))) xml_add(char *out, size_t cap, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*n >= cap)
		return false;
	va_start(ap, fmt);
	w = vsnprintf(out + *n, cap - *n, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= cap - *n)
		return false;
	*n += (size_t)w;
	return true;
}

ssize_t gdb_regs_tdesc(char *out, size_t cap)
{
	size_t n = 0;
	bool ok;

	ok = xml_add(out, cap, &n, "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
				   "<target version=\"1.0\">\n  <architecture>i386:x86-64</architecture>\n");
	for (unsigned int f = 0; ok && f < FEAT_COUNT; f++) {
		ok = xml_add(out, cap, &n, "  <feature name=\"%s\">\n%s", features[f].name, features[f].types);
		for (unsigned int i = 0; ok && i < GDB_NREGS; i++) {
			if (regs[i].feature != f)
				continue;
			ok = xml_add(out, cap, &n, "    <reg name=\"%s\" bitsize=\"%u\" type=\"%s\"%s%s%s/>\n",
				     regs[i].name, regs[i].bits, regs[i].type, regs[i].group ? " group=\"" : "",
				     regs[i].group ? regs[i].group : "", regs[i].group ? "\"" : "");
		}
		ok = ok && xml_add(out, cap, &n, "  </feature>\n");
	}
	ok = ok && xml_add(out, cap, &n, "</target>\n");
	return ok ? (ssize_t)n : -ENOSPC;
}

/* The tag of one in-use x87 register from its 80-bit value: 0 valid, 1 zero, 2 special. */
static unsigned int fpu_classify(const uint8_t v[10])
{
	unsigned int exponent = ((unsigned int)v[9] << 8 | v[8]) & 0x7fff;
	uint64_t mantissa;

	memcpy(&mantissa, v, sizeof(mantissa));
	if (exponent == 0x7fff)
		return 2;			/* infinity or NaN */
	if (exponent == 0)
		return mantissa == 0 ? 1 : 2;	/* zero, or denormal */
	return mantissa >> 63 ? 0 : 2;		/* normal, or unnormal */
}

uint16_t gdb_fpu_full_tag(uint8_t abridged, uint16_t fsw, const uint8_t st[8][10])
{
	unsigned int top = (fsw >> 11) & 7;
	uint16_t tag = 0;

	for (unsigned int phys = 0; phys < 8; phys++) {
		unsigned int t = 3;

		if (abridged & (1u << phys))
			t = fpu_classify(st[(phys - top) & 7]);
		tag |= (uint16_t)(t << (2 * phys));
	}
	return tag;
}

uint8_t gdb_fpu_abridged_tag(uint16_t full)
{
	uint8_t abridged = 0;

	for (unsigned int phys = 0; phys < 8; phys++)
		if (((full >> (2 * phys)) & 3) != 3)
			abridged |= (uint8_t)(1u << phys);
	return abridged;
}
