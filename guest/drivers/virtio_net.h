/* virtio-net on the shared virtio core: one struct netif per network device, polled receive and transmit. */
#ifndef KEEL_GUEST_DRIVERS_VIRTIO_NET_H
#define KEEL_GUEST_DRIVERS_VIRTIO_NET_H

#include <stdbool.h>

#include "guest/net/net.h"

#define VIRTIO_NET_MAX_NICS 4

/* How many network devices there are (either transport). */
unsigned int virtio_net_count(void);

/*
 * The @n-th network device as a netif, brought up on first use (VERSION_1, MAC, STATUS; receive
 * buffers posted). NULL when there is no such device or it failed (*@why says why when not NULL).
 */
struct netif *virtio_net_get(unsigned int n, const char **why);

/* The transport the @n-th device sits on ("pci" or "mmio"), for diagnostics. */
const char *virtio_net_transport(unsigned int n);

#endif
