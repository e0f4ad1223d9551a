/* One vCPU: its KVM fd, its kvm_run page, its thread and its running / paused / stopped state. */
#ifndef KEEL_VCPU_VCPU_H
#define KEEL_VCPU_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct vm;

enum vcpu_state {
	VCPU_RUNNING,	/* in or about to enter KVM_RUN */
	VCPU_PAUSED,	/* parked outside KVM_RUN until resumed */
	VCPU_STOPPED,	/* its thread has left the run loop for good */
};

struct vcpu {
	struct vm *vm;
	unsigned int id;		/* 0 is the bootstrap processor */
	uint32_t apic_id;		/* == id */
	int fd;				/* KVM_CREATE_VCPU, -1 when none */
	struct kvm_run *run;		/* shared page, NULL when none */
	pthread_t thread;
	bool thread_started;

	pthread_mutex_t lock;		/* guards state and request */
	pthread_cond_t cond;		/* signalled on every state change */
	enum vcpu_state state;		/* what the thread is doing */
	enum vcpu_state request;	/* what other threads want it to do */
};

/* What vcpu_dispatch_exit tells the run loop. */
enum vcpu_action {
	VCPU_ACTION_CONTINUE = 0,	/* re-enter KVM_RUN */
	VCPU_ACTION_STOP = 1,		/* the VM is ending: leave the run loop */
};

/* vcpu_create - KVM_CREATE_VCPU, map kvm_run, set CPUID (and, for vCPU 0, PVH registers). Returns 0 or -errno. */
int vcpu_create(struct vm *vm, unsigned int id, struct vcpu **out);
/* vcpu_destroy - join nothing, free everything; the thread must have been joined. */
void vcpu_destroy(struct vcpu *vcpu);
/* vcpu_start - start the thread running the KVM_RUN loop. Returns 0 or -errno. */
int vcpu_start(struct vcpu *vcpu);
/* vcpu_kick - force the vCPU out of KVM_RUN soon (immediate_exit plus a signal); any thread. */
void vcpu_kick(struct vcpu *vcpu);
/* vcpu_set_request - ask for @state and kick; returns at once. */
void vcpu_set_request(struct vcpu *vcpu, enum vcpu_state state);
/* vcpu_park_self - on the vCPU's own thread: pause after the current exit (a debugger stop); no kick needed. */
void vcpu_park_self(struct vcpu *vcpu);
/* vcpu_wait_state - wait until the thread reports @state (or stopped). */
void vcpu_wait_state(struct vcpu *vcpu, enum vcpu_state state);
/* vcpu_join - wait for the thread to end. */
void vcpu_join(struct vcpu *vcpu);

/*
 * vcpu_dispatch_exit - handle one exit described by @run (normally vcpu->run; unit tests pass a
 * hand-made struct). Returns a vcpu_action; on a fatal exit it has already called
 * vm_request_stop() with the right status.
 */
int vcpu_dispatch_exit(struct vcpu *vcpu, struct kvm_run *run);

/* vcpu_dump_regs - print the vCPU's registers to stderr (after a triple fault, an emulation failure). */
void vcpu_dump_regs(struct vcpu *vcpu);

/* vcpu_kick_signal - the signal used to kick vCPU threads (SIGRTMIN). */
int vcpu_kick_signal(void);

#endif
