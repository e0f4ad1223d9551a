/* virtio-input through the transports: the configuration's select/subsel answers, events from the display's sinks into the driver's buffers, a full host ring, hostile buffers. */
#include "tests/unit/suites.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/display.h"
#include "devices/virtio/input.h"
#include "devices/virtio/input_spec.h"
#include "firmware/machine.h"
#include "tests/virtio/fakedrv.h"
#include "tests/virtio/testvm.h"
#include "vmm/device_types.h"
#include "vmm/exit_status.h"

#define RING_GPA 0x100000ull
#define EV_GPA 0x400000ull /* event buffer k at EV_GPA + 16 * k */
#define QSIZE 64u

struct indrv {
	struct fakedrv d;
	struct fakeq ev, st;
};

static struct vm vm;
static struct display_port port;

/* testvm_start with a display the input devices feed from. */
static void start(bool pci, unsigned int n, const enum virtio_input_kind *kinds)
{
	struct vm_config cfg = { .cmdline = "", .mem_size = TESTVM_RAM, .ncpus = 1, .kvm_path = "/dev/kvm" };
	const struct virtio_type *types[DEVICE_TYPES_MAX];
	struct virtio_env env = { .display = &port };

	memset(&port, 0, sizeof(port));
	cfg.virtio.transport = pci ? VIRTIO_TRANSPORT_PCI : VIRTIO_TRANSPORT_MMIO;
	for (unsigned int i = 0; i < n; i++)
		cfg.virtio.inputs[cfg.virtio.ninputs++] = (struct virtio_input_opts){
			.kind = kinds[i], .spec = strdup(kinds[i] == VIRTIO_INPUT_TABLET ? "tablet" : "keyboard")
		};
	ck_assert_int_eq(vm_init(&vm, &cfg), 0);
	ck_assert_int_eq(gmem_init(&vm.plat.mem, TESTVM_RAM), 0);
	device_types_ops(types);
	env.stop = &vm.plat.stop;
	ck_assert_int_eq(virtio_prepare(&vm.cfg.virtio, types, (unsigned int)device_ntypes, &env, &vm.virtio),
			 KEEL_EXIT_OK);
	ck_assert_int_eq(virtio_create(vm.virtio, &vm.plat), 0);
	ck_assert_uint_eq(port.ninputs, n);
}

static void teardown(void)
{
	testvm_stop(&vm);
}

static void driver(struct indrv *b, unsigned int dev)
{
	if (vm.virtio->any_pci)
		ck_assert_int_eq(fakedrv_open_pci(&b->d, &vm, dev + 1), 0);
	else
		ck_assert_int_eq(fakedrv_open_mmio(&b->d, &vm, KEEL_VIRTIO_MMIO_BASE + dev * KEEL_VIRTIO_MMIO_STRIDE),
				 0);
	ck_assert_int_eq(fakedrv_init(&b->d, ~0ull, NULL), 0);
	if (b->d.pci) {
		fakedrv_msix_enable(&b->d);
		fakedrv_msix_vector(&b->d, 0, 0xfee00000, 0x40, false);
		fakedrv_msix_vector(&b->d, 1, 0xfee00000, 0x41, false);
	}
	fakeq_init(&b->ev, &vm.plat.mem, RING_GPA + dev * 0x20000ull, QSIZE);
	fakeq_init(&b->st, &vm.plat.mem, RING_GPA + dev * 0x20000ull + 0x10000, QSIZE);
	fakedrv_queue(&b->d, VIRTIO_INPUT_Q_EVENT, &b->ev, 0);
	fakedrv_queue(&b->d, VIRTIO_INPUT_Q_STATUS, &b->st, 1);
	fakedrv_driver_ok(&b->d);
}

/* Write select and subsel, read back the size and the union into @u (VIRTIO_INPUT_CFG_U_MAX bytes). */
static unsigned int cfg_select(struct indrv *b, uint8_t sel, uint8_t sub, uint8_t *u)
{
	uint64_t at = b->d.pci ? b->d.bar0 + b->d.devcfg : b->d.base + VIRTIO_MMIO_CONFIG;

	fakedrv_mmio_write(&vm, at + VIRTIO_INPUT_CFG_SELECT, 1, sel);
	fakedrv_mmio_write(&vm, at + VIRTIO_INPUT_CFG_SUBSEL, 1, sub);
	ck_assert_uint_eq(fakedrv_config(&b->d, VIRTIO_INPUT_CFG_SELECT, 1), sel);
	ck_assert_uint_eq(fakedrv_config(&b->d, VIRTIO_INPUT_CFG_SUBSEL, 1), sub);
	for (unsigned int k = 0; k < VIRTIO_INPUT_CFG_U_MAX; k += 4) {
		uint32_t w = (uint32_t)fakedrv_config(&b->d, VIRTIO_INPUT_CFG_U + k, 4);

		memcpy(u + k, &w, 4);
	}
	return (unsigned int)fakedrv_config(&b->d, VIRTIO_INPUT_CFG_SIZE, 1);
}

