/* libFuzzer target: arbitrary bytes as gdb's side of a session (framed and raw packets, Ctrl-C, monitor command lines) against a fake machine whose registers, tables and page tables come from the input too. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/boot/boot.h"
#include "vmm/gdb/breakpoints.h"
#include "vmm/gdb/commands.h"
#include "vmm/gdb/image_map.h"
#include "vmm/gdb/packet.h"
#include "vmm/gdb/regs.h"
#include "vmm/gdb/x86_sys.h"

#define RAM 0x10000u			/* the fake's guest-physical memory */
#define MAX_CPUS 4u
#define KERNEL_VA 0xffffffff80000000ull	/* the image map: these virtual addresses are RAM too */
/* Where the fake keeps its machine state in its own RAM (from the input; packets may change it). */
#define SYS_AT(cpu) (0x0000u + 0x200u * (cpu))
#define REGS_AT(cpu) (0x0800u + 0x300u * (cpu))
#define LAPIC_AT 0x1400u
#define IOAPIC_AT 0x1800u
#define PIC_AT 0x1900u
#define HEAD 5u				/* ncpus, hw slots, flags, RAM image length (le16) */
#define MAX_STEPS 512u			/* records one input may make */

_Static_assert(sizeof(struct x86_sys) <= 0x200, "a vCPU's system registers fit their slot");
_Static_assert(sizeof(struct gdb_regs) <= 0x300, "a vCPU's registers fit their slot");
_Static_assert(REGS_AT(MAX_CPUS) <= LAPIC_AT && sizeof(struct x86_ioapic) <= PIC_AT - IOAPIC_AT, "layout");

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fake machine, reset for every input. */
static struct {
	uint8_t ram[RAM];
	unsigned int ncpus, hw_slots;
	struct gdb_regs regs[MAX_CPUS];
	bool have_ev;
	struct gdb_stop ev;		/* what the next stop() reports */
	uint8_t run[MAX_CPUS];		/* the last resume */
	struct gdb_resume last;
	int resumes, kills;
	int stepper;			/* the vCPU the last resume stepped, or -1 */
} fk;

static struct gdb_session sess;
static struct gdb_bps bps;
static uint8_t frame[GDB_FRAME_MAX];
static uint8_t unframed[GDB_PACKET_MAX + 1];

static const struct boot_map_seg image_map = { .vaddr = KERNEL_VA, .paddr = 0, .size = RAM };

/* Guest-virtual to physical: identity below RAM's end, and the kernel image's map. */
static int translate(uint64_t va, uint64_t *pa)
{
	if (va < RAM) {
		*pa = va;
		return 0;
	}
	return gdb_image_translate(&image_map, 1, va, pa);
}

static unsigned int f_ncpus(void *t)
{
	(void)t;
	return fk.ncpus;
}

static unsigned int f_hw_slots(void *t)
{
	(void)t;
	return fk.hw_slots;
}

/* The system registers as KVM gives them: every field within its width. */
static int f_get_sys(void *t, unsigned int cpu, struct x86_sys *s)
{
	struct x86_seg *seg[8];

	(void)t;
	if (cpu >= fk.ncpus)
		return -ESRCH;
	memcpy(s, fk.ram + SYS_AT(cpu), sizeof(*s));
	seg[0] = &s->cs, seg[1] = &s->ds, seg[2] = &s->es, seg[3] = &s->fs;
	seg[4] = &s->gs, seg[5] = &s->ss, seg[6] = &s->tr, seg[7] = &s->ldt;
	for (unsigned int i = 0; i < 8; i++) {
		seg[i]->type &= 0xf;
		seg[i]->s &= 1;
		seg[i]->dpl &= 3;
		seg[i]->present &= 1;
		seg[i]->avl &= 1;
		seg[i]->l &= 1;
		seg[i]->db &= 1;
		seg[i]->g &= 1;
		seg[i]->unusable &= 1;
	}
	s->maxphyaddr = 32 + s->maxphyaddr % 21;	/* CPUID 0x80000008: 32..52 */
	return 0;
}

static int f_get_regs(void *t, unsigned int cpu, struct gdb_regs *r)
{
	struct x86_sys s;

	if (cpu >= fk.ncpus || f_get_sys(t, cpu, &s) < 0)
		return -ESRCH;
	*r = fk.regs[cpu];
	r->mode = gdb_regs_mode(s.cr0, s.efer, s.cs.l, s.cs.db);
	return 0;
}

