/* The API's HTTP side: a Unix socket made 0600 before it is bound, libmicrohttpd without its own thread, and the "fc_api" thread that turns it and resumes the requests the main thread answered. */
#include "vmm/api/server.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <microhttpd.h>

#include "vmm/log.h"
#include "vmm/sandbox.h"

#define API_MAX_CONNECTIONS 64u
#define API_IDLE_TIMEOUT_S 10u		/* a connection silent this long is closed (garbage libmicrohttpd cannot frame waits this long) */
#define API_STOP_ROUNDS 100		/* at stop, at most this many rounds of 10 ms to send the last answers */

void api_wake(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("api: eventfd write: %s", strerror(errno));
}

static void drain(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof(v)) > 0)
		;
}

void api_answer_locked(struct api *a, struct api_req *q)
{
	q->done = true;
	q->next = a->done;
	a->done = q;
	api_wake(a->wake_fd);
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, const struct api_reply *r)
{
	const char *body = r->body ? r->body : "";
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	if (r->body)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_SERVER, "Firecracker API");
	ret = MHD_queue_response(conn, r->status ? r->status : 500, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result send_too_big(const struct api *a, struct MHD_Connection *conn, size_t size)
{
	struct api_reply r = { 0 };
	char msg[160];
	enum MHD_Result ret;

	snprintf(msg, sizeof(msg), "Request payload with size %zu is larger than the limit of %zu allowed by server.",
		 size, a->core.max_body);
	api_reply_fault(&r, msg);
	ret = send_reply(conn, &r);
	api_reply_clear(&r);
	return ret;
}

/* The first call for a request: its record, and an early answer when Content-Length is over the limit. */
static enum MHD_Result request_begin(struct api *a, struct MHD_Connection *conn, void **con_cls)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	struct api_req *q = calloc(1, sizeof(*q));
	unsigned long long n;
	char *end;

	if (!q)
		return MHD_NO;
	q->conn = conn;
	*con_cls = q;
	a->nrequests++;
	if (!cl)
		return MHD_YES;
	errno = 0;
	n = strtoull(cl, &end, 10);
	if (errno || end == cl || *end || n <= a->core.max_body)
		return MHD_YES;		/* libmicrohttpd itself refuses a Content-Length that is not a number */
	q->too_big = true;
	q->answered = true;
	return send_too_big(a, conn, n > SIZE_MAX ? SIZE_MAX : (size_t)n);
}

/* A piece of the body: kept up to the limit, counted beyond it. */
static void request_body(struct api *a, struct api_req *q, const char *data, size_t n)
{
	q->seen = q->seen + n < q->seen ? SIZE_MAX : q->seen + n;
	if (q->too_big)
		return;
	if (q->seen > a->core.max_body) {
		q->too_big = true;
		free(q->body);
		q->body = NULL;
		q->len = 0;
		return;
	}
	if (!q->body) {
		q->body = malloc(a->core.max_body);
		if (!q->body) {
			q->too_big = true;
			return;
		}
	}
	memcpy(q->body + q->len, data, n);
	q->len += n;
}

/* The whole request is in: answer it, or hand it to the main thread and suspend it. */
static enum MHD_Result request_end(struct api *a, struct api_req *q, const char *method, const char *url)
{
	enum MHD_Result ret;
	int r;

	if (q->too_big)
		return send_too_big(a, q->conn, q->seen);
	log_debug("api: %s %s (%zu bytes)", method, url, q->len);
	pthread_mutex_lock(&a->lock);
	r = api_core_handle(&a->core, method, url, q->body, q->len, &q->reply, &q->cmd);
	if (r == 1 && a->stop) {
		api_cmd_clear(&q->cmd);
		api_reply_fault(&q->reply, API_STOPPING);
		r = 0;
	}
	if (r == 1) {
		if (q->cmd.kind == API_CMD_START) {
			a->start_req = q;
			a->start_taken = false;
			api_wake(a->start_fd);
		} else {
			struct api_req **tail = &a->queue;

			while (*tail)
				tail = &(*tail)->next;
			*tail = q;
			api_wake(a->cmd_fd);
		}
		q->suspended = true;
		a->nsuspended++;
		MHD_suspend_connection(q->conn);
		pthread_mutex_unlock(&a->lock);
		return MHD_YES;
	}
	pthread_mutex_unlock(&a->lock);
	ret = send_reply(q->conn, &q->reply);
	api_reply_clear(&q->reply);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct api *a = cls;
	struct api_req *q = *con_cls;
	enum MHD_Result ret;

