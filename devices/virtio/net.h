/* virtio-net: one receive/transmit queue pair and a control queue over a net backend (tap or socket). */
#ifndef KEEL_DEVICES_VIRTIO_NET_H
#define KEEL_DEVICES_VIRTIO_NET_H

#include <stdint.h>

#include "devices/virtio/backend_net.h"
#include "devices/virtio/net_ctrl.h"
#include "devices/virtio/virtio.h"

#define VIRTIO_NET_QUEUE_SIZE 256u
#define NET_HDR_LEN 12u			/* struct virtio_net_hdr with num_buffers (VERSION_1) */
#define NET_MAX_PLAIN_FRAME 1518u	/* Ethernet, 1500-byte MTU, one VLAN tag: without segmentation offload */
#define NET_MAX_GSO_FRAME 65554u	/* 64 KiB of IP, Ethernet header and VLAN tag: with it */

/*
 * virtio-net's own state beyond the core (virtio_dev_state), as plain data: what the driver set
 * through the control queue (address, receive mode, filter table sizes, VLANs, announce), the
 * link status the configuration space shows, and the counters. Not in it: a received frame
 * still waiting for receive buffers (frames may be lost, as on the wire), and the backend's
 * reads and sends, which belong to the restoring device's backend.
 */
struct virtio_net_state {
	struct net_ctrl ctrl;		/* the control queue's state (its mac is the current address) */
	bool link_up;			/* false once the backend failed (VIRTIO_NET_S_LINK_UP clear) */
	uint32_t logged;		/* which kinds of dropped frames were logged already */
	uint64_t rx_frames, rx_dropped, tx_frames, tx_dropped;
};

/*
 * virtio_net_create - virtio-net device @index ("virtio-net0") on backend @be with address @mac.
 * Offers MAC, STATUS, MRG_RXBUF, CTRL_VQ, CTRL_RX, CTRL_VLAN, GUEST_ANNOUNCE, CTRL_MAC_ADDR, plus
 * the offloads @be can carry (be->features). Posts the first receive (submitted when the I/O
 * thread starts). Returns 0 or -errno.
 */
int virtio_net_create(struct net_backend *be, const uint8_t mac[6], unsigned int index, const struct guest_mem *mem,
		      struct ioloop *loop, struct virtio_dev **out);

/* virtio_net_destroy - free the device (the I/O thread is stopped; the backend is closed by its owner). NULL is fine. */
void virtio_net_destroy(struct virtio_dev *dev);

/* What a virtio-net device counted since it was created (Firecracker's net metrics). */
struct virtio_net_stats {
	uint64_t rx_bytes, rx_packets;	/* frames given to the driver, and their bytes (no virtio header) */
	uint64_t rx_dropped;		/* frames received from the backend and dropped */
	uint64_t tx_bytes, tx_packets;	/* frames the backend took, and their bytes */
	uint64_t tx_dropped;		/* frames the driver sent and keel dropped (tx_malformed among them) */
	uint64_t tx_malformed;		/* dropped for a bad header or length */
};

/* virtio_net_stats - @dev's counters now (takes the device's lock). 0, or -EINVAL when not virtio-net. */
int virtio_net_stats(struct virtio_dev *dev, struct virtio_net_stats *out);

/*
 * virtio_net_save - read @dev's state into @s (under the device's lock). Returns 0, -EBUSY while
 * requests are in flight or a reset waits (as virtio_dev_save) or while receive chains are held
 * for a frame (they carry host addresses; they are used by the next frame), or -EINVAL when @dev
 * is not a virtio-net device.
 */
int virtio_net_save(struct virtio_dev *dev, struct virtio_net_state *s);

/*
 * virtio_net_restore - set @dev back to @s (under the device's lock), after its core:
 * @s is untrusted and is checked against the restored status and features. The control state
 * must be one the driver could have reached: a unicast address, at most NET_CTRL_MAC_ENTRIES
 * per filter table, each command's state only where its feature was negotiated (the configured
 * address without CTRL_MAC_ADDR), and the reset state before DRIVER_OK; only known kinds logged.
 * The link status is restored as the driver last saw it. A frame waiting in @dev stays for the
 * restored queues. Returns 0, -EINVAL (a bad state, or not virtio-net) or -EBUSY (as for
 * virtio_net_save), with @dev unchanged on failure.
 */
int virtio_net_restore(struct virtio_dev *dev, const struct virtio_net_state *s);

#endif
