/* virtio-input: the keyboard's and tablet's configuration answers, a bounded host ring the VNC thread fills, the event queue drained on the I/O thread. */
#include "devices/virtio/input.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/input_spec.h"
#include "devices/virtio/iov.h"
#include "firmware/le.h"
#include "vmm/log.h"

#define INPUT_PCI_CLASS 0x098000u /* input device controller, other */
#define INPUT_PROP_POINTER 0x00u  /* evdev's property bit: a pointer moved on a surface */
#define INPUT_EV_REP 0x14u	  /* evdev's autorepeat event type, with its codes REP_DELAY and REP_PERIOD */
#define INPUT_REP_DELAY 0x00u
#define INPUT_REP_PERIOD 0x01u
#define INPUT_EVENT_BYTES 8u
#define INPUT_REPORT_MAX 8u /* events one pointer report makes at most (SYN_REPORT included) */

struct vinput {
	struct virtio_dev dev;
	enum virtio_input_kind kind;
	uint8_t select, subsel;	  /* the driver's configuration selector (under dev.lock) */
	struct virtq_chain chain; /* I/O thread */

	/* The host ring: filled on the display's thread, drained on the I/O thread. */
	pthread_mutex_t ring_lock;
	struct virtio_input_event ring[VIRTIO_INPUT_RING_EVENTS];
	unsigned int head, count; /* oldest event, events held */
	bool drop_warned;
	uint32_t x, y, buttons; /* the pointer as last reported (display thread, under ring_lock) */
	bool pointer_seen;
};

/* --- configuration space ---------------------------------------------------------- */

static void bit_set(uint8_t *map, unsigned int bit, uint8_t *size)
{
	map[bit / 8] |= (uint8_t)(1u << (bit % 8));
	if (*size < bit / 8 + 1)
		*size = (uint8_t)(bit / 8 + 1);
}

/* The EV_BITS bitmap of event type @type into @u; returns its size in bytes (0: no such events). */
static uint8_t cfg_ev_bits(enum virtio_input_kind kind, uint8_t type, uint8_t *u)
{
	uint8_t size = 0;

	switch (type) {
	case VIRTIO_INPUT_EV_SYN:
		bit_set(u, VIRTIO_INPUT_SYN_REPORT, &size);
		break;
	case VIRTIO_INPUT_EV_KEY:
		if (kind == VIRTIO_INPUT_KEYBOARD) {
			for (unsigned int k = VIRTIO_INPUT_KEY_FIRST; k <= VIRTIO_INPUT_KEY_LAST; k++)
				bit_set(u, k, &size);
		} else {
			bit_set(u, VIRTIO_INPUT_BTN_LEFT, &size);
			bit_set(u, VIRTIO_INPUT_BTN_RIGHT, &size);
			bit_set(u, VIRTIO_INPUT_BTN_MIDDLE, &size);
		}
		break;
	case INPUT_EV_REP:
		if (kind == VIRTIO_INPUT_KEYBOARD) {
			bit_set(u, INPUT_REP_DELAY, &size);
			bit_set(u, INPUT_REP_PERIOD, &size);
		}
		break;
	case VIRTIO_INPUT_EV_REL:
		if (kind == VIRTIO_INPUT_TABLET)
			bit_set(u, VIRTIO_INPUT_REL_WHEEL, &size);
		break;
	case VIRTIO_INPUT_EV_ABS:
		if (kind == VIRTIO_INPUT_TABLET) {
			bit_set(u, VIRTIO_INPUT_ABS_X, &size);
			bit_set(u, VIRTIO_INPUT_ABS_Y, &size);
		}
		break;
	default:
		break;
	}
	return size;
}

