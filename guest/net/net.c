/* The stack: Ethernet in and out, ARP with a small cache, IPv4 without fragments, ICMP echo, UDP. */
#include "guest/net/net.h"

#include "guest/kernel/time.h"
#include "guest/lib/printf.h"
#include "guest/lib/string.h"

#define MS 1000000ull
#define ETH_P_IP 0x0800u
#define ETH_P_ARP 0x0806u
#define IPPROTO_ICMP 1u
#define IPPROTO_UDP 17u
#define ICMP_ECHO_REPLY 0u
#define ICMP_ECHO_REQUEST 8u
#define ARP_REQUEST 1u
#define ARP_REPLY 2u
#define TX_WAIT_MS 100			/* how long a send waits for a free transmit buffer */

struct eth_hdr {
	uint8_t dst[6], src[6];
	uint16_t type;
} __attribute__((packed));

struct arp_pkt {
	uint16_t htype, ptype;
	uint8_t hlen, plen;
	uint16_t op;
	uint8_t sha[6];
	uint32_t spa;
	uint8_t tha[6];
	uint32_t tpa;
} __attribute__((packed));

struct ip_hdr {
	uint8_t vihl, tos;
	uint16_t len, id, frag;
	uint8_t ttl, proto;
	uint16_t csum;
	uint32_t src, dst;
} __attribute__((packed));

struct icmp_hdr {
	uint8_t type, code;
	uint16_t csum, id, seq;
} __attribute__((packed));

struct udp_hdr {
	uint16_t sport, dport, len, csum;
} __attribute__((packed));

static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* Sum 64-bit little-endian words with end-around carry: the RFC 1071 sum, byte order independent. */
uint64_t net_csum_partial(const void *data, size_t len, uint64_t sum)
{
	const uint8_t *p = data;
	size_t blocks = len / 32;

	if (blocks) {
		__asm__("clc\n"
			"1: adcq 0(%[p]), %[s]\n"
			"adcq 8(%[p]), %[s]\n"
			"adcq 16(%[p]), %[s]\n"
			"adcq 24(%[p]), %[s]\n"
			"leaq 32(%[p]), %[p]\n"
			"decq %[n]\n"
			"jnz 1b\n"
			"adcq $0, %[s]\n"
			: [s] "+r"(sum), [p] "+r"(p), [n] "+r"(blocks)
			:
			: "cc", "memory");
	}
	len &= 31;
	while (len >= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		sum += w;
		sum += sum < w;
		p += 8;
		len -= 8;
	}
	if (len) {
		uint64_t w = 0;

		memcpy(&w, p, len);
		sum += w;
		sum += sum < w;
	}
	return sum;
}

uint16_t net_csum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)~sum;
}

bool net_parse_ip(const char *s, uint32_t *ip, uint32_t *mask)
{
	uint32_t v = 0;
	char *end;

	for (int i = 0; i < 4; i++) {
		unsigned long b;

		if (*s < '0' || *s > '9')
			return false;
		b = strtoul(s, &end, 10);
		if (b > 255 || (i < 3 && *end != '.'))
			return false;
		v = (v << 8) | (uint32_t)b;
		s = i < 3 ? end + 1 : end;
	}
	if (*s == '/') {
		unsigned long len;

		if (s[1] < '0' || s[1] > '9')
			return false;
		len = strtoul(s + 1, &end, 10);
		if (len > 32 || *end)
			return false;
		if (mask)
			*mask = len ? (uint32_t)(0xffffffffu << (32 - len)) : 0;
	} else if (*s) {
		return false;
	} else if (mask) {
		*mask = 0xffffff00u;
	}
	*ip = v;
	return true;
}

const char *net_fmt_ip(uint32_t ip, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
	return buf;
}

void net_configure(struct netif *nif, uint32_t ip, uint32_t mask)
{
	nif->ip = ip;
	nif->mask = mask;
	memset(nif->arp, 0, sizeof(nif->arp));
	memset(&nif->stats, 0, sizeof(nif->stats));
	nif->quit = false;
	nif->reply_seen = false;
}

/* --- ARP cache ------------------------------------------------------------------------ */

bool net_arp_lookup(struct netif *nif, uint32_t ip, uint8_t mac[6])
{
	for (unsigned int i = 0; i < NET_ARP_SLOTS; i++)
		if (nif->arp[i].ip == ip && ip) {
			memcpy(mac, nif->arp[i].mac, 6);
			nif->arp[i].used = ++nif->arp_stamp;
			return true;
		}
	return false;
}

