/* The gdb stub's connection: listen on --gdb, accept one debugger at a time on the event loop, frame and acknowledge packets. */
#include "vmm/gdb/gdb.h"

#include "vcpu/vcpu.h"
#include "vmm/exit_status.h"
#include "vmm/gdb/addr.h"
#include "vmm/gdb/breakpoints.h"
#include "vmm/gdb/commands.h"
#include "vmm/gdb/packet.h"
#include "vmm/gdb/target_kvm.h"
#include "vmm/log.h"
#include "vmm/evloop.h"
#include "vmm/stop.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define GDB_OUT_MAX (1u << 20)	/* unsent bytes before the debugger counts as gone */

struct gdb {
	const struct gdb_vm *vm;
	struct gdb_addr addr;
	int listen_fd;			/* -1 when closed */
	int client_fd;			/* the one debugger, -1 when none */
	bool session_open;
	bool broken;			/* the connection failed while a reply was queued: drop it */
	struct gdb_session session;
	struct gdb_bps bps;
	struct gdb_kvm *target;
	struct gdb_rx rx;
	char frame[GDB_FRAME_MAX];	/* the last packet sent, for a NAK */
	size_t framelen;
	char *out;			/* bytes not yet accepted by the socket */
	size_t outlen, outcap;
};

/* Queue @len bytes for the debugger and write what the socket takes now. */
static void gdb_write(struct gdb *g, const char *data, size_t len)
{
	ssize_t n;

	if (g->client_fd < 0 || g->broken)
		return;
	if (g->outlen + len > GDB_OUT_MAX) {
		log_warn("gdb: the debugger does not read its replies; dropping it");
		g->broken = true;
		return;
	}
	if (len && g->outlen + len > g->outcap) {
		size_t cap = g->outcap ? g->outcap : 4096;
		char *out;

		while (cap < g->outlen + len)
			cap *= 2;
		out = realloc(g->out, cap);
		if (!out) {
			g->broken = true;
			return;
		}
		g->out = out;
		g->outcap = cap;
	}
	if (len) {
		memcpy(g->out + g->outlen, data, len);
		g->outlen += len;
	}
	if (g->outlen == 0)
		return;
	n = send(g->client_fd, g->out, g->outlen, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
		g->broken = true;
		return;
	}
	if (n > 0) {
		memmove(g->out, g->out + n, g->outlen - (size_t)n);
		g->outlen -= (size_t)n;
	}
	if (g->outlen)
		evloop_mod(g->vm->loop, g->client_fd, EPOLLIN | EPOLLOUT);
}

/* The session's send: frame one reply. */
static void gdb_send_packet(void *io, const char *payload, size_t len)
{
	struct gdb *g = io;
	ssize_t n = gdb_frame(g->frame, sizeof(g->frame), payload, len);

	if (n < 0) {
		log_warn("gdb: a reply of %zu bytes does not fit in a packet", len);
		n = gdb_frame(g->frame, sizeof(g->frame), "E0c", 3);
	}
	g->framelen = (size_t)n;
	gdb_write(g, g->frame, g->framelen);
}

static void gdb_disconnect(struct gdb *g)
{
	if (g->session_open) {
		gdb_session_detach(&g->session);	/* breakpoints out, vCPUs running again */
		gdb_session_destroy(&g->session);
		g->session_open = false;
	}
	if (g->client_fd >= 0) {
		evloop_del(g->vm->loop, g->client_fd);
		close(g->client_fd);
		g->client_fd = -1;
		log_info("gdb: debugger disconnected; the guest runs on");
	}
	g->outlen = 0;
	g->framelen = 0;
	g->broken = false;
	gdb_rx_init(&g->rx);
}

