/* load/run (with load=SECONDS): console echo, disk round trips, UDP echo and virtio-console lines together, for soak tests. */
#include "guest/kernel/checks.h"

#include "guest/drivers/virtio_devices.h"
#include "guest/drivers/virtio_net.h"
#include "guest/kernel/bootinfo.h"
#include "guest/kernel/cmdline.h"
#include "guest/kernel/console.h"
#include "guest/kernel/console_in.h"
#include "guest/kernel/sched.h"
#include "guest/kernel/time.h"
#include "guest/lib/printf.h"
#include "guest/lib/string.h"
#include "guest/lib/ticks.h"
#include "guest/net/net.h"

#define LOAD_MAX_S 86400u		/* load= is cut to a day */
#define LOAD_LINE_MAX 128		/* longer console lines are cut */
#define LOAD_NAP_NS 5000000ull		/* each round ends with a 5 ms wait, interrupts on */
#define LOAD_ALIVE_NS (10 * NS_PER_S)	/* a "load: alive" line this often */
#define LOAD_VCONS_EVERY 10u		/* rounds between two virtio-console lines */
#define LOAD_NET_POLLS 4u		/* net_poll() calls per round (up to 32 frames each) */
#define LOAD_DEFAULT_IP NET_IP(10, 0, 2, 15)

/* Everything one run of the load uses and counts. */
struct load {
	struct vblk blk;
	struct vio cons;
	struct netif *nif;
	bool have_blk, have_cons, write;
	char line[LOAD_LINE_MAX];
	size_t len;
	bool quit;
	uint64_t rounds, lines, blk_writes, blk_reads, blk_errors, vcons_lines, vcons_errors, udp_base;
};

static bool flag(const char *key)
{
	char v[4];

	return cmdline_get(boot_info.cmdline, key, v, sizeof(v)) && !strcmp(v, "1");
}

static unsigned int load_seconds(void)
{
	char v[16];
	unsigned long s;

	if (!cmdline_get(boot_info.cmdline, "load", v, sizeof(v)) || v[0] < '0' || v[0] > '9')
		return 0;
	s = strtoul(v, 0, 10);
	return s > LOAD_MAX_S ? LOAD_MAX_S : (unsigned int)s;
}

/* The first NIC, given ip= (default 10.0.2.15/24) unless the net checks already did; echoing UDP on port 7. */
static struct netif *load_net(void)
{
	char v[40];
	uint32_t ip = LOAD_DEFAULT_IP, mask = 0xffffff00u;
	struct netif *nif;

	if (!virtio_net_count() || !(nif = virtio_net_get(0, 0)))
		return 0;
	if (!nif->ip) {
		if (cmdline_get(boot_info.cmdline, "ip", v, sizeof(v)))
			net_parse_ip(v, &ip, &mask);
		net_configure(nif, ip, mask);
	}
	nif->udp_echo = true;
	return nif;
}

/* Sector @s's bytes for round @r: one 32-byte line repeated. */
static void load_pattern(uint8_t *buf, uint64_t s, uint64_t r)
{
	char line[40];

	snprintf(line, sizeof(line), "keel-soak %08llx round %08llx\n", (unsigned long long)s,
		 (unsigned long long)(r & 0xffffffffu));
	for (unsigned int i = 0; i < VIRTIO_BLK_SECTOR; i += 32)
		memcpy(buf + i, line, 32);
}

/* One disk round trip: with load writes, write a sector's pattern, read it back, compare; else read two sectors. */
static void load_disk(struct load *l)
{
	uint8_t want[VIRTIO_BLK_SECTOR];
	uint64_t s;

	if (!l->have_blk || !l->blk.capacity)
		return;
	s = l->rounds % l->blk.capacity;
	if (l->write) {
		load_pattern(want, s, l->rounds);
		memcpy(vblk_data(&l->blk), want, sizeof(want));
		l->blk_writes++;
		if (vblk_write(&l->blk, s) != VIRTIO_BLK_S_OK)
			l->blk_errors++;
	}
	memset(vblk_data(&l->blk), 0, VIRTIO_BLK_SECTOR);
	l->blk_reads++;
	if (vblk_read(&l->blk, s) != VIRTIO_BLK_S_OK || (l->write && memcmp(vblk_data(&l->blk), want, sizeof(want))))
		l->blk_errors++;
	if (!l->write) {
		l->blk_reads++;
		if (vblk_read(&l->blk, l->blk.capacity - 1 - s) != VIRTIO_BLK_S_OK)
			l->blk_errors++;
	}
}

