/* One vCPU: its KVM fd, its kvm_run page, its thread and its running / paused / stopped state. */
#ifndef KEEL_VCPU_VCPU_H
#define KEEL_VCPU_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct bus;
struct guest_mem;
struct stop_ctl;
struct vcpu;
struct vcpu_quirks;

enum vcpu_state {
	VCPU_RUNNING,	/* in or about to enter KVM_RUN */
	VCPU_PAUSED,	/* parked outside KVM_RUN until resumed */
	VCPU_STOPPED,	/* its thread has left the run loop for good */
};

/*
 * Why a vCPU is held. Each holder pauses and resumes with its own reason; a vCPU runs only when
 * no reason holds, so a debugger's resume never releases a pause the control API asked for.
 */
enum vcpu_pause_reason {
	VCPU_PAUSE_DEBUGGER = 1u << 0,	/* the gdb stub: a stop, Ctrl-C, --gdb-wait */
	VCPU_PAUSE_API = 1u << 1,	/* a control API's pause */
	VCPU_PAUSE_SNAPSHOT = 1u << 2,	/* a snapshot being taken or restored */
};

/*
 * Handlers for exits other than port I/O and MMIO, installed by a device (keel bench's,
 * devices/bench.c); either may be NULL. Called on the vCPU thread; return 0 or -errno.
 * msr: an RDMSR (fill *@data) or WRMSR of @index that KVM sent to user space
 * (KVM_CAP_X86_USER_SPACE_MSR); an error makes the guest take #GP.
 * hypercall: hypercall @nr with @args that KVM sent to user space (KVM_CAP_EXIT_HYPERCALL);
 * *@ret becomes the guest's RAX; an error gives it -KVM_ENOSYS.
 */
struct vcpu_exit_hooks {
	int (*msr)(void *opaque, struct vcpu *vcpu, uint32_t index, uint64_t *data, bool is_write);
	int (*hypercall)(void *opaque, struct vcpu *vcpu, uint64_t nr, const uint64_t args[6], uint64_t *ret);
};

/*
 * How a debugger attaches to the exit path (the gdb stub, vmm/gdb/); both are called on the
 * vCPU's thread. debug_exit: a KVM_EXIT_DEBUG; returns a vcpu_action. breakpoint: the vCPU is at
 * an int3 at linear address @pc that KVM could not emulate (ring 0 on kvm_pvm); true when the
 * debugger took it (it planted it, or was asked to report the guest's own and moved the PC past
 * it; either way it has parked the vCPU), false when the guest's own is to be delivered.
 */
struct vcpu_debug_hooks {
	int (*debug_exit)(void *opaque, struct vcpu *vcpu, const struct kvm_run *run);
	bool (*breakpoint)(void *opaque, struct vcpu *vcpu, uint64_t pc);
};

/*
 * What a vCPU may use of the machine, shared by all the VM's vCPUs and owned by the VM: the
 * buses its exits go to, guest memory, the stop request, and the hooks. Nothing else of the VM.
 */
struct vcpu_env {
	int vm_fd;				/* KVM VM, -1 in unit tests */
	int mmap_size;				/* KVM_GET_VCPU_MMAP_SIZE: the kvm_run mapping */
	const struct kvm_cpuid2 *cpuid;		/* KVM_GET_SUPPORTED_CPUID: the base of each vCPU's */
	unsigned int ncpus;			/* vCPUs in the VM (CPUID topology) */
	struct bus *pio, *mmio;			/* where port I/O and MMIO exits go */
	const struct guest_mem *mem;		/* guest RAM */
	struct stop_ctl *stop;			/* ends the VM */
	const struct vcpu_exit_hooks *hooks;	/* MSR and hypercall exits, or NULL */
	void *hooks_opaque;
	const struct vcpu_debug_hooks *debug;	/* the debugger, or NULL */
	void *debug_opaque;
	struct vcpu_quirks *quirks;		/* the host's workarounds (vcpu/quirks.h), or NULL */
	const char *thread_name;		/* the threads' name before the vCPU's number: "keel-vcpu" when NULL
						   ("fc_vcpu " under `keel firecracker`, as Kata looks for it) */
	unsigned int seccomp;			/* 0, or each thread installs the vCPU kind's filter and a
						   forbidden call exits with this status (vmm/sandbox.h) */
};

