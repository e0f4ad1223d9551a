/* The --gdb address: parse tcp:[HOST:]PORT and unix:PATH, and open the listening socket with errors a user can act on. */
#include "vmm/gdb/addr.h"

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define GDB_DEFAULT_HOST "127.0.0.1"	/* loopback unless a host is named */

static int addr_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;

	if (!*s || strlen(s) > 5)
		return -EINVAL;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v == 0 || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

static int addr_parse_tcp(const char *spec, const char *rest, struct gdb_addr *a, char *err, size_t errlen)
{
	const char *port = rest, *colon;
	size_t hostlen = 0;
	const char *host = NULL;

	if (rest[0] == '[') {
		const char *close = strchr(rest, ']');

		if (!close || close[1] != ':') {
			snprintf(err, errlen, "--gdb %s: expected tcp:[ADDRESS]:PORT", spec);
			return -EINVAL;
		}
		host = rest + 1;
		hostlen = (size_t)(close - host);
		port = close + 2;
	} else if ((colon = strrchr(rest, ':')) != NULL) {
		host = rest;
		hostlen = (size_t)(colon - rest);
		port = colon + 1;
		if (memchr(host, ':', hostlen)) {
			snprintf(err, errlen, "--gdb %s: write an IPv6 address in brackets, tcp:[ADDRESS]:PORT", spec);
			return -EINVAL;
		}
	}
	if (addr_port(port, &a->port) < 0) {
		snprintf(err, errlen, "--gdb %s: '%s' is not a port number (1-65535)", spec, port);
		return -EINVAL;
	}
	if (hostlen >= sizeof(a->host)) {
		snprintf(err, errlen, "--gdb %s: host name too long", spec);
		return -EINVAL;
	}
	if (hostlen == 0) {
		snprintf(a->host, sizeof(a->host), "%s", GDB_DEFAULT_HOST);
	} else {
		memcpy(a->host, host, hostlen);
		a->host[hostlen] = '\0';
	}
	a->kind = GDB_ADDR_TCP;
	return 0;
}

int gdb_addr_parse(const char *spec, struct gdb_addr *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	if (!strncmp(spec, "tcp:", 4))
		return addr_parse_tcp(spec, spec + 4, a, err, errlen);
	if (!strncmp(spec, "unix:", 5)) {
		const char *path = spec + 5;

		if (!*path) {
			snprintf(err, errlen, "--gdb %s: the socket path is empty", spec);
			return -EINVAL;
		}
		if (strlen(path) >= sizeof(a->path)) {
			snprintf(err, errlen, "--gdb %s: the socket path is longer than %zu bytes", spec,
				 sizeof(a->path) - 1);
			return -EINVAL;
		}
		a->kind = GDB_ADDR_UNIX;
		snprintf(a->path, sizeof(a->path), "%s", path);
		return 0;
	}
	snprintf(err, errlen, "--gdb %s: expected tcp:[HOST:]PORT or unix:PATH", spec);
	return -EINVAL;
}

static int addr_listen_tcp(const struct gdb_addr *a, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	char port[8];
	int fd, one = 1, r;

	snprintf(port, sizeof(port), "%u", a->port);
	r = getaddrinfo(a->host, port, &hints, &res);
	if (r != 0) {
		snprintf(err, errlen, "--gdb tcp:%s:%u: cannot resolve '%s': %s", a->host, a->port, a->host,
			 gai_strerror(r));
		return -EINVAL;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "gdb socket: %s", strerror(errno));
		freeaddrinfo(res);
		return r;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 1) < 0) {
		r = -errno;
		if (r == -EADDRINUSE)
			snprintf(err, errlen, "--gdb tcp:%s:%u: port %u is in use", a->host, a->port, a->port);
		else
			snprintf(err, errlen, "--gdb tcp:%s:%u: cannot listen there: %s", a->host, a->port,
				 strerror(-r));
		close(fd);
		freeaddrinfo(res);
		return r;
	}
	freeaddrinfo(res);
	return fd;
}

/* Does something accept connections on the UNIX socket at @sun? */
static bool addr_unix_alive(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool alive;

	if (fd < 0)
		return true;	/* cannot tell: do not remove it */
	alive = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0 || errno != ECONNREFUSED;
	close(fd);
	return alive;
}

static int addr_listen_unix(const struct gdb_addr *a, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, r = 0;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", a->path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "gdb socket: %s", strerror(errno));
		return r;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		r = -errno;
		if (r == -EADDRINUSE && lstat(a->path, &st) == 0 && S_ISSOCK(st.st_mode) && !addr_unix_alive(&sun)) {
			unlink(a->path);	/* left behind by a process that is gone */
			r = bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ? -errno : 0;
		}
	}
	if (r == 0 && listen(fd, 1) < 0)
		r = -errno;
	if (r == 0)
		return fd;
	if (r == -EADDRINUSE && lstat(a->path, &st) == 0 && !S_ISSOCK(st.st_mode))
		snprintf(err, errlen, "--gdb unix:%s: the path exists and is not a socket", a->path);
	else if (r == -EADDRINUSE)
		snprintf(err, errlen, "--gdb unix:%s: in use by another process", a->path);
	else
		snprintf(err, errlen, "--gdb unix:%s: cannot listen there: %s", a->path, strerror(-r));
	close(fd);
	return r;
}

int gdb_addr_listen(const struct gdb_addr *a, char *err, size_t errlen)
{
	return a->kind == GDB_ADDR_TCP ? addr_listen_tcp(a, err, errlen) : addr_listen_unix(a, err, errlen);
}
