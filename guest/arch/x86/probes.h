/* The fault probes of probes.S, for the exception and paging checks. */
#ifndef KEEL_GUEST_ARCH_X86_PROBES_H
#define KEEL_GUEST_ARCH_X86_PROBES_H

#include <stdint.h>

void probe_de(void);
void probe_ud(void);
void probe_gp(void);
uint64_t probe_read(uint64_t addr);
void probe_write(uint64_t addr, uint64_t value);
void probe_exec(uint64_t addr);
void probe_stack_overflow(uint64_t stack_bottom);

extern const char probe_de_insn[], probe_ud_insn[], probe_gp_insn[], probe_read_insn[],
	probe_write_insn[], probe_overflow_insn[], probe_resume[], probe_overflow_resume[];
extern const char probe_nx_page[];
extern uint64_t probe_rsp;

#endif
