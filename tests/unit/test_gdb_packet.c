/* Unit tests of the gdb packet codec: checksums, the byte-at-a-time receiver, escapes, run-length encoding, binary data, hex. */
#include "tests/unit/suites.h"

#include "vmm/gdb/packet.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct gdb_rx rx;

/* Feed @s (@len bytes) and return the last event, counting events other than NONE in *@nev. */
static enum gdb_rx_event feed(const char *s, size_t len, int *nev)
{
	enum gdb_rx_event last = GDB_RX_NONE;

	*nev = 0;
	for (size_t i = 0; i < len; i++) {
		enum gdb_rx_event e = gdb_rx_feed(&rx, (uint8_t)s[i]);

		if (e != GDB_RX_NONE) {
			last = e;
			(*nev)++;
		}
	}
	return last;
}

static enum gdb_rx_event feed_str(const char *s)
{
	int n;

	return feed(s, strlen(s), &n);
}

START_TEST(checksums)
{
	ck_assert_uint_eq(gdb_checksum("OK", 2), 0x9a);
	ck_assert_uint_eq(gdb_checksum("", 0), 0);
	ck_assert_uint_eq(gdb_checksum("qSupported", 10), 0x37);
	ck_assert_uint_eq(gdb_checksum("\xff\xff", 2), 0xfe);	/* modulo 256 */
}
END_TEST

START_TEST(rx_packets_and_acks)
{
	gdb_rx_init(&rx);
	ck_assert_int_eq(feed_str("$OK#9a"), GDB_RX_PACKET);
	ck_assert_str_eq(rx.buf, "OK");
	ck_assert_uint_eq(rx.len, 2);
	ck_assert_int_eq(feed_str("$OK#9A"), GDB_RX_PACKET);	/* either case of hex */
	ck_assert_int_eq(feed_str("+"), GDB_RX_ACK);
	ck_assert_int_eq(feed_str("-"), GDB_RX_NAK);
	ck_assert_int_eq(feed_str("\x03"), GDB_RX_INTERRUPT);
	ck_assert_int_eq(feed_str("garbage"), GDB_RX_NONE);	/* noise between packets is ignored */
	ck_assert_int_eq(feed_str("$#00"), GDB_RX_PACKET);	/* the empty packet */
	ck_assert_uint_eq(rx.len, 0);
	/* 0x03 inside a packet is data, not Ctrl-C */
	ck_assert_int_eq(feed_str("$a\x03#64"), GDB_RX_PACKET);
	ck_assert_uint_eq(rx.len, 2);
}
END_TEST

START_TEST(rx_bad_checksums)
{
	gdb_rx_init(&rx);
	ck_assert_int_eq(feed_str("$OK#9b"), GDB_RX_BAD_CHECKSUM);
	ck_assert_int_eq(feed_str("$OK#zz"), GDB_RX_BAD_CHECKSUM);	/* not hex */
	ck_assert_int_eq(feed_str("$OK#9z"), GDB_RX_BAD_CHECKSUM);
	/* the receiver is back in step after a bad one */
	ck_assert_int_eq(feed_str("$OK#9a"), GDB_RX_PACKET);
	ck_assert_str_eq(rx.buf, "OK");
}
END_TEST

START_TEST(rx_restart_on_dollar)
{
	int n;

	gdb_rx_init(&rx);
	/* a packet cut short by a new '$' is dropped; the new one counts */
	ck_assert_int_eq(feed("$m10,4$OK#9a", 12, &n), GDB_RX_PACKET);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(rx.buf, "OK");
}
END_TEST