/* What a vCPU's exits were, counted since it was created (Firecracker's "vcpu" metrics); relaxed atomics. */
struct vcpu_counters {
	_Atomic uint64_t exit_io_in, exit_io_out;	/* port I/O exits */
	_Atomic uint64_t exit_mmio_read, exit_mmio_write;
	_Atomic uint64_t failures;			/* exits that ended the VM as a failure */
};

/* The same, read out. */
struct vcpu_stats {
	uint64_t exit_io_in, exit_io_out, exit_mmio_read, exit_mmio_write, failures;
};

struct vcpu {
	const struct vcpu_env *env;
	unsigned int id;		/* 0 is the bootstrap processor */
	uint32_t apic_id;		/* == id */
	int fd;				/* KVM_CREATE_VCPU, -1 when none */
	struct kvm_run *run;		/* shared page, NULL when none */
	pthread_t thread;
	bool thread_started;

	pthread_mutex_t lock;		/* guards state, paused_for and stop */
	pthread_cond_t cond;		/* signalled on every change */
	enum vcpu_state state;		/* what the thread is doing */
	unsigned int paused_for;	/* enum vcpu_pause_reason bits that hold it */
	bool stop;			/* leave the run loop for good */
	struct vcpu_counters ctr;	/* written by its thread, read by anyone through vcpu_stats */
};

/* What vcpu_dispatch_exit tells the run loop. */
enum vcpu_action {
	VCPU_ACTION_CONTINUE = 0,	/* re-enter KVM_RUN */
	VCPU_ACTION_STOP = 1,		/* the VM is ending: leave the run loop */
};

/* vcpu_create - KVM_CREATE_VCPU in @env's VM, map kvm_run, set CPUID. Returns 0 or -errno. */
int vcpu_create(const struct vcpu_env *env, unsigned int id, struct vcpu **out);
/* vcpu_destroy - join nothing, free everything; the thread must have been joined. */
void vcpu_destroy(struct vcpu *vcpu);
/* vcpu_start - start the thread running the KVM_RUN loop. Returns 0 or -errno. */
int vcpu_start(struct vcpu *vcpu);
/* vcpu_kick - force the vCPU out of KVM_RUN soon (immediate_exit plus a signal); any thread. */
void vcpu_kick(struct vcpu *vcpu);
/* vcpu_pause - hold the vCPU for @reason (enum vcpu_pause_reason) and kick it; returns at once. */
void vcpu_pause(struct vcpu *vcpu, unsigned int reason);
/* vcpu_resume - drop @reason; the vCPU runs again once no reason holds it. */
void vcpu_resume(struct vcpu *vcpu, unsigned int reason);
/* vcpu_stop - make the thread leave its run loop for good and kick it; returns at once. */
void vcpu_stop(struct vcpu *vcpu);
/* vcpu_park_self - on the vCPU's own thread: hold it for @reason after the current exit; no kick needed. */
void vcpu_park_self(struct vcpu *vcpu, unsigned int reason);
/* vcpu_paused_for - the reasons holding the vCPU now. */
unsigned int vcpu_paused_for(struct vcpu *vcpu);
/*
 * vcpus_pause - hold each of the @n vCPUs of @v for @reason and wait until each is outside
 * KVM_RUN. vcpus_resume - drop @reason from each; a vCPU runs again once no reason holds it.
 */
void vcpus_pause(struct vcpu *const *v, unsigned int n, unsigned int reason);
void vcpus_resume(struct vcpu *const *v, unsigned int n, unsigned int reason);
/* vcpu_wait_state - wait until the thread reports @state (or stopped). */
void vcpu_wait_state(struct vcpu *vcpu, enum vcpu_state state);
/* vcpu_join - wait for the thread to end. */
void vcpu_join(struct vcpu *vcpu);

/*
 * vcpu_dispatch_exit - handle one exit described by @run (normally vcpu->run; unit tests pass a
 * hand-made struct). Returns a vcpu_action; on a fatal exit it has already asked its
 * environment's stop_ctl to end the VM with the right status.
 */
int vcpu_dispatch_exit(struct vcpu *vcpu, struct kvm_run *run);

/* vcpu_stats - what @vcpu's counters say now (any thread). */
void vcpu_stats(const struct vcpu *vcpu, struct vcpu_stats *out);

/* vcpu_dump_regs - print the vCPU's registers to stderr (after a triple fault, an emulation failure). */
void vcpu_dump_regs(struct vcpu *vcpu);

/* vcpu_kick_signal - the signal used to kick vCPU threads (SIGRTMIN). */
int vcpu_kick_signal(void);

#endif
