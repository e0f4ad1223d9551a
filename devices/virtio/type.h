/* The contract of a virtio device type: count it in the configuration, open its backend, create, start, destroy, save and restore it. */
#ifndef KEEL_DEVICES_VIRTIO_TYPE_H
#define KEEL_DEVICES_VIRTIO_TYPE_H

#include <stddef.h>

#include "devices/virtio/blk.h"
#include "devices/virtio/config.h"
#include "devices/virtio/console.h"
#include "devices/virtio/net.h"
#include "devices/virtio/virtio.h"
#include "vmm/ioloop.h"
#include "vmm/memory.h"

struct stop_ctl;
struct display_port;

/*
 * The VM's handles a device type's open may take (a device never sees struct vm): the stop
 * request (Ctrl-A x on a terminal console) and the display (virtio-gpu draws through it,
 * virtio-input devices are fed from it; NULL when the VM has no display device).
 */
struct virtio_env {
	struct stop_ctl *stop;
	struct display_port *display;
};

/* What a device type keeps beyond the virtio core (virtio_dev_state), as plain data. */
union virtio_type_state {
	struct virtio_blk_state blk;
	struct virtio_console_state console;
	struct virtio_net_state net;
};

/*
 * One device type. Each is defined in its device's own file; the VM's table of types
 * (vmm/device_types.c) lists each once, with the command-line option that adds one. Device @i
 * is the i-th of its type in the configuration @c.
 * count: how many devices of this type @c asks for.
 * open: open device @i's backend (or take its handles from @env) (an input: a disk image, a console file, a tap) into
 *   *@backend, before KVM is opened; one line in @err on failure (-EINVAL-like errnos are the
 *   user's input). NULL: the type has no backend.
 * place: where device @i sits (its option's transport= and msix=).
 * close: close what open opened (NULL is passed when it opened nothing).
 * create: the device for @i on @backend, its kicks watched on @loop.
 * start: once every device exists and before the I/O thread runs (the terminal goes raw); NULL: nothing.
 * destroy: free a device create made (the I/O thread is stopped).
 * save / restore: what the type keeps beyond the core (after virtio_dev_save / before the core's
 *   restore is used); -EBUSY while backend I/O is in flight. NULL: the type keeps nothing.
 */
struct virtio_type {
	const char *name;
	unsigned int (*count)(const struct virtio_config *c);
	struct virtio_place (*place)(const struct virtio_config *c, unsigned int i);
	int (*open)(const struct virtio_config *c, unsigned int i, const struct virtio_env *env, void **backend, char *err,
		    size_t errlen);
	void (*close)(void *backend);
	int (*create)(void *backend, const struct virtio_config *c, unsigned int i, const struct guest_mem *mem,
		      struct ioloop *loop, struct virtio_dev **out);
	void (*start)(void *backend);
	void (*destroy)(struct virtio_dev *dev);
	int (*save)(struct virtio_dev *dev, union virtio_type_state *s);
	int (*restore)(struct virtio_dev *dev, const union virtio_type_state *s);
};

extern const struct virtio_type virtio_blk_type;	/* devices/virtio/blk.c */
extern const struct virtio_type virtio_console_type;	/* devices/virtio/console.c */
extern const struct virtio_type virtio_rng_type;	/* devices/virtio/rng.c */
extern const struct virtio_type virtio_net_type;	/* devices/virtio/net.c */

#endif
