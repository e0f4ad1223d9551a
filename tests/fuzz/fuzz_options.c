/* libFuzzer target: arbitrary bytes split on NUL into keel's argv, parsed by cli_parse into the configuration without booting, then freed. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/gpu.h"
#include "devices/virtio/input.h"
#include "devices/virtio/type.h"
#include "devices/virtio/vsock.h"
#include "vmm/cli.h"
#include "vmm/log.h"
#include "vmm/memory.h"
#include "vmm/opt.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * vmm/device_types.c names each device type's ops; parsing never calls them, so empty tables
 * stand in for the devices (their code is not linked in).
 */
const struct virtio_type virtio_blk_type = { .name = "blk" };
const struct virtio_type virtio_console_type = { .name = "console" };
const struct virtio_type virtio_rng_type = { .name = "rng" };
const struct virtio_type virtio_net_type = { .name = "net" };
const struct virtio_type virtio_gpu_type = { .name = "gpu" };
const struct virtio_type virtio_input_type = { .name = "input" };
const struct virtio_type virtio_vsock_type = { .name = "vsock" };

/*
 * A failure's line: NUL-terminated inside @err, not empty, one line (messages quote the
 * arguments as given, so a newline only when one of them held one: @nl).
 */
static void want_line(const char *err, size_t errlen, bool nl)
{
	if (!memchr(err, '\0', errlen) || err[0] == '\0' || (!nl && strchr(err, '\n')))
		abort();
}

/* What an accepted `keel run` command line always gives. */
static void check_run(const struct vm_config *c)
{
	if (c->ncpus < 1 || c->ncpus > CONFIG_MAX_CPUS || c->mem_size < GMEM_MIN_SIZE || c->mem_size > GMEM_MAX_SIZE ||
	    (c->mem_size & 0xfff) || !memchr(c->cmdline, '\0', sizeof(c->cmdline)) ||
	    c->ninitrds > CONFIG_MAX_INITRDS || c->nfw_cfg > CONFIG_MAX_FW_CFG || c->shutdown_timeout > 3600 ||
	    (c->gdb_wait && !c->gdb))
		abort();
}

/* Each token straight through the number and size parsers too: they must not read past it. */
static void parse_numbers(const char *s)
{
	unsigned long long v;
	uint64_t bytes;

	if (opt_parse_uint(s, ~0ull, &v) == 0 && (opt_parse_size(s, &bytes) != 0 || bytes != (uint64_t)v << 20) &&
	    v <= ~0ull >> 20)
		abort();	/* a bare number is a size in MiB */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 1];
	struct cli_options o;
	char err[512];
	int argc = 1, r;
	size_t at = 0;
	bool nl = false;

	log_set_level(LOG_OFF);
	argv[0] = strdup("keel");
	/* one heap string per argument, exactly its size: a read past its NUL is caught by ASan */
	while (at < size && argc < MAX_ARGS) {
		const uint8_t *nul = memchr(data + at, '\0', size - at);
		size_t len = nul ? (size_t)(nul - (data + at)) : size - at;

		argv[argc] = strndup((const char *)data + at, len);
		if (!argv[argc])
			break;
		parse_numbers(argv[argc]);
		nl = nl || strchr(argv[argc], '\n');
		argc++;
		at += len + 1;
	}
	argv[argc] = NULL;
	memset(err, 0x5a, sizeof(err));
	r = cli_parse(argc, argv, &o, err, sizeof(err));
	if (r < 0) {
		if (r != -EINVAL && r != -ENOMEM)
			abort();
		want_line(err, sizeof(err), nl);
	} else if (o.command == CLI_RUN) {
		check_run(&o.cfg);
	}
	cli_options_free(&o);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return 0;
}
