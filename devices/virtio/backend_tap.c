/* virtio-net's tap backend: TUNSETIFF (create or attach), a 12-byte vnet header, TUNSETOFFLOAD from the driver's features, the interface's up/down as the link. */
#include "devices/virtio/backend_tap.h"

#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devices/virtio/spec.h"
#include "vmm/log.h"

#define TAP_VNET_HDR_LEN ((int)sizeof(struct virtio_net_hdr))

#ifndef TUN_F_UFO
#define TUN_F_UFO 0x10
#endif

/* The receive offloads the driver can accept, as TUNSETOFFLOAD flags (what the tap may hand keel). */
static unsigned int tap_offload_flags(uint64_t guest_features)
{
	unsigned int f = 0;

	if (!(guest_features & VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM)))
		return 0;	/* segmentation offloads need partial checksums */
	f |= TUN_F_CSUM;
	if (guest_features & VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4))
		f |= TUN_F_TSO4;
	if (guest_features & VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO6))
		f |= TUN_F_TSO6;
	if (guest_features & VIRTIO_BIT(VIRTIO_NET_F_GUEST_UFO))
		f |= TUN_F_UFO;
	return f;
}

static void tap_prep_recv(struct net_backend *be, struct io_uring_sqe *sqe, const struct iovec *iov, unsigned int n)
{
	io_uring_prep_readv(sqe, be->fd, iov, n, (uint64_t)-1);
}

static int tap_recv_done(struct net_backend *be, int res)
{
	(void)be;
	return res;
}

static void tap_prep_send(struct net_backend *be, struct io_uring_sqe *sqe, const struct iovec *iov, unsigned int n)
{
	io_uring_prep_writev(sqe, be->fd, iov, n, (uint64_t)-1);
}

static int tap_set_offload(struct net_backend *be, uint64_t guest_features)
{
	unsigned int f = tap_offload_flags(guest_features);

	if (!be->vnet_hdr)
		return 0;
	if (ioctl(be->fd, TUNSETOFFLOAD, (unsigned long)f) < 0)
		return -errno;
	log_debug("%s: offloads to the guest 0x%x", be->name, f);
	return 0;
}

/* The interface's flags (SIOCGIFFLAGS) into *@flags, or set IFF_UP among them (@up). 0 or -errno. */
static int tap_flags(const char *ifname, short *flags, bool up)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = 0;

	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		ret = -errno;
	if (!ret && up && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
			ret = -errno;
	}
	close(s);
	if (!ret && flags)
		*flags = ifr.ifr_flags;
	return ret;
}

/* The link is the tap's administrative state (ip link set IFNAME up/down). */
static int tap_link_state(struct net_backend *be)
{
	char buf[4096];
	short flags;
	int ret;

	/* what the messages say does not matter: the flags are read below */
	while (be->link_fd >= 0 && recv(be->link_fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	ret = tap_flags(be->name + 4, &flags, false);
	return ret < 0 ? ret : !!(flags & IFF_UP);
}

/* A netlink socket that turns readable on every link change in this network namespace, or -1. */
static int tap_link_watch(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static void tap_close(struct net_backend *be)
{
	if (be->fd >= 0)
		close(be->fd);
	if (be->link_fd >= 0)
		close(be->link_fd);
	free(be);
}

static const struct net_backend_ops tap_ops = {
	.kind = "tap",
	.prep_recv = tap_prep_recv,
	.recv_done = tap_recv_done,
	.prep_send = tap_prep_send,
	.set_offload = tap_set_offload,
	.link_state = tap_link_state,
	.close = tap_close,
};

/* Which receive offloads this tap takes: each TUNSETOFFLOAD tried alone, then all off again. */
static uint64_t tap_probe(int fd)
{
	static const struct {
		unsigned int bit;
		unsigned int flags;
	} probes[] = {
		{ VIRTIO_NET_F_GUEST_CSUM, TUN_F_CSUM },
		{ VIRTIO_NET_F_GUEST_TSO4, TUN_F_CSUM | TUN_F_TSO4 },
		{ VIRTIO_NET_F_GUEST_TSO6, TUN_F_CSUM | TUN_F_TSO6 },
		{ VIRTIO_NET_F_GUEST_UFO, TUN_F_CSUM | TUN_F_UFO },
	};
	uint64_t f = 0;

	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)probes[i].flags) == 0)
			f |= VIRTIO_BIT(probes[i].bit);
	if (!(f & VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM)))
		f = 0;
	if (ioctl(fd, TUNSETOFFLOAD, 0ul) < 0)
		return 0;
	/* Frames from the driver: the tap takes any header the kernel's checks accept. */
	return f | VIRTIO_BIT(VIRTIO_NET_F_CSUM) | VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4) |
	       VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO6) | VIRTIO_BIT(VIRTIO_NET_F_HOST_UFO);
}

static int tap_fail(struct net_backend *be, const struct virtio_net_opts *o, int e, char *err, size_t errlen,
		    const char *why)
{
	snprintf(err, errlen, "--net %s: %s%s%s", o->spec, why ? why : "", why ? ": " : "", strerror(e));
	tap_close(be);
	return -e;
}

int net_tap_open(const struct virtio_net_opts *o, struct net_backend **out, char *err, size_t errlen)
{
	struct net_backend *be = calloc(1, sizeof(*be));
	struct ifreq ifr;
	int hdr = TAP_VNET_HDR_LEN, ret;
	bool created;

	if (!be) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	be->ops = &tap_ops;
	be->link_fd = -1;
	created = tap_flags(o->ifname, NULL, false) == -ENODEV;	/* TUNSETIFF creates a missing tap */
	be->fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);	/* blocking: io_uring waits for frames */
	if (be->fd < 0)
		return tap_fail(be, o, errno, err, errlen, "cannot open /dev/net/tun");
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", o->ifname);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	be->vnet_hdr = true;
	ret = ioctl(be->fd, TUNSETIFF, &ifr);
	if (ret < 0 && errno == EINVAL) {
		/* a kernel without vnet headers: plain frames, no offloads */
		ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
		be->vnet_hdr = false;
		ret = ioctl(be->fd, TUNSETIFF, &ifr);
	}
	if (ret < 0) {
		int e = errno;

		return tap_fail(be, o, e, err, errlen,
				e == EPERM ? "cannot create or attach the tap (needs CAP_NET_ADMIN, or a persistent tap you own)"
				: e == EBUSY ? "the tap is in use"
				: e == EINVAL ? "not a tap interface" : "cannot attach the tap");
	}
	if (be->vnet_hdr && ioctl(be->fd, TUNSETVNETHDRSZ, &hdr) < 0)
		return tap_fail(be, o, errno, err, errlen, "cannot set the vnet header size");
	snprintf(be->name, sizeof(be->name), "tap:%.*s", (int)IFNAMSIZ, ifr.ifr_name);
	if (be->vnet_hdr)
		be->features = tap_probe(be->fd);
	/* A tap keel made is keel's to bring up; one the user made is up when the user says so. */
	if (created && (ret = tap_flags(be->name + 4, NULL, true)) < 0)
		log_warn("%s: cannot bring the interface keel made up: %s", be->name, strerror(-ret));
	be->link_fd = tap_link_watch();
	if (be->link_fd < 0)
		log_debug("%s: no netlink socket (%s): the guest always sees the link up", be->name, strerror(errno));
	log_debug("%s: attached, vnet header %s, offload features 0x%llx", be->name, be->vnet_hdr ? "yes" : "no",
		  (unsigned long long)be->features);
	*out = be;
	return 0;
}
