/* VM lifecycle: create the KVM VM with RAM, irqchip, PIT, devices, vCPUs and the loaded kernel; run it; stop it; tear it down. */
#include "vmm/vm.h"

#include "devices/pm.h"
#include "devices/virtio/host.h"
#include "firmware/mmio_cmdline.h"
#include "vcpu/cpuid.h"
#include "vcpu/quirks.h"
#include "vcpu/vcpu.h"
#include "vmm/bundled_guest.h"
#include "vmm/device_types.h"
#include "vmm/console.h"
#include "vmm/display.h"
#include "vmm/exit_status.h"
#include "vmm/gdb/gdb.h"
#include "vmm/host_fixes.h"
#include "vmm/image.h"
#include "vmm/kvm.h"
#include "vmm/log.h"
#include "vmm/machine.h"
#include "vmm/sandbox.h"
#include "vmm/signals.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

int vm_init(struct vm *vm, const struct vm_config *cfg)
{
	int ret;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = *cfg;
	vm->term_timer = -1;
	ret = platform_init(&vm->plat);
	/* every thread's seccomp filter (vmm/sandbox.h), on unless --no-seccomp */
	vm->plat.seccomp = cfg->no_seccomp ? 0 : cfg->seccomp_status ? cfg->seccomp_status : KEEL_EXIT_SECCOMP;
	vm->cfg.display.seccomp = vm->plat.seccomp;
	vm->vcpu_env = (struct vcpu_env){
		.vm_fd = -1,
		.pio = &vm->plat.pio,
		.mmio = &vm->plat.mmio,
		.mem = &vm->plat.mem,
		.stop = &vm->plat.stop,
		.ncpus = cfg->ncpus,
		.seccomp = vm->plat.seccomp,
	};
	return ret;
}

int vm_pause_all(struct vm *vm, unsigned int reason)
{
	vcpus_pause(vm->vcpus, vm->ncpus, reason);
	return 0;
}

void vm_resume_all(struct vm *vm, unsigned int reason)
{
	vcpus_resume(vm->vcpus, vm->ncpus, reason);
}

/* An exit status for a failed boot step: its errno, with the line in @err logged. */
static int vm_boot_failed(int ret, const char *err)
{
	log_error("%s", err);
	/* image_open's errno (ENOENT, EACCES...) and -EINVAL are the user's input; the rest is the host. */
	return (ret == -ENOMEM || ret == -EIO) ? KEEL_EXIT_HOST : KEEL_EXIT_USAGE;
}

/*
 * The host's workarounds (vmm/host_fixes.h): which apply to this kernel on this host, and the
 * command line with the Linux parameters they need. 0 or -E2BIG with one line in @err.
 */
static int vm_host_fixes(struct vm *vm, char *err, size_t errlen)
{
	bool needed = host_fixes_needed("/sys/module", &vm->host_why);
	bool linux_kernel = vm->kernel.linux_kernel;
	char params[HOST_FIXES_PARAMS_MAX];
	int ret;

	vm->host_flags = host_fixes_flags(vm->cfg.host_fixes, needed, linux_kernel);
	host_fixes_params(vm->cfg.ncpus, params, sizeof(params));
	memcpy(vm->cmdline, vm->cfg.cmdline, sizeof(vm->cmdline));
	ret = host_fixes_cmdline(vm->cmdline, sizeof(vm->cmdline), vm->host_flags, linux_kernel, params, err, errlen);
	if (ret < 0)
		return ret;
	if (vm->host_flags) {
		char line[400];

		host_fixes_describe(vm->host_flags, vm->host_why, linux_kernel ? params : NULL, line, sizeof(line));
		log_info("%s", line);
	} else if (needed) {
		log_info("host workarounds: off (--host-workarounds off) although this host (%s) needs them",
			 vm->host_why);
	}
	return 0;
}

