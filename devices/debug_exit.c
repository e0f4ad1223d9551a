/* The debug-exit port 0xf4: the guest ends the VM with status (v << 1) | 1. */
#include "devices/debug_exit.h"

#include <string.h>

#include "devices/devices.h"
#include "firmware/machine.h"
#include "vmm/bus.h"
#include "firmware/describe.h"
#include "vmm/log.h"
#include "vmm/stop.h"

int debug_exit_status(uint64_t v)
{
	/* The process exit status has 8 bits; the result is always odd. */
	return (int)(((v << 1) | 1) & 0xff);
}

int debug_exit_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len,
		  bool is_write)
{
	struct stop_ctl *stop = opaque;
	uint64_t v;
	int status;

	(void)vcpu;
	(void)offset;
	if (!is_write) {
		memset(data, 0, len);
		return 0;
	}
	v = devices_le_value(data, len);
	status = debug_exit_status(v);
	log_info("debug-exit: the guest wrote %#llx (exit status %d)", (unsigned long long)v, status);
	stop_request(stop, status, "guest wrote to the debug-exit port");
	return 0;
}

int debug_exit_create(struct bus *pio, struct stop_ctl *stop)
{
	return bus_register(pio, KEEL_PORT_DEBUG_EXIT, DEBUG_EXIT_LEN, debug_exit_io, stop, "debug-exit");
}

void debug_exit_destroy(struct bus *pio)
{
	devices_unregister(pio, KEEL_PORT_DEBUG_EXIT, debug_exit_io);
}

int debug_exit_describe(struct dev_descs *out)
{
	/* One port is what a guest needs to know; writes of up to 4 bytes are accepted. */
	const struct dev_desc d = {
		.name = "debug-exit", .compatible = "keel,debug-exit", .space = DESC_ISA_IO,
		.nregs = 1, .regs = { { KEEL_PORT_DEBUG_EXIT, 1 } }, .irq = -1,
	};

	return desc_add(out, &d);
}
