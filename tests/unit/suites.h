/* The Check suites of the unit-test binary; each tests/unit/test_*.c file defines one. */
#ifndef KEEL_TESTS_UNIT_SUITES_H
#define KEEL_TESTS_UNIT_SUITES_H

#include <check.h>

Suite *bus_suite(void);		/* tests/unit/test_bus.c */
Suite *resources_suite(void);	/* tests/unit/test_resources.c */
Suite *memory_suite(void);	/* tests/unit/test_memory.c */
Suite *dispatch_suite(void);	/* tests/unit/test_dispatch.c */
Suite *cli_suite(void);		/* tests/unit/test_cli.c */
Suite *config_suite(void);	/* tests/unit/test_config.c */
Suite *elf_suite(void);		/* tests/unit/test_elf.c */
Suite *pvh_suite(void);		/* tests/unit/test_pvh.c */
Suite *multiboot_suite(void);	/* tests/unit/test_multiboot.c */
Suite *linux_boot_suite(void);	/* tests/unit/test_linux_boot.c */
Suite *fdt_suite(void);		/* tests/unit/test_fdt.c */
Suite *acpi_suite(void);	/* tests/unit/test_acpi.c */
Suite *bzimage_suite(void);	/* tests/unit/test_bzimage.c */
Suite *uart_suite(void);	/* tests/unit/test_uart.c */
Suite *console_suite(void);	/* tests/unit/test_console.c */
Suite *evloop_suite(void);	/* tests/unit/test_evloop.c */
Suite *stop_devices_suite(void);	/* tests/unit/test_stop_devices.c */
Suite *i8042_suite(void);	/* tests/unit/test_i8042.c */
Suite *vcpu_suite(void);	/* tests/unit/test_vcpu.c (needs /dev/kvm) */
Suite *vcpu_state_suite(void);	/* tests/unit/test_vcpu_state.c (needs /dev/kvm) */
Suite *gdb_packet_suite(void);	/* tests/unit/test_gdb_packet.c */
Suite *gdb_commands_suite(void);	/* tests/unit/test_gdb_commands.c */
Suite *gdb_host_suite(void);	/* tests/unit/test_gdb_kvm.c (partly needs /dev/kvm) */
Suite *gdb_paging_suite(void);	/* tests/unit/test_gdb_paging.c */
Suite *gdb_monitor_suite(void);	/* tests/unit/test_gdb_monitor.c */
Suite *api_suite(void);		/* tests/unit/test_api.c */
Suite *api_server_suite(void);	/* tests/unit/test_api_server.c (a real socket in a temporary directory) */
Suite *bench_suite(void);	/* tests/unit/test_bench.c */
Suite *bench_rounds_suite(void);	/* tests/unit/test_bench_rounds.c */
Suite *bench_vm_suite(void);	/* tests/unit/test_bench_vm.c (child processes; the floor needs /dev/kvm) */
Suite *virtq_suite(void);	/* tests/unit/test_virtq.c */
Suite *virtq_state_suite(void);	/* tests/unit/test_virtq_state.c */
Suite *state_contracts_suite(void);	/* tests/unit/test_state_contracts.c */
Suite *vm_state_suite(void);	/* tests/unit/test_vm_state.c (needs /dev/kvm) */
Suite *virtio_core_suite(void);	/* tests/unit/test_virtio_core.c */
Suite *device_types_suite(void);	/* tests/unit/test_device_types.c */
Suite *virtio_pci_suite(void);	/* tests/unit/test_virtio_pci.c */
Suite *virtio_mmio_suite(void);	/* tests/unit/test_virtio_mmio.c */
Suite *virtio_dev_suite(void);	/* tests/unit/test_virtio_dev.c (real I/O on temporary images) */
Suite *blk_swap_suite(void);	/* tests/unit/test_blk_swap.c (real I/O on temporary images) */
Suite *virtio_hostile_suite(void);	/* tests/unit/test_virtio_hostile.c */
Suite *virtio_cli_suite(void);	/* tests/unit/test_virtio_cli.c */
Suite *virtio_net_suite(void);	/* tests/unit/test_virtio_net.c (Unix sockets; a real tap as root) */
Suite *virtio_input_suite(void);	/* tests/unit/test_virtio_input.c */
Suite *virtio_gpu_suite(void);	/* tests/unit/test_virtio_gpu.c (its device cases: gpu_dev_tests) */
void gpu_dev_tests(TCase *t);	/* tests/unit/test_virtio_gpu_dev.c */
Suite *fw_cfg_suite(void);	/* tests/unit/test_fw_cfg.c */
Suite *display_suite(void);	/* tests/unit/test_display.c (a VNC server on loopback, tests/tools/vncclient.py) */
Suite *gpu_virgl_suite(void);	/* tests/unit/test_gpu_virgl.c (virglrenderer on EGL surfaceless: llvmpipe) */
Suite *vsock_suite(void);	/* tests/unit/test_vsock.c (Unix sockets in a temporary directory) */
Suite *vsock_config_suite(void);	/* tests/unit/test_vsock_config.c */
Suite *fc_log_suite(void);	/* tests/unit/test_fc_log.c */
Suite *fc_metrics_suite(void);	/* tests/unit/test_fc_metrics.c (real I/O on a temporary image) */
Suite *fc_config_suite(void);	/* tests/unit/test_fc_config.c */
Suite *sandbox_suite(void);	/* tests/unit/test_sandbox.c (forked children under each kind's filter) */

#endif
