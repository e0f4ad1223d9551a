/* The virtio-net control queue's commands, checked against the negotiated features and the exact data lengths. */
#include "devices/virtio/net_ctrl.h"

#include <string.h>

#include "devices/virtio/iov.h"
#include "devices/virtio/spec.h"
#include "vmm/log.h"

#define CTRL_MAX_DATA 1024u		/* longest command keel reads: two full filter tables fit */

void net_ctrl_reset(struct net_ctrl *st, const uint8_t mac[6])
{
	memset(st, 0, sizeof(*st));
	memcpy(st->mac, mac, sizeof(st->mac));
	st->promisc = true;
}

static bool has(uint64_t features, unsigned int bit)
{
	return features & VIRTIO_BIT(bit);
}

static uint8_t ctrl_rx(struct net_ctrl *st, uint8_t cmd, const uint8_t *d, size_t n)
{
	if (n != 1)
		return VIRTIO_NET_ERR;
	switch (cmd) {
	case VIRTIO_NET_CTRL_RX_PROMISC:
		st->promisc = d[0] != 0;
		return VIRTIO_NET_OK;
	case VIRTIO_NET_CTRL_RX_ALLMULTI:
		st->allmulti = d[0] != 0;
		return VIRTIO_NET_OK;
	default:
		return VIRTIO_NET_ERR;	/* ALLUNI, NOMULTI, ...: VIRTIO_NET_F_CTRL_RX_EXTRA is not offered */
	}
}

/* Two tables back to back (unicast, multicast), each a le32 count and that many addresses, nothing after. */
static uint8_t ctrl_mac_table(struct net_ctrl *st, const uint8_t *d, size_t n)
{
	uint32_t cnt[2];
	size_t off = 0;

	for (unsigned int t = 0; t < 2; t++) {
		if (n - off < 4)
			return VIRTIO_NET_ERR;
		memcpy(&cnt[t], d + off, 4);
		off += 4;
		if (cnt[t] > NET_CTRL_MAC_ENTRIES || (size_t)cnt[t] * 6 > n - off)
			return VIRTIO_NET_ERR;
		off += (size_t)cnt[t] * 6;
	}
	if (off != n)
		return VIRTIO_NET_ERR;
	st->uc_entries = cnt[0];
	st->mc_entries = cnt[1];
	return VIRTIO_NET_OK;
}

static uint8_t ctrl_mac(struct net_ctrl *st, uint64_t f, uint8_t cmd, const uint8_t *d, size_t n)
{
	if (cmd == VIRTIO_NET_CTRL_MAC_TABLE_SET)
		return has(f, VIRTIO_NET_F_CTRL_RX) ? ctrl_mac_table(st, d, n) : VIRTIO_NET_ERR;
	if (cmd == VIRTIO_NET_CTRL_MAC_ADDR_SET && has(f, VIRTIO_NET_F_CTRL_MAC_ADDR) && n == 6 && !(d[0] & 1)) {
		memcpy(st->mac, d, 6);
		return VIRTIO_NET_OK;
	}
	return VIRTIO_NET_ERR;
}

static uint8_t ctrl_vlan(struct net_ctrl *st, uint8_t cmd, const uint8_t *d, size_t n)
{
	uint16_t vid;

	if (n != 2)
		return VIRTIO_NET_ERR;
	memcpy(&vid, d, 2);
	if (vid >= 4096)
		return VIRTIO_NET_ERR;
	if (cmd == VIRTIO_NET_CTRL_VLAN_ADD)
		st->vlans[vid / 8] |= (uint8_t)(1u << (vid % 8));
	else if (cmd == VIRTIO_NET_CTRL_VLAN_DEL)
		st->vlans[vid / 8] &= (uint8_t)~(1u << (vid % 8));
	else
		return VIRTIO_NET_ERR;
	return VIRTIO_NET_OK;
}

bool net_ctrl_reachable(const struct net_ctrl *st, uint64_t features, bool live, const uint8_t mac[6])
{
	static const uint8_t no_vlans[sizeof(st->vlans)];
	bool rx = live && has(features, VIRTIO_NET_F_CTRL_RX);

	if (st->uc_entries > NET_CTRL_MAC_ENTRIES || st->mc_entries > NET_CTRL_MAC_ENTRIES || (st->mac[0] & 1))
		return false;
	if (!rx && (!st->promisc || st->allmulti || st->uc_entries || st->mc_entries))
		return false;
	if (!(live && has(features, VIRTIO_NET_F_CTRL_VLAN)) && memcmp(st->vlans, no_vlans, sizeof(no_vlans)))
		return false;
	if (!(live && has(features, VIRTIO_NET_F_GUEST_ANNOUNCE)) && st->announce_acked)
		return false;
	if (!(live && has(features, VIRTIO_NET_F_CTRL_MAC_ADDR)) && memcmp(st->mac, mac, sizeof(st->mac)))
		return false;
	return true;
}

uint8_t net_ctrl_exec(struct net_ctrl *st, uint64_t features, const struct iovec *iov, unsigned int n, size_t len)
{
	uint8_t d[CTRL_MAX_DATA], hdr[2];
	size_t dlen;
	uint8_t ack;

	if (len < 2 || len - 2 > sizeof(d) || iov_to_buf(iov, n, 0, hdr, 2) != 2)
		return VIRTIO_NET_ERR;
	dlen = iov_to_buf(iov, n, 2, d, len - 2);
	switch (hdr[0]) {
	case VIRTIO_NET_CTRL_RX:
		ack = has(features, VIRTIO_NET_F_CTRL_RX) ? ctrl_rx(st, hdr[1], d, dlen) : VIRTIO_NET_ERR;
		break;
	case VIRTIO_NET_CTRL_MAC:
		ack = ctrl_mac(st, features, hdr[1], d, dlen);
		break;
	case VIRTIO_NET_CTRL_VLAN:
		ack = has(features, VIRTIO_NET_F_CTRL_VLAN) ? ctrl_vlan(st, hdr[1], d, dlen) : VIRTIO_NET_ERR;
		break;
	case VIRTIO_NET_CTRL_ANNOUNCE:
		ack = has(features, VIRTIO_NET_F_GUEST_ANNOUNCE) && hdr[1] == VIRTIO_NET_CTRL_ANNOUNCE_ACK && dlen == 0
			      ? VIRTIO_NET_OK : VIRTIO_NET_ERR;
		if (ack == VIRTIO_NET_OK)
			st->announce_acked = true;
		break;
	default:
		ack = VIRTIO_NET_ERR;	/* MQ (not offered), GUEST_OFFLOADS, unknown classes */
		break;
	}
	log_debug("virtio-net: control class %u command %u, %zu bytes: %s", hdr[0], hdr[1], dlen,
		  ack == VIRTIO_NET_OK ? "ok" : "refused");
	return ack;
}
