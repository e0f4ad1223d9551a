/* Unit tests of the API server (vmm/api/server.c, api.c) on a real Unix socket: its mode and removal, InstanceStart through api_wait_start, post-boot commands through an event loop, oversized and garbage requests, slow clients, stop. */
#include "tests/unit/suites.h"

#include "tests/unit/vm_fixture.h"
#include "vmm/api/api.h"
#include "vmm/evloop.h"
#include "vmm/log.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static char dir[64];
static char sock_path[96];
static struct api *api;

/* What the fake VM was asked. */
struct fake_vm {
	int pauses, resumes, swaps, cads, flushes;
	char drive[32], path[64];
	int fail;			/* the next op fails with this */
};

static int fail_or_ok(struct fake_vm *vm, char *err, size_t errlen)
{
	int r = vm->fail;

	vm->fail = 0;
	if (r)
		snprintf(err, errlen, "fake: it failed");
	return r;
}

static int fake_pause(void *o, char *err, size_t errlen)
{
	((struct fake_vm *)o)->pauses++;
	return fail_or_ok(o, err, errlen);
}

static int fake_resume(void *o, char *err, size_t errlen)
{
	((struct fake_vm *)o)->resumes++;
	return fail_or_ok(o, err, errlen);
}

static int fake_swap(void *o, const char *id, const char *path, char *err, size_t errlen)
{
	struct fake_vm *vm = o;

	vm->swaps++;
	snprintf(vm->drive, sizeof(vm->drive), "%s", id);
	snprintf(vm->path, sizeof(vm->path), "%s", path);
	return fail_or_ok(vm, err, errlen);
}

static int fake_cad(void *o, char *err, size_t errlen)
{
	((struct fake_vm *)o)->cads++;
	return fail_or_ok(o, err, errlen);
}

static int fake_flush(void *o, char *err, size_t errlen)
{
	((struct fake_vm *)o)->flushes++;
	return fail_or_ok(o, err, errlen);
}

static const struct api_vm_ops fake_ops = {
	.pause = fake_pause,
	.resume = fake_resume,
	.drive_swap = fake_swap,
	.ctrl_alt_del = fake_cad,
	.flush_metrics = fake_flush,
};

static void setup(void)
{
	struct api_info info = { .id = "t", .vmm_version = "1.7.0", .app_name = "Firecracker", .max_body = 0 };
	char err[256];

	log_set_level(LOG_OFF);
	snprintf(dir, sizeof(dir), "/tmp/keel-api-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sock_path, sizeof(sock_path), "%s/api.sock", dir);
	ck_assert_msg(api_create(sock_path, &info, NULL, &api, err, sizeof(err)) == 0, "%s", err);
}

static void teardown(void)
{
	api_destroy(api);
	api = NULL;
	unlink(sock_path);
	rmdir(dir);
	log_set_level(LOG_WARN);
}

/* A connection to the API with @len bytes of @data sent. */
static int client_send(const char *data, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	while (len) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);

		if (n < 0)
			break;		/* the server may close early (an oversized body) */
		data += n;
		len -= (size_t)n;
	}
	return fd;
}

/* Everything the server sends on @fd until it closes (at most @ms milliseconds); closes @fd. */
static char *client_read(int fd, int ms)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	struct pollfd p = { .fd = fd, .events = POLLIN };

	ck_assert_ptr_nonnull(buf);
	while (len + 1 < cap && poll(&p, 1, ms) == 1) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);

		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(fd);
	return buf;
}

/* One request with "Connection: close" sent; its connection. */
static int send_req(const char *method, const char *url, const char *body)
{
	char req[8192];
	int n = snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
			 "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
			 method, url, body ? strlen(body) : 0, body ? body : "");

	return client_send(req, (size_t)n);
}

/* One request; the whole answer. */
static char *http(const char *method, const char *url, const char *body)
{
	return client_read(send_req(method, url, body), 5000);
}

#define EXPECT(answer, part)                                                                        \
	do {                                                                                        \
		char *a_ = (answer);                                                                \
		ck_assert_msg(strstr(a_, part), "answer lacks '%s':\n%s", (const char *)(part), a_); \
		free(a_);                                                                           \
	} while (0)

/* InstanceStart answered @ret by this test, the "main thread". */
static void start(int ret, const char *fault, const char *expect)
{
	struct signalfd_siginfo si;
	json_t *doc = NULL;
	int fd = send_req("PUT", "/actions", "{\"action_type\":\"InstanceStart\"}");

	ck_assert_int_eq(api_wait_start(api, -1, &doc, &si), 0);
	ck_assert_ptr_nonnull(doc);
	ck_assert(json_is_object(json_object_get(doc, "machine-config")));
	json_decref(doc);
	api_start_result(api, ret, fault);
	EXPECT(client_read(fd, 5000), expect);
}

