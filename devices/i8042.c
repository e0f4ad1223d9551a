/* The i8042: a keyboard output queue read at port 0x60 with IRQ 1, the probe commands answered, and command 0xfe resetting the VM. */
#include "devices/i8042.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"
#include "firmware/describe.h"
#include "firmware/machine.h"
#include "vmm/bus.h"
#include "vmm/log.h"
#include "vmm/stop.h"

/* Controller commands (port 0x64). */
enum {
	CTL_READ_CTR = 0x20,
	CTL_WRITE_CTR = 0x60,
	CTL_AUX_OFF = 0xa7,
	CTL_AUX_ON = 0xa8,
	CTL_AUX_TEST = 0xa9,
	CTL_SELF_TEST = 0xaa,
	CTL_KBD_TEST = 0xab,
	CTL_KBD_OFF = 0xad,
	CTL_KBD_ON = 0xae,
	CTL_READ_OUT = 0xd0,
	CTL_WRITE_OUT = 0xd1,
	CTL_WRITE_KBD_OUT = 0xd2,
};

/* Keyboard commands (port 0x60). */
enum {
	KBD_SET_LEDS = 0xed,
	KBD_ECHO = 0xee,
	KBD_SCAN_SET = 0xf0,
	KBD_GET_ID = 0xf2,
	KBD_TYPEMATIC = 0xf3,
	KBD_ENABLE = 0xf4,
	KBD_DISABLE = 0xf5,
	KBD_DEFAULTS = 0xf6,
	KBD_RESET = 0xff,
};

#define CTL_SELF_TEST_OK 0x55u
#define CTL_NO_AUX 0xffu		/* the mouse port's test: clock line stuck low (no mouse) */
#define CTL_OUT_PORT 0x01u		/* output port: bit 0 is the reset line, active low */
#define KBD_SCAN_SET_2 0x02u

/* Make / break codes of Ctrl, Alt and Delete in scan code set 2. */
static const uint8_t ctrl_alt_del[] = {
	0x14, 0x11, 0xe0, 0x71,			/* left Ctrl, left Alt, Delete pressed */
	0xe0, 0xf0, 0x71, 0xf0, 0x11, 0xf0, 0x14,	/* and released */
};

/* Drive IRQ 1 to @level (lock held). */
static void i8042_set_irq(struct i8042 *k, int level)
{
	if (level && !k->level)
		k->edges++;
	k->level = level;
	irq_line_set(&k->irq, level);
}

/* The output buffer now holds queue[head] (lock held): interrupt when enabled. */
static void i8042_loaded(struct i8042 *k)
{
	if (k->count && (k->ctr & I8042_CTR_KBD_INT) && !(k->ctr & I8042_CTR_KBD_OFF))
		i8042_set_irq(k, 1);
}

/* Append @n bytes to the queue (lock held). 0, or -ENOSPC when they do not all fit. */
static int i8042_push(struct i8042 *k, const uint8_t *b, size_t n)
{
	bool was_empty = k->count == 0;

	if (n > I8042_QUEUE - k->count) {
		k->stats.missed_write_count += n;
		return -ENOSPC;
	}
	for (size_t i = 0; i < n; i++)
		k->queue[(k->head + k->count++) % I8042_QUEUE] = b[i];
	if (was_empty)
		i8042_loaded(k);
	return 0;
}

static void i8042_push1(struct i8042 *k, uint8_t b)
{
	if (i8042_push(k, &b, 1) < 0)
		log_debug("i8042: output queue full, byte %#x dropped", b);
}

