/* libFuzzer target: a hostile virtio-console driver (receive and transmit buffers) against console.c, the host's input (with the Ctrl-A escapes) and output results picked by the input. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/console.h"
#include "tests/fuzz/fuzz_vdev.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void con_complete(struct fz_vdev *v, struct fz_in *in, unsigned int i, const struct fz_sub *s)
{
	const struct io_uring_sqe *e = &s->sqe;
	struct iovec buf = { (void *)(uintptr_t)e->addr, e->len };
	uint64_t total = fz_iov_total(&buf, 1);
	int res;

	if (total == 0 || total > VIRTIO_CONSOLE_OUT_BUF)
		fz_fail("virtio-console: a transfer of %llu bytes", (unsigned long long)total);
	switch (e->opcode) {
	case IORING_OP_READ:
		/* Typed on the host: bytes from the input (Ctrl-A escapes among them), or the end of input. */
		if (total > VIRTIO_CONSOLE_IN_BUF)
			fz_fail("virtio-console: a read of %llu bytes", (unsigned long long)total);
		res = fz_pick_res(in, fz_iov_fill(&buf, 1, in, total));
		break;
	case IORING_OP_WRITE:
	case IORING_OP_SEND:
		res = fz_pick_res(in, total);
		break;
	default:
		fz_fail("virtio-console: submission opcode %u", e->opcode);
	}
	fz_loop_complete(v->loop, i, res);
}

static const struct fz_hooks con_hooks = { .complete = con_complete };

/* Where the backend's descriptors point: /dev/null (the fake loop never uses them; the final drain writes there). */
static int null_fd(void)
{
	static int fd = -1;

	if (fd < 0 && (fd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
		abort();
	return fd;
}

/*
 * The input: a flags byte (1 no input, 2 no output, 4 output is a socket, 8 the terminal's
 * Ctrl-A escapes), the features the driver accepts, then the driver's actions (tests/fuzz/fuzz_vdev.c).
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct chardev cd = { 0 };
	struct fz_vdev v = { 0 };
	uint8_t f = fz_u8(&in);

	v.mem = fz_ram();
	v.loop = fz_loop_new();
	if (!v.loop)
		abort();
	cd.in_fd = (f & 1) ? -1 : null_fd();
	cd.out_fd = (f & 2) ? -1 : null_fd();
	cd.out_is_socket = f & 4;
	cd.escapes = f & 8;
	console_esc_init(&cd.esc);
	if (virtio_console_create(&cd, v.mem, v.loop, &v.dev) != 0)
		abort();
	fz_vdev_session(&v, &in, &con_hooks);
	virtio_console_destroy(v.dev);
	fz_loop_free(v.loop);
	return 0;
}