START_TEST(api_server_socket)
{
	struct api_info info = { 0 };
	struct api *other = NULL;
	struct stat st;
	char err[256];

	ck_assert_int_eq(stat(sock_path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	/* An existing file is an error, and stays. */
	ck_assert_int_eq(api_create(sock_path, &info, NULL, &other, err, sizeof(err)), -EADDRINUSE);
	ck_assert_ptr_nonnull(strstr(err, "already there"));
	ck_assert_ptr_null(other);
	ck_assert_int_eq(stat(sock_path, &st), 0);
	ck_assert_int_lt(api_create("", &info, NULL, &other, err, sizeof(err)), 0);
	/* Removed at the end. */
	api_destroy(api);
	api = NULL;
	ck_assert_int_eq(stat(sock_path, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(api_server_requests)
{
	char *a;

	a = http("GET", "/", NULL);
	ck_assert_msg(strncmp(a, "HTTP/1.1 200", 12) == 0, "%s", a);
	ck_assert_ptr_nonnull(strstr(a, "Content-Type: application/json"));
	ck_assert_ptr_nonnull(strstr(a, "{\"id\":\"t\",\"state\":\"Not started\",\"vmm_version\":\"1.7.0\","
				      "\"app_name\":\"Firecracker\"}"));
	free(a);
	EXPECT(http("PUT", "/machine-config", "{\"vcpu_count\":2,\"mem_size_mib\":64}"), "HTTP/1.1 204");
	EXPECT(http("GET", "/machine-config", NULL), "\"vcpu_count\":2,\"mem_size_mib\":64");
	EXPECT(http("PUT", "/machine-config", "{\"vcpu_count\":2"), "HTTP/1.1 400");
	EXPECT(http("GET", "/nope", NULL), "Invalid request method and/or path: GET /nope.");
	EXPECT(http("PUT", "/logger", NULL), "Empty PUT request.");
	/* Keep-alive: two requests on one connection, both answered. */
	{
		const char *two = "GET /version HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

		a = client_read(client_send(two, strlen(two)), 5000);
		ck_assert_ptr_nonnull(strstr(a, "firecracker_version"));
		ck_assert_ptr_nonnull(strstr(a, "Not started"));
		free(a);
	}
}
END_TEST

START_TEST(api_server_bad_http)
{
	static char big[65536];
	char *a;
	int n;

	/* Content-Length over the limit: answered before the body is read. */
	{
		const char *hdr = "PUT /logger HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n{";

		EXPECT(client_read(client_send(hdr, strlen(hdr)), 5000),
		       "Request payload with size 99999999999 is larger than the limit of 51200 allowed by server.");
	}
	/* A body over the limit in chunks, without a Content-Length. */
	n = snprintf(big, sizeof(big), "PUT /logger HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
		     "Transfer-Encoding: chunked\r\n\r\n");
	for (int i = 0; i < 14; i++)
		n += snprintf(big + n, sizeof(big) - (size_t)n, "1000\r\n%4096d\r\n", 0);
	n += snprintf(big + n, sizeof(big) - (size_t)n, "0\r\n\r\n");
	EXPECT(client_read(client_send(big, (size_t)n), 5000), "is larger than the limit of 51200");
	/* Garbage. */
	EXPECT(client_read(client_send("GET /\r\n\r\n", 9), 5000), "HTTP/1.1 400");
	EXPECT(client_read(client_send("GET / HTTP/1.1\r\nno colon\r\n\r\n", 28), 5000), "HTTP/1.1 400");
	EXPECT(client_read(client_send("GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n", 37), 5000), "HTTP/1.1 400");
	EXPECT(client_read(client_send("BREW / HTTP/1.1\r\nHost: x\r\n\r\n", 28), 5000),
	       "Invalid request method and/or path: BREW /.");
	/* Not even a request line: libmicrohttpd closes the connection. */
	a = client_read(client_send("hello\r\n\r\n", 9), 5000);
	ck_assert_ptr_null(strstr(a, "HTTP/1.1 2"));
	free(a);
	EXPECT(client_read(client_send("GET / HTTP/9.9\r\n\r\n", 18), 5000), "HTTP/1.1 505");
	/* A GET with a body. */
	EXPECT(http("GET", "/", "{}"), "GET request cannot have a body.");
	/* Binary bytes in a body. */
	EXPECT(http("PUT", "/logger", "\x01\x02\x03"), "deserializing the json body");
	/* A slow client holding a half-sent request does not stop the others. */
	{
		const char *half = "PUT /logger HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{";
		int slow = client_send(half, strlen(half));

		EXPECT(http("GET", "/version", NULL), "HTTP/1.1 200");
		/* Its end: the body never comes, the client half-closes. */
		shutdown(slow, SHUT_WR);
		a = client_read(slow, 5000);
		ck_assert_ptr_null(strstr(a, " 204 "));
		free(a);
	}
}
END_TEST

/* Turn @loop until *@counter reaches @want (at most 5 s: the HTTP thread may be slow on a busy host). */
static void turn_until(struct evloop *loop, const int *counter, int want)
{
	for (int i = 0; i < 250 && *counter < want; i++)
		fx_run_for(loop, 20);
	ck_assert_int_eq(*counter, want);
}

START_TEST(api_server_start_and_post_boot)
{
	struct fake_vm vm = { 0 };
	struct evloop loop;
	const char *pause = "{\"state\":\"Paused\"}";
	int fd;

	EXPECT(http("PATCH", "/vm", "{\"state\":\"Paused\"}"), "not supported before starting");
	start(-EINVAL, "boot-source.kernel_image_path: nope", "boot-source.kernel_image_path: nope");
	EXPECT(http("GET", "/", NULL), "Not started");
	start(0, NULL, "HTTP/1.1 204");
	EXPECT(http("GET", "/", NULL), "\"state\":\"Running\"");

	/* A command sent before api_attach waits for it. */
	fd = send_req("PATCH", "/vm", pause);
	ck_assert_int_eq(evloop_init(&loop), 0);
	fx_run_for(&loop, 30);
	ck_assert_int_eq(vm.pauses, 0);
	ck_assert_int_eq(api_attach(api, &loop, &fake_ops, &vm), 0);
	turn_until(&loop, &vm.pauses, 1);
	EXPECT(client_read(fd, 5000), "HTTP/1.1 204");
	EXPECT(http("GET", "/", NULL), "\"state\":\"Paused\"");

	/* A failing op: its line is the fault. */
	vm.fail = -EIO;
	fd = send_req("PATCH", "/vm", "{\"state\":\"Resumed\"}");
	turn_until(&loop, &vm.resumes, 1);
	EXPECT(client_read(fd, 5000), "{\"fault_message\":\"fake: it failed\"}");
	EXPECT(http("GET", "/", NULL), "\"state\":\"Paused\"");

	/* Drive swap, Ctrl-Alt-Del, FlushMetrics. */
	fd = send_req("PATCH", "/drives/d1", "{\"drive_id\":\"d1\",\"path_on_host\":\"/tmp/new\"}");
	turn_until(&loop, &vm.swaps, 1);
	EXPECT(client_read(fd, 5000), "HTTP/1.1 204");
	ck_assert_str_eq(vm.drive, "d1");
	ck_assert_str_eq(vm.path, "/tmp/new");
	fd = send_req("PUT", "/actions", "{\"action_type\":\"SendCtrlAltDel\"}");
	turn_until(&loop, &vm.cads, 1);
	EXPECT(client_read(fd, 5000), "HTTP/1.1 204");
	fd = send_req("PUT", "/actions", "{\"action_type\":\"FlushMetrics\"}");
	turn_until(&loop, &vm.flushes, 1);
	EXPECT(client_read(fd, 5000), "HTTP/1.1 204");
	ck_assert_int_eq(vm.cads, 1);
	ck_assert_int_eq(vm.flushes, 1);

	/* Detached with a command queued: it is answered, and later ones at once. */
	fd = send_req("PATCH", "/vm", pause);
	usleep(100 * 1000);
	api_detach(api, &loop);
	EXPECT(client_read(fd, 5000), "The microVM is stopping.");
	EXPECT(http("PATCH", "/vm", "{\"state\":\"Paused\"}"), "The microVM is stopping.");
	ck_assert_int_eq(vm.pauses, 1);
	evloop_destroy(&loop);
}
END_TEST

START_TEST(api_server_stop_answers)
{
	struct signalfd_siginfo si;
	int p[2], fd;
	json_t *doc = NULL;
	char zero[sizeof(si)] = { 0 };

	/* A "signal" ends the wait. */
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], zero, sizeof(zero)), (ssize_t)sizeof(zero));
	ck_assert_int_eq(api_wait_start(api, p[0], &doc, &si), -EINTR);
	ck_assert_ptr_null(doc);
	close(p[0]);
	close(p[1]);
	/* An InstanceStart taken by the main thread, unanswered when the API stops, is answered. */
	fd = send_req("PUT", "/actions", "{\"action_type\":\"InstanceStart\"}");
	ck_assert_int_eq(api_wait_start(api, -1, &doc, &si), 0);
	json_decref(doc);
	api_destroy(api);
	api = NULL;
	EXPECT(client_read(fd, 5000), "The microVM is stopping.");
}
END_TEST

Suite *api_server_suite(void)
{
	Suite *s = suite_create("api_server");
	TCase *t = tcase_create("server");

	tcase_set_timeout(t, 30);
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, api_server_socket);
	tcase_add_test(t, api_server_requests);
	tcase_add_test(t, api_server_bad_http);
	tcase_add_test(t, api_server_start_and_post_boot);
	tcase_add_test(t, api_server_stop_answers);
	suite_add_tcase(s, t);
	return s;
}