START_TEST(rx_oversized)
{
	size_t len = GDB_PACKET_MAX + 10;
	char *big = malloc(len + 4);
	char sum[3];

	memset(big, 'a', len);
	snprintf(sum, sizeof(sum), "%02x", gdb_checksum(big, len));
	gdb_rx_init(&rx);
	ck_assert_int_eq(gdb_rx_feed(&rx, '$'), GDB_RX_NONE);
	for (size_t i = 0; i < len; i++)
		ck_assert_int_eq(gdb_rx_feed(&rx, 'a'), GDB_RX_NONE);
	ck_assert_int_eq(gdb_rx_feed(&rx, '#'), GDB_RX_NONE);
	ck_assert_int_eq(gdb_rx_feed(&rx, (uint8_t)sum[0]), GDB_RX_NONE);
	ck_assert_int_eq(gdb_rx_feed(&rx, (uint8_t)sum[1]), GDB_RX_OVERSIZED);
	ck_assert_uint_eq(rx.len, 0);
	/* the largest allowed packet is fine */
	memset(big, 'b', GDB_PACKET_MAX);
	snprintf(sum, sizeof(sum), "%02x", gdb_checksum(big, GDB_PACKET_MAX));
	gdb_rx_feed(&rx, '$');
	for (size_t i = 0; i < GDB_PACKET_MAX; i++)
		gdb_rx_feed(&rx, 'b');
	gdb_rx_feed(&rx, '#');
	gdb_rx_feed(&rx, (uint8_t)sum[0]);
	ck_assert_int_eq(gdb_rx_feed(&rx, (uint8_t)sum[1]), GDB_RX_PACKET);
	ck_assert_uint_eq(rx.len, GDB_PACKET_MAX);
	free(big);
}
END_TEST

START_TEST(frame_plain_and_escapes)
{
	char out[64], back[64];
	ssize_t n;

	n = gdb_frame(out, sizeof(out), "OK", 2);
	ck_assert_int_eq(n, 6);
	ck_assert_mem_eq(out, "$OK#9a", 6);
	n = gdb_frame(out, sizeof(out), "", 0);
	ck_assert_mem_eq(out, "$#00", 4);
	/* '#', '$', '}' and '*' are sent as '}' and the byte xor 0x20 */
	n = gdb_frame(out, sizeof(out), "a#b$c}d*", 8);
	ck_assert_int_eq(n, 1 + 12 + 3);
	ck_assert_mem_eq(out, "$a}\x03" "b}\x04" "c}]d}\x0a#", 14);
	ck_assert_int_eq(gdb_unframe(out, (size_t)n, back, sizeof(back)), 8);
	ck_assert_mem_eq(back, "a#b$c}d*", 8);
	/* no room */
	ck_assert_int_eq(gdb_frame(out, 5, "OK", 2), -ENOSPC);
	ck_assert_int_eq(gdb_frame(out, 3, "", 0), -ENOSPC);
}
END_TEST

START_TEST(frame_run_length)
{
	char out[64];
	ssize_t n;

	/* ten zeros: '0' and 9 repeats, count byte 29 + 9 = '&' */
	n = gdb_frame(out, sizeof(out), "0000000000", 10);
	ck_assert_int_eq(n, 3 + 4);
	ck_assert_mem_eq(out, "$0*&#", 5);
	/* three equal bytes are cheaper as they are */
	n = gdb_frame(out, sizeof(out), "aaa", 3);
	ck_assert_mem_eq(out, "$aaa#", 5);
	/* 7 and 8 equal bytes would need the counts '#' and '$': never used */
	for (size_t len = 7; len <= 8; len++) {
		char in[8];

		memset(in, 'x', len);
		n = gdb_frame(out, sizeof(out), in, len);
		ck_assert_int_gt(n, 0);
		for (ssize_t i = 1; i < n - 3; i++)
			ck_assert_msg(out[i] != '#' && out[i] != '$', "run of %zu framed with a '%c'", len, out[i]);
	}
}
END_TEST

/* Every run length from 1 to 300 of every byte value frames and unframes to itself. */
START_TEST(frame_roundtrip_all_runs)
{
	char *out = malloc(GDB_FRAME_MAX);
	uint8_t in[300], back[300];

	for (int c = 0; c < 256; c++) {
		for (size_t len = 1; len <= sizeof(in); len += (len < 20 ? 1 : 37)) {
			ssize_t n, m;

			memset(in, c, len);
			in[len - 1] = (uint8_t)(c ^ 1);	/* and a different last byte */
			n = gdb_frame(out, GDB_FRAME_MAX, in, len);
			ck_assert_int_gt(n, 0);
			ck_assert_int_eq(out[0], '$');
			for (ssize_t i = 1; i < n - 3; i++)
				ck_assert(out[i] != '#' && out[i] != '$');
			m = gdb_unframe(out, (size_t)n, back, sizeof(back));
			ck_assert_int_eq(m, (ssize_t)len);
			ck_assert_mem_eq(back, in, len);
		}
	}
	free(out);
}
END_TEST

