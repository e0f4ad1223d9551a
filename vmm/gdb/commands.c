/* The gdb remote-protocol commands: registers, memory, breakpoints, all-stop resume and stop replies, against gdb_target_ops. */
#include "vmm/gdb/commands.h"

#include "vmm/gdb/commands_internal.h"
#include "vmm/gdb/packet.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GDB_SIGINT 2
#define GDB_SIGTRAP 5
#define THREAD_ALL (-1)
#define THREAD_ANY (-2)

void gdb_reply(struct gdb_session *s, const char *payload)
{
	s->send(s->io, payload, strlen(payload));
}

void gdb_reply_error(struct gdb_session *s, int err)
{
	char buf[8];

	snprintf(buf, sizeof(buf), "E%02x", (unsigned int)(err < 0 ? -err : err) & 0xff);
	gdb_reply(s, buf);
}

static void reply_stop(struct gdb_session *s, const struct gdb_stop *ev)
{
	char buf[96];
	int n;

	n = snprintf(buf, sizeof(buf), "T%02xthread:%x;", ev->reason == GDB_STOP_INTERRUPT ? GDB_SIGINT : GDB_SIGTRAP,
		     ev->cpu + 1);
	switch (ev->reason) {
	case GDB_STOP_SWBREAK:
		snprintf(buf + n, sizeof(buf) - (size_t)n, "swbreak:;");
		break;
	case GDB_STOP_HWBREAK:
		snprintf(buf + n, sizeof(buf) - (size_t)n, "hwbreak:;");
		break;
	case GDB_STOP_WATCH:
		snprintf(buf + n, sizeof(buf) - (size_t)n, "watch:%llx;", (unsigned long long)ev->addr);
		break;
	case GDB_STOP_AWATCH:
		snprintf(buf + n, sizeof(buf) - (size_t)n, "awatch:%llx;", (unsigned long long)ev->addr);
		break;
	default:
		break;
	}
	s->last = *ev;
	s->gcpu = ev->cpu;	/* gdb and gdbserver both take the reporting thread as the general one */
	gdb_reply(s, buf);
}

/* Parse "ADDR,LEN" at *@p; leaves *@p after LEN. */
int gdb_parse_addr_len(const char **p, uint64_t *addr, uint64_t *len)
{
	if (gdb_parse_hex(p, addr) < 0 || **p != ',')
		return -EINVAL;
	(*p)++;
	return gdb_parse_hex(p, len) < 0 ? -EINVAL : 0;
}

/* A thread id: "-1" (all), "0" (any) or 1..ncpus, stored as THREAD_ALL, THREAD_ANY or a vCPU index. */
int gdb_parse_thread(struct gdb_session *s, const char **p, int *cpu)
{
	uint64_t v;

	if ((*p)[0] == '-' && (*p)[1] == '1') {
		*p += 2;
		*cpu = THREAD_ALL;
		return 0;
	}
	if (gdb_parse_hex(p, &v) < 0)
		return -EINVAL;
	if (v == 0) {
		*cpu = THREAD_ANY;
		return 0;
	}
	if (v > s->ncpus)
		return -ESRCH;
	*cpu = (int)(v - 1);
	return 0;
}

/* --- breakpoints in guest memory ------------------------------------------------------------- */

static int poke_byte(struct gdb_session *s, unsigned int cpu, uint64_t addr, uint8_t b)
{
	return s->ops->write_mem(s->target, cpu, addr, &b, 1);
}

static int swbp_insert(struct gdb_session *s, uint64_t addr)
{
	uint8_t orig;
	int r;

	if (gdb_swbp_find(s->bps, addr, NULL))
		return 0;
	r = s->ops->read_mem(s->target, s->gcpu, addr, &orig, 1);
	if (r <= 0)
		return r < 0 ? r : -EFAULT;
	r = gdb_swbp_add(s->bps, addr, orig);
	if (r < 0)
		return r;
	r = poke_byte(s, s->gcpu, addr, GDB_INT3);
	if (r < 0)
		gdb_swbp_del(s->bps, addr, NULL);
	return r;
}

/* Put the hidden byte back, unless the guest has replaced the int3 meanwhile. */
static void swbp_restore(struct gdb_session *s, unsigned int cpu, uint64_t addr, uint8_t orig)
{
	uint8_t cur;

	if (s->ops->read_mem(s->target, cpu, addr, &cur, 1) == 1 && cur == GDB_INT3)
		poke_byte(s, cpu, addr, orig);
}

