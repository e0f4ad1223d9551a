/* The GDB remote-serial-protocol packet codec: framing, checksums, escapes, run-length encoding and hex; pure functions. */
#ifndef KEEL_VMM_GDB_PACKET_H
#define KEEL_VMM_GDB_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The largest payload keel accepts from gdb (and advertises as PacketSize). */
#define GDB_PACKET_MAX 16384
/* The largest framed packet keel sends: every payload byte escaped, plus "$", "#xx". */
#define GDB_FRAME_MAX (2 * GDB_PACKET_MAX + 4)

/* gdb_checksum - the modulo-256 sum of @len bytes at @data. */
uint8_t gdb_checksum(const void *data, size_t len);

/* What one received byte completed, if anything. */
enum gdb_rx_event {
	GDB_RX_NONE = 0,	/* nothing yet */
	GDB_RX_PACKET,		/* a packet with a good checksum: payload in rx->buf, rx->len bytes */
	GDB_RX_BAD_CHECKSUM,	/* a packet whose checksum does not match (or is not hex): NAK it */
	GDB_RX_OVERSIZED,	/* a well-formed packet larger than GDB_PACKET_MAX: answered with an error */
	GDB_RX_ACK,		/* '+' */
	GDB_RX_NAK,		/* '-': send the last packet again */
	GDB_RX_INTERRUPT,	/* 0x03 outside a packet: Ctrl-C */
};

/* The receiver's state: feed it bytes, it reports packets. */
struct gdb_rx {
	int state;			/* where in "$...#xx" we are */
	size_t len;			/* payload bytes kept */
	bool overflow;			/* the payload outgrew buf */
	uint8_t sum;			/* checksum of the payload so far */
	uint8_t want;			/* checksum sent by gdb */
	char buf[GDB_PACKET_MAX + 1];	/* the payload, still escaped, NUL-terminated */
};

/* gdb_rx_init - reset @rx to wait for a packet. */
void gdb_rx_init(struct gdb_rx *rx);

/*
 * gdb_rx_feed - take one byte @c from the connection. Returns the event it completes. Bytes
 * outside packets other than '+', '-' and 0x03 are ignored; a '$' inside a packet starts it
 * again (gdb resent it). After GDB_RX_PACKET the payload is in rx->buf until the next feed.
 */
enum gdb_rx_event gdb_rx_feed(struct gdb_rx *rx, uint8_t c);

/*
 * gdb_frame - write "$<payload>#xx" into @out (@cap bytes). The payload's '#', '$', '}' and '*'
 * are escaped ('}' then the byte xor 0x20); runs of 4 or more other bytes are run-length
 * encoded ("c*N", N = 29 + repeats, never '#' or '$'). Returns the frame's length or -ENOSPC.
 */
ssize_t gdb_frame(char *out, size_t cap, const void *payload, size_t len);

/*
 * gdb_unframe - the inverse, as a debugger reads a reply: check "$...#xx", expand run-length
 * encoding (it repeats the previous byte as sent), then undo escapes, into @out (@cap bytes).
 * Returns the payload length, -EINVAL (not a frame, a bad escape or repeat), -EBADMSG (wrong
 * checksum) or -ENOSPC.
 */
ssize_t gdb_unframe(const char *frame, size_t len, void *out, size_t cap);

/* gdb_unescape - undo '}' escapes of binary data in place. Returns the new length or -EINVAL (a trailing '}'). */
ssize_t gdb_unescape(uint8_t *buf, size_t len);

/* gdb_hex_digit - the value of hex digit @c, or -1. */
int gdb_hex_digit(int c);

/* gdb_hex_encode - write 2 * @len lowercase hex digits of @data to @out (no NUL). */
void gdb_hex_encode(char *out, const void *data, size_t len);

/* gdb_hex_decode - read exactly 2 * @len hex digits from @hex into @out. 0 or -EINVAL. */
int gdb_hex_decode(void *out, const char *hex, size_t len);

/*
 * gdb_parse_hex - read a hex number (at least one digit, at most 64 bits) at *@p and advance
 * *@p past it. 0, -EINVAL (no digit) or -ERANGE (too large).
 */
int gdb_parse_hex(const char **p, uint64_t *out);

#endif