/*
 * The inputs, judged before KVM is opened: read the kernel and initrd, make guest RAM, pick the
 * boot protocol and let it check the whole request (writing nothing yet).
 */
static int vm_inputs(struct vm *vm)
{
	struct boot_request *req = &vm->boot_req;
	char err[512];
	int ret;

	if (vm->cfg.kernel_path) {
		ret = image_open(vm->cfg.kernel_path, "--kernel", &vm->kernel_img, err, sizeof(err));
		if (ret < 0)
			return vm_boot_failed(ret, err);
		req->kernel_name = vm->cfg.kernel_path;
		/* a bzImage's vmlinux is unpacked here, once; it may not outgrow guest RAM */
		ret = kernel_file_open(vm->kernel_img.data, vm->kernel_img.size, req->kernel_name, vm->cfg.mem_size,
				       &vm->kernel, err, sizeof(err));
		if (ret < 0)
			return vm_boot_failed(ret, err);
		req->kernel = vm->kernel.elf;
		req->kernel_size = vm->kernel.elf_size;
		req->setup_hdr = vm->kernel.setup_hdr;
		req->setup_hdr_len = vm->kernel.setup_hdr_len;
	} else {
		req->kernel = keel_bundled_guest;
		req->kernel_size = (size_t)keel_bundled_guest_size;
		req->kernel_name = "bundled guest";
	}
	_Static_assert(CONFIG_MAX_INITRDS <= BOOT_MODULES_MAX, "a module for every --initrd");
	for (unsigned int i = 0; i < vm->cfg.ninitrds; i++) {
		ret = image_open(vm->cfg.initrd_paths[i], "--initrd", &vm->initrd_img[i], err, sizeof(err));
		if (ret < 0)
			return vm_boot_failed(ret, err);
		vm->modules[i] = (struct boot_module){
			.data = vm->initrd_img[i].data, .size = vm->initrd_img[i].size, .name = vm->cfg.initrd_paths[i],
		};
	}
	req->modules = vm->cfg.ninitrds ? vm->modules : NULL;
	req->nmodules = vm->cfg.ninitrds;
	ret = vm_host_fixes(vm, err, sizeof(err));
	if (ret < 0)
		return vm_boot_failed(-EINVAL, err);
	req->cmdline = vm->cmdline;
	req->ncpus = vm->cfg.ncpus;
	ret = gmem_init(&vm->plat.mem, vm->cfg.mem_size);
	if (ret < 0) {
		log_error("cannot allocate %llu MiB of guest RAM: %s",
			  (unsigned long long)(vm->cfg.mem_size >> 20), strerror(-ret));
		return KEEL_EXIT_HOST;
	}
	vm->boot_proto = vm->cfg.boot_protocol == CONFIG_BOOT_AUTO ? boot_protocol_for(req)
			 : boot_protocol_named(config_boot_protocol_name(vm->cfg.boot_protocol));
	log_info("booting %s by the %s protocol%s%s%s", req->kernel_name, vm->boot_proto->name,
		 vm->kernel.compression ? " (a bzImage; its " : "", vm->kernel.compression ? vm->kernel.compression : "",
		 vm->kernel.compression ? " payload unpacked by keel)" : "");
	ret = vm->boot_proto->check(&vm->plat.mem, req, err, sizeof(err));
	return ret < 0 ? vm_boot_failed(ret, err) : 0;
}

