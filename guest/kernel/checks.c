/* The list of checks, in the order they run and are numbered. */
#include "guest/kernel/checks.h"

static const struct check all_checks[] = {
	{ "boot/pvh-magic", check_boot_pvh_magic },
	{ "boot/long-mode", check_boot_long_mode },
	{ "boot/cmdline-present", check_boot_cmdline_present },
	{ "mem/memmap", check_mem_memmap },
	{ "mem/trampoline-page", check_mem_trampoline_page },
	{ "fdt/header", check_fdt_header },
	{ "fdt/memory-matches-memmap", check_fdt_memory_matches_memmap },
	{ "fdt/bootargs-match-cmdline", check_fdt_bootargs_match_cmdline },
	{ "fdt/uart-node", check_fdt_uart_node },
	{ "fdt/cpu-count", check_fdt_cpu_count },
	{ "cpu/hypervisor-leaf", check_cpu_hypervisor_leaf },
	{ "cpu/apic-id", check_cpu_apic_id },
	{ "cpu/topology", check_cpu_topology },
	{ "smp/all-online", check_smp_all_online },
	{ "smp/apic-ids-match", check_smp_apic_ids_match },
	{ "uart/scratch", check_uart_scratch },
};

unsigned int checks_run_all(void)
{
	return tap_run(all_checks, sizeof(all_checks) / sizeof(all_checks[0]));
}
