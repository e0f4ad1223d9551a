/* acpi_tables: build the ACPI tables of the machine a `keel run` command line describes (without KVM) and write one file per table, for iasl. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "firmware/acpi.h"
#include "firmware/describe.h"
#include "firmware/machine.h"
#include "devices/virtio/host.h"
#include "vmm/cli.h"
#include "vmm/device_types.h"
#include "vmm/exit_status.h"
#include "vmm/machine.h"
#include "vmm/memory.h"
#include "vmm/vm.h"

#define TOOL_RAM (64ull << 20)		/* guest RAM the virtio devices are created against */

static const char *const usage =
	"usage: acpi_tables OUTDIR [keel run options...]\n"
	"  Creates the devices `keel run OPTIONS` would have (--cpus, --disk, --rng, --virtio-transport,\n"
	"  ...), without KVM, describes them as keel does, builds the ACPI tables at the guest address\n"
	"  keel uses and writes OUTDIR/RSDP.dat, XSDT.dat, FACP.dat, FACS.dat, APIC.dat, DSDT.dat.\n";

static int write_file(const char *dir, const char *name, const uint8_t *p, size_t n)
{
	char path[4096];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	f = fopen(path, "wb");
	if (!f) {
		fprintf(stderr, "acpi_tables: %s: %s\n", path, strerror(errno));
		return -1;
	}
	ok = fwrite(p, 1, n, f) == n;
	ok &= fclose(f) == 0;
	if (!ok)
		fprintf(stderr, "acpi_tables: cannot write %s\n", path);
	return ok ? 0 : -1;
}

/* Build the tables of the machine @o describes into @buf. 0, or prints why and returns -1. */
static int build(const struct cli_options *o, uint8_t *buf, size_t *len)
{
	const struct virtio_type *types[DEVICE_TYPES_MAX];
	static struct dev_descs devs;
	static struct vm vm;
	struct virtio_env env = { .stop = &vm.plat.stop };
	uint64_t rsdp;
	int ret = -1, r;

	if (vm_init(&vm, &o->cfg) < 0 || gmem_init(&vm.plat.mem, TOOL_RAM) < 0) {
		fprintf(stderr, "acpi_tables: cannot set up the VM\n");
		goto out;
	}
	device_types_ops(types);
	if (virtio_prepare(&vm.cfg.virtio, types, (unsigned int)device_ntypes, &env, &vm.virtio) !=
	    KEEL_EXIT_OK)
		goto out;
	r = machine_devices_create(&vm);
	if (r == 0)
		r = machine_devices_describe(&vm, &devs);
	if (r == 0)
		r = acpi_build(o->cfg.ncpus, &devs, KEEL_ACPI_GPA, buf, KEEL_ACPI_SIZE, len, &rsdp);
	if (r < 0) {
		fprintf(stderr, "acpi_tables: %s\n", strerror(-r));
		goto out;
	}
	ret = 0;
out:
	machine_devices_destroy(&vm);
	vm_destroy(&vm);
	return ret;
}

int main(int argc, char **argv)
{
	static const char *const sigs[] = { "XSDT", "FACP", "FACS", "APIC", "DSDT" };
	static uint8_t buf[KEEL_ACPI_SIZE];
	struct cli_options o;
	char **args, err[512];
	size_t len;
	int ret = 1;

	if (argc < 2 || !strcmp(argv[1], "--help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	/* The options go through keel's own parser: `keel run OPTIONS`. */
	args = calloc((size_t)argc + 1, sizeof(*args));
	if (!args)
		return 1;
	args[0] = "keel";
	args[1] = "run";
	for (int i = 2; i < argc; i++)
		args[i] = argv[i];
	memset(&o, 0, sizeof(o));
	if (cli_parse(argc, args, &o, err, sizeof(err)) < 0 || o.command != CLI_RUN) {
		fprintf(stderr, "acpi_tables: %s\n", err[0] ? err : "not a `keel run` command line");
		goto out;
	}
	if (build(&o, buf, &len) < 0)
		goto out;
	if (write_file(argv[1], "RSDP", buf, 36) < 0)
		goto out;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		long off = acpi_find(buf, len, KEEL_ACPI_GPA, sigs[i]);
		uint32_t n;

		if (off < 0) {
			fprintf(stderr, "acpi_tables: no %s linked (%s)\n", sigs[i], strerror((int)-off));
			goto out;
		}
		memcpy(&n, buf + off + 4, 4);	/* little-endian host */
		if (write_file(argv[1], sigs[i], buf + off, n) < 0)
			goto out;
	}
	printf("acpi_tables: %zu bytes of tables for %u vCPUs in %s\n", len, o.cfg.ncpus, argv[1]);
	ret = 0;
out:
	cli_options_free(&o);
	free(args);
	return ret;
}
