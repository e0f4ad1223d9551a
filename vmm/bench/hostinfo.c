/* Reads the host facts of a bench report from uname, /sys/module, /proc/cpuinfo and KVM. */
#include "vmm/bench/hostinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

void bench_host_flavour(const char *sys_module, char *buf, size_t len)
{
	static const char *const mods[] = { "kvm_intel", "kvm_amd", "kvm_pvm" };
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		char path[256];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", sys_module, mods[i]);
		if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? "+" : "", mods[i]);
		if (n >= len) {
			buf[len - 1] = '\0';
			return;
		}
	}
	if (n == 0)
		snprintf(buf, len, "unknown");
}

static void bench_cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[512];

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) != 0 || !colon)
			continue;
		colon++;
		while (*colon == ' ' || *colon == '\t')
			colon++;
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(buf, len, "%s", colon);
		break;
	}
	fclose(f);
}

/* KVM's own idea of the guest TSC rate, from a scratch vCPU. Returns kHz, 0 when KVM cannot say. */
static uint64_t bench_kvm_tsc_khz(const char *kvm_path)
{
	int kvm, vm = -1, vcpu = -1;
	long khz = 0;

	kvm = open(kvm_path, O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return 0;
	if (ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_GET_TSC_KHZ) > 0)
		vm = ioctl(kvm, KVM_CREATE_VM, 0UL);
	if (vm >= 0)
		vcpu = ioctl(vm, KVM_CREATE_VCPU, 0UL);
	if (vcpu >= 0)
		khz = ioctl(vcpu, KVM_GET_TSC_KHZ, 0);
	if (vcpu >= 0)
		close(vcpu);
	if (vm >= 0)
		close(vm);
	close(kvm);
	return khz > 0 ? (uint64_t)khz : 0;
}

static uint64_t bench_mono_raw_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC_RAW, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* RDTSC against CLOCK_MONOTONIC_RAW over 200 ms. */
static uint64_t bench_calibrate_tsc_khz(void)
{
	uint64_t t0 = bench_mono_raw_ns(), c0 = __builtin_ia32_rdtsc(), t1, c1;
	struct timespec nap = { .tv_sec = 0, .tv_nsec = 200000000 };

	while (nanosleep(&nap, &nap) < 0 && errno == EINTR)
		;
	c1 = __builtin_ia32_rdtsc();
	t1 = bench_mono_raw_ns();
	return t1 > t0 ? (c1 - c0) * 1000000ull / (t1 - t0) : 0;
}

void bench_host_probe(struct bench_host *h, const char *kvm_path)
{
	struct utsname u;
	struct tm tm;
	time_t now = time(NULL);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	memset(h, 0, sizeof(*h));
	if (gmtime_r(&now, &tm))
		strftime(h->date, sizeof(h->date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(h->kernel, sizeof(h->kernel), "%s", uname(&u) == 0 ? u.release : "unknown");
	bench_host_flavour("/sys/module", h->kvm_flavour, sizeof(h->kvm_flavour));
	bench_cpu_model(h->cpu_model, sizeof(h->cpu_model));
	h->host_cpus = cpus > 0 ? (unsigned int)cpus : 0;
	h->tsc_khz = bench_kvm_tsc_khz(kvm_path);
	if (h->tsc_khz) {
		snprintf(h->tsc_source, sizeof(h->tsc_source), "KVM_GET_TSC_KHZ");
		return;
	}
	h->tsc_khz = bench_calibrate_tsc_khz();
	snprintf(h->tsc_source, sizeof(h->tsc_source), "%s",
		 h->tsc_khz ? "calibrated against CLOCK_MONOTONIC_RAW" : "unknown");
}
