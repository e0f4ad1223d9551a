/* The guest's virtio-vsock driver: polled, one receive buffer and one transmit packet at a time (enough for the echo checks). */
#ifndef KEEL_GUEST_DRIVERS_VIRTIO_VSOCK_H
#define KEEL_GUEST_DRIVERS_VIRTIO_VSOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/virtio/vsock_spec.h"
#include "guest/drivers/virtio_devices.h"

#define VVSOCK_TX_MAX 1024u		/* payload bytes per packet sent */
#define VVSOCK_RX_MAX 1024u		/* payload bytes a received packet may carry */

struct vvsock {
	struct vio io;
	uint64_t cid;			/* the device's guest_cid */
	bool rx_posted;			/* the receive buffer is with the device */
};

/* Bring up the first virtio-vsock device (rx and tx queues; the event queue is left off). */
bool vvsock_open(struct vvsock *v);

/* Send @h (its len set to @len) and @len bytes of @data (at most VVSOCK_TX_MAX). False: not taken in time. */
bool vvsock_send(struct vvsock *v, struct virtio_vsock_hdr *h, const void *data, uint32_t len);

/* The next packet within @wait_ms: header into *@h, payload (h->len bytes) into @data. False: none. */
bool vvsock_recv(struct vvsock *v, struct virtio_vsock_hdr *h, void *data, unsigned int wait_ms);

#endif
