/* The kernel's self-checks, one function per TAP line, grouped by area in checks_*.c. */
#ifndef KEEL_GUEST_KERNEL_CHECKS_H
#define KEEL_GUEST_KERNEL_CHECKS_H

#include "guest/kernel/tap.h"

/* Run those tests= selects (all by default) at verbose= (after the APs were started); returns the failures. */
unsigned int checks_run(const char *cmdline);

/* checks_boot.c */
enum check_status check_boot_pvh_magic(struct check_ctx *ctx);
enum check_status check_boot_long_mode(struct check_ctx *ctx);
enum check_status check_boot_cmdline_present(struct check_ctx *ctx);
enum check_status check_mem_memmap(struct check_ctx *ctx);
enum check_status check_mem_trampoline_page(struct check_ctx *ctx);

/* checks_fdt.c */
enum check_status check_fdt_header(struct check_ctx *ctx);
enum check_status check_fdt_memory_matches_memmap(struct check_ctx *ctx);
enum check_status check_fdt_bootargs_match_cmdline(struct check_ctx *ctx);
enum check_status check_fdt_uart_node(struct check_ctx *ctx);
enum check_status check_fdt_cpu_count(struct check_ctx *ctx);

/* checks_cpu.c */
enum check_status check_cpu_hypervisor_leaf(struct check_ctx *ctx);
enum check_status check_cpu_apic_id(struct check_ctx *ctx);
enum check_status check_cpu_topology(struct check_ctx *ctx);

/* checks_smp.c */
enum check_status check_smp_all_online(struct check_ctx *ctx);
enum check_status check_smp_apic_ids_match(struct check_ctx *ctx);

/* checks_uart.c */
enum check_status check_uart_scratch(struct check_ctx *ctx);
enum check_status check_uart_irq_loopback(struct check_ctx *ctx);
enum check_status check_uart_irq_input(struct check_ctx *ctx);

/* checks_paging.c */
enum check_status check_paging_higher_half(struct check_ctx *ctx);
enum check_status check_paging_kernel_wx(struct check_ctx *ctx);
enum check_status check_paging_large_pages(struct check_ctx *ctx);
enum check_status check_paging_stack_guard(struct check_ctx *ctx);
enum check_status check_paging_frame_alloc(struct check_ctx *ctx);
enum check_status check_paging_demand_fault(struct check_ctx *ctx);
enum check_status check_paging_write_ro_fault(struct check_ctx *ctx);
enum check_status check_paging_nx_fault(struct check_ctx *ctx);
enum check_status check_paging_remap_invlpg(struct check_ctx *ctx);

/* checks_paging_user.c */
enum check_status check_paging_user_kernel_access(struct check_ctx *ctx);
enum check_status check_paging_user_write_ro(struct check_ctx *ctx);
enum check_status check_paging_user_exec_nx(struct check_ctx *ctx);
enum check_status check_paging_user_isolation(struct check_ctx *ctx);

/* checks_exc.c */
enum check_status check_exc_idt_layout(struct check_ctx *ctx);
enum check_status check_exc_divide_error(struct check_ctx *ctx);
enum check_status check_exc_invalid_opcode(struct check_ctx *ctx);
enum check_status check_exc_general_protection(struct check_ctx *ctx);
enum check_status check_exc_page_fault(struct check_ctx *ctx);
enum check_status check_exc_breakpoint_user(struct check_ctx *ctx);
enum check_status check_exc_double_fault_ist(struct check_ctx *ctx);
enum check_status check_exc_nmi_ist(struct check_ctx *ctx);

/* checks_irq.c */
enum check_status check_irq_clock_calibration(struct check_ctx *ctx);
enum check_status check_irq_timer_periodic(struct check_ctx *ctx);
enum check_status check_irq_timer_tsc_deadline(struct check_ctx *ctx);
enum check_status check_irq_ipi(struct check_ctx *ctx);
enum check_status check_irq_spurious_vector(struct check_ctx *ctx);
enum check_status check_irq_stray_vector(struct check_ctx *ctx);

/* checks_syscall.c */
enum check_status check_syscall_entry_mode(struct check_ctx *ctx);
enum check_status check_syscall_write(struct check_ctx *ctx);
enum check_status check_syscall_getpid(struct check_ctx *ctx);
enum check_status check_syscall_yield(struct check_ctx *ctx);
enum check_status check_syscall_clock(struct check_ctx *ctx);
enum check_status check_syscall_sleep(struct check_ctx *ctx);
enum check_status check_syscall_mmap(struct check_ctx *ctx);
enum check_status check_syscall_munmap(struct check_ctx *ctx);
enum check_status check_syscall_mmap_bad_args(struct check_ctx *ctx);
enum check_status check_syscall_bad_number(struct check_ctx *ctx);
enum check_status check_syscall_bad_pointer(struct check_ctx *ctx);
enum check_status check_syscall_regs_preserved(struct check_ctx *ctx);
enum check_status check_syscall_exit_code(struct check_ctx *ctx);
enum check_status check_syscall_no_leaks(struct check_ctx *ctx);