	(void)version;
	if (!q)
		return request_begin(a, conn, con_cls);
	if (*upload_size) {
		request_body(a, q, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (q->answered)
		return MHD_YES;
	if (!q->done)
		return request_end(a, q, method, url);
	/* Resumed: the main thread's answer. */
	q->answered = true;
	ret = send_reply(conn, &q->reply);
	api_reply_clear(&q->reply);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode why)
{
	struct api *a = cls;
	struct api_req *q = *con_cls;

	(void)conn, (void)why;
	if (!q)
		return;
	a->nrequests--;
	api_reply_clear(&q->reply);
	api_cmd_clear(&q->cmd);
	free(q->body);
	free(q);
	*con_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[256];

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("api: libmicrohttpd: %s", line);
}

/* Resume every request the main thread answered (HTTP thread). */
static void resume_done(struct api *a)
{
	struct api_req *q, *next;

	pthread_mutex_lock(&a->lock);
	q = a->done;
	a->done = NULL;
	pthread_mutex_unlock(&a->lock);
	for (; q; q = next) {
		next = q->next;
		q->next = NULL;
		q->suspended = false;
		a->nsuspended--;
		MHD_resume_connection(q->conn);
	}
}

static void *api_thread(void *opaque)
{
	struct api *a = opaque;
	const union MHD_DaemonInfo *info;
	struct pollfd p[2];
	int stop_rounds = 0;

	/* The API thread's seccomp filter is installed here, before it reads a byte from a client. */
	if (sandbox_enter(SANDBOX_API, a->seccomp, 0) < 0)
		return NULL;	/* logged; api_server_stop still joins */

	info = MHD_get_daemon_info(a->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	p[0] = (struct pollfd){ .fd = info ? info->epoll_fd : -1, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = a->wake_fd, .events = POLLIN };
	for (;;) {
		MHD_UNSIGNED_LONG_LONG to;
		int ms = 1000;
		bool stop;

		if (MHD_get_timeout(a->mhd, &to) == MHD_YES && to < 1000)
			ms = (int)to;
		pthread_mutex_lock(&a->lock);
		stop = a->stop;
		pthread_mutex_unlock(&a->lock);
		if (stop) {
			/* Every request was answered at stop: no new client, send the answers, then end. */
			if (stop_rounds++ == 0)
				a->quiesced = MHD_quiesce_daemon(a->mhd) != MHD_INVALID_SOCKET;
			if (a->nsuspended == 0 && (a->nrequests == 0 || stop_rounds > API_STOP_ROUNDS))
				break;
			ms = 10;
		}
		if (poll(p, 2, ms) < 0 && errno != EINTR) {
			log_error("api: poll: %s", strerror(errno));
			break;
		}
		if (p[1].revents & POLLIN) {
			drain(a->wake_fd);
			resume_done(a);
		}
		MHD_run(a->mhd);
	}
	return NULL;
}

/* The socket at @path, mode 0600 from its creation, listening. An existing file there is an error. */
static int listen_unix(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, e;

	if (!*path || strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "--api-sock %s: the path must have 1 to %zu bytes", path, sizeof(sa.sun_path) - 1);
		return -EINVAL;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		e = -errno;
		snprintf(err, errlen, "--api-sock %s: socket: %s", path, strerror(-e));
		return e;
	}
	/* The file bind creates takes the socket's mode: nobody else can connect, even for a moment. */
	if (fchmod(fd, 0600) < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = -errno;
		if (e == -EADDRINUSE)
			snprintf(err, errlen, "--api-sock %s: a file is already there (remove it, or choose another path)",
				 path);
		else
			snprintf(err, errlen, "--api-sock %s: %s", path, strerror(-e));
		close(fd);
		return e;
	}
	if (chmod(path, 0600) < 0 || listen(fd, (int)API_MAX_CONNECTIONS) < 0) {
		e = -errno;
		snprintf(err, errlen, "--api-sock %s: %s", path, strerror(-e));
		unlink(path);
		close(fd);
		return e;
	}
	return fd;
}

int api_server_start(struct api *a, char *err, size_t errlen)
{
	sigset_t all, old;
	int ret;

	ret = listen_unix(a->path, err, errlen);
	if (ret < 0)
		return ret;
	a->sock = ret;
	a->bound = true;
	a->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0, NULL, NULL,
				  on_request, a, MHD_OPTION_LISTEN_SOCKET, a->sock, MHD_OPTION_NOTIFY_COMPLETED,
				  on_completed, a, MHD_OPTION_CONNECTION_LIMIT, API_MAX_CONNECTIONS,
				  MHD_OPTION_CONNECTION_TIMEOUT, API_IDLE_TIMEOUT_S, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log,
				  a, MHD_OPTION_END);
	if (!a->mhd) {
		snprintf(err, errlen, "--api-sock %s: libmicrohttpd would not serve it", a->path);
		return -EIO;
	}
	/* The thread takes no signal: the main thread's signalfd reads them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_create(&a->thread, NULL, api_thread, a);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret < 0) {
		snprintf(err, errlen, "api: thread: %s", strerror(-ret));
		return ret;
	}
	a->thread_started = true;
	pthread_setname_np(a->thread, "fc_api");
	return 0;
}

void api_server_stop(struct api *a)
{
	if (a->thread_started) {
		pthread_mutex_lock(&a->lock);
		a->stop = true;
		pthread_mutex_unlock(&a->lock);
		api_wake(a->wake_fd);
		pthread_join(a->thread, NULL);
		a->thread_started = false;
	}
	if (a->mhd) {
		/* Quiesced, libmicrohttpd leaves the listening socket to us; otherwise it closes it. */
		if (!a->quiesced && MHD_quiesce_daemon(a->mhd) == MHD_INVALID_SOCKET)
			a->sock = -1;
		MHD_stop_daemon(a->mhd);
		a->mhd = NULL;
	}
	if (a->sock >= 0)
		close(a->sock);
	a->sock = -1;
	if (a->bound) {
		unlink(a->path);
		a->bound = false;
	}
}