/* The answer to (select, subsel): the union's bytes into @u (VIRTIO_INPUT_CFG_U_MAX, zeroed), its size returned. */
static uint8_t cfg_answer(const struct vinput *in, uint8_t *u)
{
	bool tablet = in->kind == VIRTIO_INPUT_TABLET;
	const char *name = tablet ? "keel virtio tablet" : "keel virtio keyboard";
	uint8_t size = 0;

	switch (in->select) {
	case VIRTIO_INPUT_CFG_ID_NAME:
		if (in->subsel)
			return 0;
		memcpy(u, name, strlen(name));
		return (uint8_t)strlen(name);
	case VIRTIO_INPUT_CFG_ID_DEVIDS:
		if (in->subsel)
			return 0;
		le_put16(u, VIRTIO_INPUT_BUS_VIRTUAL);
		le_put16(u + 2, VIRTIO_INPUT_VENDOR);
		le_put16(u + 4, tablet ? VIRTIO_INPUT_PRODUCT_TABLET : VIRTIO_INPUT_PRODUCT_KEYBOARD);
		le_put16(u + 6, 1);
		return (uint8_t)sizeof(struct virtio_input_devids);
	case VIRTIO_INPUT_CFG_PROP_BITS:
		if (tablet && !in->subsel)
			bit_set(u, INPUT_PROP_POINTER, &size);
		return size;
	case VIRTIO_INPUT_CFG_EV_BITS:
		return cfg_ev_bits(in->kind, in->subsel, u);
	case VIRTIO_INPUT_CFG_ABS_INFO:
		if (!tablet || (in->subsel != VIRTIO_INPUT_ABS_X && in->subsel != VIRTIO_INPUT_ABS_Y))
			return 0;
		le_put32(u + offsetof(struct virtio_input_absinfo, min), 0);
		le_put32(u + offsetof(struct virtio_input_absinfo, max), VIRTIO_INPUT_ABS_MAX);
		return (uint8_t)sizeof(struct virtio_input_absinfo);
	default: /* UNSET, ID_SERIAL (none) and selectors keel does not know */
		return 0;
	}
}

static void input_config_read(const struct virtio_dev *dev, uint32_t off, uint8_t *data, uint32_t len)
{
	const struct vinput *in = dev->priv;
	uint8_t c[VIRTIO_INPUT_CFG_BYTES] = { 0 };

	c[VIRTIO_INPUT_CFG_SELECT] = in->select;
	c[VIRTIO_INPUT_CFG_SUBSEL] = in->subsel;
	c[VIRTIO_INPUT_CFG_SIZE] = cfg_answer(in, c + VIRTIO_INPUT_CFG_U);
	memcpy(data, c + off, len); /* the core keeps [off, off + len) inside the config space */
}

/* Only select and subsel are the driver's to write; bytes beyond them are dropped. */
static void input_config_write(struct virtio_dev *dev, uint32_t off, const uint8_t *data, uint32_t len)
{
	struct vinput *in = dev->priv;

	for (uint32_t k = 0; k < len; k++) {
		if (off + k == VIRTIO_INPUT_CFG_SELECT)
			in->select = data[k];
		else if (off + k == VIRTIO_INPUT_CFG_SUBSEL)
			in->subsel = data[k];
	}
}

/* --- the host ring: the display's thread puts, the I/O thread takes --------------------- */

/* Append @n events (ring_lock held); the oldest go when the guest has not taken them. */
static void ring_put(struct vinput *in, const struct virtio_input_event *ev, unsigned int n)
{
	for (unsigned int k = 0; k < n; k++) {
		if (in->count == VIRTIO_INPUT_RING_EVENTS) {
			if (!in->drop_warned)
				log_warn("%s: the guest does not take its input events: dropping the oldest",
					 in->dev.name);
			in->drop_warned = true;
			in->head = (in->head + 1) % VIRTIO_INPUT_RING_EVENTS;
			in->count--;
		}
		in->ring[(in->head + in->count) % VIRTIO_INPUT_RING_EVENTS] = ev[k];
		in->count++;
	}
}

/* Hand a report of @n events over and wake the I/O thread's event queue. */
static void input_send(struct vinput *in, const struct virtio_input_event *ev, unsigned int n)
{
	if (!n)
		return;
	pthread_mutex_lock(&in->ring_lock);
	ring_put(in, ev, n);
	pthread_mutex_unlock(&in->ring_lock);
	virtio_kick(&in->dev, VIRTIO_INPUT_Q_EVENT);
}

static struct virtio_input_event ev_make(uint16_t type, uint16_t code, uint32_t value)
{
	return (struct virtio_input_event){ .type = type, .code = code, .value = value };
}

static void input_key(void *opaque, uint16_t code, bool down)
{
	struct virtio_input_event ev[2];

	if (code < VIRTIO_INPUT_KEY_FIRST || code > VIRTIO_INPUT_KEY_LAST) {
		log_debug("virtio-input: key code %u is not the keyboard's: dropped", code);
		return;
	}
	ev[0] = ev_make(VIRTIO_INPUT_EV_KEY, code, down);
	ev[1] = ev_make(VIRTIO_INPUT_EV_SYN, VIRTIO_INPUT_SYN_REPORT, 0);
	input_send(opaque, ev, 2);
}

