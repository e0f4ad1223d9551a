/* The unit-test runner: an explicit table of Check suites, run in one SRunner. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/suites.h"

static const struct {
	const char *name;
	Suite *(*make)(void);
} suites[] = {
	{ "bus", bus_suite },
	{ "resources", resources_suite },
	{ "memory", memory_suite },
	{ "dispatch", dispatch_suite },
	{ "cli", cli_suite },
	{ "config", config_suite },
	{ "elf", elf_suite },
	{ "multiboot", multiboot_suite },
	{ "pvh", pvh_suite },
	{ "linux_boot", linux_boot_suite },
	{ "fdt", fdt_suite },
	{ "acpi", acpi_suite },
	{ "bzimage", bzimage_suite },
	{ "uart", uart_suite },
	{ "console", console_suite },
	{ "evloop", evloop_suite },
	{ "stop_devices", stop_devices_suite },
	{ "i8042", i8042_suite },
	{ "vcpu", vcpu_suite },
	{ "vcpu_state", vcpu_state_suite },
	{ "virtq", virtq_suite },
	{ "virtq_state", virtq_state_suite },
	{ "state_contracts", state_contracts_suite },
	{ "vm_state", vm_state_suite },
	{ "virtio_core", virtio_core_suite },
	{ "device_types", device_types_suite },
	{ "virtio_pci", virtio_pci_suite },
	{ "virtio_mmio", virtio_mmio_suite },
	{ "virtio_dev", virtio_dev_suite },
	{ "blk_swap", blk_swap_suite },
	{ "virtio_hostile", virtio_hostile_suite },
	{ "virtio_cli", virtio_cli_suite },
	{ "virtio_net", virtio_net_suite },
	{ "virtio_input", virtio_input_suite },
	{ "virtio_gpu", virtio_gpu_suite },
	{ "fw_cfg", fw_cfg_suite },
	{ "display", display_suite },
	{ "gpu_virgl", gpu_virgl_suite },
	{ "vsock", vsock_suite },
	{ "vsock_config", vsock_config_suite },
	{ "gdb_packet", gdb_packet_suite },
	{ "gdb_commands", gdb_commands_suite },
	{ "gdb_host", gdb_host_suite },
	{ "gdb_paging", gdb_paging_suite },
	{ "gdb_monitor", gdb_monitor_suite },
	{ "api", api_suite },
	{ "api_server", api_server_suite },
	{ "bench", bench_suite },
	{ "bench_rounds", bench_rounds_suite },
	{ "bench_vm", bench_vm_suite },
	{ "fc_log", fc_log_suite },
	{ "fc_metrics", fc_metrics_suite },
	{ "fc_config", fc_config_suite },
	{ "sandbox", sandbox_suite },
};

int main(int argc, char **argv)
{
	SRunner *sr = srunner_create(NULL);
	int failed;

	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		/* `keel-unit NAME...` runs only the named suites. */
		int wanted = argc < 2;

		for (int a = 1; a < argc; a++)
			wanted |= strcmp(argv[a], suites[i].name) == 0;
		if (wanted)
			srunner_add_suite(sr, suites[i].make());
	}
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
