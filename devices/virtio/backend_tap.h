/* The tap backend of virtio-net: /dev/net/tun with IFF_TAP, IFF_NO_PI and (when the kernel has it) IFF_VNET_HDR. */
#ifndef KEEL_DEVICES_VIRTIO_BACKEND_TAP_H
#define KEEL_DEVICES_VIRTIO_BACKEND_TAP_H

#include <stddef.h>

#include "devices/virtio/backend_net.h"
#include "devices/virtio/config.h"

/*
 * net_tap_open - attach to tap @o->ifname, creating it when it does not exist (which needs
 * CAP_NET_ADMIN); vnet header of 12 bytes, the receive offloads the kernel accepts probed with
 * TUNSETOFFLOAD and then turned off until the driver asks for them. Returns 0 and the backend in
 * *@out, or -errno with one line in @err ("--net SPEC: ...").
 */
int net_tap_open(const struct virtio_net_opts *o, struct net_backend **out, char *err, size_t errlen);

#endif