static bool bit(const uint8_t *u, unsigned int b)
{
	return u[b / 8] & (1u << (b % 8));
}

/* Offer @n device-writable event buffers of @len bytes, k-th at EV_GPA + 16 * k. */
static void offer(struct indrv *b, unsigned int first, unsigned int n, uint32_t len)
{
	for (unsigned int k = first; k < first + n; k++) {
		struct fakeq_buf buf = { EV_GPA + 16ull * k, len, true };

		memset(testvm_hva(&vm, buf.gpa, 16), 0xee, 16);
		fakeq_offer(&b->ev, fakeq_chain(&b->ev, (uint16_t)(k % QSIZE), &buf, 1));
	}
	fakedrv_kick(&b->d, VIRTIO_INPUT_Q_EVENT);
}

/* The next used event: its type, code and value. */
static void next_event(struct indrv *b, uint16_t type, uint16_t code, uint32_t value)
{
	struct virtio_input_event ev;
	uint32_t id, len;

	ck_assert_int_eq(fakeq_wait_used(&b->ev, &id, &len, 5000), 1);
	ck_assert_uint_eq(len, 8);
	memcpy(&ev, testvm_hva(&vm, EV_GPA + 16ull * id, 8), 8);
	ck_assert_uint_eq(ev.type, type);
	ck_assert_uint_eq(ev.code, code);
	ck_assert_uint_eq(ev.value, value);
}

static void key(unsigned int dev, uint16_t code, bool down)
{
	port.inputs[dev].ops->key(port.inputs[dev].opaque, code, down);
}

START_TEST(keyboard_config)
{
	static const enum virtio_input_kind k[] = { VIRTIO_INPUT_KEYBOARD };
	struct indrv b;
	uint8_t u[VIRTIO_INPUT_CFG_U_MAX];

	start(true, 1, k);
	driver(&b, 0);
	ck_assert_uint_eq(cfg_select(&b, VIRTIO_INPUT_CFG_ID_NAME, 0, u), strlen("keel virtio keyboard"));
	ck_assert_int_eq(memcmp(u, "keel virtio keyboard", 20), 0);
	ck_assert_uint_eq(cfg_select(&b, VIRTIO_INPUT_CFG_ID_DEVIDS, 0, u), 8);
	ck_assert_uint_eq(u[0] | u[1] << 8, VIRTIO_INPUT_BUS_VIRTUAL);
	ck_assert_uint_eq(u[4] | u[5] << 8, VIRTIO_INPUT_PRODUCT_KEYBOARD);
	ck_assert_uint_eq(cfg_select(&b, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_KEY, u), 32);
	ck_assert(bit(u, 30)); /* KEY_A */
	ck_assert(bit(u, 1) && bit(u, 248) && !bit(u, 0));
	ck_assert_uint_eq(cfg_select(&b, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_SYN, u), 1);
	ck_assert_uint_eq(cfg_select(&b, VIRTIO_INPUT_CFG_EV_BITS, 0x14, u), 1); /* EV_REP: the guest repeats */
	ck_assert_uint_eq(u[0], 0x03);
	ck_assert_uint_eq(cfg_select(&b, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_ABS, u), 0);
	ck_assert_uint_eq(cfg_select(&b, VIRTIO_INPUT_CFG_ABS_INFO, VIRTIO_INPUT_ABS_X, u), 0);
	ck_assert_uint_eq(cfg_select(&b, VIRTIO_INPUT_CFG_PROP_BITS, 0, u), 0);
	ck_assert_uint_eq(cfg_select(&b, VIRTIO_INPUT_CFG_ID_SERIAL, 0, u), 0);
	ck_assert_uint_eq(cfg_select(&b, 0x7f, 3, u), 0);
	ck_assert_uint_eq(cfg_select(&b, VIRTIO_INPUT_CFG_UNSET, 0, u), 0);
	ck_assert_ptr_null(port.inputs[0].ops->pointer);
}
END_TEST