/* Devices first, then tables, then the kernel: the devices describe themselves, the protocol loads. */
static int vm_boot(struct vm *vm)
{
	struct dev_descs *devs = calloc(1, sizeof(*devs));
	char err[512];
	int ret, booted;

	if (!devs) {
		log_error("out of memory");
		return KEEL_EXIT_HOST;
	}
	ret = machine_devices_describe(vm, devs);
	if (ret < 0) {
		log_error("cannot describe the devices: %s", strerror(-ret));
		free(devs);
		return KEEL_EXIT_HOST;
	}
	if (vm->kernel.linux_kernel && mmio_cmdline_wanted(vm->cmdline)) {
		ret = mmio_cmdline_append(devs, vm->cmdline, sizeof(vm->cmdline));
		if (ret < 0) {
			log_error("--cmdline: no room left for the virtio_mmio.device= parameters a kernel with acpi=off needs");
			free(devs);
			return KEEL_EXIT_USAGE;
		}
		if (ret > 0)
			log_info("acpi=off: the kernel finds its %d virtio-mmio device%s by virtio_mmio.device= on its command line",
				 ret, ret == 1 ? "" : "s");
	}
	vm->boot_req.devices = devs;
	ret = vm->boot_proto->load(&vm->plat.mem, &vm->boot_req, &vm->boot, err, sizeof(err));
	vm->boot_req.devices = NULL;
	free(devs);
	/* what the boot placed, for the devices that hand it over (fw_cfg takes the files it serves) */
	booted = ret == 0 ? machine_devices_booted(vm) : 0;
	image_close(&vm->kernel_img);
	for (unsigned int i = 0; i < CONFIG_MAX_INITRDS; i++)
		image_close(&vm->initrd_img[i]);
	kernel_file_close(&vm->kernel);
	if (ret < 0)
		return vm_boot_failed(ret, err);
	return booted < 0 ? KEEL_EXIT_HOST : 0;
}