static void arp_learn(struct netif *nif, uint32_t ip, const uint8_t mac[6])
{
	struct net_arp_entry *victim = &nif->arp[0];

	if (!ip || (mac[0] & 1))
		return;
	for (unsigned int i = 0; i < NET_ARP_SLOTS; i++) {
		struct net_arp_entry *e = &nif->arp[i];

		if (e->ip == ip) {
			victim = e;
			break;
		}
		if (!e->ip || (victim->ip && e->used < victim->used))
			victim = e;
	}
	victim->ip = ip;
	memcpy(victim->mac, mac, 6);
	victim->used = ++nif->arp_stamp;
}

/* --- output ------------------------------------------------------------------------- */

static uint8_t *tx_begin(struct netif *nif)
{
	uint64_t end = 0;
	uint8_t *b;

	while (!(b = nif->ops->tx_buf(nif))) {
		uint64_t now = time_now_ns();

		if (!end)
			end = now + TX_WAIT_MS * MS;
		else if (now >= end) {
			nif->stats.tx_dropped++;
			return 0;
		}
		__asm__ volatile("pause");
	}
	return b;
}

static bool tx_eth(struct netif *nif, uint8_t *frame, const uint8_t dst[6], uint16_t type, size_t len)
{
	struct eth_hdr *e = (struct eth_hdr *)frame;

	memcpy(e->dst, dst, 6);
	memcpy(e->src, nif->mac, 6);
	e->type = net_htons(type);
	if (len < 60) {
		memset(frame + len, 0, 60 - len);
		len = 60;
	}
	if (!nif->ops->tx_send(nif, frame, len)) {
		nif->stats.tx_dropped++;
		return false;
	}
	nif->stats.tx_frames++;
	return true;
}

static bool arp_send(struct netif *nif, uint16_t op, const uint8_t dst[6], const uint8_t tha[6], uint32_t tpa)
{
	uint8_t *f = tx_begin(nif);
	struct arp_pkt *a;

	if (!f)
		return false;
	a = (struct arp_pkt *)(f + NET_ETH_HLEN);
	a->htype = net_htons(1);
	a->ptype = net_htons(ETH_P_IP);
	a->hlen = 6;
	a->plen = 4;
	a->op = net_htons(op);
	memcpy(a->sha, nif->mac, 6);
	a->spa = net_htonl(nif->ip);
	memcpy(a->tha, tha, 6);
	a->tpa = net_htonl(tpa);
	return tx_eth(nif, f, dst, ETH_P_ARP, NET_ETH_HLEN + sizeof(*a));
}

/* Fill in the IP header in front of @l4len bytes at f + 34 and send to @mac. */
static bool ip_send(struct netif *nif, uint8_t *f, const uint8_t mac[6], uint32_t dst, uint8_t proto, size_t l4len)
{
	static uint16_t ip_id;
	struct ip_hdr *h = (struct ip_hdr *)(f + NET_ETH_HLEN);

	h->vihl = 0x45;
	h->tos = 0;
	h->len = net_htons((uint16_t)(NET_IP_HLEN + l4len));
	h->id = net_htons(++ip_id);
	h->frag = net_htons(0x4000);	/* don't fragment */
	h->ttl = 64;
	h->proto = proto;
	h->csum = 0;
	h->src = net_htonl(nif->ip);
	h->dst = net_htonl(dst);
	h->csum = net_csum_fold(net_csum_partial(h, NET_IP_HLEN, 0));
	return tx_eth(nif, f, mac, ETH_P_IP, NET_ETH_HLEN + NET_IP_HLEN + l4len);
}

static uint64_t pseudo_sum(uint32_t src_be, uint32_t dst_be, uint8_t proto, uint16_t len)
{
	struct {
		uint32_t src, dst;
		uint8_t zero, proto;
		uint16_t len;
	} __attribute__((packed)) ph = { src_be, dst_be, 0, proto, net_htons(len) };

	return net_csum_partial(&ph, sizeof(ph), 0);
}

/*
 * Send the UDP datagram whose payload (@len bytes) is already at f + 42. @known is its checksum
 * when the caller has it (an echo: swapping addresses and ports leaves the sum as it was), else 0.
 */
static bool udp_send_built(struct netif *nif, uint8_t *f, const uint8_t mac[6], uint32_t dst, uint16_t sport,
			   uint16_t dport, size_t len, uint16_t known)
{
	struct udp_hdr *u = (struct udp_hdr *)(f + NET_ETH_HLEN + NET_IP_HLEN);
	uint16_t ulen = (uint16_t)(NET_UDP_HLEN + len), c;

	u->sport = net_htons(sport);
	u->dport = net_htons(dport);
	u->len = net_htons(ulen);
	u->csum = 0;
	c = known ? known
		  : net_csum_fold(net_csum_partial(u, ulen, pseudo_sum(net_htonl(nif->ip), net_htonl(dst), IPPROTO_UDP,
								       ulen)));
	u->csum = c ? c : 0xffff;
	return ip_send(nif, f, mac, dst, IPPROTO_UDP, ulen);
}

