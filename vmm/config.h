/* The VM's configuration: one owned model, built through one validating adder per resource (the command line is a front end to them). */
#ifndef KEEL_VMM_CONFIG_H
#define KEEL_VMM_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/virtio/config.h"
#include "firmware/machine.h"

#define CONFIG_DEFAULT_MEM (256ull << 20)
#define CONFIG_DEFAULT_SHUTDOWN_TIMEOUT 30u
#define CONFIG_MAX_INITRDS 16u	/* --initrd files (BOOT_MODULES_MAX) */
#define CONFIG_MAX_CPUS 4096u	/* the adders' bound; KVM's own limit is checked when the VM is created */

/* How the kernel boots: chosen from the image (auto), or forced. */
enum config_boot_protocol {
	CONFIG_BOOT_AUTO = 0,	/* a bzImage or a vmlinux without the PVH note: linux; other ELF: pvh */
	CONFIG_BOOT_LINUX,	/* Linux's 64-bit boot protocol */
	CONFIG_BOOT_PVH,	/* PVH (the ELF's XEN_ELFNOTE_PHYS32_ENTRY) */
	CONFIG_BOOT_MULTIBOOT,	/* Multiboot 1 (a 0x1BADB002 header) */
	CONFIG_BOOT_MULTIBOOT2,	/* Multiboot 2 (a 0xE85250D6 header) */
};

/* config_boot_protocol_name - the --boot-protocol name of @p ("auto", "linux", "pvh", "multiboot", "multiboot2"). */
const char *config_boot_protocol_name(enum config_boot_protocol p);

#define CONFIG_MAX_FW_CFG 32u	/* --fw-cfg items */

/* One --fw-cfg item: a file in the guest's fw_cfg directory (devices/fw_cfg.h). */
struct config_fw_cfg {
	char *name;			/* "opt/...", at most 55 bytes */
	char *file;			/* file=PATH: its bytes, read when the VM starts; NULL with string= */
	char *string;			/* string=TEXT: these bytes (no NUL); NULL with file= */
};

/* --display: where the VM's scanouts are shown (vmm/display.c). */
enum config_display_kind {
	CONFIG_DISPLAY_NONE = 0,	/* the default: nothing served (screenshots still work) */
	CONFIG_DISPLAY_VNC,		/* vnc:[HOST:]PORT: a VNC server, on loopback unless HOST is named */
};

struct config_display {
	enum config_display_kind kind;
	char *host;			/* VNC: the address to listen on ("127.0.0.1" unless given) */
	unsigned int port;		/* VNC: the TCP port */
	char *screenshot;		/* --screenshot FILE: where SIGUSR1 writes a PNG of each output (NULL: keel-PID.png) */
	char *screenshot_on_exit;	/* --screenshot-on-exit FILE: a PNG of each output when the VM ends */
	unsigned int seccomp;		/* not an option: the VM's seccomp status (vm_init) for the VNC thread */
};

/* Whether keel works around what the host's KVM cannot do (vcpu/quirks.h). */
enum config_host_fixes {
	CONFIG_FIXES_AUTO = 0,	/* when the host is known to need them (kvm_pvm) */
	CONFIG_FIXES_OFF,
	CONFIG_FIXES_ON,	/* even where they seem unneeded (to test them) */
};

/*
 * What the user asked for, and what a VM is built from. vm_config_init gives the defaults; the
 * config_* adders below change it. It owns every string in it (vm_config_free releases them).
 * struct vm copies it by value and borrows its strings: free the config after vm_destroy.
 */
struct vm_config {
	char *kernel_path;		/* NULL: the bundled guest */
	char *initrd_paths[CONFIG_MAX_INITRDS];	/* --initrd files in order (Multiboot modules) */
	unsigned int ninitrds;
	char cmdline[KEEL_CMDLINE_MAX];	/* the kernel command line, "" by default */
	uint64_t mem_size;		/* bytes */
	unsigned int ncpus;		/* vCPUs */
	enum config_boot_protocol boot_protocol;	/* --boot-protocol: auto unless forced */
	enum config_host_fixes host_fixes;	/* --host-workarounds: auto (when the host needs them) */
	bool reboot_restart;		/* --reboot restart: a guest reset boots the VM again (keel re-executes itself) */
	bool no_seccomp;		/* --no-seccomp: no thread installs a system-call filter (vmm/sandbox.h) */
	unsigned int seccomp_status;	/* not an option: the exit status of a forbidden system call, 0 for
					   KEEL_EXIT_SECCOMP (`keel firecracker` sets Firecracker's 148) */
	unsigned int shutdown_timeout;	/* --shutdown-timeout: seconds SIGTERM waits for the guest to power off */
	char kvm_path[PATH_MAX];	/* "/dev/kvm" */
	char *gdb;			/* tcp:[HOST:]PORT or unix:PATH; NULL: no gdb stub */
	bool gdb_wait;			/* hold every vCPU until gdb attaches */
	struct virtio_config virtio;	/* disks, console, rng, NICs, GPU, inputs, transport */
	struct config_display display;	/* --display, --screenshot, --screenshot-on-exit */
	bool bench;			/* `keel bench`: add the bench devices (devices/bench.c) */
	struct config_fw_cfg fw_cfg[CONFIG_MAX_FW_CFG];	/* --fw-cfg files, in the order given */
	unsigned int nfw_cfg;
	const char *vcpu_thread_name;	/* the vCPU threads' name before their number (not owned): NULL "keel-vcpu" */
	unsigned int given;		/* which settings an adder made (vmm/config.c), for "given twice" */
};