static int f_set_regs(void *t, unsigned int cpu, const struct gdb_regs *r)
{
	(void)t;
	if (cpu >= fk.ncpus)
		return -ESRCH;
	fk.regs[cpu] = *r;
	return 0;
}

static int f_read_mem(void *t, unsigned int cpu, uint64_t addr, void *buf, size_t len)
{
	size_t done = 0;

	(void)t;
	if (cpu >= fk.ncpus)
		abort();	/* the session only names vCPUs that exist */
	while (done < len) {
		uint64_t pa;

		if (translate(addr + done, &pa) < 0)
			return done ? (int)done : -EFAULT;
		((uint8_t *)buf)[done++] = fk.ram[pa];
	}
	return (int)done;
}

static int f_write_mem(void *t, unsigned int cpu, uint64_t addr, const void *buf, size_t len)
{
	uint64_t pa;

	(void)t;
	if (cpu >= fk.ncpus)
		abort();
	for (size_t i = 0; i < len; i++)
		if (translate(addr + i, &pa) < 0)
			return -EFAULT;
	for (size_t i = 0; i < len; i++) {
		translate(addr + i, &pa);
		fk.ram[pa] = ((const uint8_t *)buf)[i];
	}
	return 0;
}

static int f_stop(void *t, struct gdb_stop *ev)
{
	(void)t;
	if (!fk.have_ev)
		return 0;
	*ev = fk.ev;
	fk.have_ev = false;
	return 1;
}

/* All-stop: a step runs its vCPU alone; whatever resumes, something runs. */
static int f_resume(void *t, const struct gdb_resume *r)
{
	unsigned int steps = 0, runs = 0;

	(void)t;
	fk.stepper = -1;
	for (unsigned int i = 0; i < fk.ncpus; i++) {
		if (r->run[i] > GDB_RUN_STEP)
			abort();
		runs += r->run[i] != GDB_RUN_STAY;
		if (r->run[i] == GDB_RUN_STEP) {
			steps++;
			fk.stepper = (int)i;
		}
	}
	if (runs == 0 || (steps && runs != 1) || (r->hw_breakpoints && fk.hw_slots == 0))
		abort();
	memcpy(fk.run, r->run, fk.ncpus);
	fk.last = *r;
	fk.last.run = fk.run;
	fk.resumes++;
	return 0;
}

static void f_describe(void *t, unsigned int cpu, char *buf, size_t len)
{
	(void)t;
	if (cpu >= fk.ncpus)
		abort();
	snprintf(buf, len, "vCPU %u (fuzz)", cpu);
}

static void f_kill(void *t)
{
	(void)t;
	fk.kills++;
}

static int f_read_phys(void *t, uint64_t addr, void *buf, size_t len)
{
	(void)t;
	if (addr >= RAM || len > RAM - addr)
		return -EFAULT;
	memcpy(buf, fk.ram + addr, len);
	return 0;
}

static int f_write_phys(void *t, uint64_t addr, const void *buf, size_t len)
{
	(void)t;
	if (addr >= RAM || len > RAM - addr)
		return -EFAULT;
	memcpy(fk.ram + addr, buf, len);
	return 0;
}

static int f_get_lapic(void *t, unsigned int cpu, struct x86_lapic *l)
{
	(void)t;
	if (cpu >= fk.ncpus)
		return -ESRCH;
	memcpy(l->regs, fk.ram + LAPIC_AT, sizeof(l->regs));
	return 0;
}

static int f_get_ioapic(void *t, struct x86_ioapic *io)
{
	(void)t;
	memcpy(io, fk.ram + IOAPIC_AT, sizeof(*io));
	io->id &= 0xf;
	io->irr &= 0xffffff;
	return 0;
}

/* The 8259s as KVM_GET_IRQCHIP gives them. */
static int f_get_pic(void *t, struct x86_pic *pic)
{
	(void)t;
	for (unsigned int i = 0; i < 2; i++) {
		const uint8_t *b = fk.ram + PIC_AT + 16 * i;

		pic[i] = (struct x86_pic){
			.irr = b[0], .imr = b[1], .isr = b[2], .irq_base = b[3], .elcr = b[4],
			.priority_add = b[5] & 7, .auto_eoi = b[6] & 1, .special_mask = b[7] & 1,
			.special_fully_nested = b[8] & 1, .init4 = b[9] & 1, .init_state = b[10] & 3,
		};
	}
	return 0;
}