/* Take what the UART has: each whole line is echoed as "echo: LINE"; "quit" ends the load. */
static void load_console(struct load *l)
{
	char c;

	while (!l->quit && console_getc(&c)) {
		if (c != '\n' && c != '\r') {
			if (l->len < sizeof(l->line) - 1)
				l->line[l->len++] = c;
			continue;
		}
		if (!l->len)
			continue;
		l->line[l->len] = 0;
		l->len = 0;
		if (!strcmp(l->line, "quit")) {
			l->quit = true;
			return;
		}
		l->lines++;
		kprintf("echo: %s\n", l->line);
	}
}

static void load_vcons(struct load *l)
{
	char msg[48];
	int n;

	if (!l->have_cons || l->rounds % LOAD_VCONS_EVERY)
		return;
	n = snprintf(msg, sizeof(msg), "load: round %llu\n", (unsigned long long)l->rounds);
	if (vcons_write(&l->cons, msg, (uint32_t)n))
		l->vcons_lines++;
	else
		l->vcons_errors++;
}

static uint64_t load_udp(const struct load *l)
{
	return l->nif ? l->nif->stats.udp_echo_answered - l->udp_base : 0;
}

static void load_report(const struct load *l, const char *what, uint64_t secs)
{
	kprintf("load: %s %llu s: rounds %llu, lines %llu, blk writes %llu reads %llu errors %llu, udp echoes %llu, "
		"vcons lines %llu errors %llu\n", what, (unsigned long long)secs, (unsigned long long)l->rounds,
		(unsigned long long)l->lines, (unsigned long long)l->blk_writes, (unsigned long long)l->blk_reads,
		(unsigned long long)l->blk_errors, (unsigned long long)load_udp(l), (unsigned long long)l->vcons_lines,
		(unsigned long long)l->vcons_errors);
}

static bool uart_has_input(const void *unused)
{
	(void)unused;
	return console_pending() != 0;
}

/*
 * With load=SECONDS (and virtio-write=1 for disk writes): until the time is up or the console line
 * "quit": echo console lines, write, read back and compare a sector of the first disk each round,
 * answer UDP echo on port 7 of the first NIC, write a line to the virtio console every tenth round,
 * and print "load: alive" every 10 s. Fails on any disk or virtio-console error.
 */
enum check_status check_load_run(struct check_ctx *ctx)
{
	static struct load l;
	unsigned int secs = load_seconds();
	uint64_t t0, end, next_alive;

	if (!secs)
		return check_skip(ctx, "no load= given");
	memset(&l, 0, sizeof(l));
	l.have_blk = vblk_open(&l.blk, 0);
	l.write = l.have_blk && !l.blk.readonly && flag("virtio-write");
	l.have_cons = vcons_open(&l.cons);
	l.nif = load_net();
	l.udp_base = l.nif ? l.nif->stats.udp_echo_answered : 0;
	kprintf("load: ready for %u s (disk %s, net %s, virtio console %s)\n", secs,
		l.have_blk ? (l.write ? "read-write" : "read") : "none", l.nif ? "udp echo" : "none",
		l.have_cons ? "yes" : "none");
	t0 = time_now_ns();
	end = t0 + secs * NS_PER_S;
	next_alive = t0 + LOAD_ALIVE_NS;
	while (!l.quit && time_now_ns() < end) {
		load_console(&l);
		load_disk(&l);
		for (unsigned int i = 0; l.nif && i < LOAD_NET_POLLS && net_poll(l.nif); i++)
			;
		load_vcons(&l);
		l.rounds++;
		if (time_now_ns() >= next_alive) {
			load_report(&l, "alive", (time_now_ns() - t0) / NS_PER_S);
			next_alive += LOAD_ALIVE_NS;
		}
		sched_wait(uart_has_input, 0, LOAD_NAP_NS);
	}
	if (l.nif)
		l.nif->udp_echo = false;
	load_report(&l, l.quit ? "quit after" : "time up after", (time_now_ns() - t0) / NS_PER_S);
	if (l.blk_errors || l.vcons_errors)
		return check_fail(ctx, "%llu disk and %llu virtio-console errors", (unsigned long long)l.blk_errors,
				  (unsigned long long)l.vcons_errors);
	return CHECK_PASS;
}
