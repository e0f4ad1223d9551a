/* The kernel's self-checks, one function per TAP line, grouped by area in checks_*.c. */
#ifndef KEEL_GUEST_KERNEL_CHECKS_H
#define KEEL_GUEST_KERNEL_CHECKS_H

#include "guest/kernel/tap.h"

/* Run them all (after the APs were started); returns the number that failed. */
unsigned int checks_run_all(void);

enum check_status check_boot_pvh_magic(struct check_ctx *ctx);
enum check_status check_boot_long_mode(struct check_ctx *ctx);
enum check_status check_boot_cmdline_present(struct check_ctx *ctx);
enum check_status check_mem_memmap(struct check_ctx *ctx);
enum check_status check_mem_trampoline_page(struct check_ctx *ctx);

enum check_status check_fdt_header(struct check_ctx *ctx);
enum check_status check_fdt_memory_matches_memmap(struct check_ctx *ctx);
enum check_status check_fdt_bootargs_match_cmdline(struct check_ctx *ctx);
enum check_status check_fdt_uart_node(struct check_ctx *ctx);
enum check_status check_fdt_cpu_count(struct check_ctx *ctx);

enum check_status check_cpu_hypervisor_leaf(struct check_ctx *ctx);
enum check_status check_cpu_apic_id(struct check_ctx *ctx);
enum check_status check_cpu_topology(struct check_ctx *ctx);

enum check_status check_smp_all_online(struct check_ctx *ctx);
enum check_status check_smp_apic_ids_match(struct check_ctx *ctx);

enum check_status check_uart_scratch(struct check_ctx *ctx);

#endif
