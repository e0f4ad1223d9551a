/* gdb's monitor commands (qRcmd): parse and dispatch, fetch state through the target ops, print through the x86 decoders into 'O' packets. */
#include "vmm/gdb/monitor.h"

#include "vmm/gdb/commands_internal.h"
#include "vmm/gdb/packet.h"
#include "vmm/gdb/textout.h"
#include "vmm/gdb/x86_apic.h"
#include "vmm/gdb/x86_decode.h"
#include "vmm/gdb/x86_paging.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 8
#define CMD_MAX (GDB_PACKET_MAX / 2)	/* the longest command a qRcmd packet can carry */
#define PAGE 4096u
#define GDT_MAX 65536u			/* GDTR.limit is 16 bits */
#define TSS_READ_MAX (104u + 8192u + 1u)	/* a TSS, a full I/O bitmap and its end byte */

/* One command being served. */
struct mon {
	struct gdb_session *s;
	struct textout *o;
	unsigned int cpu;	/* gdb's selected thread (Hg) */
	const char *name;	/* the command, for error lines */
};

struct mon_cmd {
	const char *name;
	const char *usage;
	const char *help;
	int min_args, max_args;	/* arguments after the name */
	void (*run)(struct mon *m, int argc, char **argv);
};

static void mon_emit(void *opaque, const char *text, size_t len)
{
	struct gdb_session *s = opaque;

	s->out[0] = 'O';
	gdb_hex_encode(s->out + 1, text, len);
	s->send(s->io, s->out, 1 + 2 * len);
}

static void mon_error(struct mon *m, const char *what, int err)
{
	textout_printf(m->o, "%s: %s: %s\n", m->name, what, strerror(err < 0 ? -err : err));
}

/* "1234", "0x1234" (hex), or "$reg" (a register of the selected vCPU: $pc, $sp, or any by name). 0 or -EINVAL. */
static int mon_parse_addr(struct mon *m, const char *arg, uint64_t *v)
{
	const char *p = arg;
	struct gdb_regs r;

	if (*p == '$') {
		p++;
		if (m->s->ops->get_regs(m->s->target, m->cpu, &r) < 0)
			return -EINVAL;
		if (!strcmp(p, "pc"))
			p = "rip";
		else if (!strcmp(p, "sp"))
			p = "rsp";
		return gdb_reg_value(&r, p, v) < 0 ? -EINVAL : 0;
	}
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	if (gdb_parse_hex(&p, v) < 0 || *p)
		return -EINVAL;
	return 0;
}

static int mon_addr_arg(struct mon *m, const char *arg, uint64_t *v)
{
	if (mon_parse_addr(m, arg, v) == 0)
		return 0;
	textout_printf(m->o, "%s: bad address '%s' (want a hex address, or $pc, $sp, $cr2, $rax...)\n", m->name, arg);
	return -EINVAL;
}