/* vm_config_init - the defaults: 256 MiB, 1 vCPU, /dev/kvm, the bundled guest, cmdline "", no devices, PCI. */
void vm_config_init(struct vm_config *c);

/* vm_config_free - release what @c owns and leave the defaults (vm_config_init) behind. */
void vm_config_free(struct vm_config *c);

/* virtio_config_init / virtio_config_free - the same for the virtio part alone. */
void virtio_config_init(struct virtio_config *c);
void virtio_config_free(struct virtio_config *c);

/*
 * The adders. Each one checks its whole input, including against what @c already holds, and
 * returns 0, or -EINVAL (-ENOMEM) with one line in @err naming the problem, leaving @c as it
 * was. The messages name the command-line option ("--mem 1M: too small (at least 4 MiB)").
 */

/* config_set_mem - guest RAM as text: a size (vmm/opt.h: bare numbers are MiB), 4 MiB to 1 TiB, a multiple of 4 KiB. Once. */
int config_set_mem(struct vm_config *c, const char *size, char *err, size_t errlen);
/* config_set_mem_bytes - the same checks on a number of bytes. */
int config_set_mem_bytes(struct vm_config *c, uint64_t bytes, char *err, size_t errlen);

/* config_set_cpus - the vCPU count as text, 1 to CONFIG_MAX_CPUS. Once. config_set_cpus_n - as a number. */
int config_set_cpus(struct vm_config *c, const char *n, char *err, size_t errlen);
int config_set_cpus_n(struct vm_config *c, unsigned int n, char *err, size_t errlen);

/*
 * config_set_boot_source - the kernel (a path; the bundled guest when never set), one more initrd
 * (up to CONFIG_MAX_INITRDS, kept in order) and the kernel command line (at most
 * KEEL_CMDLINE_MAX - 1 bytes). NULL leaves one as it is; the kernel and command line may be set once.
 */
int config_set_boot_source(struct vm_config *c, const char *kernel, const char *initrd, const char *cmdline,
			   char *err, size_t errlen);

/* config_set_boot_protocol - "auto", "linux", "multiboot", "multiboot2" or "pvh" (--boot-protocol). Once. */
int config_set_boot_protocol(struct vm_config *c, const char *name, char *err, size_t errlen);

/* config_set_host_fixes - "auto", "off" or "on" (--host-workarounds). Once. */
int config_set_host_fixes(struct vm_config *c, const char *mode, char *err, size_t errlen);

/* config_set_reboot - "exit" (the default: a guest reset ends keel with status 0) or "restart". Once. */
int config_set_reboot(struct vm_config *c, const char *mode, char *err, size_t errlen);

/*
 * config_set_shutdown_timeout - seconds (0 to 3600) that SIGTERM waits, after pressing the ACPI
 * power button, for the guest to power off; 0 stops at once. Default CONFIG_DEFAULT_SHUTDOWN_TIMEOUT. Once.
 */
int config_set_shutdown_timeout(struct vm_config *c, const char *seconds, char *err, size_t errlen);

/* config_set_kvm_path - the KVM device to open instead of /dev/kvm. */
int config_set_kvm_path(struct vm_config *c, const char *path, char *err, size_t errlen);

/*
 * config_set_gdb - serve gdb at @addr (tcp:[HOST:]PORT or unix:PATH, once; NULL keeps the one set
 * before) and, with @wait, hold every vCPU until gdb attaches (needs an address; the last call's
 * @wait holds, so a front end that reads --gdb-wait before --gdb calls again with NULL, true).
 */
int config_set_gdb(struct vm_config *c, const char *addr, bool wait, char *err, size_t errlen);

/*
 * config_add_drive - a virtio-blk disk from "PATH[,readonly][,id=NAME]". config_add_drive_opts -
 * the same from its parts (@id NULL: none). At most VIRTIO_MAX_DISKS; the id at most 20
 * printable bytes, unique.
 */
int config_add_drive(struct vm_config *c, const char *spec, char *err, size_t errlen);
int config_add_drive_opts(struct vm_config *c, const char *path, bool readonly, const char *id, char *err,
			  size_t errlen);

/* config_set_console - "uart" (no virtio console), "virtio", "file:PATH[,in=PATH]" or "socket:PATH". Once. */
int config_set_console(struct vm_config *c, const char *spec, char *err, size_t errlen);

/* config_set_rng - a virtio-rng device (@on) or none. */
int config_set_rng(struct vm_config *c, bool on, char *err, size_t errlen);

