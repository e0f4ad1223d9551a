/* Unit tests of --vsock's adder (every bad item named), its command line, and the host side's pieces: the CONNECT line, the listening socket's life. */
#include "tests/unit/suites.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "devices/virtio/vsock_uds.h"
#include "vmm/cli.h"
#include "vmm/config.h"

static int add(struct vm_config *c, const char *spec, char *err, size_t errlen)
{
	vm_config_init(c);
	return config_set_vsock(c, spec, err, errlen);
}

START_TEST(adder_accepts)
{
	struct vm_config c;
	char err[512];

	ck_assert_int_eq(add(&c, "cid=3,uds=/tmp/v.sock", err, sizeof(err)), 0);
	ck_assert(c.virtio.vsock.on);
	ck_assert_uint_eq(c.virtio.vsock.guest_cid, 3);
	ck_assert_str_eq(c.virtio.vsock.uds_path, "/tmp/v.sock");
	ck_assert_str_eq(c.virtio.vsock.spec, "cid=3,uds=/tmp/v.sock");
	ck_assert_uint_eq(virtio_config_ndevices(&c.virtio), 1);
	ck_assert_int_eq(config_set_vsock(&c, "cid=4,uds=/tmp/w", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "--vsock given twice");
	vm_config_free(&c);
	ck_assert(!c.virtio.vsock.on);

	ck_assert_int_eq(add(&c, "uds=/tmp/v.sock,cid=4294967294,transport=mmio", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.virtio.vsock.guest_cid, 4294967294ull);
	ck_assert(c.virtio.vsock.place.transport_given);
	ck_assert_int_eq(c.virtio.vsock.place.transport, VIRTIO_TRANSPORT_MMIO);
	vm_config_free(&c);
	ck_assert_int_eq(add(&c, "cid=77,uds=rel/v,msix=off", err, sizeof(err)), 0);
	ck_assert(c.virtio.vsock.place.no_msix);
	vm_config_free(&c);
}
END_TEST

/* Each bad item is named, all of them in the one line. */
START_TEST(adder_names_every_bad_item)
{
	static const struct {
		const char *spec;
		const char *needles[3];
	} cases[] = {
		{ "cid=2,uds=/tmp/v", { "'cid=2' must be between 3 and 4294967294" } },
		{ "cid=4294967295,uds=/tmp/v", { "'cid=4294967295' must be between" } },
		{ "cid=x,uds=/tmp/v", { "'cid=x' must be between" } },
		{ "cid=-3,uds=/tmp/v", { "'cid=-3'" } },
		{ "cid=,uds=/tmp/v", { "'cid='" } },
		{ "cid=3,uds=", { "'uds=' needs a socket path" } },
		{ "cid=3", { "uds=PATH is missing" } },
		{ "uds=/tmp/v", { "cid=N is missing" } },
		{ "", { "cid=N is missing", "uds=PATH is missing" } },
		{ "cid=1,uds=,port=5", { "'cid=1'", "'uds='", "unknown option 'port=5'" } },
		{ "cid=3,cid=4,uds=/a", { "'cid=' given twice" } },
		{ "cid=3,uds=/a,uds=/b", { "'uds=' given twice" } },
		{ "cid=3,uds=/a,transport=isa", { "transport must be pci or mmio" } },
		{ "cid=3,uds=/a,transport=mmio,msix=off", { "msix=off is for PCI devices" } },
	};
	char err[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vm_config c;

		ck_assert_msg(add(&c, cases[i].spec, err, sizeof(err)) == -EINVAL, "%s accepted", cases[i].spec);
		ck_assert_msg(!strncmp(err, "--vsock ", 8), "%s", err);
		ck_assert_ptr_null(strchr(err, '\n'));
		for (size_t k = 0; k < 3 && cases[i].needles[k]; k++)
			ck_assert_msg(strstr(err, cases[i].needles[k]), "%s: '%s' lacks '%s'", cases[i].spec, err,
				      cases[i].needles[k]);
		ck_assert(!c.virtio.vsock.on);
		vm_config_free(&c);
	}
}
END_TEST

/* The path leaves room for "_4294967295" inside sun_path: 96 bytes at most. */
START_TEST(adder_path_room)
{
	char spec[256], path[128], err[512];
	struct vm_config c;

	memset(path, 'p', sizeof(path));
	path[0] = '/';
	path[96] = '\0';
	snprintf(spec, sizeof(spec), "cid=3,uds=%s", path);
	ck_assert_int_eq(add(&c, spec, err, sizeof(err)), 0);
	vm_config_free(&c);
	path[96] = 'p';
	path[97] = '\0';
	snprintf(spec, sizeof(spec), "cid=3,uds=%s", path);
	ck_assert_int_eq(add(&c, spec, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "is too long"));
	vm_config_free(&c);
	ck_assert_int_eq(config_set_vsock_opts(&c, 3, path, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "is too long"));
	vm_config_free(&c);
}
END_TEST

/* The parts' form (Firecracker's vsock section): the same checks, a spec built for messages. */
START_TEST(adder_opts)
{
	struct vm_config c;
	char err[512];

	vm_config_init(&c);
	ck_assert_int_eq(config_set_vsock_opts(&c, 5, "./v.sock", err, sizeof(err)), 0);
	ck_assert_str_eq(c.virtio.vsock.spec, "cid=5,uds=./v.sock");
	ck_assert_str_eq(c.virtio.vsock.uds_path, "./v.sock");
	ck_assert_int_eq(config_set_vsock_opts(&c, 6, "/x", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "--vsock given twice");
	vm_config_free(&c);
	ck_assert_int_eq(config_set_vsock_opts(&c, 2, "", err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "'cid=2' must be between"));
	ck_assert_ptr_nonnull(strstr(err, "'uds=' needs a socket path"));
	ck_assert_int_eq(config_set_vsock_opts(&c, 1ull << 32, NULL, err, sizeof(err)), -EINVAL);
	ck_assert(!c.virtio.vsock.on);
	/* A path with a comma is fine here (the command line cannot say it). */
	ck_assert_int_eq(config_set_vsock_opts(&c, 9, "/tmp/a,b", err, sizeof(err)), 0);
	ck_assert_str_eq(c.virtio.vsock.uds_path, "/tmp/a,b");
	vm_config_free(&c);
}
END_TEST

START_TEST(command_line)
{
	char *argv[] = { "keel", "run", "--vsock", "cid=42,uds=/tmp/keel-v.sock", NULL };
	char *bad[] = { "keel", "run", "--vsock", "cid=42", NULL };
	struct cli_options o;
	char err[512];

	ck_assert_int_eq(cli_parse(4, argv, &o, err, sizeof(err)), 0);
	ck_assert(o.cfg.virtio.vsock.on);
	ck_assert_uint_eq(o.cfg.virtio.vsock.guest_cid, 42);
	ck_assert_str_eq(o.cfg.virtio.vsock.uds_path, "/tmp/keel-v.sock");
	cli_options_free(&o);
	ck_assert_int_lt(cli_parse(4, bad, &o, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "uds=PATH is missing"));
	cli_options_free(&o);
}
END_TEST

START_TEST(connect_line)
{
	static const struct {
		const char *line;
		int ret;
		uint32_t port;
	} cases[] = {
		{ "CONNECT 52\n", 0, 52 },
		{ "CONNECT 0\n", 0, 0 },
		{ "CONNECT 4294967295\n", 0, 4294967295u },
		{ "CONNECT 52\r\n", 0, 52 },
		{ "CONNECT 4294967296\n", -EPROTO, 0 },
		{ "CONNECT 99999999999\n", -EPROTO, 0 },
		{ "CONNECT \n", -EPROTO, 0 },
		{ "CONNECT\n", -EPROTO, 0 },
		{ "connect 52\n", -EPROTO, 0 },
		{ "CONNECT  52\n", -EPROTO, 0 },
		{ "CONNECT 52 \n", -EPROTO, 0 },
		{ "CONNECT +52\n", -EPROTO, 0 },
		{ "CONNECT 52", -EPROTO, 0 },
		{ "CONNECT 5\r2\n", -EPROTO, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t port = 12345;

		ck_assert_msg(vsock_uds_parse_connect(cases[i].line, strlen(cases[i].line), &port) == cases[i].ret,
			      "case %zu", i);
		if (!cases[i].ret)
			ck_assert_uint_eq(port, cases[i].port);
	}
}
END_TEST

/* The line is taken off the socket by itself: what follows stays for the guest; a partial line waits. */
START_TEST(connect_line_socket)
{
	int sv[2];
	uint32_t port = 0;
	char rest[16];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	ck_assert_int_eq(vsock_uds_read_connect(sv[0], &port), 0);
	ck_assert_int_eq(write(sv[1], "CONNECT 1", 9), 9);
	ck_assert_int_eq(vsock_uds_read_connect(sv[0], &port), 0);
	ck_assert_int_eq(write(sv[1], "7\nabc", 5), 5);
	ck_assert_int_eq(vsock_uds_read_connect(sv[0], &port), 1);
	ck_assert_uint_eq(port, 17);
	ck_assert_int_eq(read(sv[0], rest, sizeof(rest)), 3);
	ck_assert_int_eq(memcmp(rest, "abc", 3), 0);
	ck_assert_int_eq(write(sv[1], "CONNECT 1234567890123456789012345", 33), 33);
	ck_assert_int_eq(vsock_uds_read_connect(sv[0], &port), -EPROTO);
	close(sv[1]);
	ck_assert_int_eq(read(sv[0], rest, sizeof(rest)), 16);
	ck_assert_int_eq(read(sv[0], rest, sizeof(rest)), 16);
	ck_assert_int_eq(read(sv[0], rest, sizeof(rest)), 1);
	ck_assert_int_eq(vsock_uds_read_connect(sv[0], &port), -EPIPE);
	close(sv[0]);
}
END_TEST

/* The listening socket: made, refused over a regular file or a live socket, a stale one replaced, removed at close. */
START_TEST(listen_socket)
{
	char dir[64], path[96], err[256];
	struct vsock_uds *u = NULL, *u2 = NULL;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	snprintf(dir, sizeof(dir), "/tmp/keel-vsockcfg.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/v.sock", dir);
	ck_assert_int_eq(vsock_uds_open(path, &u, err, sizeof(err)), 0);
	ck_assert_int_eq(access(path, F_OK), 0);
	ck_assert_int_eq(vsock_uds_open(path, &u2, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "in use"));
	ck_assert_ptr_null(u2);
	fd = vsock_uds_accept(u);	/* the second open's probe */
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(vsock_uds_accept(u), -EAGAIN);
	vsock_uds_close(u);
	ck_assert_int_eq(access(path, F_OK), -1);

	/* A stale socket (bound, nobody listening) is replaced. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	ck_assert_int_eq(vsock_uds_open(path, &u, err, sizeof(err)), 0);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ck_assert_int_eq(vsock_uds_connect(u, fd, 5), -ENOENT);
	close(fd);
	vsock_uds_close(u);

	/* A regular file is left alone. */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(vsock_uds_open(path, &u, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not a socket"));
	ck_assert_int_eq(access(path, F_OK), 0);
	unlink(path);
	snprintf(path, sizeof(path), "%s/missing/v.sock", dir);
	ck_assert_int_eq(vsock_uds_open(path, &u, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "cannot listen"));
	rmdir(dir);
}
END_TEST

/* The guest-bound ring: bounded, wraps, flushes, frees itself when empty. */
START_TEST(ring)
{
	struct vsock_ring r = { .cap = 8 };
	uint8_t a[6] = "abcdef", got[16];
	struct iovec iov[2] = { { a, 3 }, { a + 3, 3 } };
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	ck_assert_int_eq(vsock_ring_put(&r, iov, 2, 1, 5), 0);
	ck_assert_uint_eq(r.len, 5);
	ck_assert_int_eq(vsock_ring_put(&r, iov, 2, 0, 4), -ENOSPC);
	ck_assert_int_eq(vsock_ring_flush(&r, sv[0]), 5);
	ck_assert_ptr_null(r.buf);
	ck_assert_int_eq(vsock_ring_put(&r, iov, 2, 0, 6), 0);
	ck_assert_int_eq(vsock_ring_put(&r, iov, 2, 4, 2), 0);
	ck_assert_uint_eq(r.len, 8);
	ck_assert_int_eq(vsock_ring_flush(&r, sv[0]), 8);
	ck_assert_int_eq(read(sv[1], got, sizeof(got)), 13);
	ck_assert_int_eq(memcmp(got, "bcdefabcdefef", 13), 0);
	vsock_ring_free(&r);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

Suite *vsock_config_suite(void)
{
	Suite *s = suite_create("vsock_config");
	TCase *tc = tcase_create("vsock_config");

	tcase_add_test(tc, adder_accepts);
	tcase_add_test(tc, adder_names_every_bad_item);
	tcase_add_test(tc, adder_path_room);
	tcase_add_test(tc, adder_opts);
	tcase_add_test(tc, command_line);
	tcase_add_test(tc, connect_line);
	tcase_add_test(tc, connect_line_socket);
	tcase_add_test(tc, listen_socket);
	tcase_add_test(tc, ring);
	suite_add_tcase(s, tc);
	return s;
}
