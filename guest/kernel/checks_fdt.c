/* Checks of keel's device tree against the PVH hand-over and the machine contract (firmware/machine.h). */
#include "guest/kernel/checks.h"

#include <stdint.h>

#include "firmware/machine.h"
#include "guest/arch/x86/percpu.h"
#include "guest/kernel/bootinfo.h"
#include "guest/kernel/devtree.h"
#include "guest/kernel/machine.h"
#include "guest/lib/string.h"

#define ISA_IO_SPACE 1ull		/* first cell of an /isa reg: I/O port space */
#define UART_REG_LEN 8
#define LEGACY_HOLE_SIZE (KEEL_HIGH_MEM_START - KEEL_LOW_RAM_END)

/* CHECK_PASS when there is a usable tree; else the skip (none passed) or failure (a bad one). */
static enum check_status need_fdt(struct check_ctx *ctx)
{
	if (!machine.fdt)
		return check_skip(ctx, "no device tree module (not booted by keel)");
	if (machine.fdt_err)
		return check_fail(ctx, "device tree unusable: %s", devtree_strerror(machine.fdt_err));
	return CHECK_PASS;
}

enum check_status check_fdt_header(struct check_ctx *ctx)
{
	return need_fdt(ctx);
}

/* Bytes of [a, a + alen) inside [b, b + blen). */
static uint64_t overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	uint64_t lo = a > b ? a : b, hi = a + alen < b + blen ? a + alen : b + blen;

	return hi > lo ? hi - lo : 0;
}

static bool inside_some(const struct dt_reg *r, int n, uint64_t addr, uint64_t size)
{
	for (int i = 0; i < n; i++)
		if (overlap(addr, size, r[i].addr, r[i].size) == size)
			return true;
	return false;
}

/*
 * /memory describes the RAM behind the guest; the memory map marks the legacy hole
 * [KEEL_LOW_RAM_END, KEEL_HIGH_MEM_START) reserved. So: every RAM entry of the memory map lies in
 * /memory, and /memory minus the legacy hole has exactly as many bytes as the map's RAM.
 */
enum check_status check_fdt_memory_matches_memmap(struct check_ctx *ctx)
{
	enum check_status st = need_fdt(ctx);
	const struct dt_reg *r = machine.memory;
	int n = machine.fdt_nmemory;
	uint64_t hole = 0, ram = bootinfo_ram_bytes();

	if (st != CHECK_PASS)
		return st;
	if (n <= 0)
		return check_fail(ctx, "/memory@0 reg: %s", n ? devtree_strerror(n) : "empty");
	if (n > MACHINE_MAX_MEMORY_RANGES)
		return check_fail(ctx, "/memory@0 has %d ranges, more than %d", n, MACHINE_MAX_MEMORY_RANGES);
	if (!boot_info.memmap_entries)
		return check_fail(ctx, "no PVH memory map to compare with");
	for (int i = 0; i < n; i++)
		hole += overlap(r[i].addr, r[i].size, KEEL_LOW_RAM_END, LEGACY_HOLE_SIZE);
	for (unsigned int i = 0; i < boot_info.memmap_entries; i++) {
		const struct hvm_memmap_table_entry *e = &boot_info.memmap[i];

		if (e->type == PVH_MEMMAP_RAM && !inside_some(r, n, e->addr, e->size))
			return check_fail(ctx, "memory map RAM [%#llx, +%#llx) is not in /memory@0",
					  e->addr, e->size);
	}
	if (machine.ram_bytes - hole != ram)
		return check_fail(ctx, "/memory@0: %#llx bytes (%#llx in the legacy hole); memory map: %#llx",
				  (unsigned long long)machine.ram_bytes, (unsigned long long)hole,
				  (unsigned long long)ram);
	return CHECK_PASS;
}

enum check_status check_fdt_bootargs_match_cmdline(struct check_ctx *ctx)
{
	enum check_status st = need_fdt(ctx);

	if (st != CHECK_PASS)
		return st;
	if (!machine.bootargs)
		return check_fail(ctx, "no /chosen bootargs");
	if (strcmp(machine.bootargs, boot_info.cmdline))
		return check_fail(ctx, "bootargs \"%s\", command line \"%s\"", machine.bootargs,
				  boot_info.cmdline);
	return CHECK_PASS;
}

/* /chosen stdout-path names an ns16550a at I/O port KEEL_PORT_UART0 with IRQ KEEL_UART0_IRQ. */
enum check_status check_fdt_uart_node(struct check_ctx *ctx)
{
	enum check_status st = need_fdt(ctx);
	struct dt_reg reg;
	uint32_t irq = 0;
	int node, n, err;

	if (st != CHECK_PASS)
		return st;
	node = devtree_stdout_node();
	if (node < 0)
		return check_fail(ctx, "/chosen stdout-path: %s", devtree_strerror(node));
	if (!devtree_compatible(node, "ns16550a"))
		return check_fail(ctx, "stdout node is not compatible with \"ns16550a\"");
	n = devtree_reg(node, &reg, 1);
	if (n < 1)
		return check_fail(ctx, "stdout node reg: %s", n ? devtree_strerror(n) : "empty");
	if (reg.addr != (ISA_IO_SPACE << 32 | KEEL_PORT_UART0) || reg.size != UART_REG_LEN)
		return check_fail(ctx, "reg is (%#llx, %#llx), want I/O port %#x, %u bytes",
				  (unsigned long long)reg.addr, (unsigned long long)reg.size, KEEL_PORT_UART0,
				  UART_REG_LEN);
	err = devtree_u32(node, "interrupts", &irq);
	if (err)
		return check_fail(ctx, "interrupts: %s", devtree_strerror(err));
	if (irq != KEEL_UART0_IRQ)
		return check_fail(ctx, "interrupts = <%u>, want <%u>", irq, KEEL_UART0_IRQ);
	return CHECK_PASS;
}

/* /cpus lists between 1 and GUEST_MAX_CPUS cpus, with distinct APIC ids, the boot CPU's among them. */
enum check_status check_fdt_cpu_count(struct check_ctx *ctx)
{
	enum check_status st = need_fdt(ctx);
	const uint32_t *ids = machine.apic_ids;
	int n = machine.fdt_ncpus;
	bool bsp_found = false;

	if (st != CHECK_PASS)
		return st;
	if (n < 0)
		return check_fail(ctx, "/cpus: %s", devtree_strerror(n));
	if (n == 0 || n > GUEST_MAX_CPUS)
		return check_fail(ctx, "/cpus has %d cpu nodes, want 1 to %d", n, GUEST_MAX_CPUS);
	for (int i = 0; i < n; i++) {
		for (int j = 0; j < i; j++)
			if (ids[i] == ids[j])
				return check_fail(ctx, "APIC id %u appears twice", ids[i]);
		bsp_found |= ids[i] == cpus[0].apic_id;
	}
	if (!bsp_found)
		return check_fail(ctx, "the boot CPU's APIC id %u is not in /cpus", cpus[0].apic_id);
	return CHECK_PASS;
}
