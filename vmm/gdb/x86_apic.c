/* Local APIC, I/O APIC and 8259 PIC state decoded into text lines for the gdb monitor. */
#include "vmm/gdb/x86_apic.h"

#include <inttypes.h>
#include <stdio.h>

/* xAPIC register offsets. */
enum {
	APIC_ID = 0x20,
	APIC_VERSION = 0x30,
	APIC_TPR = 0x80,
	APIC_APR = 0x90,
	APIC_PPR = 0xa0,
	APIC_LDR = 0xd0,
	APIC_DFR = 0xe0,
	APIC_SVR = 0xf0,
	APIC_ISR = 0x100,
	APIC_TMR = 0x180,
	APIC_IRR = 0x200,
	APIC_ESR = 0x280,
	APIC_LVT_CMCI = 0x2f0,
	APIC_ICR_LO = 0x300,
	APIC_ICR_HI = 0x310,
	APIC_LVT_TIMER = 0x320,
	APIC_TIMER_ICR = 0x380,
	APIC_TIMER_CCR = 0x390,
	APIC_TIMER_DCR = 0x3e0,
};

static uint32_t reg(const struct x86_lapic *l, unsigned int off)
{
	const uint8_t *p = l->regs + off;

	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static const char *const lvt_modes[8] = { "fixed", "mode1", "SMI", "mode3", "NMI", "INIT", "mode6", "ExtINT" };
static const char *const icr_modes[8] = { "fixed", "lowest-priority", "SMI", "mode3", "NMI", "INIT", "startup",
					  "mode7" };

/* A 256-bit vector register (8 registers 16 bytes apart) as the list of vectors set. */
static void print_vector_set(struct textout *o, const struct x86_lapic *l, const char *name, unsigned int off)
{
	unsigned int n = 0;

	textout_printf(o, "%s:", name);
	for (unsigned int v = 0; v < 256; v++) {
		if (reg(l, off + 16 * (v / 32)) & (1u << (v % 32))) {
			textout_printf(o, " 0x%02x", v);
			n++;
		}
	}
	textout_printf(o, "%s\n", n ? "" : " none");
}

static void print_lvt(struct textout *o, const char *name, uint32_t v, bool timer, bool lint)
{
	static const char *const timer_modes[4] = { "one-shot", "periodic", "TSC-deadline", "reserved mode" };

	textout_printf(o, "LVT %-8s 0x%08x: vector 0x%02x", name, v, v & 0xff);
	if (timer)
		textout_printf(o, ", %s", timer_modes[(v >> 17) & 3]);
	else
		textout_printf(o, ", %s", lvt_modes[(v >> 8) & 7]);
	if (lint)
		textout_printf(o, ", %s, active %s, remote IRR %u", v & (1u << 15) ? "level" : "edge",
			       v & (1u << 13) ? "low" : "high", (v >> 14) & 1);
	textout_printf(o, ", %s%s\n", v & (1u << 16) ? "masked" : "not masked", v & (1u << 12) ? ", send pending" : "");
}

void x86_print_lapic(struct textout *o, const struct x86_lapic *l, uint64_t apic_base)
{
	static const char *const shorthand[4] = { "no shorthand", "self", "all including self", "all excluding self" };
	static const char *const lvts[] = { "timer", "thermal", "perf", "LINT0", "LINT1", "error" };
	static const unsigned int divs[8] = { 2, 4, 8, 16, 32, 64, 128, 1 };
	bool x2 = apic_base & (1u << 10);
	uint32_t id = reg(l, APIC_ID), ver = reg(l, APIC_VERSION), svr = reg(l, APIC_SVR), dfr = reg(l, APIC_DFR);
	uint32_t icr = reg(l, APIC_ICR_LO), icr_hi = reg(l, APIC_ICR_HI), dcr = reg(l, APIC_TIMER_DCR);
	unsigned int max_lvt = (ver >> 16) & 0xff;

	textout_printf(o, "local APIC: IA32_APIC_BASE 0x%" PRIx64 ": address 0x%" PRIx64 ", %s%s%s\n", apic_base,
		       (uint64_t)(apic_base & ~0xfffull), apic_base & (1u << 11) ? "enabled" : "disabled (globally)",
		       x2 ? ", x2APIC mode" : ", xAPIC mode", apic_base & (1u << 8) ? ", BSP" : "");
	textout_printf(o, "ID 0x%08x (APIC ID %u)  version 0x%08x (version 0x%02x, %u LVT entries%s)\n", id,
		       id >> 24, ver, ver & 0xff, max_lvt + 1,
		       ver & (1u << 24) ? ", EOI-broadcast suppression" : "");
	textout_printf(o, "TPR 0x%02x  APR 0x%02x  PPR 0x%02x  LDR 0x%08x  DFR 0x%08x (%s model)\n",
		       reg(l, APIC_TPR) & 0xff, reg(l, APIC_APR) & 0xff, reg(l, APIC_PPR) & 0xff, reg(l, APIC_LDR), dfr,
		       (dfr >> 28) == 0xf ? "flat" : (dfr >> 28) == 0 ? "cluster" : "unknown");
	textout_printf(o, "SVR 0x%08x: software %s, spurious vector 0x%02x, focus checking %s%s\n", svr,
		       svr & (1u << 8) ? "enabled" : "disabled", svr & 0xff, svr & (1u << 9) ? "off" : "on",
		       svr & (1u << 12) ? ", EOI broadcasts suppressed" : "");
	print_vector_set(o, l, "ISR", APIC_ISR);
	print_vector_set(o, l, "TMR", APIC_TMR);
	print_vector_set(o, l, "IRR", APIC_IRR);
	textout_printf(o, "ESR 0x%08x\n", reg(l, APIC_ESR));
	textout_printf(o, "ICR 0x%08x:%08x: vector 0x%02x, %s, %s destination 0x%x, %s, %s, %s%s\n", icr_hi, icr,
		       icr & 0xff, icr_modes[(icr >> 8) & 7], icr & (1u << 11) ? "logical" : "physical",
		       x2 ? icr_hi : icr_hi >> 24, icr & (1u << 14) ? "assert" : "de-assert",
		       icr & (1u << 15) ? "level" : "edge", shorthand[(icr >> 18) & 3],
		       icr & (1u << 12) ? ", send pending" : "");
	for (unsigned int i = 0; i < sizeof(lvts) / sizeof(lvts[0]); i++)
		print_lvt(o, lvts[i], reg(l, APIC_LVT_TIMER + 16 * i), i == 0, i == 3 || i == 4);
	if (max_lvt >= 6)
		print_lvt(o, "CMCI", reg(l, APIC_LVT_CMCI), false, false);
	textout_printf(o, "timer: initial count 0x%08x, current count 0x%08x, divide config 0x%x (divide by %u)\n",
		       reg(l, APIC_TIMER_ICR), reg(l, APIC_TIMER_CCR), dcr & 0xb, divs[(dcr & 3) | ((dcr >> 1) & 4)]);
}

void x86_print_ioapic(struct textout *o, const struct x86_ioapic *io)
{
	static const char *const modes[8] = { "fixed", "lowest", "SMI", "mode3", "NMI", "INIT", "mode6", "ExtINT" };

	textout_printf(o, "I/O APIC: ID %u, address 0x%" PRIx64 ", %u pins, pins asserted (IRR) 0x%06x\n", io->id,
		       io->base, X86_IOAPIC_PINS, io->irr);
	for (unsigned int i = 0; i < X86_IOAPIC_PINS; i++) {
		uint64_t e = io->redir[i];

		textout_printf(
			o, "  pin %2u: 0x%016" PRIx64 " vector 0x%02x %-6s %-8s dest 0x%02x %-5s active %-4s%s%s%s\n",
			i, e, (unsigned int)(e & 0xff), modes[(e >> 8) & 7], e & (1u << 11) ? "logical" : "physical",
			(unsigned int)(e >> 56), e & (1u << 15) ? "level" : "edge", e & (1u << 13) ? "low" : "high",
			e & (1u << 16) ? " masked" : "", e & (1u << 14) ? " remote-IRR" : "",
			e & (1u << 12) ? " send-pending" : "");
	}
}

/* " 0 3 5" for the set bits of @v, numbered from @first; " none" when none. */
static void irq_list(char *buf, size_t len, uint8_t v, unsigned int first)
{
	size_t k = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < 8 && k < len; i++)
		if (v & (1u << i))
			k += (size_t)snprintf(buf + k, len - k, " %u", first + i);
	if (!k)
		snprintf(buf, len, " none");
}

