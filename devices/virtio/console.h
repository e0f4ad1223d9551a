/* virtio-console: one port wired to a chardev backend (terminal, file, Unix socket), input and output through io_uring. */
#ifndef KEEL_DEVICES_VIRTIO_CONSOLE_H
#define KEEL_DEVICES_VIRTIO_CONSOLE_H

#include "devices/virtio/backend_chardev.h"
#include "devices/virtio/virtio.h"


#define VIRTIO_CONSOLE_QUEUE_SIZE 64u
#define VIRTIO_CONSOLE_IN_BUF 4096u	/* host input waiting for the guest's receive buffers */
#define VIRTIO_CONSOLE_OUT_BUF 65536u	/* guest output waiting for the backend */

/*
 * virtio-console's own state beyond the core (virtio_dev_state): the host input waiting for the
 * driver's receive buffers. Output is not in it: the driver got its transmit buffers back once
 * their bytes were copied out, and saving is refused until the backend has taken them.
 */
struct virtio_console_state {
	uint32_t in_len;		/* bytes of in[] waiting, at most VIRTIO_CONSOLE_IN_BUF */
	uint8_t in[VIRTIO_CONSOLE_IN_BUF];	/* oldest first; zero past in_len */
};

/*
 * virtio_console_create - the device "virtio-console0" on @cd (which it does not own). Input is
 * read from the start and handed to the backend, so that on the terminal Ctrl-A x ends the VM
 * even before a guest driver exists; bytes wait for receive buffers. Returns 0 or -errno.
 */
int virtio_console_create(struct chardev *cd, const struct guest_mem *mem, struct ioloop *loop,
			  struct virtio_dev **out);

/*
 * virtio_console_destroy - write out output still buffered (the I/O thread must be stopped; gives
 * up after 1 s without progress), then free. NULL is fine.
 */
void virtio_console_destroy(struct virtio_dev *dev);

/*
 * virtio_console_save - read @dev's waiting input into @s (under the device's lock). Returns 0,
 * -EBUSY while requests are in flight or a reset waits (as virtio_dev_save), while a transmit
 * chain is half copied or output still waits for the backend, or -EINVAL when @dev is not a
 * virtio-console device.
 */
int virtio_console_save(struct virtio_dev *dev, struct virtio_console_state *s);

/*
 * virtio_console_restore - make @s's input the input waiting in @dev, in place of its own (under
 * the device's lock). @s is untrusted: in_len at most VIRTIO_CONSOLE_IN_BUF. The bytes go to the
 * receive buffers when the queue is next notified; a read the backend has posted keeps running,
 * bounded by the room left. Returns 0, -EINVAL (a bad state, or not virtio-console) or -EBUSY
 * (as for virtio_console_save, a half-copied transmit chain), with @dev unchanged on failure.
 */
int virtio_console_restore(struct virtio_dev *dev, const struct virtio_console_state *s);

#endif