static const struct gdb_target_ops full_ops = {
	.ncpus = f_ncpus, .hw_slots = f_hw_slots, .get_regs = f_get_regs, .set_regs = f_set_regs,
	.read_mem = f_read_mem, .write_mem = f_write_mem, .stop = f_stop, .resume = f_resume,
	.describe = f_describe, .kill = f_kill, .read_phys = f_read_phys, .write_phys = f_write_phys,
	.get_sys = f_get_sys, .get_lapic = f_get_lapic, .get_ioapic = f_get_ioapic, .get_pic = f_get_pic,
};

/* A target without the monitor's ops: every monitor command says so. */
static const struct gdb_target_ops bare_ops = {
	.ncpus = f_ncpus, .hw_slots = f_hw_slots, .get_regs = f_get_regs, .set_regs = f_set_regs,
	.read_mem = f_read_mem, .write_mem = f_write_mem, .stop = f_stop, .resume = f_resume,
	.describe = f_describe, .kill = f_kill,
};

/* Every reply fits a packet, and frames and unframes back to itself (its first 2 KiB: the monitor's text is long). */
static void capture(void *io, const char *payload, size_t len)
{
	size_t k = len < 2048 ? len : 2048;
	ssize_t n, m;

	(void)io;
	if (len > GDB_PACKET_MAX || sess.state == GDB_SESSION_ENDED)
		abort();
	n = gdb_frame((char *)frame, sizeof(frame), payload, k);
	if (n < 4)
		abort();
	m = gdb_unframe((const char *)frame, (size_t)n, unframed, sizeof(unframed));
	if (m != (ssize_t)k || memcmp(unframed, payload, k) != 0)
		abort();
}

/* What must hold whenever the session waits for gdb's next packet. */
static void check_session(void)
{
	if (sess.state != GDB_SESSION_STOPPED && sess.state != GDB_SESSION_ENDED)
		abort();
	if (sess.state == GDB_SESSION_ENDED)
		return;
	if (sess.stepover.active || sess.gcpu >= fk.ncpus || sess.thread_next > fk.ncpus ||
	    (sess.ccpu != -1 && (sess.ccpu < 0 || (unsigned int)sess.ccpu >= fk.ncpus)) ||
	    sess.last.cpu >= fk.ncpus || gdb_swbp_count(&bps) > GDB_SWBP_MAX)
		abort();
}

/* The vCPUs run: they stop as the input said, a step ends in a trap, or gdb interrupts. */
static void settle(void)
{
	for (unsigned int n = 0; sess.state == GDB_SESSION_RUNNING && n < 4; n++) {
		if (!fk.have_ev && fk.stepper >= 0 && n == 0) {
			fk.ev = (struct gdb_stop){ .cpu = (unsigned int)fk.stepper, .reason = GDB_STOP_TRAP };
			fk.have_ev = true;
		}
		if (fk.have_ev)
			gdb_session_target_event(&sess);
		else
			gdb_session_interrupt(&sess);
	}
	if (sess.state == GDB_SESSION_RUNNING)
		gdb_session_interrupt(&sess);
	check_session();
}

/* "\x01 B F [ADDR]": the next stop is vCPU B % ncpus for reason B >> 4; F & 1 puts its PC on the first breakpoint. */
static void event_record(const uint8_t *p, size_t n)
{
	uint8_t b = n > 0 ? p[0] : 0, f = n > 1 ? p[1] : 0;
	unsigned int cpu = b % fk.ncpus;
	uint64_t addr = 0, bp;
	uint8_t orig;

	if (n > 2)
		memcpy(&addr, p + 2, n - 2 < 8 ? n - 2 : 8);
	if ((f & 1) && gdb_swbp_first(&bps, &bp, &orig))
		fk.regs[cpu].rip = bp;
	fk.ev = (struct gdb_stop){ .cpu = cpu, .reason = (enum gdb_stop_reason)(GDB_STOP_TRAP + (b >> 4) % 6) };
	if (fk.ev.reason == GDB_STOP_SWBREAK || fk.ev.reason == GDB_STOP_HWBREAK)
		fk.ev.addr = fk.regs[cpu].rip;
	else if (fk.ev.reason == GDB_STOP_WATCH || fk.ev.reason == GDB_STOP_AWATCH)
		fk.ev.addr = addr;
	fk.have_ev = true;
}

/* One payload as the server hands it over: NUL-terminated at @len, in a buffer of its own size. */
static void packet(const uint8_t *p, size_t n)
{
	char *buf;

	if (n == 0 || n > GDB_PACKET_MAX)
		return;
	buf = malloc(n + 1);
	if (!buf)
		return;
	memcpy(buf, p, n);
	buf[n] = '\0';
	gdb_session_packet(&sess, buf, n);
	free(buf);
}

