/* The --gdb address: tcp:[HOST:]PORT or unix:PATH, parsed, and the listening socket made from it. */
#ifndef KEEL_VMM_GDB_ADDR_H
#define KEEL_VMM_GDB_ADDR_H

#include <stddef.h>
#include <stdint.h>

#define GDB_ADDR_HOST_MAX 256
#define GDB_ADDR_PATH_MAX 108	/* sizeof(sun_path) */

struct gdb_addr {
	enum { GDB_ADDR_TCP, GDB_ADDR_UNIX } kind;
	char host[GDB_ADDR_HOST_MAX];	/* TCP: a name or address; "127.0.0.1" unless given ("[::1]" is "::1") */
	uint16_t port;			/* TCP: 1-65535 */
	char path[GDB_ADDR_PATH_MAX];	/* UNIX: the socket's path */
};

/*
 * gdb_addr_parse - parse @spec. On a bad spec returns -EINVAL and writes one line naming the
 * problem (starting "--gdb SPEC: ") into @err.
 */
int gdb_addr_parse(const char *spec, struct gdb_addr *a, char *err, size_t errlen);

/*
 * gdb_addr_listen - make a listening, non-blocking, close-on-exec socket at @a. A UNIX socket
 * left behind by a dead process is replaced; a live one is not. Returns the fd, or -errno with
 * one line in @err.
 */
int gdb_addr_listen(const struct gdb_addr *a, char *err, size_t errlen);

#endif
