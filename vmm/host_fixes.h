/* Which host workarounds a VM gets: detecting a KVM like kvm_pvm, the MSR filter the SYSCALL fix needs, and the Linux parameters for what CPUID cannot hide. */
#ifndef KEEL_VMM_HOST_FIXES_H
#define KEEL_VMM_HOST_FIXES_H

#include <stdbool.h>
#include <stddef.h>

#include "vmm/config.h"

/*
 * The parameters a Linux guest gets on such hosts, for what KVM_SET_CPUID2 cannot hide there:
 * XSAVE, SMAP (308), POPCNT (151), SSSE3 (137), and PCID (145) and INVPCID (298), with which a
 * program sometimes reads zeros where it wrote (README, "On kvm_pvm hosts").
 */
#define HOST_FIXES_LINUX_PARAMS "noxsave clearcpuid=308,151,137,145,298"
#define HOST_FIXES_PARAMS_MAX 64	/* room for HOST_FIXES_LINUX_PARAMS and isolcpus= */

/*
 * host_fixes_params - the Linux parameters a guest with @ncpus vCPUs gets on such hosts, into
 * @buf: HOST_FIXES_LINUX_PARAMS, and with more than one vCPU isolcpus=1 (or 1-N): user space on
 * vCPU 0, where the zeros above were first seen less often (kept until more boots show PCID was
 * the whole cause); the kernel still brings up and uses every vCPU.
 */
void host_fixes_params(unsigned int ncpus, char *buf, size_t len);

/*
 * host_fixes_needed - whether the KVM module of this host is one keel knows needs them:
 * kvm_pvm (@sysfs_module_dir/kvm_pvm exists; pass "/sys/module"). The name goes to *@why.
 */
bool host_fixes_needed(const char *sysfs_module_dir, const char **why);

/*
 * host_fixes_flags - the enum vcpu_quirk bits for @mode on a host that needs them (@needed) for
 * a Linux kernel or not (@linux_kernel): off gives 0; the SYSCALL trap only for Linux, whose
 * page-fault entry keel knows.
 */
unsigned int host_fixes_flags(enum config_host_fixes mode, bool needed, bool linux_kernel);

/*
 * host_fixes_cmdline - append @params (host_fixes_params' list) to @cmdline (NUL-terminated, @cap
 * bytes) when @flags are not 0 and the kernel is Linux, each parameter only if the user did not
 * give that one. 0, or -E2BIG with one line in @err when the result would not fit.
 */
int host_fixes_cmdline(char *cmdline, size_t cap, unsigned int flags, bool linux_kernel, const char *params,
		       char *err, size_t errlen);

/*
 * host_fixes_vm - what the VM (@kvm_fd, @vm_fd) needs for @flags: the SYSCALL fix has guest
 * writes of LSTAR sent to user space (KVM_CAP_X86_USER_SPACE_MSR with an MSR filter). Returns
 * @flags without the fixes the host could not set up (said in a warning).
 */
unsigned int host_fixes_vm(int kvm_fd, int vm_fd, unsigned int flags);

/* host_fixes_describe - one line naming @flags and the Linux @params (NULL: none) for `keel run -v`, into @buf. */
void host_fixes_describe(unsigned int flags, const char *why, const char *params, char *buf, size_t len);

#endif