/* "\x02 TEXT": monitor TEXT, hex-encoded into a qRcmd packet as gdb sends it. */
static void monitor_record(const uint8_t *p, size_t n)
{
	static char buf[GDB_PACKET_MAX + 1];
	const size_t head = sizeof("qRcmd,") - 1;

	if (head + 2 * n > GDB_PACKET_MAX)
		n = (GDB_PACKET_MAX - head) / 2;
	memcpy(buf, "qRcmd,", head);
	gdb_hex_encode(buf + head, p, n);
	packet((const uint8_t *)buf, head + 2 * n);
}

/* Bytes off the wire, through the packet codec, as the server feeds the session. */
static void wire(struct gdb_rx *rx, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n && sess.state != GDB_SESSION_ENDED; i++) {
		switch (gdb_rx_feed(rx, p[i])) {
		case GDB_RX_PACKET:
			if (rx->len > GDB_PACKET_MAX || rx->buf[rx->len] != '\0')
				abort();
			gdb_session_packet(&sess, rx->buf, rx->len);
			settle();
			break;
		case GDB_RX_INTERRUPT:
			gdb_session_interrupt(&sess);
			check_session();
			break;
		default:
			break;
		}
	}
}

/* The machine from the input's head: vCPUs, debug registers, its RAM. */
static const uint8_t *machine(const uint8_t *data, size_t size, size_t *rest)
{
	size_t img = (size_t)(data[3] | data[4] << 8);

	memset(&fk, 0, sizeof(fk));
	fk.ncpus = 1 + data[0] % MAX_CPUS;
	fk.hw_slots = data[1] % (GDB_HW_SLOTS + 1);
	fk.stepper = -1;
	if (img > size - HEAD)
		img = size - HEAD;
	if (img > RAM)
		img = RAM;
	memcpy(fk.ram, data + HEAD, img);
	for (unsigned int i = 0; i < MAX_CPUS; i++)
		memcpy(&fk.regs[i], fk.ram + REGS_AT(i), sizeof(fk.regs[i]));
	*rest = size - HEAD - img;
	return data + HEAD + img;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gdb_rx rx;
	const struct gdb_stop initial = { .cpu = 0, .reason = GDB_STOP_TRAP };
	const uint8_t *p, *end;
	size_t n;

	if (size < HEAD)
		return 0;
	p = machine(data, size, &n);
	end = p + n;
	gdb_bps_init(&bps, fk.hw_slots);
	if (gdb_session_init(&sess, (data[2] & 1) ? &bare_ops : &full_ops, NULL, &bps, capture, NULL, &initial) != 0)
		abort();
	gdb_rx_init(&rx);
	/*
	 * Records split at '\n': framed bytes, Ctrl-C, a stop event, a monitor line, a payload the
	 * vCPUs keep running after (the next record comes while they run), the VM's exit, or a raw
	 * payload after which the vCPUs stop again.
	 */
	for (unsigned int k = 0; p < end && k < MAX_STEPS && sess.state != GDB_SESSION_ENDED; k++) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		bool running_on = false;

		if (len == 0) {
		} else if (p[0] == '$' || p[0] == '+' || p[0] == '-') {
			wire(&rx, p, len);
		} else if (p[0] == 0x03) {
			gdb_session_interrupt(&sess);
		} else if (p[0] == 0x01) {
			event_record(p + 1, len - 1);
		} else if (p[0] == 0x02) {
			monitor_record(p + 1, len - 1);
		} else if (p[0] == 0x04) {
			packet(p + 1, len - 1);
			running_on = true;
		} else if (p[0] == 0x05) {
			gdb_session_exited(&sess, len > 1 ? p[1] : 0);
		} else {
			packet(p, len);
		}
		if (!running_on)
			settle();
		p += len + (nl != NULL);
	}
	/* the connection drops: a detached machine runs without the stub's breakpoints */
	if (sess.state != GDB_SESSION_ENDED) {
		int before = fk.resumes;

		gdb_session_detach(&sess);
		if (fk.resumes != before + 1 || gdb_swbp_count(&bps) != 0 || gdb_hw_in_use(&bps) ||
		    fk.last.sw_breakpoints || fk.last.hw_breakpoints || fk.last.guest_int3)
			abort();
		for (unsigned int i = 0; i < fk.ncpus; i++)
			if (fk.run[i] != GDB_RUN_CONTINUE)
				abort();
	}
	gdb_session_destroy(&sess);
	gdb_bps_destroy(&bps);
	return 0;
}