static int swbp_remove(struct gdb_session *s, uint64_t addr)
{
	uint8_t orig;

	if (gdb_swbp_del(s->bps, addr, &orig) == 0)
		swbp_restore(s, s->gcpu, addr, orig);
	return 0;
}

static void remove_all_breakpoints(struct gdb_session *s)
{
	uint64_t addr;
	uint8_t orig;

	while (gdb_swbp_first(s->bps, &addr, &orig)) {
		gdb_swbp_del(s->bps, addr, NULL);
		swbp_restore(s, s->gcpu, addr, orig);
	}
	gdb_hw_clear(s->bps);
}

static void handle_breakpoint(struct gdb_session *s, const char *pkt)
{
	bool insert = pkt[0] == 'Z';
	const char *p = pkt + 1;
	uint64_t type, addr, kind;
	int r;

	if (gdb_parse_hex(&p, &type) < 0 || *p++ != ',' || gdb_parse_addr_len(&p, &addr, &kind) < 0 ||
	    (*p && *p != ';')) {
		gdb_reply_error(s, EINVAL);
		return;
	}
	if (type == 0) {
		r = insert ? swbp_insert(s, addr) : swbp_remove(s, addr);
	} else if ((type == GDB_HW_EXEC || type == GDB_HW_WRITE || type == GDB_HW_ACCESS) &&
		   s->ops->hw_slots(s->target) > 0) {
		r = insert ? gdb_hw_add(s->bps, (enum gdb_hw_type)type, addr, kind)
			   : gdb_hw_del(s->bps, (enum gdb_hw_type)type, addr, kind);
		if (r == -ENOENT)
			r = 0;
	} else {
		/* No debug registers (or a read-only watchpoint, which x86 cannot do): gdb uses its own. */
		gdb_reply(s, "");
		return;
	}
	if (r < 0)
		gdb_reply_error(s, r);
	else
		gdb_reply(s, "OK");
}

/* --- registers and memory ---------------------------------------------------------------------- */

static void handle_read_regs(struct gdb_session *s)
{
	struct gdb_regs r;
	int ret = s->ops->get_regs(s->target, s->gcpu, &r);

	if (ret < 0 || gdb_regs_to_hex(&r, s->out, GDB_PACKET_MAX + 1) < 0) {
		gdb_reply_error(s, ret < 0 ? ret : -ENOSPC);
		return;
	}
	gdb_reply(s, s->out);
}

static void handle_write_regs(struct gdb_session *s, const char *hex, size_t len)
{
	struct gdb_regs r;
	int ret = s->ops->get_regs(s->target, s->gcpu, &r);

	if (ret == 0)
		ret = gdb_regs_from_hex(&r, hex, len);
	if (ret == 0)
		ret = s->ops->set_regs(s->target, s->gcpu, &r);
	if (ret < 0)
		gdb_reply_error(s, ret);
	else
		gdb_reply(s, "OK");
}

static void handle_read_reg(struct gdb_session *s, const char *p)
{
	struct gdb_regs r;
	uint64_t n;
	int ret;

	if (gdb_parse_hex(&p, &n) < 0 || *p || n >= GDB_NREGS) {
		gdb_reply_error(s, EINVAL);
		return;
	}
	ret = s->ops->get_regs(s->target, s->gcpu, &r);
	if (ret < 0 || gdb_reg_to_hex(&r, (unsigned int)n, s->out, GDB_PACKET_MAX + 1) < 0) {
		gdb_reply_error(s, ret < 0 ? ret : -EINVAL);
		return;
	}
	gdb_reply(s, s->out);
}

static void handle_write_reg(struct gdb_session *s, const char *p, const char *end)
{
	struct gdb_regs r;
	uint64_t n;
	int ret;

	if (gdb_parse_hex(&p, &n) < 0 || *p++ != '=' || n >= GDB_NREGS) {
		gdb_reply_error(s, EINVAL);
		return;
	}
	ret = s->ops->get_regs(s->target, s->gcpu, &r);
	if (ret == 0)
		ret = gdb_reg_from_hex(&r, (unsigned int)n, p, (size_t)(end - p));
	if (ret == 0)
		ret = s->ops->set_regs(s->target, s->gcpu, &r);
	if (ret < 0)
		gdb_reply_error(s, ret);
	else
		gdb_reply(s, "OK");
}

