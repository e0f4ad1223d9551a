/* The socket backend of virtio-net: Ethernet frames as datagrams on a Unix socket keel binds. */
#ifndef KEEL_DEVICES_VIRTIO_BACKEND_SOCKET_H
#define KEEL_DEVICES_VIRTIO_BACKEND_SOCKET_H

#include <stddef.h>

#include "devices/virtio/backend_net.h"
#include "devices/virtio/config.h"

/*
 * net_socket_open - bind a SOCK_DGRAM Unix socket at @o->path (a stale socket nobody serves is
 * replaced; a live one is refused). Frames go to @o->peer when given, otherwise to whoever sent
 * the last frame (until then they are dropped). No vnet header, no offloads. Returns 0 and the
 * backend in *@out, or -errno with one line in @err ("--net SPEC: ...").
 */
int net_socket_open(const struct virtio_net_opts *o, struct net_backend **out, char *err, size_t errlen);

#endif
