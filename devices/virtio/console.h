/* virtio-console: one port wired to a chardev backend (terminal, file, Unix socket), input and output through io_uring. */
#ifndef KEEL_DEVICES_VIRTIO_CONSOLE_H
#define KEEL_DEVICES_VIRTIO_CONSOLE_H

#include "devices/virtio/backend_chardev.h"
#include "devices/virtio/virtio.h"


#define VIRTIO_CONSOLE_QUEUE_SIZE 64u
#define VIRTIO_CONSOLE_IN_BUF 4096u	/* host input waiting for the guest's receive buffers */
#define VIRTIO_CONSOLE_OUT_BUF 65536u	/* guest output waiting for the backend */

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

#endif
