/* x86 CPU mode and descriptor tables (GDT, IDT, TSS) decoded for the gdb monitor from plain bytes and registers. Pure. */
#ifndef KEEL_VMM_GDB_X86_DECODE_H
#define KEEL_VMM_GDB_X86_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/gdb/textout.h"
#include "vmm/gdb/x86_sys.h"

enum x86_cpu_mode {
	X86_MODE_REAL16,
	X86_MODE_VM86,
	X86_MODE_PROT16,
	X86_MODE_PROT32,
	X86_MODE_COMPAT16,
	X86_MODE_COMPAT32,
	X86_MODE_LONG64,
};

/* x86_cpu_mode - the mode code runs in now (CR0.PE, EFLAGS.VM, EFER.LMA, CS.L and CS.D). */
enum x86_cpu_mode x86_cpu_mode(const struct x86_sys *s);

/* x86_mode_name - "real16", "vm86", "prot16", "prot32", "compat16", "compat32" or "long64". */
const char *x86_mode_name(enum x86_cpu_mode m);

/* x86_mode_arch - the gdb architecture that decodes this mode's instructions: "i8086", "i386" or "i386:x86-64". */
const char *x86_mode_arch(enum x86_cpu_mode m);

/*
 * x86_print_mode - "mode: NAME arch=ARCH" (one machine-readable line), then the CPL, paging,
 * control registers, CS and the gdb command that makes 'x/i $pc' decode as the vCPU executes.
 */
void x86_print_mode(struct textout *o, const struct x86_sys *s);

/*
 * x86_print_gdt - the descriptors in @tbl (@len bytes of the GDT as read from GDTR.base; fewer
 * than GDTR.limit + 1 when the rest could not be read), one line each: selector, index, kind,
 * base, limit (granularity applied), DPL, P, L and D/B, and which segment registers hold it.
 * Empty and not-present descriptors are counted, not printed. 0.
 */
int x86_print_gdt(struct textout *o, const struct x86_sys *s, const uint8_t *tbl, size_t len);

/*
 * x86_print_idt - the gates in @tbl (@len bytes of the IDT from IDTR.base): 16-byte gates in long
 * mode, 8-byte ones in protected mode, the real-mode IVT's seg:off otherwise. @vector: only that
 * one (printed even when not present), or -1 for every present gate. 0, or -ENOENT when @vector is
 * beyond the table.
 */
int x86_print_idt(struct textout *o, const struct x86_sys *s, const uint8_t *tbl, size_t len, int vector);

/*
 * x86_print_tss - the task register (its cached descriptor and the GDT entry it selects, from
 * @gdt, @gdtlen bytes; NULL when unread) and the TSS's contents from @tss (@tsslen bytes read at
 * TR.base): 64-bit (RSP0-2, IST1-7, I/O map base), 32-bit (ESP0/SS0 .. LDT) or 16-bit; the I/O
 * permission bitmap's allowed ports. 0, or -ENOENT when no TSS is loaded.
 */
int x86_print_tss(struct textout *o, const struct x86_sys *s, const uint8_t *gdt, size_t gdtlen, const uint8_t *tss,
		  size_t tsslen);

#endif