static void gdb_on_rx_event(struct gdb *g, enum gdb_rx_event ev)
{
	bool ack = g->session_open && !g->session.noack;

	switch (ev) {
	case GDB_RX_PACKET:
		if (ack)
			gdb_write(g, "+", 1);
		if (g->session_open)
			gdb_session_packet(&g->session, g->rx.buf, g->rx.len);
		break;
	case GDB_RX_BAD_CHECKSUM:
		if (ack)
			gdb_write(g, "-", 1);
		break;
	case GDB_RX_OVERSIZED:
		if (ack)
			gdb_write(g, "+", 1);
		gdb_send_packet(g, "E16", 3);
		break;
	case GDB_RX_NAK:
		if (g->framelen)
			gdb_write(g, g->frame, g->framelen);
		break;
	case GDB_RX_INTERRUPT:
		if (g->session_open)
			gdb_session_interrupt(&g->session);
		break;
	default:
		break;
	}
}

static void gdb_on_client(void *opaque, int fd, uint32_t events)
{
	struct gdb *g = opaque;
	char buf[4096];
	ssize_t n;

	if (events & EPOLLOUT) {
		gdb_write(g, "", 0);
		if (g->outlen == 0 && !g->broken)
			evloop_mod(g->vm->loop, fd, EPOLLIN);
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			gdb_disconnect(g);
			return;
		}
		for (ssize_t i = 0; i < n && !g->broken; i++)
			gdb_on_rx_event(g, gdb_rx_feed(&g->rx, (uint8_t)buf[i]));
	}
	if (g->broken)
		gdb_disconnect(g);
}

static void gdb_on_listen(void *opaque, int fd, uint32_t events)
{
	static const struct gdb_stop attached = { .cpu = 0, .reason = GDB_STOP_TRAP };
	struct gdb *g = opaque;
	struct gdb_stop ev;
	int c, one = 1;

	(void)events;
	c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (c < 0)
		return;
	if (g->client_fd >= 0) {
		log_warn("gdb: a debugger is already attached; refusing another connection");
		close(c);
		return;
	}
	if (g->addr.kind == GDB_ADDR_TCP)
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (evloop_add(g->vm->loop, c, EPOLLIN, gdb_on_client, g) < 0) {
		close(c);
		return;
	}
	g->client_fd = c;
	gdb_rx_init(&g->rx);
	/* All-stop: the machine stops while gdb looks at it. */
	gdb_kvm_ops.stop(g->target, &ev);
	if (gdb_session_init(&g->session, &gdb_kvm_ops, g->target, &g->bps, gdb_send_packet, g, &attached) < 0) {
		log_error("gdb: out of memory");
		gdb_disconnect(g);
		vcpus_resume(g->vm->vcpus, g->vm->ncpus, VCPU_PAUSE_DEBUGGER);
		return;
	}
	g->session_open = true;
	log_info("gdb: debugger attached; the guest is stopped");
}

static void gdb_on_event(void *opaque, int fd, uint32_t events)
{
	struct gdb *g = opaque;
	uint64_t count;

	(void)events;
	if (read(fd, &count, sizeof(count)) <= 0)
		return;	/* already taken by a stop */
	if (g->session_open)
		gdb_session_target_event(&g->session);
	if (g->broken)
		gdb_disconnect(g);
}

static const char *gdb_addr_text(const struct gdb_addr *a, char *buf, size_t len)
{
	if (a->kind == GDB_ADDR_TCP)
		snprintf(buf, len, "tcp:%s:%u", a->host, a->port);
	else
		snprintf(buf, len, "unix:%s", a->path);
	return buf;
}

static int gdb_vcpu_debug_exit(void *opaque, struct vcpu *vcpu, const struct kvm_run *run)
{
	struct gdb *g = opaque;

	return gdb_kvm_debug_exit(g->target, vcpu, run);
}

static bool gdb_vcpu_breakpoint(void *opaque, struct vcpu *vcpu, uint64_t pc)
{
	struct gdb *g = opaque;

	return gdb_kvm_breakpoint(g->target, vcpu, pc);
}

