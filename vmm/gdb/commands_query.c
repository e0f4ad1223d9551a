/* The gdb remote-protocol query packets (q..., Q...): features, threads, target description, monitor commands. */
#include "vmm/gdb/commands_internal.h"
#include "vmm/gdb/monitor.h"
#include "vmm/gdb/packet.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define THREADS_PER_REPLY 512	/* qfThreadInfo / qsThreadInfo chunk */

static void handle_thread_list(struct gdb_session *s, bool first)
{
	size_t n = 0;

	if (first)
		s->thread_next = 0;
	if (s->thread_next >= s->ncpus) {
		gdb_reply(s, "l");
		return;
	}
	s->out[n++] = 'm';
	for (unsigned int k = 0; k < THREADS_PER_REPLY && s->thread_next < s->ncpus; k++, s->thread_next++)
		n += (size_t)snprintf(s->out + n, GDB_PACKET_MAX + 1 - n, "%s%x", k ? "," : "", s->thread_next + 1);
	gdb_reply(s, s->out);
}

static void handle_xfer_features(struct gdb_session *s, const char *p)
{
	const char annex[] = "target.xml:";
	uint64_t off, len;
	ssize_t total;
	size_t chunk;

	if (strncmp(p, annex, sizeof(annex) - 1) != 0) {
		gdb_reply(s, "E00");	/* no such annex */
		return;
	}
	p += sizeof(annex) - 1;
	if (gdb_parse_addr_len(&p, &off, &len) < 0 || *p) {
		gdb_reply_error(s, EINVAL);
		return;
	}
	total = gdb_regs_tdesc((char *)s->mem, GDB_PACKET_MAX);
	if (total < 0) {
		gdb_reply_error(s, ENOSPC);
		return;
	}
	if (off >= (uint64_t)total) {
		gdb_reply(s, "l");
		return;
	}
	chunk = (size_t)total - (size_t)off;
	if (chunk > len)
		chunk = (size_t)len;
	if (chunk > GDB_PACKET_MAX - 1)
		chunk = GDB_PACKET_MAX - 1;
	s->out[0] = off + chunk < (uint64_t)total ? 'm' : 'l';
	memcpy(s->out + 1, s->mem + off, chunk);
	s->send(s->io, s->out, chunk + 1);
}

static void handle_extra_info(struct gdb_session *s, const char *p)
{
	char text[128];
	int cpu;

	if (gdb_parse_thread(s, &p, &cpu) < 0 || cpu < 0 || *p) {
		gdb_reply_error(s, EINVAL);
		return;
	}
	text[0] = '\0';
	s->ops->describe(s->target, (unsigned int)cpu, text, sizeof(text));
	gdb_hex_encode(s->out, text, strlen(text));
	s->out[2 * strlen(text)] = '\0';
	gdb_reply(s, s->out);
}

void gdb_cmd_query(struct gdb_session *s, const char *pkt)
{
	char buf[160];

	if (gdb_prefix(pkt, "qSupported")) {
		snprintf(buf, sizeof(buf), "PacketSize=%x;qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+",
			 GDB_PACKET_MAX);
		gdb_reply(s, buf);
	} else if (!strcmp(pkt, "QStartNoAckMode")) {
		gdb_reply(s, "OK");
		s->noack = true;	/* from the next packet on: the OK above still gets its ack */
	} else if (gdb_prefix(pkt, "qXfer:features:read:")) {
		handle_xfer_features(s, pkt + strlen("qXfer:features:read:"));
	} else if (!strcmp(pkt, "qfThreadInfo") || !strcmp(pkt, "qsThreadInfo")) {
		handle_thread_list(s, pkt[1] == 'f');
	} else if (!strcmp(pkt, "qC")) {
		snprintf(buf, sizeof(buf), "QC%x", s->gcpu + 1);
		gdb_reply(s, buf);
	} else if (gdb_prefix(pkt, "qAttached")) {
		gdb_reply(s, "1");	/* gdb attached to a running machine: quitting detaches, it does not kill */
	} else if (gdb_prefix(pkt, "qThreadExtraInfo,")) {
		handle_extra_info(s, pkt + strlen("qThreadExtraInfo,"));
	} else if (gdb_prefix(pkt, "qRcmd,")) {
		gdb_monitor(s, pkt + strlen("qRcmd,"));
	} else if (gdb_prefix(pkt, "qSymbol:")) {
		gdb_reply(s, "OK");
	} else {
		gdb_reply(s, "");
	}
}