static void input_pointer(void *opaque, uint32_t x, uint32_t y, uint32_t buttons, int32_t wheel)
{
	static const uint16_t btn[3] = { VIRTIO_INPUT_BTN_LEFT, VIRTIO_INPUT_BTN_MIDDLE, VIRTIO_INPUT_BTN_RIGHT };
	struct vinput *in = opaque;
	struct virtio_input_event ev[INPUT_REPORT_MAX];
	unsigned int n = 0;

	x = x > VIRTIO_INPUT_ABS_MAX ? VIRTIO_INPUT_ABS_MAX : x;
	y = y > VIRTIO_INPUT_ABS_MAX ? VIRTIO_INPUT_ABS_MAX : y;
	pthread_mutex_lock(&in->ring_lock);
	if (!in->pointer_seen || x != in->x)
		ev[n++] = ev_make(VIRTIO_INPUT_EV_ABS, VIRTIO_INPUT_ABS_X, x);
	if (!in->pointer_seen || y != in->y)
		ev[n++] = ev_make(VIRTIO_INPUT_EV_ABS, VIRTIO_INPUT_ABS_Y, y);
	for (unsigned int b = 0; b < 3; b++)
		if (((buttons ^ in->buttons) >> b) & 1)
			ev[n++] = ev_make(VIRTIO_INPUT_EV_KEY, btn[b], (buttons >> b) & 1);
	if (wheel)
		ev[n++] = ev_make(VIRTIO_INPUT_EV_REL, VIRTIO_INPUT_REL_WHEEL, (uint32_t)wheel);
	in->x = x;
	in->y = y;
	in->buttons = buttons & 7;
	in->pointer_seen = true;
	if (n) {
		ev[n++] = ev_make(VIRTIO_INPUT_EV_SYN, VIRTIO_INPUT_SYN_REPORT, 0);
		ring_put(in, ev, n);
	}
	pthread_mutex_unlock(&in->ring_lock);
	if (n)
		virtio_kick(&in->dev, VIRTIO_INPUT_Q_EVENT);
}

static const struct input_sink_ops keyboard_sink_ops = { .key = input_key };
static const struct input_sink_ops tablet_sink_ops = { .pointer = input_pointer };

/* --- the queues (I/O thread, dev.lock held) ------------------------------------------ */

/* Put the held events into the driver's buffers, oldest first, while there are both. */
static void input_deliver(struct vinput *in)
{
	struct virtio_dev *dev = &in->dev;
	struct virtq *vq = &dev->vq[VIRTIO_INPUT_Q_EVENT];
	uint8_t b[INPUT_EVENT_BYTES];

	pthread_mutex_lock(&in->ring_lock);
	while (in->count) {
		const struct virtio_input_event *ev = &in->ring[in->head];
		int ret = virtio_pop(dev, VIRTIO_INPUT_Q_EVENT, &in->chain);

		if (ret == -EAGAIN) {
			if (virtq_kick_enable(vq))
				continue; /* buffers came meanwhile */
			break;
		}
		if (ret < 0)
			break;
		if (in->chain.nout) {
			virtio_fault(dev, VIRTIO_INPUT_Q_EVENT, VQ_FAULT_DIRECTION,
				     "device-readable buffer in the event queue");
			break;
		}
		if (in->chain.in_len < INPUT_EVENT_BYTES) {
			virtio_fault(dev, VIRTIO_INPUT_Q_EVENT, VQ_FAULT_FORMAT, "event buffer shorter than 8 bytes");
			break;
		}
		le_put16(b, ev->type);
		le_put16(b + 2, ev->code);
		le_put32(b + 4, ev->value);
		iov_from_buf(in->chain.iov, in->chain.nin, 0, b, sizeof(b));
		virtio_done(dev, VIRTIO_INPUT_Q_EVENT, in->chain.head, INPUT_EVENT_BYTES);
		in->head = (in->head + 1) % VIRTIO_INPUT_RING_EVENTS;
		in->count--;
	}
	pthread_mutex_unlock(&in->ring_lock);
}

/* LED state and the like: checked, then dropped. */
static void input_status(struct vinput *in)
{
	struct virtio_dev *dev = &in->dev;

	for (;;) {
		int ret = virtio_pop(dev, VIRTIO_INPUT_Q_STATUS, &in->chain);

		if (ret < 0)
			return;
		if (in->chain.nin) {
			virtio_fault(dev, VIRTIO_INPUT_Q_STATUS, VQ_FAULT_DIRECTION,
				     "device-writable buffer in the status queue");
			return;
		}
		if (in->chain.out_len < INPUT_EVENT_BYTES) {
			virtio_fault(dev, VIRTIO_INPUT_Q_STATUS, VQ_FAULT_FORMAT, "status buffer shorter than 8 bytes");
			return;
		}
		virtio_done(dev, VIRTIO_INPUT_Q_STATUS, in->chain.head, 0);
	}
}

