/* Network checks: the first virtio-net device's link, ARP and ping to net-peer=, and a responder (net-serve=). */
#include "guest/kernel/checks.h"

#include "guest/drivers/virtio_net.h"
#include "guest/kernel/bootinfo.h"
#include "guest/kernel/cmdline.h"
#include "guest/kernel/time.h"
#include "guest/lib/string.h"
#include "guest/net/net.h"

#define DEFAULT_IP NET_IP(10, 0, 2, 15)
#define DEFAULT_WAIT_S 10		/* net-wait=: how long ARP waits for the peer (it may still be booting) */
#define PINGS 4
#define PING_WAIT_MS 1000
#define PING_TRIES 3			/* per sequence number */
#define SERVE_MAX_S 600

/* The first NIC, configured from ip= (default 10.0.2.15/24); NULL with a skip or failure set in *st. */
static struct netif *net_setup(struct check_ctx *ctx, enum check_status *st)
{
	static bool configured;
	char val[40];
	const char *why = 0;
	struct netif *nif;
	uint32_t ip = DEFAULT_IP, mask = 0xffffff00u;

	if (!virtio_net_count()) {
		*st = check_skip(ctx, "no network device");
		return 0;
	}
	if (!(nif = virtio_net_get(0, &why))) {
		*st = check_fail(ctx, "net0 (%s) did not come up: %s", virtio_net_transport(0), why);
		return 0;
	}
	if (!configured) {
		if (cmdline_get(boot_info.cmdline, "ip", val, sizeof(val)) && !net_parse_ip(val, &ip, &mask)) {
			*st = check_fail(ctx, "ip=%s: not a.b.c.d[/len]", val);
			return 0;
		}
		net_configure(nif, ip, mask);
		configured = true;
	}
	return nif;
}

/* net-peer= as an address; false (with a skip or a failure in *st) when absent or bad. */
static bool net_peer(struct check_ctx *ctx, uint32_t *peer, enum check_status *st)
{
	char val[40];

	if (!cmdline_get(boot_info.cmdline, "net-peer", val, sizeof(val))) {
		*st = check_skip(ctx, "no net-peer= given");
		return false;
	}
	if (!net_parse_ip(val, peer, 0)) {
		*st = check_fail(ctx, "net-peer=%s: not an address", val);
		return false;
	}
	return true;
}

static unsigned int cmdline_uint(const char *key, unsigned int def, unsigned int max)
{
	char val[16];
	unsigned long v;

	if (!cmdline_get(boot_info.cmdline, key, val, sizeof(val)) || val[0] < '0' || val[0] > '9')
		return def;
	v = strtoul(val, 0, 10);
	return v > max ? max : (unsigned int)v;
}

enum check_status check_net_link_up(struct check_ctx *ctx)
{
	enum check_status st = CHECK_PASS;
	struct netif *nif = net_setup(ctx, &st);
	char ipb[16];
	const uint8_t *m;

	if (!nif)
		return st;
	m = nif->mac;
	check_note(ctx, "%s on %s: mac %02x:%02x:%02x:%02x:%02x:%02x, address %s", nif->name,
		   virtio_net_transport(0), m[0], m[1], m[2], m[3], m[4], m[5], net_fmt_ip(nif->ip, ipb));
	if (m[0] & 1)
		return check_fail(ctx, "the mac is a multicast address");
	if (!nif->ops->link_up(nif))
		return check_fail(ctx, "the device's status says the link is down");
	return CHECK_PASS;
}

enum check_status check_net_arp_peer(struct check_ctx *ctx)
{
	enum check_status st = CHECK_PASS;
	struct netif *nif = net_setup(ctx, &st);
	unsigned int wait = cmdline_uint("net-wait", DEFAULT_WAIT_S, 120);
	uint64_t t0;
	uint32_t peer;
	uint8_t m[6];
	char ipb[16];

	if (!nif || !net_peer(ctx, &peer, &st))
		return st;
	t0 = time_now_ns();
	if (!net_arp_resolve(nif, peer, m, wait * 1000u))
		return check_fail(ctx, "no ARP reply from %s within %u s", net_fmt_ip(peer, ipb), wait);
	check_note(ctx, "%s is at %02x:%02x:%02x:%02x:%02x:%02x (%llu ms)", net_fmt_ip(peer, ipb), m[0], m[1], m[2],
		   m[3], m[4], m[5], (unsigned long long)((time_now_ns() - t0) / 1000000u));
	return CHECK_PASS;
}

enum check_status check_net_ping_peer(struct check_ctx *ctx)
{
	enum check_status st = CHECK_PASS;
	struct netif *nif = net_setup(ctx, &st);
	unsigned int replies = 0, tries = 0;
	uint64_t t0, rtt = 0;
	uint32_t peer;
	char ipb[16];

