/* virtio-input checks (input: ...): each device's configuration, the keyboard's and the tablet's capabilities, and input=echo:N. */
#include "guest/kernel/checks.h"

#include "guest/drivers/virtio_gpu.h"
#include "guest/drivers/virtio_input.h"
#include "guest/kernel/bootinfo.h"
#include "guest/kernel/cmdline.h"
#include "guest/kernel/console.h"
#include "guest/kernel/sched.h"
#include "guest/kernel/time.h"
#include "guest/lib/string.h"

#define MS 1000000ull
#define INPUT_MAX_DEVS 8
#define KEY_A 30u
#define BTN_MISC 0x100u			/* evdev: codes from here on are buttons */
#define ECHO_MAX_KEYS 1000u
#define ECHO_WAIT_S 600u		/* the longest input=echo waits for its keys */

struct input_devs {
	struct vinput dev[INPUT_MAX_DEVS];
	unsigned int n;
};

static struct input_devs devs;

static const char *absent(void)
{
	return virtio_count(VIRTIO_ID_INPUT) ? 0 : "no virtio-input device";
}

/* Every virtio-input device brought up (once); false with a note when one does not come up. */
static bool open_all(struct check_ctx *ctx)
{
	unsigned int want = virtio_count(VIRTIO_ID_INPUT);

	if (want > INPUT_MAX_DEVS)
		want = INPUT_MAX_DEVS;
	for (; devs.n < want; devs.n++)
		if (!vinput_open(&devs.dev[devs.n], devs.n)) {
			check_note(ctx, "virtio-input %u did not come up: %s", devs.n,
				   devs.dev[devs.n].d && devs.dev[devs.n].d->error ? devs.dev[devs.n].d->error : "?");
			return false;
		}
	return true;
}

/* The devices are up: true; else false with the check skipped (none) or failed in *@st. */
static bool input_ready(struct check_ctx *ctx, enum check_status *st)
{
	const char *why = absent();

	if (why) {
		*st = check_skip(ctx, "%s", why);
		return false;
	}
	*st = CHECK_FAIL;
	return open_all(ctx);
}

static void device_name(struct vinput *in, char *name, unsigned int max)
{
	unsigned int n = vinput_config(in, VIRTIO_INPUT_CFG_ID_NAME, 0, name, max - 1);

	name[n < max - 1 ? n : max - 1] = 0;
}

/* Each device: a name, and some event type with codes. */
enum check_status check_input_devices(struct check_ctx *ctx)
{
	enum check_status st;

	if (!input_ready(ctx, &st))
		return st;
	for (unsigned int i = 0; i < devs.n; i++) {
		struct vinput *in = &devs.dev[i];
		char name[VIRTIO_INPUT_CFG_U_MAX + 1];
		uint8_t bits[VIRTIO_INPUT_CFG_U_MAX];
		bool key = vinput_config(in, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_KEY, bits, sizeof(bits)) > 0;
		bool abs = vinput_config(in, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_ABS, bits, sizeof(bits)) > 0;
		bool rel = vinput_config(in, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_REL, bits, sizeof(bits)) > 0;

		device_name(in, name, sizeof(name));
		check_note(ctx, "virtio-input %u (%s): \"%s\"%s%s%s", i, virtio_transport_name(in->d), name,
			   key ? " EV_KEY" : "", abs ? " EV_ABS" : "", rel ? " EV_REL" : "");
		if (!name[0])
			return check_fail(ctx, "device %u has no name (ID_NAME)", i);
		if (!key && !abs && !rel)
			return check_fail(ctx, "device %u reports no key, absolute or relative events", i);
	}
	return CHECK_PASS;
}

static bool name_has(struct vinput *in, const char *word)
{
	char name[VIRTIO_INPUT_CFG_U_MAX + 1];

	device_name(in, name, sizeof(name));
	return strstr(name, word) != 0;
}

/* A keyboard (KEY_A among its EV_KEY codes, or "eyboard" in its name) has EV_KEY with KEY_A. */
enum check_status check_input_keyboard(struct check_ctx *ctx)
{
	enum check_status st;
	unsigned int seen = 0;

	if (!input_ready(ctx, &st))
		return st;
	for (unsigned int i = 0; i < devs.n; i++) {
		struct vinput *in = &devs.dev[i];
		bool has_a = vinput_has(in, VIRTIO_INPUT_EV_KEY, KEY_A);

		if (!has_a && !name_has(in, "eyboard"))
			continue;
		seen++;
		if (!has_a)
			return check_fail(ctx, "device %u is named a keyboard but has no EV_KEY KEY_A", i);
		check_note(ctx, "virtio-input %u: a keyboard (EV_KEY with KEY_A)", i);
	}
	return seen ? CHECK_PASS : check_skip(ctx, "no virtio-input keyboard");
}

/* A tablet (EV_ABS, or "ablet" in its name) has ABS_X and ABS_Y from 0 to 0x7fff. */
enum check_status check_input_tablet(struct check_ctx *ctx)
{
	enum check_status st;
	unsigned int seen = 0;