START_TEST(tablet_config)
{
	static const enum virtio_input_kind k[] = { VIRTIO_INPUT_KEYBOARD, VIRTIO_INPUT_TABLET };
	struct indrv b;
	uint8_t u[VIRTIO_INPUT_CFG_U_MAX];
	struct virtio_input_absinfo ai;

	start(false, 2, k);
	driver(&b, 1);
	ck_assert_uint_eq(cfg_select(&b, VIRTIO_INPUT_CFG_ID_NAME, 0, u), strlen("keel virtio tablet"));
	ck_assert_int_eq(memcmp(u, "keel virtio tablet", 18), 0);
	ck_assert_uint_eq(cfg_select(&b, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_ABS, u), 1);
	ck_assert_uint_eq(u[0], 0x03);
	ck_assert_uint_eq(cfg_select(&b, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_KEY, u), 0x112 / 8 + 1);
	ck_assert(bit(u, VIRTIO_INPUT_BTN_LEFT) && bit(u, VIRTIO_INPUT_BTN_RIGHT) && bit(u, VIRTIO_INPUT_BTN_MIDDLE));
	ck_assert(!bit(u, 30));
	ck_assert_uint_eq(cfg_select(&b, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_REL, u), 2);
	ck_assert(bit(u, VIRTIO_INPUT_REL_WHEEL));
	for (uint8_t axis = VIRTIO_INPUT_ABS_X; axis <= VIRTIO_INPUT_ABS_Y; axis++) {
		ck_assert_uint_eq(cfg_select(&b, VIRTIO_INPUT_CFG_ABS_INFO, axis, u), sizeof(ai));
		memcpy(&ai, u, sizeof(ai));
		ck_assert_uint_eq(ai.min, 0);
		ck_assert_uint_eq(ai.max, VIRTIO_INPUT_ABS_MAX);
	}
	ck_assert_uint_eq(cfg_select(&b, VIRTIO_INPUT_CFG_ABS_INFO, 2, u), 0);
	ck_assert_uint_eq(cfg_select(&b, VIRTIO_INPUT_CFG_EV_BITS, 0x14, u), 0); /* no EV_REP */
	ck_assert_uint_eq(cfg_select(&b, VIRTIO_INPUT_CFG_PROP_BITS, 0, u), 1);
	ck_assert_uint_eq(u[0], 0x01); /* INPUT_PROP_POINTER */
	ck_assert_ptr_null(port.inputs[1].ops->key);
}
END_TEST

/* Keys and a click through the sinks arrive as events with a SYN_REPORT after each report. */
static void events(bool pci)
{
	static const enum virtio_input_kind k[] = { VIRTIO_INPUT_KEYBOARD, VIRTIO_INPUT_TABLET };
	struct indrv kb, tb;
	uint32_t len;

	start(pci, 2, k);
	driver(&kb, 0);
	driver(&tb, 1);
	key(0, 30, true); /* before any buffer: held */
	offer(&kb, 0, 8, 8);
	next_event(&kb, VIRTIO_INPUT_EV_KEY, 30, 1);
	next_event(&kb, VIRTIO_INPUT_EV_SYN, VIRTIO_INPUT_SYN_REPORT, 0);
	key(0, 30, false);
	next_event(&kb, VIRTIO_INPUT_EV_KEY, 30, 0);
	next_event(&kb, VIRTIO_INPUT_EV_SYN, VIRTIO_INPUT_SYN_REPORT, 0);
	key(0, 0x2ff, true); /* not a keyboard key: dropped */
	ck_assert_int_eq(fakeq_wait_used(&kb.ev, NULL, &len, 50), 0);
	/* an event split over two 4-byte buffers of one chain */
	{
		struct fakeq_buf two[2] = { { EV_GPA + 0x1000, 4, true }, { EV_GPA + 0x2004, 4, true } };
		struct virtio_input_event ev;
		uint32_t id;

		fakeq_offer(&kb.ev, fakeq_chain(&kb.ev, 20, two, 2));
		fakedrv_kick(&kb.d, VIRTIO_INPUT_Q_EVENT);
		key(0, 57, true);
		next_event(&kb, VIRTIO_INPUT_EV_KEY, 57, 1); /* the 4 buffers left of the 8 go first */
		next_event(&kb, VIRTIO_INPUT_EV_SYN, VIRTIO_INPUT_SYN_REPORT, 0);
		key(0, 58, true);
		next_event(&kb, VIRTIO_INPUT_EV_KEY, 58, 1);
		next_event(&kb, VIRTIO_INPUT_EV_SYN, VIRTIO_INPUT_SYN_REPORT, 0);
		key(0, 59, true);
		ck_assert_int_eq(fakeq_wait_used(&kb.ev, &id, &len, 5000), 1);
		ck_assert_uint_eq(id, 20);
		ck_assert_uint_eq(len, 8);
		memcpy(&ev, testvm_hva(&vm, EV_GPA + 0x1000, 4), 4);
		memcpy((uint8_t *)&ev + 4, testvm_hva(&vm, EV_GPA + 0x2004, 4), 4);
		ck_assert_uint_eq(ev.type, VIRTIO_INPUT_EV_KEY);
		ck_assert_uint_eq(ev.code, 59);
		ck_assert_uint_eq(ev.value, 1);
	}

	offer(&tb, 0, 16, 8);
	port.inputs[1].ops->pointer(port.inputs[1].opaque, 100, 0x9000, 1, 0);
	next_event(&tb, VIRTIO_INPUT_EV_ABS, VIRTIO_INPUT_ABS_X, 100);
	next_event(&tb, VIRTIO_INPUT_EV_ABS, VIRTIO_INPUT_ABS_Y, VIRTIO_INPUT_ABS_MAX);
	next_event(&tb, VIRTIO_INPUT_EV_KEY, VIRTIO_INPUT_BTN_LEFT, 1);
	next_event(&tb, VIRTIO_INPUT_EV_SYN, VIRTIO_INPUT_SYN_REPORT, 0);
	port.inputs[1].ops->pointer(port.inputs[1].opaque, 100, 0x7fff, 4, -1);
	next_event(&tb, VIRTIO_INPUT_EV_KEY, VIRTIO_INPUT_BTN_LEFT, 0);
	next_event(&tb, VIRTIO_INPUT_EV_KEY, VIRTIO_INPUT_BTN_RIGHT, 1);
	next_event(&tb, VIRTIO_INPUT_EV_REL, VIRTIO_INPUT_REL_WHEEL, 0xffffffffu);
	next_event(&tb, VIRTIO_INPUT_EV_SYN, VIRTIO_INPUT_SYN_REPORT, 0);
	port.inputs[1].ops->pointer(port.inputs[1].opaque, 100, 0x7fff, 4, 0); /* nothing changed */
	ck_assert_int_eq(fakeq_wait_used(&tb.ev, NULL, &len, 50), 0);
}