static const struct vcpu_debug_hooks gdb_vcpu_hooks = {
	.debug_exit = gdb_vcpu_debug_exit,
	.breakpoint = gdb_vcpu_breakpoint,
};


int gdb_create(const struct gdb_vm *vm, const char *addr, bool wait, struct gdb **out)
{
	char err[512], where[GDB_ADDR_HOST_MAX + GDB_ADDR_PATH_MAX + 16];
	struct gdb *g;
	int r;

	*out = NULL;
	if (!addr)
		return KEEL_EXIT_OK;
	g = calloc(1, sizeof(*g));
	if (!g) {
		log_error("gdb: out of memory");
		return KEEL_EXIT_HOST;
	}
	g->vm = vm;
	g->listen_fd = g->client_fd = -1;
	gdb_bps_init(&g->bps, 0);
	gdb_rx_init(&g->rx);
	if (gdb_addr_parse(addr, &g->addr, err, sizeof(err)) < 0) {
		log_error("%s", err);
		gdb_destroy(g);
		return KEEL_EXIT_USAGE;
	}
	r = gdb_kvm_create(vm, &g->bps, &g->target);
	if (r < 0) {
		log_error("gdb: %s", strerror(-r));
		gdb_destroy(g);
		return KEEL_EXIT_HOST;
	}
	g->bps.hw_slots = gdb_kvm_hw_slots(g->target);
	r = gdb_addr_listen(&g->addr, err, sizeof(err));
	if (r < 0) {
		log_error("%s", err);
		gdb_destroy(g);
		return r == -ENOMEM || r == -EMFILE || r == -ENFILE ? KEEL_EXIT_HOST : KEEL_EXIT_USAGE;
	}
	g->listen_fd = r;
	if (evloop_add(vm->loop, g->listen_fd, EPOLLIN, gdb_on_listen, g) < 0 ||
	    evloop_add(vm->loop, gdb_kvm_event_fd(g->target), EPOLLIN, gdb_on_event, g) < 0) {
		log_error("gdb: cannot watch its sockets: %s", strerror(errno));
		gdb_destroy(g);
		return KEEL_EXIT_HOST;
	}
	if (wait)
		for (unsigned int i = 0; i < vm->ncpus; i++)
			vcpu_pause(vm->vcpus[i], VCPU_PAUSE_DEBUGGER);
	/* The debugger's way onto the exit path: vcpu/ calls these, never the stub by name. */
	vm->env->debug = &gdb_vcpu_hooks;
	vm->env->debug_opaque = g;
	log_info("gdb: listening on %s%s (%u hardware breakpoints)", gdb_addr_text(&g->addr, where, sizeof(where)),
		 wait ? ", the vCPUs wait for the debugger" : "", g->bps.hw_slots);
	*out = g;
	return KEEL_EXIT_OK;
}

void gdb_destroy(struct gdb *g)
{
	int status;

	if (!g)
		return;
	if (g->session_open) {
		status = stop_status(g->vm->stop);
		gdb_session_exited(&g->session, status);
		gdb_session_destroy(&g->session);
		g->session_open = false;
	}
	if (g->client_fd >= 0) {
		evloop_del(g->vm->loop, g->client_fd);
		close(g->client_fd);
	}
	if (g->listen_fd >= 0) {
		evloop_del(g->vm->loop, g->listen_fd);
		close(g->listen_fd);
		if (g->addr.kind == GDB_ADDR_UNIX)
			unlink(g->addr.path);
	}
	if (g->vm->env->debug_opaque == g) {
		g->vm->env->debug = NULL;
		g->vm->env->debug_opaque = NULL;
	}
	if (g->target) {
		evloop_del(g->vm->loop, gdb_kvm_event_fd(g->target));
		gdb_kvm_destroy(g->target);
	}
	gdb_bps_destroy(&g->bps);
	free(g->out);
	free(g);
}