/* checks_user.c */
enum check_status check_user_elf_load(struct check_ctx *ctx);
enum check_status check_user_kill_privileged(struct check_ctx *ctx);
enum check_status check_user_kill_null(struct check_ctx *ctx);
enum check_status check_user_kill_divide(struct check_ctx *ctx);
enum check_status check_user_kill_invalid_opcode(struct check_ctx *ctx);
enum check_status check_user_kill_stack_overflow(struct check_ctx *ctx);
enum check_status check_user_io_privilege(struct check_ctx *ctx);
enum check_status check_user_map_device(struct check_ctx *ctx);

/* checks_smp_user.c */
enum check_status check_smp_per_cpu_tables(struct check_ctx *ctx);
enum check_status check_smp_every_cpu_runs_user(struct check_ctx *ctx);
enum check_status check_smp_lock_counter_user(struct check_ctx *ctx);
enum check_status check_smp_lock_counter_kernel(struct check_ctx *ctx);

/* checks_sched.c */
enum check_status check_sched_round_robin(struct check_ctx *ctx);
enum check_status check_sched_fairness(struct check_ctx *ctx);
enum check_status check_sched_preempt_every_cpu(struct check_ctx *ctx);
enum check_status check_sched_preempt_registers(struct check_ctx *ctx);
enum check_status check_sched_sleep_accuracy(struct check_ctx *ctx);

/* checks_virtio.c */
enum check_status check_virtio_blk_read(struct check_ctx *ctx);
enum check_status check_virtio_blk_write(struct check_ctx *ctx);
enum check_status check_virtio_blk_readonly(struct check_ctx *ctx);
enum check_status check_virtio_blk_get_id(struct check_ctx *ctx);
enum check_status check_virtio_console_write(struct check_ctx *ctx);
enum check_status check_virtio_console_input(struct check_ctx *ctx);
enum check_status check_virtio_rng(struct check_ctx *ctx);
enum check_status check_virtio_hostile_loop(struct check_ctx *ctx);
enum check_status check_virtio_hostile_too_long(struct check_ctx *ctx);
enum check_status check_virtio_hostile_addr(struct check_ctx *ctx);
enum check_status check_virtio_hostile_len_overflow(struct check_ctx *ctx);
enum check_status check_virtio_hostile_writable_hdr(struct check_ctx *ctx);
enum check_status check_virtio_hostile_readable_status(struct check_ctx *ctx);
enum check_status check_virtio_hostile_avail_jump(struct check_ctx *ctx);
enum check_status check_virtio_hostile_rng_readable(struct check_ctx *ctx);
enum check_status check_virtio_hostile_rng_avail_jump(struct check_ctx *ctx);

/* checks_net.c */
enum check_status check_net_link_up(struct check_ctx *ctx);
enum check_status check_net_arp_peer(struct check_ctx *ctx);
enum check_status check_net_ping_peer(struct check_ctx *ctx);
enum check_status check_net_udp_peer(struct check_ctx *ctx);
enum check_status check_net_serve(struct check_ctx *ctx);
enum check_status check_net_stop_peer(struct check_ctx *ctx);

/* checks_fwcfg.c */
enum check_status check_fw_cfg_signature(struct check_ctx *ctx);
enum check_status check_fw_cfg_id_dma(struct check_ctx *ctx);
enum check_status check_fw_cfg_nb_cpus(struct check_ctx *ctx);
enum check_status check_fw_cfg_ram_size(struct check_ctx *ctx);
enum check_status check_fw_cfg_cmdline(struct check_ctx *ctx);
enum check_status check_fw_cfg_file_dir(struct check_ctx *ctx);
enum check_status check_fw_cfg_e820(struct check_ctx *ctx);
enum check_status check_fw_cfg_dma(struct check_ctx *ctx);
enum check_status check_fw_cfg_kernel_initrd(struct check_ctx *ctx);
enum check_status check_fw_cfg_show(struct check_ctx *ctx);

/* checks_gpu.c, checks_gpu_hostile.c, checks_gpu_virgl.c, gpu_bench.c */
enum check_status check_gpu_display_info(struct check_ctx *ctx);
enum check_status check_gpu_edid(struct check_ctx *ctx);
enum check_status check_gpu_hostile_unknown_resource(struct check_ctx *ctx);
enum check_status check_gpu_hostile_outside_resource(struct check_ctx *ctx);
enum check_status check_gpu_hostile_size_overflow(struct check_ctx *ctx);
enum check_status check_gpu_hostile_backing_outside_ram(struct check_ctx *ctx);
enum check_status check_gpu_hostile_scanout_id(struct check_ctx *ctx);
enum check_status check_gpu_virgl_capsets(struct check_ctx *ctx);
enum check_status check_gpu_virgl_clear(struct check_ctx *ctx);
enum check_status check_gpu_hostile_virgl_stream(struct check_ctx *ctx);
enum check_status check_gpu_cursor(struct check_ctx *ctx);
enum check_status check_gpu_2d_testcard(struct check_ctx *ctx);
enum check_status check_gpu_bench(struct check_ctx *ctx);

/* checks_input.c */
enum check_status check_input_devices(struct check_ctx *ctx);
enum check_status check_input_keyboard(struct check_ctx *ctx);
enum check_status check_input_tablet(struct check_ctx *ctx);
enum check_status check_input_echo(struct check_ctx *ctx);

/* checks_vsock.c */
enum check_status check_vsock_echo(struct check_ctx *ctx);

/* checks_load.c */
enum check_status check_load_run(struct check_ctx *ctx);

#endif