/* A count: decimal, or hex with 0x. 0 or -EINVAL. */
static int mon_parse_count(const char *arg, uint64_t *v)
{
	const char *p = arg;
	char *end;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		p += 2;
		return gdb_parse_hex(&p, v) < 0 || *p ? -EINVAL : 0;
	}
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	errno = 0;
	*v = strtoull(p, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

static int mon_phys_read(void *opaque, uint64_t pa, void *buf, size_t len)
{
	struct mon *m = opaque;

	return m->s->ops->read_phys(m->s->target, pa, buf, len);
}

/* Has the target this op? Otherwise say so. */
static bool mon_has(struct mon *m, bool present)
{
	if (!present)
		textout_printf(m->o, "%s: not available on this target\n", m->name);
	return present;
}

static int mon_sys(struct mon *m, struct x86_sys *sys)
{
	int ret;

	if (!mon_has(m, m->s->ops->get_sys != NULL))
		return -ENOSYS;
	ret = m->s->ops->get_sys(m->s->target, m->cpu, sys);
	if (ret < 0)
		mon_error(m, "cannot read the vCPU's system registers", ret);
	return ret;
}

/* --- commands ------------------------------------------------------------------------------- */

static void cmd_help(struct mon *m, int argc, char **argv);

static void cmd_mode(struct mon *m, int argc, char **argv)
{
	struct x86_sys sys;

	(void)argc;
	(void)argv;
	if (mon_sys(m, &sys) < 0)
		return;
	x86_print_mode(m->o, &sys);
	textout_printf(m->o, "(vCPU %u, gdb thread %u)\n", m->cpu, m->cpu + 1);
}

static void cmd_walk(struct mon *m, int argc, char **argv)
{
	struct x86_sys sys;
	uint64_t va, pa;

	(void)argc;
	if (mon_addr_arg(m, argv[1], &va) < 0 || mon_sys(m, &sys) < 0 ||
	    !mon_has(m, m->s->ops->read_phys != NULL))
		return;
	x86_walk(m->o, &sys, va, mon_phys_read, m, &pa);
}

static void cmd_mem(struct mon *m, int argc, char **argv)
{
	static const struct x86_map_limits lim = { GDB_MONITOR_MEM_RANGES, GDB_MONITOR_MEM_TABLES };
	struct x86_sys sys;

	(void)argc;
	(void)argv;
	if (mon_sys(m, &sys) < 0 || !mon_has(m, m->s->ops->read_phys != NULL))
		return;
	x86_mem_map(m->o, &sys, mon_phys_read, m, &lim, NULL);
}

static void hexdump(struct textout *o, uint64_t addr, const uint8_t *p, size_t n)
{
	for (size_t off = 0; off < n; off += 16) {
		size_t k = n - off < 16 ? n - off : 16;
		char hex[16 * 3 + 1], asc[17];

		for (size_t i = 0; i < 16; i++) {
			if (i < k)
				snprintf(hex + 3 * i, 4, "%02x ", p[off + i]);
			else
				memcpy(hex + 3 * i, "   ", 4);
			asc[i] = i < k ? (isprint(p[off + i]) ? (char)p[off + i] : '.') : '\0';
		}
		asc[16] = '\0';
		textout_printf(o, "0x%012" PRIx64 ": %s |%s|\n", addr + off, hex, asc);
	}
}

static void phys_read(struct mon *m, int argc, char **argv)
{
	uint64_t addr, len = 64;
	size_t done = 0;

	if (mon_addr_arg(m, argv[2], &addr) < 0)
		return;
	if (argc > 3 && (mon_parse_count(argv[3], &len) < 0 || len == 0)) {
		textout_printf(m->o, "phys: bad length '%s' (want 1..%u, decimal or 0x hex)\n", argv[3],
			       GDB_MONITOR_PHYS_MAX);
		return;
	}
	if (len > GDB_MONITOR_PHYS_MAX) {
		textout_printf(m->o, "phys: %" PRIu64 " bytes asked, showing the first %u\n", len,
			       GDB_MONITOR_PHYS_MAX);
		len = GDB_MONITOR_PHYS_MAX;
	}
	while (done < len) {	/* page by page: the error names the first address outside RAM */
		uint64_t a = addr + done;
		size_t chunk = PAGE - (size_t)(a % PAGE);
		int ret;

		if (chunk > len - done)
			chunk = (size_t)(len - done);
		if (a < addr) {
			textout_printf(m->o, "phys: the range wraps past the top of the address space\n");
			break;
		}
		ret = m->s->ops->read_phys(m->s->target, a, m->s->mem + done, chunk);
		if (ret < 0) {
			textout_printf(m->o, "phys: 0x%" PRIx64 " is outside guest RAM\n", a);
			break;
		}
		done += chunk;
	}
	hexdump(m->o, addr, m->s->mem, done);
}

static void phys_write(struct mon *m, int argc, char **argv)
{
	const char *hex = argv[3];
	size_t n = strlen(hex) / 2;
	uint64_t addr;
	int ret;

	(void)argc;
	if (mon_addr_arg(m, argv[2], &addr) < 0)
		return;
	if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) {
		hex += 2;
		n = strlen(hex) / 2;
	}
	if (strlen(hex) % 2 || n == 0 || n > GDB_MONITOR_PHYS_MAX || gdb_hex_decode(m->s->mem, hex, n) < 0) {
		textout_printf(m->o, "phys: bad bytes '%.40s' (want an even number of hex digits, at most %u bytes)\n",
			       argv[3], GDB_MONITOR_PHYS_MAX);
		return;
	}
	ret = m->s->ops->write_phys(m->s->target, addr, m->s->mem, n);
	if (ret < 0)
		textout_printf(m->o, "phys: cannot write %zu byte%s at 0x%" PRIx64 ": %s\n", n, n == 1 ? "" : "s",
			       addr, ret == -EFAULT ? "outside guest RAM" : strerror(-ret));
	else
		textout_printf(m->o, "phys: wrote %zu byte%s at 0x%" PRIx64 "\n", n, n == 1 ? "" : "s", addr);
}