static void input_queue_notify(struct virtio_dev *dev, unsigned int q)
{
	if (q == VIRTIO_INPUT_Q_EVENT)
		input_deliver(dev->priv);
	else
		input_status(dev->priv);
}

/* A new session starts without the old one's selector or pending events. */
static void input_reset(struct virtio_dev *dev)
{
	struct vinput *in = dev->priv;

	in->select = 0;
	in->subsel = 0;
	pthread_mutex_lock(&in->ring_lock);
	in->head = 0;
	in->count = 0;
	pthread_mutex_unlock(&in->ring_lock);
}

static const struct virtio_dev_ops virtio_input_ops = {
	.name = "virtio-input",
	.device_id = VIRTIO_ID_INPUT,
	.pci_class = INPUT_PCI_CLASS,
	.nqueues = 2,
	.queue_max = VIRTIO_INPUT_QUEUE_SIZE,
	.config_size = VIRTIO_INPUT_CFG_BYTES,
	.config_read = input_config_read,
	.config_write = input_config_write,
	.queue_notify = input_queue_notify,
	.reset = input_reset,
};

int virtio_input_create(enum virtio_input_kind kind, unsigned int index, struct display_port *port,
			const struct guest_mem *mem, struct ioloop *loop, struct virtio_dev **out)
{
	struct vinput *in = calloc(1, sizeof(*in));
	struct input_sink sink;
	char name[32];
	int ret;

	if (!in)
		return -ENOMEM;
	pthread_mutex_init(&in->ring_lock, NULL);
	in->kind = kind;
	snprintf(name, sizeof(name), "virtio-input%u", index);
	ret = virtio_dev_init(&in->dev, &virtio_input_ops, in, name, mem, loop);
	sink = (struct input_sink){ kind == VIRTIO_INPUT_TABLET ? &tablet_sink_ops : &keyboard_sink_ops, in };
	if (ret == 0)
		ret = display_port_add_input(port, &sink);
	if (ret < 0) {
		virtio_input_destroy(&in->dev);
		return ret;
	}
	*out = &in->dev;
	return 0;
}

void virtio_input_destroy(struct virtio_dev *dev)
{
	struct vinput *in;

	if (!dev)
		return;
	in = dev->priv;
	virtio_dev_destroy(dev);
	pthread_mutex_destroy(&in->ring_lock);
	free(in);
}

/* --- the device type (devices/virtio/type.h) ------------------------------------------ */

static unsigned int input_type_count(const struct virtio_config *c)
{
	return c->ninputs;
}

static struct virtio_place input_type_place(const struct virtio_config *c, unsigned int i)
{
	return c->inputs[i].place;
}

/* The "backend" is the display the device feeds from: it must be there, with room. */
static int input_type_open(const struct virtio_config *c, unsigned int i, const struct virtio_env *env, void **backend,
			   char *err, size_t errlen)
{
	struct display_port *port = env ? env->display : NULL;

	if (!port) {
		snprintf(err, errlen, "--input %s: no display to feed it (add --gpu or --display vnc:PORT)",
			 c->inputs[i].spec);
		return -EINVAL;
	}
	if (port->ninputs + i >= DISPLAY_MAX_INPUTS) {
		snprintf(err, errlen, "--input %s: the display feeds at most %u input devices", c->inputs[i].spec,
			 DISPLAY_MAX_INPUTS);
		return -EINVAL;
	}
	*backend = port;
	return 0;
}

/* The display is the VM's: nothing to close. */
static void input_type_close(void *backend)
{
	(void)backend;
}

static int input_type_create(void *backend, const struct virtio_config *c, unsigned int i, const struct guest_mem *mem,
			     struct ioloop *loop, struct virtio_dev **out)
{
	int ret = virtio_input_create(c->inputs[i].kind, i, backend, mem, loop, out);

	if (ret == -ENOSPC)
		log_error("--input %s: the display feeds at most %u input devices", c->inputs[i].spec,
			  DISPLAY_MAX_INPUTS);
	return ret;
}

const struct virtio_type virtio_input_type = {
	.name = "virtio-input",
	.count = input_type_count,
	.place = input_type_place,
	.open = input_type_open,
	.close = input_type_close,
	.create = input_type_create,
	.destroy = virtio_input_destroy,
};
