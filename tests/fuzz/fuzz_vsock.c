/* libFuzzer target: a hostile virtio-vsock driver (packet headers, op codes, credit, lengths, ports) against vsock.c and vsock_tx.c, with real Unix sockets on the host side. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "devices/virtio/vsock.h"
#include "tests/fuzz/fuzz_vdev.h"

#define GUEST_CID 3u
#define HOST_PORT 1024u		/* the port a host program listens on (PATH_1024) */
#define HOST_FDS 8u		/* host programs' sockets at once */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The host side: the device's socket path, a program listening on PATH_1024, the programs' sockets. */
struct fz_host {
	char path[96];
	int listen_fd;			/* on PATH_1024, made once */
	int fds[HOST_FDS];		/* this input's: closed at its end */
};

static struct fz_host the_host = { .listen_fd = -1 };

/* At exit: the socket files and the directory go. */
static void host_remove(void)
{
	char *slash = strrchr(the_host.path, '/');
	char p[128];

	snprintf(p, sizeof(p), "%s_%u", the_host.path, HOST_PORT);
	unlink(p);
	unlink(the_host.path);
	if (slash) {
		*slash = 0;
		rmdir(the_host.path);
	}
}

static struct fz_host *host(void)
{
	struct fz_host *h = &the_host;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char dir[] = "/tmp/keel-fuzz-vsock.XXXXXX";

	if (h->listen_fd >= 0)
		return h;
	if (!mkdtemp(dir))
		abort();
	snprintf(h->path, sizeof(h->path), "%s/v.sock", dir);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s_%u", h->path, HOST_PORT);
	h->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->listen_fd < 0 || bind(h->listen_fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(h->listen_fd, 64) < 0)
		abort();
	atexit(host_remove);
	return h;
}

static int *free_slot(struct fz_host *h)
{
	for (unsigned int i = 0; i < HOST_FDS; i++)
		if (h->fds[i] < 0)
			return &h->fds[i];
	return NULL;
}

static void vs_complete(struct fz_vdev *v, struct fz_in *in, unsigned int i, const struct fz_sub *s)
{
	int res;

	switch (s->sqe.opcode) {
	case IORING_OP_SOCKET:
		if (s->sqe.fd != AF_UNIX)
			fz_fail("virtio-vsock: a socket of family %d", s->sqe.fd);
		res = fz_u8(in) & 1 ? -EMFILE : socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		break;
	case IORING_OP_POLL_ADD:
		res = fz_pick_res(in, POLLIN);
		break;
	case IORING_OP_TIMEOUT:
		res = fz_u8(in) & 1 ? -ECANCELED : -ETIME;
		break;
	default:
		fz_fail("virtio-vsock: submission opcode %u", s->sqe.opcode);
	}
	fz_loop_complete(v->loop, i, res);
}

/*
 * A host program acts: connects to the device's socket and asks for a guest port, accepts a
 * connection the guest made to PATH_1024, writes, reads, shuts down or closes its socket.
 */
static void vs_extra(struct fz_vdev *v, struct fz_in *in)
{
	struct fz_host *h = v->opaque;
	uint8_t op = fz_u8(in), buf[512];
	int *slot = free_slot(h), *fd = &h->fds[fz_u8(in) % HOST_FDS];
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	size_t n;

	switch (op % 6) {
	case 0:
		if (!slot || (*slot = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
			break;
		snprintf(a.sun_path, sizeof(a.sun_path), "%s", h->path);
		if (connect(*slot, (struct sockaddr *)&a, sizeof(a)) == 0) {
			n = fz_take(in, buf, sizeof(buf));
			if (n == 0)
				n = (size_t)snprintf((char *)buf, sizeof(buf), "CONNECT %u\n", fz_u16(in));
			if (send(*slot, buf, n, MSG_NOSIGNAL) < 0) {
				/* the device sees an early close */
			}
		}
		break;
	case 1:
		if (slot)
			*slot = accept4(h->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		break;
	case 2:
		n = fz_take(in, buf, sizeof(buf));
		if (*fd >= 0 && send(*fd, buf, n, MSG_NOSIGNAL) < 0) {
			/* full or closed: as a program would see it */
		}
		break;
	case 3:
		while (*fd >= 0 && recv(*fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			;
		break;
	case 4:
		if (*fd >= 0)
			shutdown(*fd, SHUT_WR);
		break;
	default:
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		break;
	}
}

static const struct fz_hooks vs_hooks = { .complete = vs_complete, .extra = vs_extra };

/* The input: the features the driver accepts, then the driver's and the host's actions (tests/fuzz/fuzz_vdev.c). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct fz_host *h = host();
	struct vsock_uds *uds;
	struct fz_vdev v = { 0 };
	char err[160];
	int fd;

	for (unsigned int i = 0; i < HOST_FDS; i++)
		h->fds[i] = -1;
	v.mem = fz_ram();
	v.loop = fz_loop_new();
	if (!v.loop || vsock_uds_open(h->path, &uds, err, sizeof(err)) != 0)
		abort();
	v.opaque = h;
	if (virtio_vsock_create(uds, GUEST_CID, v.mem, v.loop, &v.dev) != 0)
		abort();
	fz_vdev_session(&v, &in, &vs_hooks);
	virtio_vsock_destroy(v.dev);
	vsock_uds_close(uds);
	fz_loop_free(v.loop);
	for (unsigned int i = 0; i < HOST_FDS; i++)
		if (h->fds[i] >= 0)
			close(h->fds[i]);
	while ((fd = accept4(h->listen_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
		close(fd);	/* connections the guest made that no action took */
	return 0;
}