static void cmd_phys(struct mon *m, int argc, char **argv)
{
	if (!strcmp(argv[1], "read") && argc <= 4) {
		if (mon_has(m, m->s->ops->read_phys != NULL))
			phys_read(m, argc, argv);
	} else if (!strcmp(argv[1], "write") && argc == 4) {
		if (mon_has(m, m->s->ops->write_phys != NULL))
			phys_write(m, argc, argv);
	} else {
		textout_printf(m->o, "phys: usage: phys read ADDR [LEN] | phys write ADDR HEXBYTES\n");
	}
}

/* Read @want bytes of linear memory at @base into a new buffer; *@got is how many could be read. */
static uint8_t *mon_read_linear(struct mon *m, uint64_t base, size_t want, size_t *got)
{
	uint8_t *buf = calloc(1, want ? want : 1);
	int n;

	*got = 0;
	if (!buf) {
		mon_error(m, "no memory", ENOMEM);
		return NULL;
	}
	n = m->s->ops->read_mem(m->s->target, m->cpu, base, buf, want);
	*got = n > 0 ? (size_t)n : 0;
	return buf;
}

static void cmd_gdt(struct mon *m, int argc, char **argv)
{
	struct x86_sys sys;
	uint8_t *tbl;
	size_t got;

	(void)argc;
	(void)argv;
	if (mon_sys(m, &sys) < 0)
		return;
	tbl = mon_read_linear(m, sys.gdt.base, (size_t)sys.gdt.limit + 1, &got);
	if (tbl)
		x86_print_gdt(m->o, &sys, tbl, got);
	free(tbl);
}

static void cmd_idt(struct mon *m, int argc, char **argv)
{
	struct x86_sys sys;
	uint64_t vec = 0;
	uint8_t *tbl;
	size_t got;

	if (argc > 1 && (mon_parse_count(argv[1], &vec) < 0 || vec > 255)) {
		textout_printf(m->o, "idt: bad vector '%s' (want 0..255, decimal or 0x hex)\n", argv[1]);
		return;
	}
	if (mon_sys(m, &sys) < 0)
		return;
	tbl = mon_read_linear(m, sys.idt.base, (size_t)sys.idt.limit + 1, &got);
	if (tbl)
		x86_print_idt(m->o, &sys, tbl, got, argc > 1 ? (int)vec : -1);
	free(tbl);
}

static void cmd_tss(struct mon *m, int argc, char **argv)
{
	struct x86_sys sys;
	uint8_t *gdt = NULL, *tss = NULL;
	size_t gdtlen = 0, tsslen = 0, want;

	(void)argc;
	(void)argv;
	if (mon_sys(m, &sys) < 0)
		return;
	want = (size_t)sys.tr.limit + 1 < TSS_READ_MAX ? (size_t)sys.tr.limit + 1 : TSS_READ_MAX;
	gdt = mon_read_linear(m, sys.gdt.base, (size_t)sys.gdt.limit + 1, &gdtlen);
	if (gdt)
		tss = mon_read_linear(m, sys.tr.base, want, &tsslen);
	if (tss)
		x86_print_tss(m->o, &sys, gdt, gdtlen, tss, tsslen);
	free(gdt);
	free(tss);
}

static void cmd_lapic(struct mon *m, int argc, char **argv)
{
	struct x86_lapic l;
	struct x86_sys sys;
	int ret;

	(void)argc;
	(void)argv;
	if (!mon_has(m, m->s->ops->get_lapic != NULL) || mon_sys(m, &sys) < 0)
		return;
	ret = m->s->ops->get_lapic(m->s->target, m->cpu, &l);
	if (ret < 0)
		mon_error(m, "cannot read the local APIC", ret);
	else
		x86_print_lapic(m->o, &l, sys.apic_base);
}

static void cmd_ioapic(struct mon *m, int argc, char **argv)
{
	struct x86_ioapic io;
	int ret;

	(void)argc;
	(void)argv;
	if (!mon_has(m, m->s->ops->get_ioapic != NULL))
		return;
	ret = m->s->ops->get_ioapic(m->s->target, &io);
	if (ret < 0)
		mon_error(m, "cannot read the I/O APIC", ret);
	else
		x86_print_ioapic(m->o, &io);
}

static void cmd_pic(struct mon *m, int argc, char **argv)
{
	struct x86_pic pic[2];
	int ret;

	(void)argc;
	(void)argv;
	if (!mon_has(m, m->s->ops->get_pic != NULL))
		return;
	ret = m->s->ops->get_pic(m->s->target, pic);
	if (ret < 0)
		mon_error(m, "cannot read the 8259s", ret);
	else
		x86_print_pic(m->o, pic);
}

