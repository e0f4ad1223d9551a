/* One gdb session: the remote-protocol command handlers, all-stop run control and breakpoints, against a small target interface. */
#ifndef KEEL_VMM_GDB_COMMANDS_H
#define KEEL_VMM_GDB_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/gdb/breakpoints.h"
#include "vmm/gdb/regs.h"

struct x86_ioapic;
struct x86_lapic;
struct x86_pic;
struct x86_sys;

/* Why a vCPU stopped, as gdb is told. */
enum gdb_stop_reason {
	GDB_STOP_NONE = 0,
	GDB_STOP_TRAP,		/* SIGTRAP: a single step ended, or the debugger just attached */
	GDB_STOP_SWBREAK,	/* SIGTRAP at a software breakpoint the stub planted; PC is at it */
	GDB_STOP_HWBREAK,	/* SIGTRAP at a hardware breakpoint */
	GDB_STOP_WATCH,		/* SIGTRAP after a write to a watched address */
	GDB_STOP_AWATCH,	/* SIGTRAP after an access to a watched address */
	GDB_STOP_INTERRUPT,	/* SIGINT: gdb sent Ctrl-C */
};

struct gdb_stop {
	unsigned int cpu;		/* vCPU index; gdb's thread id is cpu + 1 */
	enum gdb_stop_reason reason;
	uint64_t addr;			/* the watched address, for WATCH and AWATCH */
};

/* What one vCPU does when the target resumes. */
enum gdb_run {
	GDB_RUN_STAY = 0,	/* stays stopped */
	GDB_RUN_CONTINUE,
	GDB_RUN_STEP,		/* one instruction, then stop and report GDB_STOP_TRAP */
};

struct gdb_resume {
	const uint8_t *run;		/* one enum gdb_run per vCPU */
	bool sw_breakpoints;		/* int3s are planted: intercept them (KVM_GUESTDBG_USE_SW_BP) */
	bool hw_breakpoints;		/* debug registers in use: load dr[] and dr7 (KVM_GUESTDBG_USE_HW_BP) */
	bool guest_int3;		/* the guest's own int3s stop the VM for gdb (monitor int3 report) */
	uint64_t dr[4], dr7;
};

/*
 * What the session needs from the machine. Every call but stop() and resume() is made only while
 * every vCPU is stopped. @t is the target's own pointer. Functions return 0 or -errno unless said.
 */
struct gdb_target_ops {
	/* ncpus - how many vCPUs (gdb threads 1..ncpus). */
	unsigned int (*ncpus)(void *t);
	/* hw_slots - how many debug registers the host lets the stub use (0: none). */
	unsigned int (*hw_slots)(void *t);
	int (*get_regs)(void *t, unsigned int cpu, struct gdb_regs *r);
	int (*set_regs)(void *t, unsigned int cpu, const struct gdb_regs *r);
	/* read_mem - guest-virtual memory as vCPU @cpu sees it. Bytes read (fewer if a page is missing) or -errno. */
	int (*read_mem)(void *t, unsigned int cpu, uint64_t addr, void *buf, size_t len);
	/* write_mem - all of it or nothing. */
	int (*write_mem)(void *t, unsigned int cpu, uint64_t addr, const void *buf, size_t len);
	/*
	 * stop - stop every vCPU and wait until all are out of the guest. Returns 1 and fills @ev when
	 * a vCPU had stopped for a debug event of its own (the first one; later ones are dropped: a
	 * breakpoint will be hit again), 0 when none had.
	 */
	int (*stop)(void *t, struct gdb_stop *ev);
	/* resume - program each vCPU's debugging state as @r says and let the ones that run go. */
	int (*resume)(void *t, const struct gdb_resume *r);
	/* describe - a one-line description of vCPU @cpu for 'info threads' into @buf. */
	void (*describe)(void *t, unsigned int cpu, char *buf, size_t len);
	/* kill - end the VM. */
	void (*kill)(void *t);