static void handle_read_mem(struct gdb_session *s, const char *p)
{
	uint64_t addr, len;
	int r;

	if (gdb_parse_addr_len(&p, &addr, &len) < 0 || *p || len == 0) {
		gdb_reply_error(s, EINVAL);
		return;
	}
	if (len > GDB_PACKET_MAX / 2)
		len = GDB_PACKET_MAX / 2;	/* a short reply is allowed; gdb asks for the rest */
	r = s->ops->read_mem(s->target, s->gcpu, addr, s->mem, (size_t)len);
	if (r <= 0) {
		gdb_reply_error(s, r < 0 ? r : -EFAULT);
		return;
	}
	gdb_swbp_mask(s->bps, addr, s->mem, (size_t)r);
	gdb_hex_encode(s->out, s->mem, (size_t)r);
	s->out[2 * r] = '\0';
	gdb_reply(s, s->out);
}

/* Write @len bytes at s->mem to guest @addr, keeping planted breakpoints planted. */
static int write_through(struct gdb_session *s, uint64_t addr, size_t len)
{
	int r;

	memcpy(s->out, s->mem, len);
	gdb_swbp_plant_in(s->bps, addr, (uint8_t *)s->out, len);
	r = s->ops->write_mem(s->target, s->gcpu, addr, s->out, len);
	if (r == 0)
		gdb_swbp_set_orig(s->bps, addr, s->mem, len);
	return r;
}

static void handle_write_mem(struct gdb_session *s, const char *pkt, size_t pktlen)
{
	bool binary = pkt[0] == 'X';
	const char *p = pkt + 1, *data;
	uint64_t addr, len;
	size_t have;
	int r;

	if (gdb_parse_addr_len(&p, &addr, &len) < 0 || *p != ':') {
		gdb_reply_error(s, EINVAL);
		return;
	}
	data = p + 1;
	have = pktlen - (size_t)(data - pkt);
	if (len > GDB_PACKET_MAX) {
		gdb_reply_error(s, EINVAL);
		return;
	}
	if (binary) {
		ssize_t n;

		memcpy(s->mem, data, have);
		n = gdb_unescape(s->mem, have);
		if (n < 0 || (uint64_t)n != len) {
			gdb_reply_error(s, EINVAL);
			return;
		}
	} else if (have != 2 * len || gdb_hex_decode(s->mem, data, (size_t)len) < 0) {
		gdb_reply_error(s, EINVAL);
		return;
	}
	if (len == 0) {
		gdb_reply(s, "OK");	/* gdb's probe for X support */
		return;
	}
	r = write_through(s, addr, (size_t)len);
	if (r < 0)
		gdb_reply_error(s, r);
	else
		gdb_reply(s, "OK");
}

/* --- run control ---------------------------------------------------------------------------- */

static int target_resume(struct gdb_session *s, const uint8_t *run)
{
	struct gdb_resume r = {
		.run = run,
		.sw_breakpoints = gdb_swbp_count(s->bps) > 0 || s->guest_int3,
		.hw_breakpoints = gdb_hw_in_use(s->bps),
		.guest_int3 = s->guest_int3,
	};

	if (r.hw_breakpoints)
		gdb_hw_debugregs(s->bps, r.dr, &r.dr7);
	return s->ops->resume(s->target, &r);
}

/* Step vCPU @cpu alone off the planted breakpoint at @addr: the int3 is lifted for that one instruction. */
static int stepover_start(struct gdb_session *s, unsigned int cpu, uint64_t addr, bool report)
{
	uint8_t orig;
	int r;

	if (!gdb_swbp_find(s->bps, addr, &orig))
		return -ENOENT;
	r = poke_byte(s, cpu, addr, orig);
	if (r < 0)
		return r;
	s->stepover.active = true;
	s->stepover.cpu = cpu;
	s->stepover.addr = addr;
	s->stepover.report = report;
	memset(s->run + s->ncpus, GDB_RUN_STAY, s->ncpus);
	s->run[s->ncpus + cpu] = GDB_RUN_STEP;
	r = target_resume(s, s->run + s->ncpus);
	if (r < 0)
		poke_byte(s, cpu, addr, GDB_INT3);
	s->stepover.active = r == 0;
	return r;
}

/* The step off the breakpoint is over (or was cut short): plant the int3 again. */
static void stepover_end(struct gdb_session *s)
{
	if (gdb_swbp_find(s->bps, s->stepover.addr, NULL))
		poke_byte(s, s->stepover.cpu, s->stepover.addr, GDB_INT3);
	s->stepover.active = false;
}