/* A command byte written to the keyboard, or the parameter of the one before (lock held). */
static void i8042_kbd_write(struct i8042 *k, uint8_t v)
{
	static const uint8_t id[] = { I8042_KBD_ACK, 0xab, 0x83 };
	static const uint8_t bat[] = { I8042_KBD_ACK, I8042_KBD_BAT_OK };
	uint8_t prev = k->kbd_cmd;

	k->kbd_cmd = 0;
	if (prev == KBD_SCAN_SET && v == 0) {
		const uint8_t set[] = { I8042_KBD_ACK, KBD_SCAN_SET_2 };

		i8042_push(k, set, sizeof(set));
		return;
	}
	if (prev) {			/* LEDs, typematic rate, scan set: taken and ignored */
		i8042_push1(k, I8042_KBD_ACK);
		return;
	}
	switch (v) {
	case KBD_SET_LEDS:
	case KBD_TYPEMATIC:
	case KBD_SCAN_SET:
		k->kbd_cmd = v;
		i8042_push1(k, I8042_KBD_ACK);
		break;
	case KBD_ECHO:
		i8042_push1(k, KBD_ECHO);
		break;
	case KBD_GET_ID:
		i8042_push(k, id, sizeof(id));
		break;
	case KBD_ENABLE:
	case KBD_DISABLE:
	case KBD_DEFAULTS:
		i8042_push1(k, I8042_KBD_ACK);
		break;
	case KBD_RESET:
		i8042_push(k, bat, sizeof(bat));
		break;
	default:
		i8042_push1(k, I8042_KBD_RESEND);
	}
}

/* The data byte of controller command @cmd (lock held). */
static void i8042_ctl_data(struct i8042 *k, uint8_t cmd, uint8_t v)
{
	switch (cmd) {
	case CTL_WRITE_CTR:
		k->ctr = v;
		i8042_loaded(k);	/* interrupts just enabled with a byte waiting */
		break;
	case CTL_WRITE_OUT:
		if (!(v & CTL_OUT_PORT))
			stop_reset(k->stop, "guest reset through the i8042's output port");
		break;
	case CTL_WRITE_KBD_OUT:
		i8042_push1(k, v);
		break;
	default:
		break;
	}
}

int i8042_data_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len,
		  bool is_write)
{
	struct i8042 *k = opaque;

	(void)vcpu;
	(void)offset;
	pthread_mutex_lock(&k->lock);
	if (!is_write) {
		if (k->count) {
			k->last = k->queue[k->head];
			k->stats.read_count++;
		} else {
			k->stats.missed_read_count++;
		}
		memset(data, k->last, len);	/* an empty buffer reads its last byte again */
		if (k->count) {
			k->head = (k->head + 1) % I8042_QUEUE;
			k->count--;
			i8042_set_irq(k, 0);
			i8042_loaded(k);	/* the next byte: a new edge */
		}
	} else {
		uint8_t cmd = k->ctl_cmd;

		k->status &= (uint8_t)~I8042_STS_CMD;
		k->ctl_cmd = 0;
		k->stats.write_count++;
		if (cmd)
			i8042_ctl_data(k, cmd, data[0]);
		else
			i8042_kbd_write(k, data[0]);
	}
	pthread_mutex_unlock(&k->lock);
	return 0;
}

/* One controller command (lock held). */
static void i8042_command(struct i8042 *k, uint8_t cmd)
{
	switch (cmd) {
	case CTL_READ_CTR:
		i8042_push1(k, k->ctr);
		break;
	case CTL_WRITE_CTR:
	case CTL_WRITE_OUT:
	case CTL_WRITE_KBD_OUT:
		k->ctl_cmd = cmd;
		break;
	case CTL_AUX_OFF:
	case CTL_AUX_ON:
		k->ctr = cmd == CTL_AUX_OFF ? k->ctr | I8042_CTR_AUX_OFF : k->ctr & (uint8_t)~I8042_CTR_AUX_OFF;
		break;
	case CTL_AUX_TEST:
		i8042_push1(k, CTL_NO_AUX);
		break;
	case CTL_SELF_TEST:
		k->status |= I8042_STS_SYS;
		i8042_push1(k, CTL_SELF_TEST_OK);
		break;
	case CTL_KBD_TEST:
		i8042_push1(k, 0);
		break;
	case CTL_KBD_OFF:
		k->ctr |= I8042_CTR_KBD_OFF;
		break;
	case CTL_KBD_ON:
		k->ctr &= (uint8_t)~I8042_CTR_KBD_OFF;
		i8042_loaded(k);
		break;
	case CTL_READ_OUT:
		i8042_push1(k, CTL_OUT_PORT | (k->count ? 0x10u : 0));
		break;
	case I8042_CMD_RESET:
		k->stats.reset_count++;
		stop_reset(k->stop, "guest reset through the i8042");
		break;
	default:
		log_debug("i8042: command %#x ignored", cmd);
	}
}