/* config_set_rng_opts - a virtio-rng device placed by @opts ("transport=mmio", "msix=off", comma-separated). */
int config_set_rng_opts(struct vm_config *c, const char *opts, char *err, size_t errlen);

/*
 * config_add_net - a virtio-net device from "tap:IFNAME[,mac=MAC]" or
 * "socket:PATH[,peer=PATH][,mac=MAC]". config_add_net_opts - the same from its parts: @name the
 * interface (TAP) or the socket path (SOCKET), @peer NULL for none, @mac NULL to derive one from
 * the backend and the NIC's index. At most VIRTIO_MAX_NICS, each MAC, tap and socket path unique.
 */
int config_add_net(struct vm_config *c, const char *spec, char *err, size_t errlen);
int config_add_net_opts(struct vm_config *c, enum virtio_net_kind kind, const char *name, const char *peer,
			const unsigned char *mac, char *err, size_t errlen);

/*
 * config_add_fw_cfg - a fw_cfg file from "name=NAME,file=PATH" or "name=NAME,string=TEXT" (QEMU's
 * -fw_cfg; "name=" may be left out of the first item, and ",," stands for a comma). NAME: under
 * "opt/", at most 55 printable bytes, no empty, "." or ".." part, unique; PATH: a readable,
 * non-empty regular file under 4 GiB; TEXT: not empty. At most CONFIG_MAX_FW_CFG.
 * config_fw_cfg_free - release the items (vm_config_free calls it).
 */
int config_add_fw_cfg(struct vm_config *c, const char *spec, char *err, size_t errlen);
void config_fw_cfg_free(struct vm_config *c);

/*
 * The display's adders (vmm/config_display.c). config_set_display - "none" or
 * "vnc:[HOST:]PORT" (PORT 1-65535; HOST a name, an IPv4 or IPv6 address, "[ADDR]" allowed;
 * 127.0.0.1 unless given). Once. config_set_screenshot - the file SIGUSR1 writes a PNG to.
 * config_set_screenshot_on_exit - the file a PNG is written to when the VM ends. Each once.
 * config_display_free - release their strings (vm_config_free calls it).
 */
int config_set_display(struct vm_config *c, const char *spec, char *err, size_t errlen);
int config_set_screenshot(struct vm_config *c, const char *path, char *err, size_t errlen);
int config_set_screenshot_on_exit(struct vm_config *c, const char *path, char *err, size_t errlen);
void config_display_free(struct vm_config *c);

/* config_set_transport - how the guest finds virtio devices: "pci" (the default) or "mmio". Once. */
int config_set_transport(struct vm_config *c, const char *name, char *err, size_t errlen);

/*
 * config_add_input - a virtio-input device from "keyboard|tablet[,transport=pci|mmio][,msix=off]"
 * (vmm/config_input.c). At most VIRTIO_MAX_INPUTS.
 */
int config_add_input(struct vm_config *c, const char *spec, char *err, size_t errlen);

/*
 * config_set_gpu - the virtio-gpu from "2d|virgl[,width=W][,height=H][,outputs=N][,transport=pci|mmio]
 * [,msix=off]" (vmm/config_gpu.c): W and H 16..8192 (1280 x 800 unless given), N 1..DISPLAY_MAX_OUTPUTS.
 * Once; every bad item is named in the one line in @err.
 */
int config_set_gpu(struct vm_config *c, const char *value, char *err, size_t errlen);

/*
 * config_set_vsock - the virtio-vsock device from "cid=N,uds=PATH[,transport=pci|mmio][,msix=off]"
 * (vmm/config_vsock.c). config_set_vsock_opts - the same from its parts. N 3..4294967294, PATH
 * a socket path keel can bind (with room for "_PORT" after it). Once.
 */
int config_set_vsock(struct vm_config *c, const char *spec, char *err, size_t errlen);
int config_set_vsock_opts(struct vm_config *c, unsigned long long cid, const char *uds_path, char *err, size_t errlen);

/*
 * Helpers the virtio adders share (vmm/config_virtio.c).
 * config_next_item - the next comma-separated item of an option's value: its start (NULL when
 *   none is left), its length in *@n; *@rest moves past it (NULL after the last one).
 * config_place_item - one "transport=pci|mmio" or "msix=on|off" item (@n bytes at @item) of
 *   option @opt's value @spec into @pl: 1 when it was one, 0 when it is something else, -EINVAL
 *   with one line in @err when it is wrong.
 * config_virtio_room - 0 when @more virtio devices still fit in @c, else -EINVAL with one line
 *   naming option @opt and its @value (may be NULL).
 */
const char *config_next_item(const char **rest, size_t *n);
int config_place_item(struct virtio_place *pl, const char *opt, const char *spec, const char *item, size_t n,
		      char *err, size_t errlen);
int config_virtio_room(const struct virtio_config *c, unsigned int more, const char *opt, const char *value,
		       char *err, size_t errlen);

#endif
