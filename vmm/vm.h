/* struct vm: every piece of one virtual machine's state, and its lifecycle. */
#ifndef KEEL_VMM_VM_H
#define KEEL_VMM_VM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/virtio/config.h"
#include "vmm/boot/boot.h"
#include "vmm/bus.h"
#include "vmm/evloop.h"
#include "vmm/memory.h"

struct kvm_cpuid2;
struct vcpu;
struct uart;
struct console;
struct gdb;
struct virtio_host;
struct bench_dev;

/*
 * Handlers for exits other than port I/O and MMIO, installed by a device (bench mode,
 * devices/bench.c); either may be NULL. Called on the vCPU thread; return 0 or -errno.
 * msr: an RDMSR (fill *@data) or WRMSR of @index that KVM sent to user space
 * (KVM_CAP_X86_USER_SPACE_MSR); an error makes the guest take #GP.
 * hypercall: hypercall @nr with @args that KVM sent to user space (KVM_CAP_EXIT_HYPERCALL);
 * *@ret becomes the guest's RAX; an error gives it -KVM_ENOSYS.
 */
struct vm_exit_hooks {
	int (*msr)(void *opaque, struct vcpu *vcpu, uint32_t index, uint64_t *data, bool is_write);
	int (*hypercall)(void *opaque, struct vcpu *vcpu, uint64_t nr, const uint64_t args[6], uint64_t *ret);
};

/* What the user asked for (filled by the CLI). */
struct vm_config {
	const char *kernel_path;	/* NULL: the bundled guest */
	const char *initrd_path;	/* NULL: none */
	const char *cmdline;		/* never NULL */
	uint64_t mem_size;		/* bytes */
	unsigned int ncpus;		/* vCPUs */
	const char *kvm_path;		/* "/dev/kvm" */
	const char *gdb;		/* --gdb tcp:[HOST:]PORT or unix:PATH; NULL: no gdb stub */
	bool gdb_wait;			/* --gdb-wait: hold every vCPU until gdb attaches */
	struct virtio_config virtio;	/* --disk, --console, --rng, --virtio-transport */
	bool bench;			/* `keel bench`: add the bench devices (devices/bench.c) */
};

struct vm {
	struct vm_config cfg;
	int kvm_fd;			/* /dev/kvm, -1 when closed */
	int vm_fd;			/* KVM_CREATE_VM, -1 when closed */
	int vcpu_mmap_size;		/* KVM_GET_VCPU_MMAP_SIZE */
	unsigned int max_vcpus;		/* KVM_CAP_MAX_VCPUS */
	struct kvm_cpuid2 *cpuid;	/* KVM_GET_SUPPORTED_CPUID, the base of every vCPU's CPUID */
	struct guest_mem mem;		/* guest RAM */
	struct bus pio;			/* port I/O space */
	struct bus mmio;		/* MMIO space */
	struct boot_result boot;	/* where the kernel landed */
	unsigned int ncpus;
	struct vcpu **vcpus;		/* ncpus entries */
	struct evloop loop;		/* the event loop run by the main thread */
	struct uart *uart;		/* COM1 */
	struct console *console;	/* the terminal, wired to COM1 */
	struct gdb *gdb;		/* the gdb stub (vmm/gdb/), NULL without --gdb */
	struct virtio_host *virtio;	/* virtio devices and their I/O thread (devices/virtio/host.h), or NULL */
	struct bench_dev *bench;	/* the bench devices (devices/bench.c), NULL unless cfg.bench */
	const struct vm_exit_hooks *hooks; /* user-space MSR and hypercall exits, or NULL */
	void *hooks_opaque;		/* passed to the hooks */

	pthread_mutex_t stop_lock;	/* guards the three fields below */
	bool stop_requested;		/* first request wins */
	int exit_status;		/* KEEL_EXIT_* or a debug-exit status */
	int stop_efd;			/* eventfd: written once when a stop is requested */
};

/*
 * vm_init - initialise the KVM-independent parts (buses, stop eventfd, event loop) so that unit
 * tests can use a struct vm without /dev/kvm. kvm_fd and vm_fd are left at -1.
 */
int vm_init(struct vm *vm, const struct vm_config *cfg);

/*
 * vm_create - open KVM, create the VM, guest RAM, irqchip, PIT, devices and vCPUs and load the
 * kernel. On failure prints one line and returns the process exit status to use (KEEL_EXIT_*).
 */
int vm_create(struct vm *vm, const struct vm_config *cfg);

/* vm_run - start every vCPU, run the event loop until a stop, stop and join the vCPUs. Returns the exit status. */
int vm_run(struct vm *vm);

/* vm_destroy - release everything; safe after a failed vm_create or vm_init. */
void vm_destroy(struct vm *vm);

/*
 * vm_request_stop - ask the VM to end with @status; callable from any thread. The first request
 * wins; later ones are ignored. @why (may be NULL) is logged at info level.
 */
void vm_request_stop(struct vm *vm, int status, const char *why);

/* vm_pause_all / vm_resume_all - stop every vCPU outside KVM_RUN and wait for it; let them go again. */
int vm_pause_all(struct vm *vm);
void vm_resume_all(struct vm *vm);

/* vm_irq_line - drive the level of ISA/IOAPIC interrupt line @irq. Returns 0 or -errno. */
int vm_irq_line(struct vm *vm, unsigned int irq, int level);

#endif