	/* For gdb's monitor commands (vmm/gdb/monitor.c); any may be NULL: that command says so. */
	/* read_phys - guest-physical memory, all of it, or -EFAULT when any of it is outside RAM. */
	int (*read_phys)(void *t, uint64_t addr, void *buf, size_t len);
	/* write_phys - all of it or nothing (-EFAULT). */
	int (*write_phys)(void *t, uint64_t addr, const void *buf, size_t len);
	/* get_sys - vCPU @cpu's segment, descriptor-table and control registers (vmm/gdb/x86_sys.h). */
	int (*get_sys)(void *t, unsigned int cpu, struct x86_sys *s);
	/* get_lapic - vCPU @cpu's local APIC registers. */
	int (*get_lapic)(void *t, unsigned int cpu, struct x86_lapic *l);
	/* get_ioapic / get_pic - the VM's I/O APIC, and its 8259s (@pic: 2 entries, master then slave). */
	int (*get_ioapic)(void *t, struct x86_ioapic *io);
	int (*get_pic)(void *t, struct x86_pic *pic);
};

enum gdb_session_state {
	GDB_SESSION_STOPPED,	/* every vCPU stopped; gdb's packets are served */
	GDB_SESSION_RUNNING,	/* vCPUs run; a stop reply is owed */
	GDB_SESSION_ENDED,	/* detached or killed: nothing is served */
};

struct gdb_session {
	const struct gdb_target_ops *ops;
	void *target;
	/* send - one reply payload to frame and send. */
	void (*send)(void *io, const char *payload, size_t len);
	void *io;
	struct gdb_bps *bps;
	unsigned int ncpus;
	enum gdb_session_state state;
	bool noack;			/* QStartNoAckMode was accepted */
	bool guest_int3;		/* monitor int3 report: the guest's own int3s are reported, not delivered */
	unsigned int gcpu;		/* Hg: registers and memory */
	int ccpu;			/* Hc: -1 all, else a vCPU */
	unsigned int thread_next;	/* qsThreadInfo: the next vCPU to list */
	struct gdb_stop last;		/* the last stop reported (the '?' answer) */
	uint8_t *run;			/* per-vCPU actions of the resume in progress */
	/* A resume that first steps one vCPU off a breakpoint the stub keeps planted. */
	struct {
		bool active;
		unsigned int cpu;
		uint64_t addr;
		bool report;		/* gdb asked for this step: report it; otherwise resume run[] */
	} stepover;
	char *out;			/* reply buffer, GDB_PACKET_MAX + 1 bytes */
	uint8_t *mem;			/* memory buffer, GDB_PACKET_MAX bytes */
};

/*
 * gdb_session_init - a session over a target whose vCPUs are all stopped; @initial is the stop to
 * report to '?'. Returns 0 or -ENOMEM.
 */
int gdb_session_init(struct gdb_session *s, const struct gdb_target_ops *ops, void *target,
		     struct gdb_bps *bps, void (*send)(void *io, const char *payload, size_t len), void *io,
		     const struct gdb_stop *initial);
/* gdb_session_destroy - free the session's buffers (call gdb_session_detach first if still attached). */
void gdb_session_destroy(struct gdb_session *s);

/* gdb_session_packet - serve one packet (payload as received, NUL-terminated at @len). */
void gdb_session_packet(struct gdb_session *s, const char *pkt, size_t len);

/* gdb_session_interrupt - Ctrl-C: stop every vCPU and report it (nothing when already stopped). */
void gdb_session_interrupt(struct gdb_session *s);

/* gdb_session_target_event - the target says a vCPU stopped on its own: stop the rest and report. */
void gdb_session_target_event(struct gdb_session *s);

/*
 * gdb_session_detach - the debugger leaves (D packet, or the connection dropped): remove every
 * breakpoint, turn debugging off and let every vCPU run. The session ends.
 */
void gdb_session_detach(struct gdb_session *s);

/* gdb_session_exited - the VM ended with @status: tell gdb (W packet) if it waits for a stop. The session ends. */
void gdb_session_exited(struct gdb_session *s, int status);

#endif
