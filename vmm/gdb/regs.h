/* The x86-64 register set keel shows gdb: the target description XML and the g/G/p/P encodings. */
#ifndef KEEL_VMM_GDB_REGS_H
#define KEEL_VMM_GDB_REGS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One vCPU's registers in gdb's terms (numbered as in gdb_regs_tdesc's XML). */
struct gdb_regs {
	uint64_t gpr[16];	/* rax rbx rcx rdx rsi rdi rbp rsp r8 ... r15 (gdb's order) */
	uint64_t rip;
	uint32_t eflags;
	uint32_t seg[6];	/* selectors: cs ss ds es fs gs */
	uint8_t st[8][10];	/* x87 ST(0)..ST(7), 80-bit, little-endian */
	uint32_t fctrl, fstat, ftag, fiseg, fioff, foseg, fooff, fop;	/* ftag: the full 16-bit tag word */
	uint8_t xmm[16][16];
	uint32_t mxcsr;
	uint64_t fs_base, gs_base;
	uint64_t cr0, cr2, cr3, cr4, cr8, efer;
	uint64_t seg_base[4];	/* cs ss ds es (fs and gs: fs_base, gs_base) */
	uint32_t seg_limit[6];	/* cs ss ds es fs gs, in bytes minus one (granularity applied) */
	uint64_t gdtr_base, idtr_base;
	uint32_t gdtr_limit, idtr_limit;
	uint32_t tr, ldtr;	/* selectors */
	uint32_t mode;		/* the code size the vCPU executes now: 16, 32 or 64 (read-only) */
};

/* Register numbers gdb and the stub both use (the order of the XML). */
enum {
	GDB_REG_RAX = 0,
	GDB_REG_RSP = 7,
	GDB_REG_RIP = 16,
	GDB_REG_EFLAGS = 17,
	GDB_REG_CS = 18,
	GDB_REG_ST0 = 24,
	GDB_REG_FCTRL = 32,
	GDB_REG_XMM0 = 40,
	GDB_REG_MXCSR = 56,
	GDB_REG_FS_BASE = 57,
	GDB_REG_CR0 = 59,
	GDB_REG_EFER = 64,
	GDB_REG_CS_BASE = 65,
	GDB_REG_MODE = 81,
	GDB_NREGS = 82,
};

/*
 * gdb_regs_mode - the code size a vCPU executes: 64 in long mode with a 64-bit CS (CS.L), else
 * 32 with CS.D/B set in protected mode, else 16 (real mode, 16-bit protected or compatibility code).
 */
uint32_t gdb_regs_mode(uint64_t cr0, uint64_t efer, unsigned int cs_l, unsigned int cs_db);

/* gdb_regs_hex_len - hex digits in a 'g' reply (all registers). */
size_t gdb_regs_hex_len(void);

/* gdb_regs_to_hex - all registers as a 'g' reply into @out (@cap bytes, NUL added). Length or -ENOSPC. */
ssize_t gdb_regs_to_hex(const struct gdb_regs *r, char *out, size_t cap);

/* gdb_regs_from_hex - a 'G' payload of exactly gdb_regs_hex_len() digits into @r. 0 or -EINVAL. */
int gdb_regs_from_hex(struct gdb_regs *r, const char *hex, size_t len);

/* gdb_reg_to_hex - register @n as a 'p' reply (NUL added). Length, -ENOENT (no such register) or -ENOSPC. */
ssize_t gdb_reg_to_hex(const struct gdb_regs *r, unsigned int n, char *out, size_t cap);

/* gdb_reg_from_hex - set register @n from exactly its size in hex digits ('P'). 0, -ENOENT or -EINVAL. */
int gdb_reg_from_hex(struct gdb_regs *r, unsigned int n, const char *hex, size_t len);

/*
 * gdb_reg_value - the register called @name (as in the target description: "rax", "rip", "cr3",
 * "efer", "gdtr_base", ...; at most 64 bits) of @r, zero-extended. 0, or -ENOENT when there is no
 * such register of 64 bits or fewer.
 */
int gdb_reg_value(const struct gdb_regs *r, const char *name, uint64_t *v);

/* gdb_regs_tdesc - the target description (target.xml) into @out (@cap bytes, NUL added). Length or -ENOSPC. */
ssize_t gdb_regs_tdesc(char *out, size_t cap);

/*
 * gdb_fpu_full_tag - the x87 tag word (2 bits per physical register: 0 valid, 1 zero, 2 special,
 * 3 empty) from FXSAVE's abridged tag (1 bit per physical register: 1 in use), the status word
 * @fsw (its TOP field maps ST(i) to physical registers) and the stack-ordered registers @st.
 */
uint16_t gdb_fpu_full_tag(uint8_t abridged, uint16_t fsw, const uint8_t st[8][10]);

/* gdb_fpu_abridged_tag - FXSAVE's abridged tag from a full tag word: a register is in use unless tagged empty. */
uint8_t gdb_fpu_abridged_tag(uint16_t full);

#endif
