/* PM1a_CNT at 0x604: setting SLP_EN ends the VM with status 0 ("guest powered off"). */
#include "devices/pm.h"

#include <string.h>

#include "devices/devices.h"
#include "firmware/machine.h"
#include "vmm/bus.h"
#include "firmware/describe.h"
#include "vmm/exit_status.h"
#include "vmm/stop.h"

int pm_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len,
	  bool is_write)
{
	struct stop_ctl *stop = opaque;
	uint64_t v;

	(void)vcpu;
	if (!is_write) {
		memset(data, 0, len);
		return 0;
	}
	if (offset >= PM1A_CNT_LEN)
		return 0;
	v = devices_le_value(data, len) << (8 * offset);
	if (v & KEEL_PM1_SLP_EN)
		stop_request(stop, KEEL_EXIT_OK, "guest powered off");
	return 0;
}

int pm_create(struct bus *pio, struct stop_ctl *stop)
{
	return bus_register(pio, KEEL_PORT_PM1A_CNT, PM1A_CNT_LEN, pm_io, stop, "pm1a-control");
}

void pm_destroy(struct bus *pio)
{
	devices_unregister(pio, KEEL_PORT_PM1A_CNT, pm_io);
}

int pm_describe(struct dev_descs *out)
{
	const struct dev_desc d = {
		.name = "poweroff", .compatible = "keel,pm1a-control", .space = DESC_ISA_IO,
		.nregs = 1, .regs = { { KEEL_PORT_PM1A_CNT, PM1A_CNT_LEN } }, .irq = -1,
	};

	return desc_add(out, &d);
}