/* Is vCPU @cpu's PC on a breakpoint the stub keeps planted? */
static bool pc_on_breakpoint(struct gdb_session *s, unsigned int cpu, uint64_t *pc)
{
	struct gdb_regs r;

	if (s->ops->get_regs(s->target, cpu, &r) < 0)
		return false;
	*pc = r.rip;
	return gdb_swbp_find(s->bps, r.rip, NULL);
}

/* Resume as s->run[0..ncpus) says. In all-stop a step runs its vCPU alone. */
static void resume(struct gdb_session *s)
{
	int stepper = -1;
	bool any = false;
	uint64_t pc;
	int r;

	for (unsigned int i = 0; i < s->ncpus; i++) {
		if (s->run[i] == GDB_RUN_STEP && stepper < 0)
			stepper = (int)i;
		any |= s->run[i] != GDB_RUN_STAY;
	}
	if (!any) {
		gdb_reply_error(s, ESRCH);
		return;
	}
	if (stepper >= 0) {
		memset(s->run, GDB_RUN_STAY, s->ncpus);
		s->run[stepper] = GDB_RUN_STEP;
		if (pc_on_breakpoint(s, (unsigned int)stepper, &pc))
			r = stepover_start(s, (unsigned int)stepper, pc, true);
		else
			r = target_resume(s, s->run);
	} else if (s->last.reason == GDB_STOP_SWBREAK && s->last.cpu < s->ncpus &&
		   s->run[s->last.cpu] == GDB_RUN_CONTINUE && pc_on_breakpoint(s, s->last.cpu, &pc) &&
		   pc == s->last.addr) {
		/* gdb continues from the breakpoint it was told about, with the int3 still there. */
		r = stepover_start(s, s->last.cpu, pc, false);
	} else {
		r = target_resume(s, s->run);
	}
	if (r < 0) {
		gdb_reply_error(s, r);
		return;
	}
	s->state = GDB_SESSION_RUNNING;
}

/* Set vCPU @cpu's PC (the optional address of c, s, C, S). */
static int set_pc(struct gdb_session *s, unsigned int cpu, uint64_t pc)
{
	struct gdb_regs r;
	int ret = s->ops->get_regs(s->target, cpu, &r);

	if (ret < 0)
		return ret;
	r.rip = pc;
	return s->ops->set_regs(s->target, cpu, &r);
}

/* c [ADDR], s [ADDR], C SIG[;ADDR], S SIG[;ADDR]: the old single-thread resume packets. */
static void handle_legacy_resume(struct gdb_session *s, const char *pkt)
{
	bool step = pkt[0] == 's' || pkt[0] == 'S';
	unsigned int cpu = step && s->ccpu >= 0 ? (unsigned int)s->ccpu : s->gcpu;
	const char *p = pkt + 1;
	uint64_t v;

	if (pkt[0] == 'C' || pkt[0] == 'S') {
		if (gdb_parse_hex(&p, &v) < 0 || (*p && *p != ';')) {
			gdb_reply_error(s, EINVAL);
			return;
		}
		if (*p == ';')
			p++;
	}
	if (*p) {
		if (gdb_parse_hex(&p, &v) < 0 || *p) {
			gdb_reply_error(s, EINVAL);
			return;
		}
		if (set_pc(s, cpu, v) < 0) {
			gdb_reply_error(s, EIO);
			return;
		}
	}
	memset(s->run, step ? GDB_RUN_STAY : GDB_RUN_CONTINUE, s->ncpus);
	if (step)
		s->run[cpu] = GDB_RUN_STEP;
	resume(s);
}

/* vCont;ACTION[:TID]...: the first action naming a thread (or naming none) decides for it. */
static void handle_vcont(struct gdb_session *s, const char *p)
{
	bool *decided = (bool *)(s->run + s->ncpus);	/* scratch until resume() */

	memset(s->run, GDB_RUN_STAY, s->ncpus);
	memset(decided, 0, s->ncpus);
	while (*p == ';') {
		uint8_t act;
		int cpu = THREAD_ALL;
		uint64_t sig;

		p++;
		switch (*p++) {
		case 'c':
			act = GDB_RUN_CONTINUE;
			break;
		case 's':
			act = GDB_RUN_STEP;
			break;
		case 't':
			act = GDB_RUN_STAY;
			break;
		case 'C':
		case 'S':
			act = p[-1] == 'C' ? GDB_RUN_CONTINUE : GDB_RUN_STEP;
			if (gdb_parse_hex(&p, &sig) < 0)
				goto bad;
			break;
		default:
			goto bad;
		}
		if (*p == ':') {
			p++;
			if (gdb_parse_thread(s, &p, &cpu) < 0)
				goto bad;
			if (cpu == THREAD_ANY)
				cpu = THREAD_ALL;
		}
		if (*p && *p != ';')
			goto bad;
		for (unsigned int i = 0; i < s->ncpus; i++) {
			if (!decided[i] && (cpu == THREAD_ALL || cpu == (int)i)) {
				s->run[i] = act;
				decided[i] = true;
			}
		}
	}
	if (*p)
		goto bad;
	resume(s);
	return;
bad:
	gdb_reply_error(s, EINVAL);
}