bool net_udp_send(struct netif *nif, uint32_t dst, uint16_t sport, uint16_t dport, const void *data, size_t len)
{
	uint8_t mac[6];
	uint8_t *f;

	if (len > NET_UDP_MAX || !net_arp_resolve(nif, dst, mac, 1000) || !(f = tx_begin(nif)))
		return false;
	memcpy(f + NET_ETH_HLEN + NET_IP_HLEN + NET_UDP_HLEN, data, len);
	return udp_send_built(nif, f, mac, dst, sport, dport, len, 0);
}

/* --- input -------------------------------------------------------------------------- */

static void arp_input(struct netif *nif, const uint8_t *p, size_t len)
{
	const struct arp_pkt *a = (const struct arp_pkt *)p;
	uint32_t spa, tpa;

	if (len < sizeof(*a) || a->htype != net_htons(1) || a->ptype != net_htons(ETH_P_IP) || a->hlen != 6 ||
	    a->plen != 4)
		return;
	spa = net_ntohl(a->spa);
	tpa = net_ntohl(a->tpa);
	if (!nif->ip || tpa != nif->ip) {
		/* Refresh only what we already know (RFC 826 merge). */
		for (unsigned int i = 0; i < NET_ARP_SLOTS; i++)
			if (nif->arp[i].ip == spa && spa)
				memcpy(nif->arp[i].mac, a->sha, 6);
		return;
	}
	arp_learn(nif, spa, a->sha);
	if (a->op == net_htons(ARP_REQUEST) && arp_send(nif, ARP_REPLY, a->sha, a->sha, spa))
		nif->stats.arp_requests_answered++;
}

static void icmp_input(struct netif *nif, const struct eth_hdr *e, const struct ip_hdr *h, const uint8_t *p,
		       size_t len)
{
	const struct icmp_hdr *ic = (const struct icmp_hdr *)p;

	if (len < sizeof(*ic) || net_csum_fold(net_csum_partial(p, len, 0))) {
		nif->stats.bad_checksum++;
		return;
	}
	if (ic->type == ICMP_ECHO_REPLY && ic->code == 0) {
		nif->reply_id = net_ntohs(ic->id);
		nif->reply_seq = net_ntohs(ic->seq);
		nif->reply_from = net_ntohl(h->src);
		nif->reply_seen = true;
	} else if (ic->type == ICMP_ECHO_REQUEST && ic->code == 0 && len <= 1500 - NET_IP_HLEN) {
		uint8_t *f = tx_begin(nif);
		struct icmp_hdr *r;

		if (!f)
			return;
		r = (struct icmp_hdr *)(f + NET_ETH_HLEN + NET_IP_HLEN);
		memcpy(r, p, len);
		r->type = ICMP_ECHO_REPLY;
		r->csum = 0;
		r->csum = net_csum_fold(net_csum_partial(r, len, 0));
		if (ip_send(nif, f, e->src, net_ntohl(h->src), IPPROTO_ICMP, len))
			nif->stats.icmp_echo_answered++;
	}
}

static void udp_input(struct netif *nif, const struct eth_hdr *e, const struct ip_hdr *h, const uint8_t *p,
		      size_t len)
{
	const struct udp_hdr *u = (const struct udp_hdr *)p;
	uint16_t ulen, sport, dport;
	const uint8_t *data;
	size_t dlen;

	if (len < NET_UDP_HLEN || (ulen = net_ntohs(u->len)) < NET_UDP_HLEN || ulen > len)
		return;
	if (u->csum && net_csum_fold(net_csum_partial(p, ulen, pseudo_sum(h->src, h->dst, IPPROTO_UDP, ulen)))) {
		nif->stats.bad_checksum++;
		return;
	}
	sport = net_ntohs(u->sport);
	dport = net_ntohs(u->dport);
	data = p + NET_UDP_HLEN;
	dlen = ulen - NET_UDP_HLEN;
	nif->stats.udp_rx++;
	nif->stats.udp_rx_bytes += dlen;
	if (nif->udp_echo && dport == NET_UDP_ECHO_PORT) {
		uint8_t *f;

		if (dlen == sizeof(NET_QUIT_MAGIC) - 1 && !memcmp(data, NET_QUIT_MAGIC, dlen)) {
			nif->quit = true;
			return;
		}
		if (!(f = tx_begin(nif)))
			return;
		memcpy(f + NET_ETH_HLEN + NET_IP_HLEN + NET_UDP_HLEN, data, dlen);
		if (udp_send_built(nif, f, e->src, net_ntohl(h->src), dport, sport, dlen, u->csum))
			nif->stats.udp_echo_answered++;
		return;
	}
	if (nif->udp_handler)
		nif->udp_handler(nif, net_ntohl(h->src), sport, dport, data, dlen, nif->udp_arg);
}

