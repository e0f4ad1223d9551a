/* exit=wait: stay up and answer what the host does to the running guest (a disk's capacity change, Ctrl-Alt-Del). */
#ifndef KEEL_GUEST_KERNEL_WAIT_EVENTS_H
#define KEEL_GUEST_KERNEL_WAIT_EVENTS_H

/*
 * Print "guest: waiting for events", then, until Ctrl-Alt-Del: "guest: alive N" every second,
 * "blk: capacity changed: <old> -> <new> sectors" when the first virtio-blk device's
 * configuration-change interrupt status is seen; on Ctrl-Alt-Del from the i8042 keyboard print
 * "ctrl-alt-del" and power off (as Linux's init would reboot). Never returns.
 */
void wait_events(void);

#endif
