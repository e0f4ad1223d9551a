/* virtio-net: one receive/transmit queue pair and a control queue over a net backend (tap or socket). */
#ifndef KEEL_DEVICES_VIRTIO_NET_H
#define KEEL_DEVICES_VIRTIO_NET_H

#include <stdint.h>

#include "devices/virtio/backend_net.h"
#include "devices/virtio/virtio.h"

#define VIRTIO_NET_QUEUE_SIZE 256u
#define NET_HDR_LEN 12u			/* struct virtio_net_hdr with num_buffers (VERSION_1) */
#define NET_MAX_PLAIN_FRAME 1518u	/* Ethernet, 1500-byte MTU, one VLAN tag: without segmentation offload */
#define NET_MAX_GSO_FRAME 65554u	/* 64 KiB of IP, Ethernet header and VLAN tag: with it */

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

#endif
