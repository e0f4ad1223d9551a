/* exit=wait: a heartbeat each second, a disk's capacity change reported, Ctrl-Alt-Del powers off. */
#include "guest/kernel/wait_events.h"

#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/machine_exit.h"
#include "guest/drivers/i8042.h"
#include "guest/drivers/virtio_devices.h"
#include "guest/kernel/console.h"
#include "guest/kernel/sched.h"
#include "guest/lib/ticks.h"

/* What one wait ends on: Ctrl-Alt-Del, or (with a disk) its interrupt status. */
struct wait_state {
	struct vblk *blk;		/* NULL without a virtio-blk device */
	uint64_t old;			/* the capacity before the change just seen */
	bool changed;
};

static bool event(const void *arg)
{
	struct wait_state *w = (struct wait_state *)arg;

	if (kbd_ctrl_alt_del())
		return true;
	if (w->blk && vblk_config_changed(w->blk, &w->old))
		w->changed = true;
	return w->changed;
}

void wait_events(void)
{
	static struct vblk blk;
	struct wait_state w = { 0 };
	uint64_t beats = 0;

	if (vblk_open(&blk, 0)) {
		w.blk = &blk;
		kprintf("blk: capacity %lu sectors\n", (unsigned long)blk.capacity);
	}
	kbd_init();
	kprintf("guest: waiting for events\n");
	for (;;) {
		bool ev = sched_wait(event, &w, NS_PER_S);

		if (kbd_ctrl_alt_del()) {
			kprintf("ctrl-alt-del\n");
			machine_poweroff();
			cpu_halt_forever();
		}
		if (w.changed) {
			w.changed = false;
			kprintf("blk: capacity changed: %lu -> %lu sectors\n", (unsigned long)w.old,
				(unsigned long)blk.capacity);
		}
		if (!ev)
			kprintf("guest: alive %lu\n", (unsigned long)++beats);
	}
}
