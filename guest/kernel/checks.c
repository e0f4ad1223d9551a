/* The list of checks, in the order they run and are numbered, and what the command line selects. */
#include "guest/kernel/checks.h"

#include "guest/kernel/cmdline.h"
#include "guest/lib/string.h"

#define SELECTION_MAX 512

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
	{ "paging/higher-half", check_paging_higher_half },
	{ "paging/kernel-wx", check_paging_kernel_wx },
	{ "paging/large-pages", check_paging_large_pages },
	{ "paging/stack-guard", check_paging_stack_guard },
	{ "paging/frame-alloc", check_paging_frame_alloc },
	{ "paging/demand-fault", check_paging_demand_fault },
	{ "paging/write-ro-fault", check_paging_write_ro_fault },
	{ "paging/nx-fault", check_paging_nx_fault },
	{ "paging/remap-invlpg", check_paging_remap_invlpg },
	{ "paging/user-kernel-access", check_paging_user_kernel_access },
	{ "paging/user-write-ro", check_paging_user_write_ro },
	{ "paging/user-exec-nx", check_paging_user_exec_nx },
	{ "paging/user-isolation", check_paging_user_isolation },
	{ "exc/idt-layout", check_exc_idt_layout },
	{ "exc/divide-error", check_exc_divide_error },
	{ "exc/invalid-opcode", check_exc_invalid_opcode },
	{ "exc/general-protection", check_exc_general_protection },
	{ "exc/page-fault", check_exc_page_fault },
	{ "exc/breakpoint-user", check_exc_breakpoint_user },
	{ "exc/double-fault-ist", check_exc_double_fault_ist },
	{ "exc/nmi-ist", check_exc_nmi_ist },
	{ "irq/clock-calibration", check_irq_clock_calibration },
	{ "irq/timer-periodic", check_irq_timer_periodic },
	{ "irq/timer-tsc-deadline", check_irq_timer_tsc_deadline },
	{ "irq/ipi", check_irq_ipi },
	{ "irq/spurious-vector", check_irq_spurious_vector },
	{ "irq/stray-vector", check_irq_stray_vector },
	{ "irq/uart-input", check_uart_irq_input },
	{ "irq/uart-loopback", check_uart_irq_loopback },
	{ "syscall/entry-mode", check_syscall_entry_mode },
	{ "syscall/write", check_syscall_write },
	{ "syscall/getpid", check_syscall_getpid },
	{ "syscall/yield", check_syscall_yield },
	{ "syscall/clock", check_syscall_clock },
	{ "syscall/sleep", check_syscall_sleep },
	{ "syscall/mmap-demand", check_syscall_mmap },
	{ "syscall/munmap", check_syscall_munmap },
	{ "syscall/mmap-bad-args", check_syscall_mmap_bad_args },
	{ "syscall/bad-number", check_syscall_bad_number },
	{ "syscall/bad-pointer", check_syscall_bad_pointer },
	{ "syscall/regs-preserved", check_syscall_regs_preserved },
	{ "syscall/exit-code", check_syscall_exit_code },
	{ "syscall/no-leaks", check_syscall_no_leaks },
	{ "user/elf-load", check_user_elf_load },
	{ "user/kill-privileged", check_user_kill_privileged },
	{ "user/kill-null", check_user_kill_null },
	{ "user/kill-divide", check_user_kill_divide },
	{ "user/kill-invalid-opcode", check_user_kill_invalid_opcode },
	{ "user/kill-stack-overflow", check_user_kill_stack_overflow },
	{ "user/io-privilege", check_user_io_privilege },
	{ "user/map-device", check_user_map_device },
	{ "smp/per-cpu-tables", check_smp_per_cpu_tables },
	{ "smp/every-cpu-runs-user", check_smp_every_cpu_runs_user },
	{ "smp/lock-counter-user", check_smp_lock_counter_user },
	{ "smp/lock-counter-kernel", check_smp_lock_counter_kernel },
	{ "sched/round-robin", check_sched_round_robin },
	{ "sched/fairness", check_sched_fairness },
	{ "sched/preempt-every-cpu", check_sched_preempt_every_cpu },
	{ "sched/preempt-registers", check_sched_preempt_registers },
	{ "sched/sleep-accuracy", check_sched_sleep_accuracy },
};

unsigned int checks_run(const char *cmdline)
{
	char selection[SELECTION_MAX] = "", verbose[8] = "0";

	cmdline_get(cmdline, "tests", selection, sizeof(selection));
	cmdline_get(cmdline, "verbose", verbose, sizeof(verbose));
	return tap_run(all_checks, sizeof(all_checks) / sizeof(all_checks[0]), selection,
		       (unsigned int)strtoul(verbose, NULL, 10));
}
