/* A minimal IPv4 stack over a struct netif: Ethernet, ARP, IPv4 (no fragments), ICMP echo, UDP. Polled, one CPU at a time. */
#ifndef KEEL_GUEST_NET_NET_H
#define KEEL_GUEST_NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_FRAME_MAX 1514u		/* Ethernet header + 1500 bytes of payload, no FCS */
#define NET_ETH_HLEN 14u
#define NET_IP_HLEN 20u
#define NET_UDP_HLEN 8u
#define NET_UDP_MAX (1500u - NET_IP_HLEN - NET_UDP_HLEN)	/* 1472 bytes of UDP payload */
#define NET_ARP_SLOTS 8
#define NET_UDP_ECHO_PORT 7
#define NET_QUIT_MAGIC "keel-net-quit"	/* a UDP datagram to the echo port with this payload ends net_serve() */

#define NET_IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

struct netif;

/* What a network driver provides. */
struct netif_ops {
	/* A buffer for one outgoing frame (NET_FRAME_MAX bytes), NULL when none is free now. */
	void *(*tx_buf)(struct netif *nif);
	/* Send the @len-byte frame built in @buf (from tx_buf); false when it could not be queued. */
	bool (*tx_send)(struct netif *nif, void *buf, size_t len);
	/* Hand up to @budget received frames to net_input(); returns how many. */
	unsigned int (*poll)(struct netif *nif, unsigned int budget);
	bool (*link_up)(struct netif *nif);
};

struct net_arp_entry {
	uint32_t ip;			/* 0: free */
	uint8_t mac[6];
	uint64_t used;			/* stamp for replacement */
};

struct net_stats {
	uint64_t rx_frames, tx_frames, rx_dropped, tx_dropped;
	uint64_t arp_requests_answered, icmp_echo_answered, udp_echo_answered;
	uint64_t bad_checksum;
	uint64_t udp_rx, udp_rx_bytes;
};

/* Called for every UDP datagram for this interface that is not answered by the echo service. */
typedef void (*net_udp_handler)(struct netif *nif, uint32_t src, uint16_t sport, uint16_t dport,
				const uint8_t *data, size_t len, void *arg);

struct netif {
	const struct netif_ops *ops;
	void *priv;			/* the driver's */
	const char *name;
	uint8_t mac[6];
	uint32_t ip, mask;		/* host byte order; ip 0: not configured */
	struct net_arp_entry arp[NET_ARP_SLOTS];
	uint64_t arp_stamp;
	bool udp_echo;			/* answer UDP on NET_UDP_ECHO_PORT */
	bool quit;			/* NET_QUIT_MAGIC arrived */
	net_udp_handler udp_handler;
	void *udp_arg;
	/* The last ICMP echo reply seen (for net_ping). */
	uint16_t reply_id, reply_seq;
	uint32_t reply_from;
	bool reply_seen;
	struct net_stats stats;
};

/* Byte order. */
static inline uint16_t net_htons(uint16_t v) { return __builtin_bswap16(v); }
static inline uint32_t net_htonl(uint32_t v) { return __builtin_bswap32(v); }
#define net_ntohs net_htons
#define net_ntohl net_htonl

/* Internet checksum: partial sum over @len bytes (even-length pieces except the last), and its fold. */
uint64_t net_csum_partial(const void *data, size_t len, uint64_t sum);
uint16_t net_csum_fold(uint64_t sum);

/* Parse "a.b.c.d" (into host order); "a.b.c.d/len" also gives a mask when @mask is not NULL. */
bool net_parse_ip(const char *s, uint32_t *ip, uint32_t *mask);

/* Format @ip (host order) into @buf (16 bytes). */
const char *net_fmt_ip(uint32_t ip, char *buf);

/* Give @nif its address; clears the ARP cache and statistics. */
void net_configure(struct netif *nif, uint32_t ip, uint32_t mask);

/* A received frame (Ethernet header first): drivers call this from their poll. */
void net_input(struct netif *nif, const uint8_t *frame, size_t len);

/* Poll the driver once (up to 32 frames); returns how many frames came in. */
unsigned int net_poll(struct netif *nif);

/* The MAC of @ip (on-link) from the cache or by asking, polling for at most @timeout_ms. */
bool net_arp_resolve(struct netif *nif, uint32_t ip, uint8_t mac[6], unsigned int timeout_ms);

/* A cached MAC for @ip without asking. */
bool net_arp_lookup(struct netif *nif, uint32_t ip, uint8_t mac[6]);

/* Send one ICMP echo request (@len payload bytes) and wait up to @timeout_ms for its reply. */
bool net_ping(struct netif *nif, uint32_t ip, uint16_t id, uint16_t seq, size_t len, unsigned int timeout_ms);

/* Send one UDP datagram (@len <= NET_UDP_MAX) to @dst (ARP resolved, at most 1 s). */
bool net_udp_send(struct netif *nif, uint32_t dst, uint16_t sport, uint16_t dport, const void *data, size_t len);

/*
 * Answer ARP, ICMP echo and UDP echo for @seconds, or until NET_QUIT_MAGIC arrives on the echo
 * port. Returns true when it ended by NET_QUIT_MAGIC.
 */
bool net_serve(struct netif *nif, unsigned int seconds);

#endif