START_TEST(events_pci)
{
	events(true);
}
END_TEST

START_TEST(events_mmio)
{
	events(false);
}
END_TEST

/* With no buffers the ring keeps the newest VIRTIO_INPUT_RING_EVENTS events and warns once. */
START_TEST(full_ring_drops_oldest)
{
	static const enum virtio_input_kind k[] = { VIRTIO_INPUT_KEYBOARD };
	struct indrv b;
	unsigned int sent = 200, dropped = 2 * sent - VIRTIO_INPUT_RING_EVENTS;
	char *text;
	int saved;

	start(true, 1, k);
	driver(&b, 0);
	saved = testvm_capture_stderr();
	for (unsigned int i = 0; i < sent; i++)
		key(0, (uint16_t)(1 + i), true);
	text = testvm_release_stderr(saved);
	ck_assert_uint_eq(testvm_count(text, "dropping the oldest"), 1);
	free(text);
	offer(&b, 0, QSIZE, 8);
	for (unsigned int e = dropped; e < dropped + QSIZE; e++) {
		if (e % 2)
			next_event(&b, VIRTIO_INPUT_EV_SYN, VIRTIO_INPUT_SYN_REPORT, 0);
		else
			next_event(&b, VIRTIO_INPUT_EV_KEY, (uint16_t)(1 + e / 2), 1);
	}
	ck_assert(!(fakedrv_status(&b.d) & VIRTIO_STATUS_NEEDS_RESET));
}
END_TEST

/* An event buffer shorter than 8 bytes is the driver's fault: DEVICE_NEEDS_RESET, nothing written. */
START_TEST(short_buffer_faults)
{
	static const enum virtio_input_kind k[] = { VIRTIO_INPUT_KEYBOARD };
	struct indrv b;
	uint32_t len;
	int saved;
	char *text;

	start(false, 1, k);
	driver(&b, 0);
	offer(&b, 0, 1, 4);
	saved = testvm_capture_stderr();
	key(0, 30, true);
	for (int t = 0; t < 2000 && !(fakedrv_status(&b.d) & VIRTIO_STATUS_NEEDS_RESET); t++)
		usleep(1000);
	text = testvm_release_stderr(saved);
	ck_assert(fakedrv_status(&b.d) & VIRTIO_STATUS_NEEDS_RESET);
	ck_assert_uint_eq(testvm_count(text, "shorter than 8 bytes"), 1);
	free(text);
	ck_assert_int_eq(fakeq_used(&b.ev, NULL, &len), 0);
	ck_assert_uint_eq(*(uint8_t *)testvm_hva(&vm, EV_GPA, 1), 0xee);
}
END_TEST