static void ip_input(struct netif *nif, const struct eth_hdr *e, const uint8_t *p, size_t len)
{
	const struct ip_hdr *h = (const struct ip_hdr *)p;
	size_t hl, tot;

	if (len < NET_IP_HLEN || (h->vihl >> 4) != 4)
		return;
	hl = (h->vihl & 15u) * 4u;
	tot = net_ntohs(h->len);
	if (hl < NET_IP_HLEN || tot < hl || tot > len)
		return;
	if (net_csum_fold(net_csum_partial(h, hl, 0))) {
		nif->stats.bad_checksum++;
		return;
	}
	if (!nif->ip || net_ntohl(h->dst) != nif->ip)
		return;
	if (net_ntohs(h->frag) & 0x3fffu) {	/* a fragment: not handled */
		nif->stats.rx_dropped++;
		return;
	}
	if (h->proto == IPPROTO_ICMP)
		icmp_input(nif, e, h, p + hl, tot - hl);
	else if (h->proto == IPPROTO_UDP)
		udp_input(nif, e, h, p + hl, tot - hl);
}

void net_input(struct netif *nif, const uint8_t *frame, size_t len)
{
	const struct eth_hdr *e = (const struct eth_hdr *)frame;

	nif->stats.rx_frames++;
	if (len < NET_ETH_HLEN || (memcmp(e->dst, nif->mac, 6) && memcmp(e->dst, broadcast, 6))) {
		nif->stats.rx_dropped++;
		return;
	}
	if (e->type == net_htons(ETH_P_ARP))
		arp_input(nif, frame + NET_ETH_HLEN, len - NET_ETH_HLEN);
	else if (e->type == net_htons(ETH_P_IP))
		ip_input(nif, e, frame + NET_ETH_HLEN, len - NET_ETH_HLEN);
}

unsigned int net_poll(struct netif *nif)
{
	return nif->ops->poll(nif, 32);
}

/* --- active requests ------------------------------------------------------------------ */

bool net_arp_resolve(struct netif *nif, uint32_t ip, uint8_t mac[6], unsigned int timeout_ms)
{
	uint64_t now = time_now_ns(), end = now + timeout_ms * MS, next = now;

	while (!net_arp_lookup(nif, ip, mac)) {
		now = time_now_ns();
		if (now >= end)
			return false;
		if (now >= next) {		/* ask again every 200 ms */
			arp_send(nif, ARP_REQUEST, broadcast, (const uint8_t[6]){ 0 }, ip);
			next = now + 200 * MS;
		}
		if (!net_poll(nif))
			__asm__ volatile("pause");
	}
	return true;
}

bool net_ping(struct netif *nif, uint32_t ip, uint16_t id, uint16_t seq, size_t len, unsigned int timeout_ms)
{
	uint64_t end = time_now_ns() + timeout_ms * MS;
	struct icmp_hdr *ic;
	uint8_t mac[6];
	uint8_t *f;

	if (len > 1500 - NET_IP_HLEN - sizeof(*ic) || !net_arp_resolve(nif, ip, mac, timeout_ms) ||
	    !(f = tx_begin(nif)))
		return false;
	ic = (struct icmp_hdr *)(f + NET_ETH_HLEN + NET_IP_HLEN);
	ic->type = ICMP_ECHO_REQUEST;
	ic->code = 0;
	ic->csum = 0;
	ic->id = net_htons(id);
	ic->seq = net_htons(seq);
	for (size_t i = 0; i < len; i++)
		((uint8_t *)(ic + 1))[i] = (uint8_t)(i + seq);
	ic->csum = net_csum_fold(net_csum_partial(ic, sizeof(*ic) + len, 0));
	nif->reply_seen = false;
	if (!ip_send(nif, f, mac, ip, IPPROTO_ICMP, sizeof(*ic) + len))
		return false;
	while (time_now_ns() < end) {
		if (!net_poll(nif))
			__asm__ volatile("pause");
		if (nif->reply_seen && nif->reply_id == id && nif->reply_seq == seq && nif->reply_from == ip)
			return true;
	}
	return false;
}

bool net_serve(struct netif *nif, unsigned int seconds)
{
	uint64_t end = time_now_ns() + seconds * 1000000000ull;
	bool echo = nif->udp_echo;

	nif->udp_echo = true;
	nif->quit = false;
	while (!nif->quit && time_now_ns() < end)
		if (!net_poll(nif))
			__asm__ volatile("pause");
	nif->udp_echo = echo;
	return nif->quit;
}