/* Create the KVM VM: irqchip, PIT and memory slots. Returns an exit status. */
static int vm_create_kvm(struct vm *vm)
{
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	const struct guest_mem *mem = &vm->plat.mem;

	int vm_fd = ioctl(vm->plat.kvm_fd, KVM_CREATE_VM, 0UL);

	if (vm_fd < 0)
		return kvm_fail("KVM_CREATE_VM");
	platform_set_vm(&vm->plat, vm->plat.kvm_fd, vm_fd);
	vm->vcpu_env.vm_fd = vm_fd;
	if (ioctl(vm->plat.vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000UL) < 0)
		return kvm_fail("KVM_SET_TSS_ADDR");
	{
		uint64_t idmap = 0xfffbc000ULL;

		if (ioctl(vm->plat.vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0)
			return kvm_fail("KVM_SET_IDENTITY_MAP_ADDR");
	}
	if (ioctl(vm->plat.vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return kvm_fail("KVM_CREATE_IRQCHIP");
	if (ioctl(vm->plat.vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		return kvm_fail("KVM_CREATE_PIT2");
	for (unsigned int i = 0; i < mem->nregions; i++) {
		const struct gmem_region *r = &mem->regions[i];
		struct kvm_userspace_memory_region slot = {
			.slot = i,
			.guest_phys_addr = r->gpa,
			.memory_size = r->size,
			.userspace_addr = (uintptr_t)r->hva,
		};

		if (ioctl(vm->plat.vm_fd, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
			return kvm_fail("KVM_SET_USER_MEMORY_REGION");
	}
	return 0;
}

/* The display, before the devices that draw into it or feed from it: when a GPU, an input or --display asks. */
static int vm_display_create(struct vm *vm)
{
	char err[512];
	int ret = display_wanted(&vm->cfg, err, sizeof(err));

	if (ret <= 0) {
		if (ret < 0)
			log_error("%s", err);
		return ret < 0 ? KEEL_EXIT_USAGE : 0;
	}
	ret = display_create(&vm->cfg.display, &vm->display, err, sizeof(err));
	if (ret < 0) {
		log_error("%s", err);
		return ret == -ENOMEM ? KEEL_EXIT_HOST : KEEL_EXIT_USAGE;
	}
	return 0;
}

/* SIGUSR1: a screenshot of every output to --screenshot FILE (keel-PID.png). */
static void vm_screenshot(struct vm *vm)
{
	char err[512];

	if (display_screenshot(vm->display, vm->display->screenshot, err, sizeof(err)) < 0)
		log_warn("SIGUSR1: %s", err);
}

int vm_create(struct vm *vm, const struct vm_config *cfg)
{
	const struct virtio_type *types[DEVICE_TYPES_MAX];
	struct virtio_env env;
	char err[512];
	int ret;

	ret = vm_init(vm, cfg);
	if (ret < 0) {
		log_error("cannot set up the VM: %s", strerror(-ret));
		return KEEL_EXIT_HOST;
	}
	/* A --display or screenshot without a GPU is a usage error, found before any work. */
	if (display_wanted(&vm->cfg, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return KEEL_EXIT_USAGE;
	}
	/* Inputs first: a bad kernel is reported the same way on any host. */
	ret = vm_inputs(vm);
	if (ret)
		return ret;
	ret = vm_display_create(vm);
	if (ret)
		return ret;
	/* the disk images and console files are inputs too */
	device_types_ops(types);
	env = (struct virtio_env){ .stop = &vm->plat.stop, .display = vm->display ? &vm->display->port : NULL };
	ret = virtio_prepare(&vm->cfg.virtio, types, (unsigned int)device_ntypes, &env, &vm->virtio);
	if (ret)
		return ret;
	ret = kvm_open(vm, cfg->kvm_path);
	if (ret)
		return ret;
	if (cfg->ncpus > vm->max_vcpus) {
		log_error("--cpus %u: KVM on this host allows at most %u vCPUs", cfg->ncpus, vm->max_vcpus);
		return KEEL_EXIT_USAGE;
	}
	ret = vm_create_kvm(vm);
	if (ret)
		return ret;
	vm->host_flags = host_fixes_vm(vm->plat.kvm_fd, vm->plat.vm_fd, vm->host_flags);
	quirks_init(&vm->quirks, vm->host_flags);
	vm->quirks_ready = true;
	vm->vcpu_env.quirks = vm->host_flags ? &vm->quirks : NULL;
	ret = cpuid_get_supported(vm->plat.kvm_fd, &vm->cpuid);
	if (ret < 0) {
		log_error("KVM_GET_SUPPORTED_CPUID: %s", strerror(-ret));
		return KEEL_EXIT_HOST;
	}
	ret = machine_devices_create(vm);
	if (ret < 0) {
		log_error("cannot create the devices: %s", strerror(-ret));
		return KEEL_EXIT_HOST;
	}
	ret = vm_boot(vm);
	if (ret)
		return ret;
	vm->vcpus = calloc(cfg->ncpus, sizeof(*vm->vcpus));
	if (!vm->vcpus) {
		log_error("out of memory");
		return KEEL_EXIT_HOST;
	}
	vm->ncpus = cfg->ncpus;
	vm->vcpu_env.cpuid = vm->cpuid;
	vm->vcpu_env.thread_name = cfg->vcpu_thread_name;
	for (unsigned int i = 0; i < vm->ncpus; i++) {
		ret = vcpu_create(&vm->vcpu_env, i, &vm->vcpus[i]);
		if (ret == 0 && i == 0)
			ret = vm->boot_proto->set_regs(vm->vcpus[0]->fd, &vm->boot);
		if (ret < 0) {
			log_error("cannot create vCPU %u: %s", i, strerror(-ret));
			vm->ncpus = i + (vm->vcpus[i] != NULL);
			return KEEL_EXIT_HOST;
		}
	}
	vm->gdb_view = (struct gdb_vm){
		.vcpus = vm->vcpus, .ncpus = vm->ncpus, .vm_fd = vm->plat.vm_fd,
		.loop = &vm->plat.loop, .stop = &vm->plat.stop, .env = &vm->vcpu_env,
		.image_map = vm->boot.map, .image_nmap = vm->boot.nmap,
	};
	return gdb_create(&vm->gdb_view, cfg->gdb, cfg->gdb_wait, &vm->gdb);
}

static void vm_on_stop(void *opaque, int fd, uint32_t events)
{
	struct vm *vm = opaque;
	uint64_t v;

	(void)events;
	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_debug("stop eventfd: %s", strerror(errno));
	evloop_stop(&vm->plat.loop);
}

/* The guest did not power off in time after SIGTERM pressed its power button. */
static void vm_on_shutdown_timeout(void *opaque, int fd, uint32_t events)
{
	struct vm *vm = opaque;
	uint64_t n;

	(void)events;
	if (read(fd, &n, sizeof(n)) < 0 && errno == EAGAIN)
		return;		/* not expired after all */
	log_warn("the guest did not power off within %u s of SIGTERM: stopping it", vm->cfg.shutdown_timeout);
	stop_request(&vm->plat.stop, 128 + SIGTERM, NULL);
}

/*
 * A first SIGTERM asks the guest to shut down: it presses the ACPI power button and gives the
 * guest cfg.shutdown_timeout seconds. Returns true when it did (the VM goes on for now).
 */
static bool vm_graceful_term(struct vm *vm)
{
	struct itimerspec when = { .it_value = { .tv_sec = vm->cfg.shutdown_timeout } };
	int r;

	if (vm->term_pending || !vm->pm || vm->cfg.shutdown_timeout == 0)
		return false;
	r = pm_power_button(vm->pm);
	if (r < 0) {
		log_warn("SIGTERM: the guest does not listen to the ACPI power button: stopping it at once");
		return false;
	}
	vm->term_timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (vm->term_timer < 0 || timerfd_settime(vm->term_timer, 0, &when, NULL) < 0 ||
	    evloop_add(&vm->plat.loop, vm->term_timer, EPOLLIN, vm_on_shutdown_timeout, vm) < 0) {
		log_warn("SIGTERM: cannot arm the shutdown timer (%s): stopping the guest at once", strerror(errno));
		return false;
	}
	vm->term_pending = true;
	log_warn("SIGTERM: pressed the guest's ACPI power button; waiting up to %u s for it to power off"
		 " (SIGTERM again stops it at once)", vm->cfg.shutdown_timeout);
	return true;
}

static void vm_on_signal(void *opaque, int fd, uint32_t events)
{
	struct signalfd_siginfo si;
	struct vm *vm = opaque;
	int sig;

	(void)events;
	if (read(fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return;
	sig = signals_number(&si);
	if (sig == SIGUSR1 && vm->display) {
		vm_screenshot(vm);
		return;
	}
	if (sig == SIGTERM && vm_graceful_term(vm))
		return;
	log_warn("stopped by signal %d (%s)", sig, strsignal(sig));
	stop_request(&vm->plat.stop, 128 + sig, NULL);
}

/* Stop and join every started vCPU thread. */
static void vm_stop_vcpus(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->ncpus; i++)
		vcpu_stop(vm->vcpus[i]);
	for (unsigned int i = 0; i < vm->ncpus; i++)
		vcpu_join(vm->vcpus[i]);
}

int vm_run(struct vm *vm)
{
	sigset_t stop_sigs;
	int sfd, ret;

	/* The stop signals (vmm/signals.h) are blocked by main() and read here through a signalfd. */
	signals_stop_set(&stop_sigs);
	sfd = signalfd(-1, &stop_sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0 || evloop_add(&vm->plat.loop, sfd, EPOLLIN, vm_on_signal, vm) < 0 ||
	    evloop_add(&vm->plat.loop, vm->plat.stop.efd, EPOLLIN, vm_on_stop, vm) < 0) {
		log_error("cannot set up the event loop: %s", strerror(errno));
		if (sfd >= 0)
			close(sfd);
		return KEEL_EXIT_HOST;
	}
	/* With --console virtio the terminal feeds the virtio console; COM1 then only prints. */
	ret = console_create(vm, virtio_console_owns_stdin(vm->virtio) ? -1 : STDIN_FILENO, &vm->console);
	if (ret < 0)
		log_warn("no console input: %s", strerror(-ret));
	for (unsigned int i = 0; i < vm->ncpus; i++) {
		ret = vcpu_start(vm->vcpus[i]);
		if (ret < 0) {
			log_error("cannot start vCPU %u: %s", i, strerror(-ret));
			stop_request(&vm->plat.stop, KEEL_EXIT_HOST, NULL);
			break;
		}
	}
	/* last: every other thread was created unfiltered and has installed its own (vmm/sandbox.h) */
	if (sandbox_enter(SANDBOX_MAIN, vm->plat.seccomp, vm->cfg.reboot_restart ? SANDBOX_EXEC : 0) < 0)
		stop_request(&vm->plat.stop, KEEL_EXIT_HOST, NULL);
	ret = evloop_run(&vm->plat.loop);
	if (ret < 0) {
		log_error("event loop failed: %s", strerror(-ret));
		stop_request(&vm->plat.stop, KEEL_EXIT_HOST, NULL);
	}
	vm_stop_vcpus(vm);
	console_destroy(vm->console);
	vm->console = NULL;
	evloop_del(&vm->plat.loop, sfd);
	close(sfd);
	if (vm->term_timer >= 0) {
		evloop_del(&vm->plat.loop, vm->term_timer);
		close(vm->term_timer);
		vm->term_timer = -1;
	}
	return stop_status(&vm->plat.stop);
}

bool vm_rebooted(struct vm *vm)
{
	return stop_was_reset(&vm->plat.stop);
}

/*
 * The display goes last, after every device that draws into it; --screenshot-on-exit is written
 * first when the VM ran, whatever ended it. A failure is logged: no exit status documents it.
 */
static void vm_display_destroy(struct vm *vm, bool ran)
{
	char err[512];

	if (!vm->display)
		return;
	if (ran && vm->cfg.display.screenshot_on_exit &&
	    display_screenshot(vm->display, vm->cfg.display.screenshot_on_exit, err, sizeof(err)) < 0)
		log_error("--screenshot-on-exit: %s", err);
	display_destroy(vm->display);
	vm->display = NULL;
}

void vm_destroy(struct vm *vm)
{
	bool ran = vm->vcpus != NULL;

	if (vm->vcpus) {
		vm_stop_vcpus(vm);
		gdb_destroy(vm->gdb);	/* tells gdb the VM exited */
		vm->gdb = NULL;
		for (unsigned int i = 0; i < vm->ncpus; i++)
			vcpu_destroy(vm->vcpus[i]);
		free(vm->vcpus);
		vm->vcpus = NULL;
	}
	if (vm->console) {
		console_destroy(vm->console);
		vm->console = NULL;
	}
	/* a VNC client's keys reach the input devices from the display's thread: stop it before they go */
	display_stop_front_ends(vm->display);
	machine_devices_destroy(vm);
	image_close(&vm->kernel_img);
	for (unsigned int i = 0; i < CONFIG_MAX_INITRDS; i++)
		image_close(&vm->initrd_img[i]);
	kernel_file_close(&vm->kernel);
	if (vm->quirks_ready) {
		log_debug("host workarounds: %llu system calls completed, %llu other page faults passed, %llu"
			  " fwait stepped", (unsigned long long)vm->quirks.n_syscalls,
			  (unsigned long long)vm->quirks.n_faults, (unsigned long long)vm->quirks.n_fwait);
		quirks_destroy(&vm->quirks);
		vm->quirks_ready = false;
	}
	virtio_destroy(vm->virtio);	/* prepared but never created (a failed vm_create) */
	vm->virtio = NULL;
	vm_display_destroy(vm, ran);
	free(vm->cpuid);
	vm->cpuid = NULL;
	platform_destroy(&vm->plat);
}