/* --- queries ------------------------------------------------------------------------------------ */

static void handle_v(struct gdb_session *s, const char *pkt)
{
	if (!strcmp(pkt, "vCont?")) {
		gdb_reply(s, "vCont;c;C;s;S;t");
	} else if (gdb_prefix(pkt, "vCont;") || !strcmp(pkt, "vCont")) {
		handle_vcont(s, pkt + 5);
	} else if (gdb_prefix(pkt, "vKill")) {
		gdb_reply(s, "OK");
		s->ops->kill(s->target);
		s->state = GDB_SESSION_ENDED;
	} else {
		gdb_reply(s, "");	/* vMustReplyEmpty and everything not supported */
	}
}

static void handle_set_thread(struct gdb_session *s, const char *p)
{
	char which = *p++;
	int cpu, r;

	if (which != 'g' && which != 'c') {
		gdb_reply_error(s, EINVAL);
		return;
	}
	r = gdb_parse_thread(s, &p, &cpu);
	if (r < 0 || *p) {
		gdb_reply_error(s, r < 0 ? r : -EINVAL);
		return;
	}
	if (which == 'g') {
		if (cpu >= 0)
			s->gcpu = (unsigned int)cpu;
	} else {
		s->ccpu = cpu >= 0 ? cpu : THREAD_ALL;
	}
	gdb_reply(s, "OK");
}

static void handle_thread_alive(struct gdb_session *s, const char *p)
{
	int cpu;

	if (gdb_parse_thread(s, &p, &cpu) < 0 || cpu < 0 || *p)
		gdb_reply_error(s, ESRCH);
	else
		gdb_reply(s, "OK");
}

/* --- the session -------------------------------------------------------------------------------- */

int gdb_session_init(struct gdb_session *s, const struct gdb_target_ops *ops, void *target,
		     struct gdb_bps *bps, void (*send)(void *io, const char *payload, size_t len), void *io,
		     const struct gdb_stop *initial)
{
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->target = target;
	s->bps = bps;
	s->send = send;
	s->io = io;
	s->ncpus = ops->ncpus(target);
	s->state = GDB_SESSION_STOPPED;
	s->ccpu = THREAD_ALL;
	s->last = *initial;
	s->gcpu = initial->cpu < s->ncpus ? initial->cpu : 0;
	s->run = calloc(2, s->ncpus ? s->ncpus : 1);
	s->out = malloc(GDB_PACKET_MAX + 1);
	s->mem = malloc(GDB_PACKET_MAX);
	if (!s->run || !s->out || !s->mem) {
		gdb_session_destroy(s);
		return -ENOMEM;
	}
	return 0;
}

void gdb_session_destroy(struct gdb_session *s)
{
	free(s->run);
	free(s->out);
	free(s->mem);
	s->run = NULL;
	s->out = NULL;
	s->mem = NULL;
	s->state = GDB_SESSION_ENDED;
}

