/* The bench path table on the host side, the --paths list parser and the names of VMMs and statuses. */
#include "vmm/bench/paths.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vmm/bench/report.h"

#define BENCH_NO_QEMU_IRQFD "QEMU has no device that answers a doorbell with an irqfd"
#define BENCH_NO_QEMU_HC "QEMU sends no hypercall to user space (KVM_CAP_EXIT_HYPERCALL is for SEV guests there)"

/* Which QEMU device serves each path; NULL with a reason when none does. */
static const struct bench_path_info bench_paths[KEEL_BENCH_NPATHS] = {
	[KEEL_BENCH_PATH_CPUID] = { .qemu = "none needed (KVM answers)" },
	[KEEL_BENCH_PATH_PIO_USER] = { .qemu = "pc-testdev (port 0xe0)" },
	[KEEL_BENCH_PATH_PIO_KERNEL] = { .qemu = "pci-testdev (BAR1 wildcard-eventfd)" },
	[KEEL_BENCH_PATH_MMIO_USER] = { .qemu = "pc-testdev (iomem at 0xff000000)" },
	[KEEL_BENCH_PATH_MMIO_KERNEL] = { .qemu = "pci-testdev (BAR0 wildcard-eventfd)" },
	[KEEL_BENCH_PATH_HLT_TIMER] = { .qemu = "none needed (in-kernel LAPIC)" },
	[KEEL_BENCH_PATH_MSR_KERNEL] = { .qemu = "none needed (KVM answers)" },
	[KEEL_BENCH_PATH_MSR_USER] = { .qemu = "QEMU's own MSR filter (MSR_CORE_THREAD_COUNT)" },
	[KEEL_BENCH_PATH_HYPERCALL] = { .qemu = NULL, .qemu_why = BENCH_NO_QEMU_HC, .group = BENCH_GROUP_HYPERCALL },
	[KEEL_BENCH_PATH_SELF_IPI] = { .qemu = "none needed (in-kernel LAPIC)" },
	[KEEL_BENCH_PATH_IPI] = { .qemu = "none needed (in-kernel LAPIC)" },
	[KEEL_BENCH_PATH_IRQFD] = { .qemu = NULL, .qemu_why = BENCH_NO_QEMU_IRQFD },
	[KEEL_BENCH_PATH_VIRTIO_NOTIFY] = { .qemu = "virtio-rng-pci" },
};

static const char *const bench_names[KEEL_BENCH_NPATHS] = {
#define BENCH_NAME_(id, name, ring, exit) [KEEL_BENCH_PATH_##id] = name,
	KEEL_BENCH_PATHS(BENCH_NAME_)
#undef BENCH_NAME_
};

static const int bench_rings[KEEL_BENCH_NPATHS] = {
#define BENCH_RING_(id, name, ring, exit) [KEEL_BENCH_PATH_##id] = ring,
	KEEL_BENCH_PATHS(BENCH_RING_)
#undef BENCH_RING_
};

static const enum bench_exit bench_exits[KEEL_BENCH_NPATHS] = {
#define BENCH_EXIT_(id, name, ring, exit) [KEEL_BENCH_PATH_##id] = BENCH_EXIT_##exit,
	KEEL_BENCH_PATHS(BENCH_EXIT_)
#undef BENCH_EXIT_
};

struct bench_path_info bench_path(enum keel_bench_path p)
{
	struct bench_path_info info = bench_paths[p];

	info.name = bench_names[p];
	info.ring = bench_rings[p];
	info.exit = bench_exits[p];
	return info;
}

int bench_path_lookup(const char *name, size_t len)
{
	for (int p = 0; p < KEEL_BENCH_NPATHS; p++)
		if (strlen(bench_names[p]) == len && !strncmp(bench_names[p], name, len))
			return p;
	return -ENOENT;
}

const char *bench_exit_name(enum bench_exit e)
{
	return e == BENCH_EXIT_KERNEL ? "kernel" : e == BENCH_EXIT_USER ? "user" : "thread";
}

int bench_paths_parse(const char *list, uint32_t *mask, char *err, size_t errlen)
{
	uint32_t m = 0;
	const char *s = list;

	for (;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		int p;

		if (len == 0) {
			snprintf(err, errlen, "--paths '%s': empty path name (names: cpuid, pio-user, ... see 'keel bench --help')",
				 list);
			return -EINVAL;
		}
		p = bench_path_lookup(s, len);
		if (p < 0) {
			snprintf(err, errlen, "--paths: unknown path '%.*s' (see 'keel bench --help')", (int)len, s);
			return -EINVAL;
		}
		if (m & (1u << p)) {
			snprintf(err, errlen, "--paths: '%s' given twice", bench_names[p]);
			return -EINVAL;
		}
		m |= 1u << p;
		if (!comma)
			break;
		s = comma + 1;
	}
	*mask = m;
	return 0;
}

int bench_paths_format(uint32_t mask, char *buf, size_t buflen)
{
	size_t n = 0;

	if (buflen == 0)
		return -ENOSPC;
	buf[0] = '\0';
	for (int p = 0; p < KEEL_BENCH_NPATHS; p++) {
		size_t len = strlen(bench_names[p]);

		if (!(mask & (1u << p)))
			continue;
		if (n + (n > 0) + len + 1 > buflen)
			return -ENOSPC;
		if (n > 0)
			buf[n++] = ',';
		memcpy(buf + n, bench_names[p], len + 1);
		n += len;
	}
	return (int)n;
}

const char *bench_vmm_name(enum bench_vmm v)
{
	static const char *const names[BENCH_NVMMS] = { "keel", "floor", "qemu" };

	return v < BENCH_NVMMS ? names[v] : "?";
}

const char *bench_status_name(enum bench_status s)
{
	switch (s) {
	case BENCH_OK:
		return "ok";
	case BENCH_UNAVAILABLE:
		return "unavailable";
	case BENCH_NOT_OFFERED:
		return "not-offered";
	case BENCH_SKIPPED:
		return "skipped";
	default:
		return "not-run";
	}
}

void bench_series_set(struct bench_series *s, enum bench_status status, const char *fmt, ...)
{
	va_list ap;

	s->status = status;
	va_start(ap, fmt);
	vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
	va_end(ap);
}