START_TEST(unframe_errors)
{
	char back[16];

	ck_assert_int_eq(gdb_unframe("OK#9a", 5, back, sizeof(back)), -EINVAL);
	ck_assert_int_eq(gdb_unframe("$OK", 3, back, sizeof(back)), -EINVAL);
	ck_assert_int_eq(gdb_unframe("$OK#9b", 6, back, sizeof(back)), -EBADMSG);
	ck_assert_int_eq(gdb_unframe("$*&#50", 6, back, sizeof(back)), -EINVAL);	/* repeat of nothing */
	ck_assert_int_eq(gdb_unframe("$0* #7a", 7, back, 2), -ENOSPC);
	ck_assert_int_eq(gdb_unframe("$a}#de", 6, back, sizeof(back)), -EINVAL);	/* dangling escape */
}
END_TEST

START_TEST(binary_unescape)
{
	uint8_t buf[] = { 'a', '}', 0x03, '}', 0x5d, 'b', '}', 0x0a, '}', 0x04 };
	uint8_t bad[] = { 'a', '}' };

	ck_assert_int_eq(gdb_unescape(buf, sizeof(buf)), 6);
	ck_assert_mem_eq(buf, "a#}b*$", 6);
	ck_assert_int_eq(gdb_unescape(bad, sizeof(bad)), -EINVAL);
	ck_assert_int_eq(gdb_unescape(buf, 0), 0);
}
END_TEST

START_TEST(hex)
{
	const uint8_t data[] = { 0x00, 0x7f, 0x80, 0xff, 0x12 };
	uint8_t back[5];
	const char *p;
	char out[16];
	uint64_t v;

	gdb_hex_encode(out, data, sizeof(data));
	ck_assert_mem_eq(out, "007f80ff12", 10);
	ck_assert_int_eq(gdb_hex_decode(back, "007F80fF12", 5), 0);
	ck_assert_mem_eq(back, data, 5);
	ck_assert_int_eq(gdb_hex_decode(back, "0g", 1), -EINVAL);
	ck_assert_int_eq(gdb_hex_decode(back, "0", 1), -EINVAL);	/* odd length hits the NUL */
	ck_assert_int_eq(gdb_hex_digit('f'), 15);
	ck_assert_int_eq(gdb_hex_digit('G'), -1);
	p = "1027d0,1";
	ck_assert_int_eq(gdb_parse_hex(&p, &v), 0);
	ck_assert_uint_eq(v, 0x1027d0);
	ck_assert_str_eq(p, ",1");
	p = "ffffffffffffffff";
	ck_assert_int_eq(gdb_parse_hex(&p, &v), 0);
	ck_assert_uint_eq(v, ~0ull);
	p = "10000000000000000";
	ck_assert_int_eq(gdb_parse_hex(&p, &v), -ERANGE);
	p = ",1";
	ck_assert_int_eq(gdb_parse_hex(&p, &v), -EINVAL);
}
END_TEST

Suite *gdb_packet_suite(void)
{
	Suite *s = suite_create("gdb_packet");
	TCase *tc = tcase_create("codec");

	tcase_add_test(tc, checksums);
	tcase_add_test(tc, rx_packets_and_acks);
	tcase_add_test(tc, rx_bad_checksums);
	tcase_add_test(tc, rx_restart_on_dollar);
	tcase_add_test(tc, rx_oversized);
	tcase_add_test(tc, frame_plain_and_escapes);
	tcase_add_test(tc, frame_run_length);
	tcase_add_test(tc, frame_roundtrip_all_runs);
	tcase_add_test(tc, unframe_errors);
	tcase_add_test(tc, binary_unescape);
	tcase_add_test(tc, hex);
	suite_add_tcase(s, tc);
	return s;
}