	if (!nif || !net_peer(ctx, &peer, &st))
		return st;
	for (uint16_t seq = 1; seq <= PINGS; seq++)
		for (unsigned int t = 0; t < PING_TRIES; t++) {
			tries++;
			t0 = time_now_ns();
			if (net_ping(nif, peer, 0x6b65, seq, 56, PING_WAIT_MS)) {
				rtt += time_now_ns() - t0;
				replies++;
				break;
			}
		}
	check_note(ctx, "%u of %u echo requests to %s answered (%u sent, %u ms wait each), mean %llu us", replies,
		   PINGS, net_fmt_ip(peer, ipb), tries, PING_WAIT_MS,
		   (unsigned long long)(replies ? rtt / replies / 1000u : 0));
	return replies == PINGS ? CHECK_PASS : CHECK_FAIL;
}

struct udp_wait {
	const uint8_t *want;
	size_t len;
	bool seen, same;
};

static void udp_got(struct netif *nif, uint32_t src, uint16_t sport, uint16_t dport, const uint8_t *data,
		    size_t len, void *arg)
{
	struct udp_wait *w = arg;

	(void)nif;
	(void)src;
	(void)sport;
	if (dport != 40000 || w->seen)
		return;
	w->seen = true;
	w->same = len == w->len && !memcmp(data, w->want, len);
}

/* With net-peer-udp=1: datagrams of several sizes to the peer's echo port each come back intact. */
enum check_status check_net_udp_peer(struct check_ctx *ctx)
{
	static const uint16_t sizes[] = { 1, 100, 1000, NET_UDP_MAX };
	static uint8_t out[NET_UDP_MAX];
	enum check_status st = CHECK_PASS;
	struct netif *nif = net_setup(ctx, &st);
	struct udp_wait w;
	uint32_t peer;

	if (!nif || !net_peer(ctx, &peer, &st))
		return st;
	if (!cmdline_uint("net-peer-udp", 0, 1))
		return check_skip(ctx, "no net-peer-udp=1 (the peer runs no UDP echo)");
	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		bool ok = false;

		for (unsigned int k = 0; k < sizes[i]; k++)
			out[k] = (uint8_t)(k * 7 + i);
		for (unsigned int t = 0; t < PING_TRIES && !ok; t++) {
			uint64_t end;

			memset(&w, 0, sizeof(w));
			w.want = out;
			w.len = sizes[i];
			nif->udp_handler = udp_got;
			nif->udp_arg = &w;
			if (!net_udp_send(nif, peer, 40000, NET_UDP_ECHO_PORT, out, sizes[i]))
				continue;
			end = time_now_ns() + PING_WAIT_MS * 1000000ull;
			while (!w.seen && time_now_ns() < end)
				if (!net_poll(nif))
					__asm__ volatile("pause");
			ok = w.seen && w.same;
		}
		nif->udp_handler = 0;
		if (!ok)
			return check_fail(ctx, "no intact echo of a %u-byte datagram", sizes[i]);
	}
	check_note(ctx, "datagrams of 1, 100, 1000 and %u bytes echoed intact", NET_UDP_MAX);
	return CHECK_PASS;
}

/*
 * With net-serve=SECONDS: answer ARP, ICMP echo and UDP echo (port 7) until the time is up or the
 * datagram "keel-net-quit" arrives on port 7.
 */
enum check_status check_net_serve(struct check_ctx *ctx)
{
	enum check_status st = CHECK_PASS;
	struct netif *nif;
	unsigned int secs = cmdline_uint("net-serve", 0, SERVE_MAX_S);
	const struct net_stats *s;
	bool quit;

	if (!secs)
		return virtio_net_count() ? check_skip(ctx, "no net-serve= given") : check_skip(ctx, "no network device");
	if (!(nif = net_setup(ctx, &st)))
		return st;
	quit = net_serve(nif, secs);
	s = &nif->stats;
	check_note(ctx, "served %s: %llu ARP, %llu ICMP echo, %llu UDP echo answered; %llu frames in, %llu out, "
		   "%llu bad checksums, %llu ignored or dropped",
		   quit ? "until told to quit" : "until the time ran out",
		   (unsigned long long)s->arp_requests_answered, (unsigned long long)s->icmp_echo_answered,
		   (unsigned long long)s->udp_echo_answered, (unsigned long long)s->rx_frames,
		   (unsigned long long)s->tx_frames, (unsigned long long)s->bad_checksum,
		   (unsigned long long)(s->rx_dropped + s->tx_dropped));
	return CHECK_PASS;
}

/* With net-stop-peer=1: tell a serving peer (net-peer=) to stop (the quit datagram, three times). */
enum check_status check_net_stop_peer(struct check_ctx *ctx)
{
	enum check_status st = CHECK_PASS;
	struct netif *nif;
	uint32_t peer;

	if (!cmdline_uint("net-stop-peer", 0, 1))
		return virtio_net_count() ? check_skip(ctx, "no net-stop-peer=1 given")
					  : check_skip(ctx, "no network device");
	if (!(nif = net_setup(ctx, &st)) || !net_peer(ctx, &peer, &st))
		return st;
	for (unsigned int i = 0; i < 3; i++)
		if (!net_udp_send(nif, peer, 40001, NET_UDP_ECHO_PORT, NET_QUIT_MAGIC, sizeof(NET_QUIT_MAGIC) - 1))
			return check_fail(ctx, "could not send the quit datagram");
	return CHECK_PASS;
}