	if (!input_ready(ctx, &st))
		return st;
	for (unsigned int i = 0; i < devs.n; i++) {
		struct vinput *in = &devs.dev[i];
		uint8_t bits[VIRTIO_INPUT_CFG_U_MAX];
		bool abs = vinput_config(in, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_ABS, bits, sizeof(bits)) > 0;

		if (!abs && !name_has(in, "ablet"))
			continue;
		seen++;
		for (unsigned int axis = VIRTIO_INPUT_ABS_X; axis <= VIRTIO_INPUT_ABS_Y; axis++) {
			struct virtio_input_absinfo ai = { 0 };

			if (!vinput_has(in, VIRTIO_INPUT_EV_ABS, axis))
				return check_fail(ctx, "device %u: no EV_ABS %s", i, axis ? "ABS_Y" : "ABS_X");
			if (vinput_config(in, VIRTIO_INPUT_CFG_ABS_INFO, (uint8_t)axis, &ai, sizeof(ai)) < sizeof(ai))
				return check_fail(ctx, "device %u: no ABS_INFO for %s", i, axis ? "ABS_Y" : "ABS_X");
			if (ai.max != VIRTIO_INPUT_ABS_MAX)
				return check_fail(ctx, "device %u: %s ranges %u..%u, want max 0x7fff", i,
						  axis ? "ABS_Y" : "ABS_X", ai.min, ai.max);
		}
		check_note(ctx, "virtio-input %u: a tablet (ABS_X, ABS_Y to 0x7fff%s)", i,
			   vinput_has(in, VIRTIO_INPUT_EV_KEY, VIRTIO_INPUT_BTN_LEFT) ? ", BTN_LEFT" : "");
	}
	return seen ? CHECK_PASS : check_skip(ctx, "no virtio-input tablet");
}

/* The state of input=echo: where the pointer is, and how many keys went down. */
struct echo_state {
	uint32_t x, y;
	bool moved;
	unsigned int keys;
};

static void echo_event(struct echo_state *s, const struct virtio_input_event *ev)
{
	if (ev->type == VIRTIO_INPUT_EV_KEY && ev->value <= 1) {
		bool down = ev->value == 1;

		kprintf("input: %s %u %s\n", ev->code >= BTN_MISC ? "button" : "key", ev->code, down ? "down" : "up");
		s->keys += down && ev->code < BTN_MISC;
	} else if (ev->type == VIRTIO_INPUT_EV_ABS && ev->code <= VIRTIO_INPUT_ABS_Y) {
		uint32_t *axis = ev->code == VIRTIO_INPUT_ABS_X ? &s->x : &s->y;

		s->moved |= *axis != ev->value;
		*axis = ev->value;
	} else if (ev->type == VIRTIO_INPUT_EV_SYN && ev->code == VIRTIO_INPUT_SYN_REPORT && s->moved) {
		kprintf("input: abs %u %u\n", s->x, s->y);
		s->moved = false;
	}
}

/* For sched_wait: has any device an event waiting? */
static bool event_waiting(const void *arg)
{
	const struct input_devs *d = arg;

	for (unsigned int i = 0; i < d->n; i++) {
		const struct virtio_queue *vq = &d->dev[i].d->vq[VIRTIO_INPUT_Q_EVENT];

		if (vq->used->idx != vq->used_seen)
			return true;
	}
	return false;
}

/* The test card on output 0 (when there is a GPU and no check put it there yet). */
static void show_testcard(void)
{
	struct vgpu *g = vgpu_get(0);
	const char *what;

	if (!g || g->fb_created)
		return;
	if (!vgpu_fb_setup(g, &what)) {
		vgpu_draw_testcard(g);
		vgpu_fb_update(g, &what);
	}
}

/* input=echo:N: every event from every device printed, until N keys went down. */
enum check_status check_input_echo(struct check_ctx *ctx)
{
	struct echo_state s = { 0 };
	char v[24];
	unsigned long want;
	uint64_t end;

	if (!cmdline_get(boot_info.cmdline, "input", v, sizeof(v)))
		return check_skip(ctx, "no input=echo:N on the command line");
	if (strncmp(v, "echo:", 5) || !(want = strtoul(v + 5, 0, 10)) || want > ECHO_MAX_KEYS)
		return check_fail(ctx, "input=%s: want echo:N, N from 1 to %u", v, ECHO_MAX_KEYS);
	if (absent())
		return check_fail(ctx, "input=echo: no virtio-input device");
	if (!open_all(ctx))
		return CHECK_FAIL;
	show_testcard();
	for (unsigned int i = 0; i < devs.n; i++)
		vinput_start(&devs.dev[i]);
	kprintf("input: waiting for %lu keys\n", want);
	end = time_now_ns() + ECHO_WAIT_S * 1000 * MS;
	while (s.keys < want) {
		struct virtio_input_event ev;
		bool any = false;

		for (unsigned int i = 0; i < devs.n; i++)
			while (vinput_poll(&devs.dev[i], &ev)) {
				echo_event(&s, &ev);
				any = true;
			}
		if (any)
			continue;
		if (time_now_ns() >= end)
			return check_fail(ctx, "%u of %lu keys within %u s", s.keys, want, ECHO_WAIT_S);
		sched_wait(event_waiting, &devs, 10 * MS);
	}
	check_note(ctx, "%lu keys went down", want);
	return CHECK_PASS;
}