void x86_print_pic(struct textout *o, const struct x86_pic pic[2])
{
	for (unsigned int c = 0; c < 2; c++) {
		const struct x86_pic *p = &pic[c];
		unsigned int first = c * 8;
		char irr[32], isr[32], imr[32], elcr[32];

		irq_list(irr, sizeof(irr), p->irr, first);
		irq_list(isr, sizeof(isr), p->isr, first);
		irq_list(imr, sizeof(imr), p->imr, first);
		irq_list(elcr, sizeof(elcr), p->elcr, first);
		textout_printf(o, "8259 %s: IRQ %u-%u -> vectors 0x%02x-0x%02x%s%s%s%s\n", c ? "slave" : "master",
			       first, first + 7, p->irq_base, p->irq_base + 7u,
			       p->init_state ? ", being initialised" : "", p->auto_eoi ? ", auto-EOI" : "",
			       p->special_fully_nested ? ", special fully nested" : "",
			       p->special_mask ? ", special mask" : "");
		textout_printf(o,
			       "  IRR 0x%02x (%s)  ISR 0x%02x (%s)  IMR 0x%02x (masked:%s)  ELCR 0x%02x (level:%s)\n",
			       p->irr, irr + 1, p->isr, isr + 1, p->imr, imr, p->elcr, elcr);
	}
}
