/* libFuzzer target: Firecracker's API as a hostile client drives it: requests (method, path, body) fed to the pure core with the main thread's answers taken from the input, or, after "RAW", bytes through the real socket, libmicrohttpd and the fc_api thread. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vmm/api/api.h"
#include "vmm/api/core.h"
#include "vmm/log.h"
#include "vmm/sandbox.h"

#define MAX_BODY 4096u			/* the core's limit here: small, so both sides of it are reached */
#define MAX_RECORDS 64u
#define RAW_WAIT_ROUNDS 20		/* rounds of 10 ms a raw request may take */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fc_api thread runs without a seccomp filter here (api_info.seccomp is 0; libFuzzer's own threads need more). */
int sandbox_enter(enum sandbox_kind kind, unsigned int status, unsigned int flags)
{
	(void)kind, (void)status, (void)flags;
	return 0;
}

/* An answer must be one of Firecracker's: 200 with JSON, 204 without a body, 400 with a fault_message. */
static void check_reply(const struct api_reply *r)
{
	json_t *v;

	if (r->status == 204) {
		if (r->body)
			abort();
		return;
	}
	if ((r->status != 200 && r->status != 400) || !r->body)
		abort();
	v = json_loads(r->body, 0, NULL);
	if (!json_is_object(v) || (r->status == 400 && !json_is_string(json_object_get(v, "fault_message"))))
		abort();
	json_decref(v);
}

/*
 * One record: a control byte (bit 0: the main thread's answer fails; bit 1: the document's
 * InstanceStart fails), "METHOD PATH\n", then the body (none when the record ends there).
 */
static void one_record(struct api_core *c, const uint8_t *rec, size_t n)
{
	char method[16], url[256];
	const uint8_t *nl, *sp;
	struct api_reply r;
	struct api_cmd cmd;
	const char *body;
	size_t blen;
	int ret;

	if (n < 1)
		return;
	nl = memchr(rec + 1, '\n', n - 1);
	if (!nl)
		return;
	sp = memchr(rec + 1, ' ', (size_t)(nl - rec - 1));
	if (!sp || (size_t)(sp - rec - 1) >= sizeof(method) || (size_t)(nl - sp - 1) >= sizeof(url))
		return;
	memcpy(method, rec + 1, (size_t)(sp - rec - 1));
	method[sp - rec - 1] = '\0';
	memcpy(url, sp + 1, (size_t)(nl - sp - 1));
	url[nl - sp - 1] = '\0';
	body = (const char *)nl + 1;
	blen = n - (size_t)(nl + 1 - rec);
	ret = api_core_handle(c, method, url, blen ? body : NULL, blen, &r, &cmd);
	if (ret == 1) {
		if (cmd.kind == API_CMD_NONE || (cmd.kind == API_CMD_START) != !!cmd.doc)
			abort();
		api_core_finish(c, &cmd, (rec[0] & (cmd.kind == API_CMD_START ? 2 : 1)) ? -EIO : 0,
				(rec[0] & 4) ? NULL : "fuzz: the main thread said no", &r);
	} else if (ret != 0) {
		abort();
	}
	check_reply(&r);
	api_reply_clear(&r);
}

/* Records separated by NUL bytes, against one fresh core. */
static void core_input(const uint8_t *data, size_t size)
{
	struct api_core c;
	unsigned int nrec = 0;

	if (api_core_init(&c, "fuzz", "1.7.0", "Firecracker", MAX_BODY, NULL, api_validate_doc) < 0)
		abort();
	while (size && nrec++ < MAX_RECORDS) {
		const uint8_t *end = memchr(data, '\0', size);
		size_t n = end ? (size_t)(end - data) : size;

		one_record(&c, data, n);
		data += n + (end != NULL);
		size -= n + (end != NULL);
	}
	if (c.state > API_STATE_PAUSED)
		abort();
	api_core_free(&c);
}

/* The real server, made once: a socket in a fresh directory, both gone at exit. */
static struct {
	struct api *a;
	char dir[32];
	char sock[64];
} srv;

static void server_end(void)
{
	api_destroy(srv.a);
	rmdir(srv.dir);
}

static struct api *server(char *path, size_t n)
{
	struct api_info info = { .id = "fuzz", .vmm_version = "1.7.0", .app_name = "Firecracker", .max_body = MAX_BODY };
	char err[256];

	if (!srv.a) {
		snprintf(srv.dir, sizeof(srv.dir), "/tmp/keel-fuzz-api-XXXXXX");
		if (!mkdtemp(srv.dir))
			abort();
		snprintf(srv.sock, sizeof(srv.sock), "%s/api.sock", srv.dir);
		if (api_create(srv.sock, &info, NULL, &srv.a, err, sizeof(err)) < 0) {
			fprintf(stderr, "fuzz_api: %s\n", err);
			abort();
		}
		atexit(server_end);
	}
	snprintf(path, n, "%s", srv.sock);
	return srv.a;
}

/* A waiting InstanceStart, if any, is refused (the state stays "Not started": nothing else ever waits). */
static void refuse_start(struct api *a)
{
	struct signalfd_siginfo si;
	char blob[sizeof(si)] = { 0 };
	json_t *doc = NULL;
	int p[2];

	if (pipe(p) < 0)
		return;
	if (write(p[1], blob, sizeof(blob)) == (ssize_t)sizeof(blob) && api_wait_start(a, p[0], &doc, &si) == 0) {
		json_decref(doc);
		api_start_result(a, -EINVAL, "fuzz: no boot");
	}
	close(p[0]);
	close(p[1]);
}

static void raw_input(const uint8_t *data, size_t size)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct api *a = server(sa.sun_path, sizeof(sa.sun_path));
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char buf[4096];

	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		abort();
	while (size) {
		ssize_t n = send(fd, data, size, MSG_NOSIGNAL);

		if (n <= 0)
			break;
		data += n;
		size -= (size_t)n;
	}
	shutdown(fd, SHUT_WR);
	for (int round = 0; round < RAW_WAIT_ROUNDS; round++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		refuse_start(a);
		if (poll(&p, 1, 10) == 1 && read(fd, buf, sizeof(buf)) <= 0)
			break;
	}
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	log_set_level(LOG_OFF);
	if (size >= 3 && memcmp(data, "RAW", 3) == 0)
		raw_input(data + 3, size - 3);
	else
		core_input(data, size);
	return 0;
}