void gdb_session_packet(struct gdb_session *s, const char *pkt, size_t len)
{
	if (s->state == GDB_SESSION_ENDED)
		return;
	if (s->state == GDB_SESSION_RUNNING) {
		gdb_reply_error(s, EBUSY);	/* in all-stop only Ctrl-C is expected while the guest runs */
		return;
	}
	switch (pkt[0]) {
	case '?':
		reply_stop(s, &s->last);
		break;
	case 'q':
	case 'Q':
		gdb_cmd_query(s, pkt);
		break;
	case 'v':
		handle_v(s, pkt);
		break;
	case 'H':
		handle_set_thread(s, pkt + 1);
		break;
	case 'T':
		handle_thread_alive(s, pkt + 1);
		break;
	case 'g':
		if (pkt[1])
			gdb_reply_error(s, EINVAL);
		else
			handle_read_regs(s);
		break;
	case 'G':
		handle_write_regs(s, pkt + 1, len - 1);
		break;
	case 'p':
		handle_read_reg(s, pkt + 1);
		break;
	case 'P':
		handle_write_reg(s, pkt + 1, pkt + len);
		break;
	case 'm':
		handle_read_mem(s, pkt + 1);
		break;
	case 'M':
	case 'X':
		handle_write_mem(s, pkt, len);
		break;
	case 'c':
	case 'C':
	case 's':
	case 'S':
		handle_legacy_resume(s, pkt);
		break;
	case 'Z':
	case 'z':
		handle_breakpoint(s, pkt);
		break;
	case 'D':
		gdb_reply(s, "OK");
		gdb_session_detach(s);
		break;
	case 'k':
		s->ops->kill(s->target);	/* no reply: gdb closes the connection */
		s->state = GDB_SESSION_ENDED;
		break;
	default:
		gdb_reply(s, "");
		break;
	}
}

/* Every vCPU is stopped and @ev says why: finish a step-over, or report. */
static void handle_stop(struct gdb_session *s, struct gdb_stop *ev, bool interrupted)
{
	if (s->stepover.active) {
		bool done = ev->reason == GDB_STOP_TRAP && ev->cpu == s->stepover.cpu;
		bool report = s->stepover.report;

		stepover_end(s);
		if (done && !report && !interrupted) {
			if (target_resume(s, s->run) == 0)
				return;		/* off the breakpoint: now the continue gdb asked for */
		}
		if (interrupted && done && !report)
			ev->reason = GDB_STOP_INTERRUPT;	/* the stub's own step: gdb asked for a stop */
	}
	s->state = GDB_SESSION_STOPPED;
	reply_stop(s, ev);
}

/* The thread a Ctrl-C stop names: one that was running, the current one if it was. */
static unsigned int interrupted_cpu(const struct gdb_session *s)
{
	if (s->stepover.active)
		return s->stepover.cpu;
	if (s->run[s->gcpu] != GDB_RUN_STAY)
		return s->gcpu;
	for (unsigned int i = 0; i < s->ncpus; i++)
		if (s->run[i] != GDB_RUN_STAY)
			return i;
	return s->gcpu;
}

void gdb_session_interrupt(struct gdb_session *s)
{
	struct gdb_stop ev;

	if (s->state != GDB_SESSION_RUNNING)
		return;
	if (s->ops->stop(s->target, &ev) <= 0) {
		ev.cpu = interrupted_cpu(s);
		ev.reason = GDB_STOP_INTERRUPT;
		ev.addr = 0;
	}
	handle_stop(s, &ev, true);
}

void gdb_session_target_event(struct gdb_session *s)
{
	struct gdb_stop ev = { 0 };
	int r;

	if (s->state != GDB_SESSION_RUNNING)
		return;
	r = s->ops->stop(s->target, &ev);
	if (r > 0) {
		handle_stop(s, &ev, false);
		return;
	}
	/* A stale wake-up (its event went with a Ctrl-C): carry on as before. */
	r = target_resume(s, s->stepover.active ? s->run + s->ncpus : s->run);
	if (r < 0) {
		ev.cpu = s->gcpu;
		ev.reason = GDB_STOP_INTERRUPT;
		handle_stop(s, &ev, true);
	}
}

void gdb_session_detach(struct gdb_session *s)
{
	struct gdb_stop ev;

	if (s->state == GDB_SESSION_ENDED)
		return;
	if (s->state == GDB_SESSION_RUNNING)
		s->ops->stop(s->target, &ev);
	if (s->stepover.active)
		stepover_end(s);
	remove_all_breakpoints(s);
	s->guest_int3 = false;		/* without a debugger the guest's int3s are its own again */
	memset(s->run, GDB_RUN_CONTINUE, s->ncpus);
	target_resume(s, s->run);	/* nothing planted: every vCPU's debugging is switched off */
	s->state = GDB_SESSION_ENDED;
}

void gdb_session_exited(struct gdb_session *s, int status)
{
	char buf[8];

	if (s->state == GDB_SESSION_RUNNING) {
		snprintf(buf, sizeof(buf), "W%02x", (unsigned int)status & 0xff);
		gdb_reply(s, buf);
	}
	s->state = GDB_SESSION_ENDED;
}
