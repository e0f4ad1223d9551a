/* virtio-vsock: stream connections between the guest's AF_VSOCK sockets and host Unix sockets (Firecracker's hybrid backend), on the I/O thread. */
#ifndef KEEL_DEVICES_VIRTIO_VSOCK_H
#define KEEL_DEVICES_VIRTIO_VSOCK_H

#include <stdint.h>

#include "devices/virtio/type.h"
#include "devices/virtio/virtio.h"
#include "devices/virtio/vsock_spec.h"
#include "devices/virtio/vsock_uds.h"

#define VIRTIO_VSOCK_QUEUE_SIZE 256u
#define VSOCK_MAX_CONNS 256u		/* connections at once (either side's); more are refused */
#define VSOCK_CONN_BUF 65536u		/* buf_alloc keel gives the guest: bytes buffered per connection at most */
#define VSOCK_MAX_PKT 65536u		/* the largest payload of one packet either way */
#define VSOCK_HOST_PORT_FIRST (1u << 30)	/* host ports of host-initiated connections count from here */
#define VSOCK_CONNECT_TIMEOUT_MS 5000u	/* a guest that neither accepts nor refuses a host connection */
#define VSOCK_LINE_TIMEOUT_MS 10000u	/* a host program that connects and says nothing */
#define VSOCK_CLOSE_TIMEOUT_MS 5000u	/* a close waiting for the host to take the last bytes, or for the guest's RST */

/* What keel counts per device (read with virtio_vsock_stats, for metrics and tests). */
struct virtio_vsock_stats {
	uint64_t conns_host;		/* host-initiated connections the guest accepted */
	uint64_t conns_guest;		/* guest-initiated connections a host program accepted */
	uint64_t conns_refused;		/* connections refused either way (RST, timeout, no listener) */
	uint64_t rx_bytes, tx_bytes;	/* payload to the guest, from the guest */
	uint64_t rx_packets, tx_packets;
	uint64_t bad_packets;		/* the guest's packets dropped or answered RST for breaking the rules */
	uint32_t conns_open;		/* now */
};

/*
 * virtio_vsock_create - the device "virtio-vsock0" with context id @guest_cid, its host side on
 * @uds (which it does not own, and watches from now on). Returns 0 or -errno.
 */
int virtio_vsock_create(struct vsock_uds *uds, uint64_t guest_cid, const struct guest_mem *mem, struct ioloop *loop,
			struct virtio_dev **out);

/* virtio_vsock_destroy - close every connection and free (the I/O thread is stopped). NULL is fine. */
void virtio_vsock_destroy(struct virtio_dev *dev);

/* virtio_vsock_stats - @dev's counters into @s (under its lock). -EINVAL when @dev is not virtio-vsock. */
int virtio_vsock_stats(struct virtio_dev *dev, struct virtio_vsock_stats *s);

/* The device type (devices/virtio/type.h): --vsock cid=N,uds=PATH. */
extern const struct virtio_type virtio_vsock_type;

#endif