/* The status queue takes readable buffers and drops them; a writable one is a fault. */
START_TEST(status_queue)
{
	static const enum virtio_input_kind k[] = { VIRTIO_INPUT_KEYBOARD };
	struct indrv b;
	uint32_t len;
	char *text;
	int saved;

	start(true, 1, k);
	driver(&b, 0);
	fakeq_offer(&b.st, fakeq_chain(&b.st, 0, &(struct fakeq_buf){ EV_GPA, 8, false }, 1));
	fakedrv_kick(&b.d, VIRTIO_INPUT_Q_STATUS);
	ck_assert_int_eq(fakeq_wait_used(&b.st, NULL, &len, 5000), 1);
	ck_assert_uint_eq(len, 0);
	saved = testvm_capture_stderr();
	fakeq_offer(&b.st, fakeq_chain(&b.st, 1, &(struct fakeq_buf){ EV_GPA, 8, true }, 1));
	fakedrv_kick(&b.d, VIRTIO_INPUT_Q_STATUS);
	for (int t = 0; t < 2000 && !(fakedrv_status(&b.d) & VIRTIO_STATUS_NEEDS_RESET); t++)
		usleep(1000);
	text = testvm_release_stderr(saved);
	ck_assert(fakedrv_status(&b.d) & VIRTIO_STATUS_NEEDS_RESET);
	ck_assert_uint_eq(testvm_count(text, "device-writable buffer in the status queue"), 1);
	free(text);
}
END_TEST

/* A reset forgets the selector and the events the old session did not take; the new one gets new events only. */
START_TEST(reset_forgets_pending)
{
	static const enum virtio_input_kind k[] = { VIRTIO_INPUT_KEYBOARD };
	struct indrv b;
	uint8_t u[VIRTIO_INPUT_CFG_U_MAX];

	start(false, 1, k);
	driver(&b, 0);
	ck_assert_uint_eq(cfg_select(&b, VIRTIO_INPUT_CFG_ID_NAME, 0, u), strlen("keel virtio keyboard"));
	key(0, 16, true); /* no buffers: held */
	key(0, 16, false);
	ck_assert_int_eq(fakedrv_reset(&b.d), 0);
	ck_assert_uint_eq(fakedrv_config(&b.d, VIRTIO_INPUT_CFG_SELECT, 1), 0);
	ck_assert_uint_eq(fakedrv_config(&b.d, VIRTIO_INPUT_CFG_SIZE, 1), 0);
	driver(&b, 0);
	offer(&b, 0, 4, 8);
	key(0, 17, true);
	next_event(&b, VIRTIO_INPUT_EV_KEY, 17, 1);
	next_event(&b, VIRTIO_INPUT_EV_SYN, VIRTIO_INPUT_SYN_REPORT, 0);
}
END_TEST

/* Without a display there is nothing to feed the device: one line, the user's error. */
START_TEST(no_display_refused)
{
	struct virtio_config c = { .ninputs = 1 };
	const struct virtio_type *types[DEVICE_TYPES_MAX];
	struct virtio_env env = { 0 };
	struct virtio_host *h;
	char *text;
	int saved;

	c.inputs[0] = (struct virtio_input_opts){ .kind = VIRTIO_INPUT_KEYBOARD, .spec = "keyboard" };
	device_types_ops(types);
	saved = testvm_capture_stderr();
	ck_assert_int_eq(virtio_prepare(&c, types, (unsigned int)device_ntypes, &env, &h), KEEL_EXIT_USAGE);
	text = testvm_release_stderr(saved);
	ck_assert_uint_eq(testvm_count(text, "--input keyboard: no display"), 1);
	free(text);
	virtio_destroy(h);
}
END_TEST

Suite *virtio_input_suite(void)
{
	Suite *s = suite_create("virtio_input");
	TCase *t = tcase_create("input");
	TCase *u = tcase_create("plain");

	tcase_add_checked_fixture(t, NULL, teardown);
	tcase_set_timeout(t, 30);
	tcase_add_test(t, keyboard_config);
	tcase_add_test(t, tablet_config);
	tcase_add_test(t, events_pci);
	tcase_add_test(t, events_mmio);
	tcase_add_test(t, full_ring_drops_oldest);
	tcase_add_test(t, short_buffer_faults);
	tcase_add_test(t, status_queue);
	tcase_add_test(t, reset_forgets_pending);
	suite_add_tcase(s, t);
	tcase_add_test(u, no_display_refused);
	suite_add_tcase(s, u);
	return s;
}
