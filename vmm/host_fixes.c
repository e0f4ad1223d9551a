/* Host workarounds chosen per VM: kvm_pvm detection, the LSTAR MSR filter, the Linux command-line parameters, and the line -v prints. */
#include "vmm/host_fixes.h"

#include "vcpu/quirks.h"
#include "vmm/log.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

bool host_fixes_needed(const char *sysfs_module_dir, const char **why)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/kvm_pvm", sysfs_module_dir);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		*why = "kvm_pvm";
		return true;
	}
	*why = NULL;
	return false;
}

unsigned int host_fixes_flags(enum config_host_fixes mode, bool needed, bool linux_kernel)
{
	unsigned int f = QUIRK_CPUID_CX16 | QUIRK_FWAIT | QUIRK_INT3;

	if (mode == CONFIG_FIXES_OFF || (mode == CONFIG_FIXES_AUTO && !needed))
		return 0;
	return linux_kernel ? f | QUIRK_SYSCALL : f;
}

/* Whether @cmdline already has parameter @key (the text before any '=' of @param). */
static bool has_param(const char *cmdline, const char *param)
{
	size_t klen = strcspn(param, "= ");
	const char *p = cmdline;

	while ((p = strstr(p, param)) != NULL) {
		if ((p == cmdline || p[-1] == ' ') && (p[klen] == '\0' || p[klen] == ' ' || p[klen] == '='))
			return true;
		p += klen;
	}
	return false;
}

void host_fixes_params(unsigned int ncpus, char *buf, size_t len)
{
	if (ncpus <= 1)
		snprintf(buf, len, "%s", HOST_FIXES_LINUX_PARAMS);
	else if (ncpus == 2)
		snprintf(buf, len, "%s isolcpus=1", HOST_FIXES_LINUX_PARAMS);
	else
		snprintf(buf, len, "%s isolcpus=1-%u", HOST_FIXES_LINUX_PARAMS, ncpus - 1);
}

int host_fixes_cmdline(char *cmdline, size_t cap, unsigned int flags, bool linux_kernel, const char *params,
		       char *err, size_t errlen)
{
	char words[HOST_FIXES_PARAMS_MAX];
	size_t len = strlen(cmdline);

	if (!flags || !linux_kernel)
		return 0;
	snprintf(words, sizeof(words), "%s", params);
	for (char *save = NULL, *p = strtok_r(words, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
		char key[64];

		snprintf(key, sizeof(key), "%.*s", (int)strcspn(p, "="), p);
		if (has_param(cmdline, key))
			continue;	/* the user's own value wins */
		if (len + (len ? 1 : 0) + strlen(p) + 1 > cap) {
			snprintf(err, errlen, "--cmdline: no room for the parameter \"%s\" this host needs (the"
				 " command line may have at most %zu bytes; or use --host-workarounds off)", p,
				 cap - 1);
			return -E2BIG;
		}
		len += (size_t)snprintf(cmdline + len, cap - len, "%s%s", len ? " " : "", p);
	}
	return 0;
}

unsigned int host_fixes_vm(int kvm_fd, int vm_fd, unsigned int flags)
{
	uint8_t deny = 0;	/* a bitmap of one MSR, bit clear: the write goes to user space (KVM copies it) */
	struct kvm_enable_cap cap = { .cap = KVM_CAP_X86_USER_SPACE_MSR, .args = { KVM_MSR_EXIT_REASON_FILTER } };
	struct kvm_msr_filter filter;

	if (!(flags & QUIRK_SYSCALL))
		return flags;
	memset(&filter, 0, sizeof(filter));
	filter.flags = KVM_MSR_FILTER_DEFAULT_ALLOW;
	filter.ranges[0] = (struct kvm_msr_filter_range){
		.flags = KVM_MSR_FILTER_WRITE, .nmsrs = 1, .base = QUIRKS_MSR_LSTAR, .bitmap = &deny,
	};
	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_USER_SPACE_MSR) <= 0 ||
	    ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_MSR_FILTER) <= 0 ||
	    ioctl(vm_fd, KVM_ENABLE_CAP, &cap) < 0 || ioctl(vm_fd, KVM_X86_SET_MSR_FILTER, &filter) < 0) {
		log_warn("host workaround for SYSCALL unavailable: KVM cannot send LSTAR writes to keel (%s);"
			 " the guest's programs may crash at their first system call", strerror(errno));
		return flags & ~(unsigned int)QUIRK_SYSCALL;
	}
	return flags;
}

void host_fixes_describe(unsigned int flags, const char *why, const char *params, char *buf, size_t len)
{
	char plus[HOST_FIXES_PARAMS_MAX + 32];
	const char *parts[] = {
		flags & QUIRK_CPUID_CX16 ? "CPUID without cmpxchg16b" : NULL,
		flags & QUIRK_FWAIT ? "fwait stepped" : NULL,
		flags & QUIRK_INT3 ? "ring-0 int3 judged from KVM's fetched bytes" : NULL,
		flags & QUIRK_SYSCALL ? "SYSCALL completed from the page-fault entry" : NULL,
		params ? plus : NULL,
	};
	size_t n;

	snprintf(plus, sizeof(plus), "Linux command line += %s", params ? params : "");
	n = (size_t)snprintf(buf, len, "host workarounds (%s):", why ? why : "forced");

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]) && n < len; i++)
		if (parts[i])
			n += (size_t)snprintf(buf + n, len - n, "%s %s", n && buf[n - 1] != ':' ? ";" : "", parts[i]);
}
