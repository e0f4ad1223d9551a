/* virtio-net's control queue commands: receive mode, MAC filter table and address, VLANs, announce; MQ refused. */
#ifndef KEEL_DEVICES_VIRTIO_NET_CTRL_H
#define KEEL_DEVICES_VIRTIO_NET_CTRL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define NET_CTRL_MAC_ENTRIES 64u	/* filter table entries keel keeps per kind */

/*
 * What the driver set through the control queue. keel does not filter: every frame reaches the
 * guest (the specification lets a device deliver more than the filters ask for); the state is
 * kept so the commands are checked and answered truthfully.
 */
struct net_ctrl {
	uint8_t mac[6];			/* the current address (config space) */
	bool promisc, allmulti;
	uint32_t uc_entries, mc_entries;
	uint8_t vlans[4096 / 8];
	bool announce_acked;		/* the driver acknowledged a VIRTIO_NET_S_ANNOUNCE */
};

/* net_ctrl_reset - the state after a device reset: promiscuous, address @mac, no tables. */
void net_ctrl_reset(struct net_ctrl *st, const uint8_t mac[6]);

/*
 * net_ctrl_reachable - could the driver have brought the state to @st, with @features negotiated,
 * on a device configured with address @mac that is (@live) or is not yet past DRIVER_OK? A
 * unicast address, at most NET_CTRL_MAC_ENTRIES per table, and each command's state changed only
 * where its feature allows it; before DRIVER_OK, the reset state.
 */
bool net_ctrl_reachable(const struct net_ctrl *st, uint64_t features, bool live, const uint8_t mac[6]);

/*
 * net_ctrl_exec - run the command in the device-readable part @iov[0, @n) (@len bytes: class,
 * command, data) with the negotiated @features. Returns VIRTIO_NET_OK or VIRTIO_NET_ERR
 * (a malformed or unsupported command, a class whose feature was not negotiated).
 */
uint8_t net_ctrl_exec(struct net_ctrl *st, uint64_t features, const struct iovec *iov, unsigned int n, size_t len);

#endif
