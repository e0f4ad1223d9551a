/* The GDB remote-serial-protocol packet codec: a byte-at-a-time receiver, framing with escapes and run-length encoding, hex. */
#include "vmm/gdb/packet.h"

#include <errno.h>
#include <string.h>

enum {
	RX_IDLE,	/* between packets */
	RX_DATA,	/* after '$' */
	RX_SUM1,	/* after '#' */
	RX_SUM2,	/* after the first checksum digit */
};

/* A run-length count byte is 29 + repeats, printable, never '#' (6 repeats) or '$' (7). */
#define RLE_MIN_REPEATS 3
#define RLE_MAX_REPEATS 97

uint8_t gdb_checksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum;
}

int gdb_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void gdb_hex_encode(char *out, const void *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *p = data;

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xf];
	}
}

int gdb_hex_decode(void *out, const char *hex, size_t len)
{
	uint8_t *p = out;

	for (size_t i = 0; i < len; i++) {
		int hi = gdb_hex_digit((unsigned char)hex[2 * i]);
		int lo = hi < 0 ? -1 : gdb_hex_digit((unsigned char)hex[2 * i + 1]);

		if (lo < 0)
			return -EINVAL;
		p[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int gdb_parse_hex(const char **p, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int d;

	if (gdb_hex_digit((unsigned char)*s) < 0)
		return -EINVAL;
	for (; (d = gdb_hex_digit((unsigned char)*s)) >= 0; s++) {
		if (v >> 60)
			return -ERANGE;
		v = v << 4 | (uint64_t)d;
	}
	*p = s;
	*out = v;
	return 0;
}

void gdb_rx_init(struct gdb_rx *rx)
{
	rx->state = RX_IDLE;
	rx->len = 0;
	rx->overflow = false;
	rx->sum = 0;
	rx->want = 0;
	rx->buf[0] = '\0';
}

static void rx_start(struct gdb_rx *rx)
{
	rx->state = RX_DATA;
	rx->len = 0;
	rx->overflow = false;
	rx->sum = 0;
}

enum gdb_rx_event gdb_rx_feed(struct gdb_rx *rx, uint8_t c)
{
	int d;

	switch (rx->state) {
	case RX_IDLE:
		if (c == '$')
			rx_start(rx);
		else if (c == '+')
			return GDB_RX_ACK;
		else if (c == '-')
			return GDB_RX_NAK;
		else if (c == 0x03)
			return GDB_RX_INTERRUPT;
		return GDB_RX_NONE;
	case RX_DATA:
		if (c == '#') {
			rx->state = RX_SUM1;
		} else if (c == '$') {
			rx_start(rx);	/* gdb gave up on the last packet and started again */
		} else {
			rx->sum = (uint8_t)(rx->sum + c);
			if (rx->len < GDB_PACKET_MAX)
				rx->buf[rx->len++] = (char)c;
			else
				rx->overflow = true;
		}
		return GDB_RX_NONE;
	case RX_SUM1:
		d = gdb_hex_digit(c);
		if (d < 0) {
			rx->state = RX_IDLE;
			return GDB_RX_BAD_CHECKSUM;
		}
		rx->want = (uint8_t)(d << 4);
		rx->state = RX_SUM2;
		return GDB_RX_NONE;
	default:
		rx->state = RX_IDLE;
		d = gdb_hex_digit(c);
		if (d < 0 || (uint8_t)(rx->want | d) != rx->sum)
			return GDB_RX_BAD_CHECKSUM;
		if (rx->overflow) {
			rx->len = 0;
			rx->buf[0] = '\0';
			return GDB_RX_OVERSIZED;
		}
		rx->buf[rx->len] = '\0';
		return GDB_RX_PACKET;
	}
}

static bool frame_special(uint8_t c)
{
	return c == '#' || c == '$' || c == '}' || c == '*';
}

ssize_t gdb_frame(char *out, size_t cap, const void *payload, size_t len)
{
	const uint8_t *p = payload;
	size_t n = 0, i = 0;
	uint8_t sum;

	if (cap < 4)
		return -ENOSPC;
	out[n++] = '$';
	while (i < len) {
		uint8_t c = p[i];
		size_t run = 1;

		if (frame_special(c)) {
			if (n + 2 > cap - 3)
				return -ENOSPC;
			out[n++] = '}';
			out[n++] = (char)(c ^ 0x20);
			i++;
			continue;
		}
		while (i + run < len && p[i + run] == c && run - 1 < RLE_MAX_REPEATS)
			run++;
		if (run - 1 == 6 || run - 1 == 7)
			run = 6;	/* 5 repeats: the counts 6 and 7 would be '#' and '$' */
		if (run - 1 >= RLE_MIN_REPEATS) {
			if (n + 3 > cap - 3)
				return -ENOSPC;
			out[n++] = (char)c;
			out[n++] = '*';
			out[n++] = (char)(29 + run - 1);
		} else {
			run = 1;
			if (n + 1 > cap - 3)
				return -ENOSPC;
			out[n++] = (char)c;
		}
		i += run;
	}
	sum = gdb_checksum(out + 1, n - 1);
	out[n++] = '#';
	gdb_hex_encode(out + n, &sum, 1);
	return (ssize_t)(n + 2);
}

ssize_t gdb_unescape(uint8_t *buf, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '}') {
			if (++i == len)
				return -EINVAL;
			buf[o++] = buf[i] ^ 0x20;
		} else {
			buf[o++] = buf[i];
		}
	}
	return (ssize_t)o;
}

/* Decoding a reply: run-length expansion acts on the escaped stream, escapes are undone after it. */
struct unframe {
	uint8_t *out;
	size_t n, cap;
	bool esc;		/* the last raw byte was '}' */
};

static int unframe_put(struct unframe *u, uint8_t raw)
{
	if (!u->esc && raw == '}') {
		u->esc = true;
		return 0;
	}
	if (u->n == u->cap)
		return -ENOSPC;
	u->out[u->n++] = u->esc ? raw ^ 0x20 : raw;
	u->esc = false;
	return 0;
}

ssize_t gdb_unframe(const char *frame, size_t len, void *out, size_t cap)
{
	struct unframe u = { .out = out, .cap = cap };
	uint8_t want, prev = 0;
	bool have_prev = false;
	size_t body;

	if (len < 4 || frame[0] != '$' || frame[len - 3] != '#')
		return -EINVAL;
	body = len - 4;
	if (gdb_hex_decode(&want, frame + len - 2, 1) < 0)
		return -EINVAL;
	if (gdb_checksum(frame + 1, body) != want)
		return -EBADMSG;
	for (size_t i = 1; i <= body; i++) {
		uint8_t c = (uint8_t)frame[i];
		int r = 0;

		if (c == '*') {
			if (!have_prev || i == body)
				return -EINVAL;
			c = (uint8_t)frame[++i];
			if (c < 29 + RLE_MIN_REPEATS || c > 29 + RLE_MAX_REPEATS)
				return -EINVAL;
			for (size_t k = 0; k < (size_t)c - 29 && r == 0; k++)
				r = unframe_put(&u, prev);
		} else {
			r = unframe_put(&u, c);
			prev = c;
			have_prev = true;
		}
		if (r < 0)
			return r;
	}
	return u.esc ? -EINVAL : (ssize_t)u.n;
}
