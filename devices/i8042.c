/* The i8042 stub: status and data read 0; command 0xfe resets, which ends the VM with status 0. */
#include "devices/i8042.h"

#include <string.h>

#include "devices/devices.h"
#include "firmware/machine.h"
#include "vmm/exit_status.h"
#include "vmm/bus.h"
#include "firmware/describe.h"
#include "vmm/log.h"
#include "vmm/stop.h"

int i8042_data_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len,
		  bool is_write)
{
	(void)opaque;
	(void)vcpu;
	(void)offset;
	if (!is_write)
		memset(data, 0, len);
	return 0;
}

int i8042_cmd_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len,
		 bool is_write)
{
	struct stop_ctl *stop = opaque;

	(void)vcpu;
	(void)offset;
	if (!is_write) {
		memset(data, 0, len);
		return 0;
	}
	if (data[0] == I8042_CMD_RESET)
		stop_reset(stop, "guest reset through the i8042");
	else
		log_debug("i8042: command %#x ignored", data[0]);
	return 0;
}

int i8042_create(struct bus *pio, struct stop_ctl *stop)
{
	int ret;

	ret = bus_register(pio, KEEL_PORT_I8042_DATA, 1, i8042_data_io, stop, "i8042 data");
	if (ret < 0)
		return ret;
	ret = bus_register(pio, KEEL_PORT_I8042_CMD, 1, i8042_cmd_io, stop, "i8042 command");
	if (ret < 0)
		devices_unregister(pio, KEEL_PORT_I8042_DATA, i8042_data_io);
	return ret;
}

void i8042_destroy(struct bus *pio)
{
	devices_unregister(pio, KEEL_PORT_I8042_CMD, i8042_cmd_io);
	devices_unregister(pio, KEEL_PORT_I8042_DATA, i8042_data_io);
}

int i8042_describe(struct dev_descs *out)
{
	const struct dev_desc d = {
		.name = "i8042", .compatible = "intel,8042", .space = DESC_ISA_IO,
		.nregs = 2, .regs = { { KEEL_PORT_I8042_DATA, 1 }, { KEEL_PORT_I8042_CMD, 1 } }, .irq = -1,
	};

	return desc_add(out, &d);
}