static void cmd_int3(struct mon *m, int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "report")) {
		m->s->guest_int3 = true;
	} else if (argc == 2 && !strcmp(argv[1], "guest")) {
		m->s->guest_int3 = false;
	} else if (argc == 2) {
		textout_printf(m->o, "int3: want 'report' or 'guest', not '%.32s'\n", argv[1]);
		return;
	}
	textout_printf(m->o, "%s\n", m->s->guest_int3
		       ? "int3: the guest's own int3s stop the VM and are reported to gdb as SIGTRAP (PC after the int3)"
		       : "int3: the guest's own int3s go to the guest (#BP through its IDT); only gdb's breakpoints stop");
}

static const struct mon_cmd commands[] = {
	{ "help", "", "this list", 0, 0, cmd_help },
	{ "mode", "", "the vCPU's mode (first line: 'mode: NAME arch=GDB-ARCH') and paging", 0, 0, cmd_mode },
	{ "walk", "VADDR", "page-table walk of a virtual address through CR3, level by level", 1, 1, cmd_walk },
	{ "mem", "", "mapped virtual ranges (flags: u user, r read, w write, x execute, g global)", 0, 0, cmd_mem },
	{ "phys", "read ADDR [LEN] | write ADDR HEXBYTES",
	  "guest-physical memory (LEN: decimal or 0x hex, default 64, at most 4096)", 2, 3, cmd_phys },
	{ "gdt", "", "the GDT's descriptors", 0, 0, cmd_gdt },
	{ "idt", "[VECTOR]", "the IDT's gates (all present ones, or one vector: decimal or 0x hex)", 0, 1, cmd_idt },
	{ "tss", "", "the task register and the TSS it points at", 0, 0, cmd_tss },
	{ "lapic", "", "the vCPU's local APIC", 0, 0, cmd_lapic },
	{ "ioapic", "", "the I/O APIC's redirection entries", 0, 0, cmd_ioapic },
	{ "pic", "", "the two 8259 interrupt controllers", 0, 0, cmd_pic },
	{ "int3", "[report|guest]", "the guest's own int3: reported to gdb, or delivered to the guest (default)", 0, 1,
	  cmd_int3 },
};

static void cmd_help(struct mon *m, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	textout_printf(m->o,
		       "keel monitor commands (in the thread gdb selected; addresses in hex, $pc/$sp/$reg too):\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		char head[64];

		snprintf(head, sizeof(head), "%s %s", commands[i].name, commands[i].usage);
		textout_printf(m->o, "  monitor %-45s %s\n", head, commands[i].help);
	}
}

/* Split @line at blanks into @argv (at most MAX_ARGS words). Returns the count, or -E2BIG. */
static int split_args(char *line, char **argv)
{
	int argc = 0;

	for (char *p = line; *p;) {
		while (*p && isspace((unsigned char)*p))
			*p++ = '\0';
		if (!*p)
			break;
		if (argc == MAX_ARGS)
			return -E2BIG;
		argv[argc++] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
	}
	return argc;
}

static void monitor_run(struct mon *m, char *line)
{
	char *argv[MAX_ARGS];
	int argc = split_args(line, argv);

	if (argc == 0) {
		m->name = "help";
		cmd_help(m, 0, argv);
		return;
	}
	if (argc < 0) {
		textout_printf(m->o, "too many arguments: try monitor help\n");
		return;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct mon_cmd *c = &commands[i];

		if (strcmp(argv[0], c->name))
			continue;
		m->name = c->name;
		if (argc - 1 < c->min_args || argc - 1 > c->max_args)
			textout_printf(m->o, "%s: usage: monitor %s %s\n", c->name, c->name, c->usage);
		else
			c->run(m, argc, argv);
		return;
	}
	textout_printf(m->o, "unknown command '%.64s': try monitor help\n", argv[0]);
}

void gdb_monitor(struct gdb_session *s, const char *hex)
{
	size_t n = strlen(hex);
	struct textout out;
	char line[CMD_MAX + 1];
	struct mon m = { .s = s, .o = &out, .cpu = s->gcpu, .name = "monitor" };

	if (n % 2 || n / 2 > CMD_MAX || gdb_hex_decode(line, hex, n / 2) < 0) {
		gdb_reply_error(s, EINVAL);
		return;
	}
	line[n / 2] = '\0';
	if (strlen(line) != n / 2) {	/* a NUL inside */
		gdb_reply_error(s, EINVAL);
		return;
	}
	textout_init(&out, GDB_MONITOR_OUT_MAX, mon_emit, s);
	monitor_run(&m, line);
	textout_finish(&out);
	gdb_reply(s, "OK");
}