int i8042_cmd_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len,
		 bool is_write)
{
	struct i8042 *k = opaque;

	(void)vcpu;
	(void)offset;
	pthread_mutex_lock(&k->lock);
	if (!is_write) {
		memset(data, k->status | (k->count ? I8042_STS_OBF : 0), len);
	} else {
		k->status |= I8042_STS_CMD;
		k->ctl_cmd = 0;
		i8042_command(k, data[0]);
	}
	pthread_mutex_unlock(&k->lock);
	return 0;
}

int i8042_keys(struct i8042 *k, const uint8_t *codes, size_t n)
{
	int ret;

	pthread_mutex_lock(&k->lock);
	ret = i8042_push(k, codes, n);
	pthread_mutex_unlock(&k->lock);
	return ret;
}

int i8042_ctrl_alt_del(struct i8042 *k)
{
	return i8042_keys(k, ctrl_alt_del, sizeof(ctrl_alt_del));
}

void i8042_stats(struct i8042 *k, struct i8042_stats *out)
{
	pthread_mutex_lock(&k->lock);
	*out = k->stats;
	pthread_mutex_unlock(&k->lock);
}

int i8042_irq(struct i8042 *k, unsigned long *edges)
{
	int level;

	pthread_mutex_lock(&k->lock);
	level = k->level;
	if (edges)
		*edges = k->edges;
	pthread_mutex_unlock(&k->lock);
	return level;
}

int i8042_create(struct bus *pio, struct stop_ctl *stop, struct irq_line irq, struct i8042 **out)
{
	struct i8042 *k = calloc(1, sizeof(*k));
	int ret;

	if (!k)
		return -ENOMEM;
	pthread_mutex_init(&k->lock, NULL);
	k->pio = pio;
	k->stop = stop;
	k->irq = irq;
	k->ctr = I8042_CTR_KBD_INT | I8042_CTR_SYS | I8042_CTR_AUX_OFF;
	k->status = I8042_STS_SYS | I8042_STS_UNLOCKED;
	ret = bus_register(pio, KEEL_PORT_I8042_DATA, 1, i8042_data_io, k, "i8042 data");
	if (ret == 0) {
		ret = bus_register(pio, KEEL_PORT_I8042_CMD, 1, i8042_cmd_io, k, "i8042 command");
		if (ret < 0)
			devices_unregister(pio, KEEL_PORT_I8042_DATA, i8042_data_io);
	}
	if (ret < 0) {
		pthread_mutex_destroy(&k->lock);
		free(k);
		return ret;
	}
	*out = k;
	return 0;
}

void i8042_destroy(struct i8042 *k)
{
	if (!k)
		return;
	devices_unregister(k->pio, KEEL_PORT_I8042_CMD, i8042_cmd_io);
	devices_unregister(k->pio, KEEL_PORT_I8042_DATA, i8042_data_io);
	pthread_mutex_destroy(&k->lock);
	free(k);
}

int i8042_describe(struct dev_descs *out)
{
	const struct dev_desc d = {
		.name = "i8042", .compatible = "intel,8042", .space = DESC_ISA_IO,
		.nregs = 2, .regs = { { KEEL_PORT_I8042_DATA, 1 }, { KEEL_PORT_I8042_CMD, 1 } }, .irq = -1,
	};

	return desc_add(out, &d);
}
