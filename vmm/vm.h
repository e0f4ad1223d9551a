/* struct vm: every piece of one virtual machine's state, and its lifecycle. */
#ifndef KEEL_VMM_VM_H
#define KEEL_VMM_VM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "vcpu/quirks.h"
#include "vcpu/vcpu.h"
#include "vmm/boot/kernel.h"
#include "vmm/boot/boot.h"
#include "vmm/config.h"
#include "vmm/gdb/gdb.h"
#include "vmm/image.h"
#include "vmm/platform.h"

struct kvm_cpuid2;
struct vcpu;
struct uart;
struct i8042;
struct console;
struct gdb;
struct virtio_host;
struct bench_dev;
struct machine_fw_cfg;
struct display;

struct vm {
	struct vm_config cfg;
	struct platform plat;		/* KVM fds, guest RAM, buses, interrupts, stop requests, resources, event loop */
	struct vcpu_env vcpu_env;	/* what the vCPUs may use (vcpu/vcpu.h); hooks set by bench and gdb */
	unsigned int max_vcpus;		/* KVM_CAP_MAX_VCPUS */
	struct kvm_cpuid2 *cpuid;	/* KVM_GET_SUPPORTED_CPUID, the base of every vCPU's CPUID */
	const struct boot_protocol *boot_proto;	/* how the kernel boots (vmm/boot/boot.h) */
	struct boot_request boot_req;	/* what it boots, from the inputs */
	struct image kernel_img;	/* --kernel: open until loaded */
	struct image initrd_img[CONFIG_MAX_INITRDS];	/* --initrd files: open until loaded */
	struct boot_module modules[CONFIG_MAX_INITRDS];	/* boot_req's view of them */
	struct kernel_file kernel;	/* what the kernel file is; a bzImage's unpacked vmlinux */
	char cmdline[KEEL_CMDLINE_MAX];	/* --cmdline plus what the host's workarounds add */
	unsigned int host_flags;	/* enum vcpu_quirk bits in force */
	const char *host_why;		/* the host module that needs them ("kvm_pvm"), or NULL */
	struct vcpu_quirks quirks;	/* their state, shared by the vCPUs */
	bool quirks_ready;		/* quirks initialised */
	bool term_pending;		/* SIGTERM pressed the power button; a second one stops at once */
	int term_timer;			/* timerfd bounding that wait, -1 when none */
	struct boot_result boot;	/* where the kernel landed */
	unsigned int ncpus;
	struct vcpu **vcpus;		/* ncpus entries */
	struct pm *pm;			/* the ACPI PM hardware (devices/pm.h): pm_power_button on SIGTERM */
	struct i8042 *i8042;		/* the keyboard controller (devices/i8042.h): Ctrl-Alt-Del goes in through it */
	struct uart *uart;		/* COM1 */
	struct irq_line com1_irq;	/* its interrupt line */
	struct console *console;	/* the terminal, wired to COM1 */
	struct gdb *gdb;		/* the gdb stub (vmm/gdb/), NULL without --gdb */
	struct gdb_vm gdb_view;		/* what a debugger may use of this VM (set once the vCPUs exist) */
	struct virtio_host *virtio;	/* virtio devices and their I/O thread (devices/virtio/host.h), or NULL */
	struct bench_dev *bench;	/* the bench devices (devices/bench.c), NULL unless cfg.bench */
	struct machine_fw_cfg *fw_cfg;	/* the fw_cfg device and its items (vmm/machine_fw_cfg.h) */
	struct display *display;	/* framebuffers, screenshots, VNC (vmm/display.h), or NULL */
};

/*
 * vm_init - initialise the KVM-independent parts (the platform: buses, stop eventfd, event loop)
 * so that unit tests can use a struct vm without /dev/kvm. The KVM fds are left at -1.
 */
int vm_init(struct vm *vm, const struct vm_config *cfg);

/*
 * vm_create - open KVM, create the VM, guest RAM, irqchip, PIT, devices and vCPUs and load the
 * kernel. On failure prints one line and returns the process exit status to use (KEEL_EXIT_*).
 */
int vm_create(struct vm *vm, const struct vm_config *cfg);

/* vm_run - start every vCPU, run the event loop until a stop, stop and join the vCPUs. Returns the exit status. */
int vm_run(struct vm *vm);

/* vm_rebooted - whether the VM ended because the guest reset it (a reboot). */
bool vm_rebooted(struct vm *vm);

/* vm_destroy - release everything; safe after a failed vm_create or vm_init. */
void vm_destroy(struct vm *vm);

/*
 * vm_pause_all - hold every vCPU for @reason (enum vcpu_pause_reason) and wait until each is
 * outside KVM_RUN. vm_resume_all - drop @reason from every vCPU; each runs again once no other
 * reason holds it.
 */
int vm_pause_all(struct vm *vm, unsigned int reason);
void vm_resume_all(struct vm *vm, unsigned int reason);

/*
 * vm_drive_swap - on the main thread of a running VM: the virtio-blk disk whose id is @drive_id
 * reads and writes the image @path from now on (opened as the disk was: read-only or not); the
 * guest is told its capacity changed (a configuration-change interrupt). Requests in flight on
 * the old image finish there first. 0, or a negative errno with one line in @err (an unknown id,
 * an image that cannot be opened); the disk keeps its image on failure.
 */
int vm_drive_swap(struct vm *vm, const char *drive_id, const char *path, char *err, size_t errlen);

/*
 * vm_ctrl_alt_del - on the main thread: send the guest Ctrl-Alt-Del (Firecracker's SendCtrlAltDel:
 * the keystrokes on the i8042 keyboard). 0, or a negative errno with one line in @err.
 */
int vm_ctrl_alt_del(struct vm *vm, char *err, size_t errlen);

#endif
