/* The VM's configuration: defaults, freeing, and the adders for the machine, the boot source, KVM and gdb (virtio: vmm/config_virtio.c). */
#include "vmm/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/gdb/addr.h"
#include "vmm/memory.h"
#include "vmm/opt.h"

/* Bits of vm_config.given: settings that may be made once and have no NULL to tell. */
enum {
	GIVEN_MEM = 1u << 0,
	GIVEN_CPUS = 1u << 1,
	GIVEN_CMDLINE = 1u << 2,
	GIVEN_BOOT_PROTOCOL = 1u << 3,
	GIVEN_HOST_FIXES = 1u << 4,
	GIVEN_REBOOT = 1u << 5,
	GIVEN_SHUTDOWN_TIMEOUT = 1u << 6,
};

void vm_config_init(struct vm_config *c)
{
	memset(c, 0, sizeof(*c));
	c->mem_size = CONFIG_DEFAULT_MEM;
	c->ncpus = 1;
	c->shutdown_timeout = CONFIG_DEFAULT_SHUTDOWN_TIMEOUT;
	snprintf(c->kvm_path, sizeof(c->kvm_path), "%s", "/dev/kvm");
	virtio_config_init(&c->virtio);
}

void vm_config_free(struct vm_config *c)
{
	free(c->kernel_path);
	for (unsigned int i = 0; i < c->ninitrds; i++)
		free(c->initrd_paths[i]);
	free(c->gdb);
	virtio_config_free(&c->virtio);
	config_fw_cfg_free(c);
	config_display_free(c);
	vm_config_init(c);
}

static int given_twice(struct vm_config *c, unsigned int bit, const char *name, char *err, size_t errlen)
{
	if (c->given & bit)
		return opt_err(err, errlen, "%s given twice", name);
	return 0;
}

/* The checks of --mem: @r and @size from opt_parse_size (or a number of bytes), @text as the user wrote it. */
static int set_mem(struct vm_config *c, int r, uint64_t size, const char *text, char *err, size_t errlen)
{
	if (given_twice(c, GIVEN_MEM, "--mem", err, errlen))
		return -EINVAL;
	if (r == -EINVAL)
		return opt_err(err, errlen, "--mem %s: not a size (use a number with K, M, G or T, e.g. 512M)", text);
	if (r < 0 || size > GMEM_MAX_SIZE)
		return opt_err(err, errlen, "--mem %s: too large (at most %llu GiB)", text, GMEM_MAX_SIZE >> 30);
	if (size < GMEM_MIN_SIZE)
		return opt_err(err, errlen, "--mem %s: too small (at least %llu MiB)", text, GMEM_MIN_SIZE >> 20);
	if (size & 0xfff)
		return opt_err(err, errlen, "--mem %s: not a multiple of 4 KiB", text);
	c->mem_size = size;
	c->given |= GIVEN_MEM;
	return 0;
}

int config_set_mem(struct vm_config *c, const char *size, char *err, size_t errlen)
{
	uint64_t bytes = 0;
	int r = opt_parse_size(size, &bytes);

	return set_mem(c, r, bytes, size ? size : "", err, errlen);
}

int config_set_mem_bytes(struct vm_config *c, uint64_t bytes, char *err, size_t errlen)
{
	char text[40];

	snprintf(text, sizeof(text), "%llu bytes", (unsigned long long)bytes);
	return set_mem(c, 0, bytes, text, err, errlen);
}

int config_set_cpus(struct vm_config *c, const char *n, char *err, size_t errlen)
{
	unsigned long long v;

	if (given_twice(c, GIVEN_CPUS, "--cpus", err, errlen))
		return -EINVAL;
	if (opt_number("--cpus", n ? n : "", 1, CONFIG_MAX_CPUS, &v, err, errlen) < 0)
		return -EINVAL;
	c->ncpus = (unsigned int)v;
	c->given |= GIVEN_CPUS;
	return 0;
}

int config_set_cpus_n(struct vm_config *c, unsigned int n, char *err, size_t errlen)
{
	char text[16];

	snprintf(text, sizeof(text), "%u", n);
	return config_set_cpus(c, text, err, errlen);
}

/* A heap copy of @s into *@out, or -ENOMEM with "out of memory" in @err. */
static int dup_string(char **out, const char *s, char *err, size_t errlen)
{
	*out = strdup(s);
	if (*out)
		return 0;
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

int config_set_boot_source(struct vm_config *c, const char *kernel, const char *initrd, const char *cmdline,
			   char *err, size_t errlen)
{
	char *k = NULL, *i = NULL;

	if (kernel && c->kernel_path)
		return opt_err(err, errlen, "--kernel given twice");
	if (initrd && c->ninitrds == CONFIG_MAX_INITRDS)
		return opt_err(err, errlen, "--initrd given more than %u times", CONFIG_MAX_INITRDS);
	if (cmdline && given_twice(c, GIVEN_CMDLINE, "--cmdline", err, errlen))
		return -EINVAL;
	if (cmdline && strlen(cmdline) >= sizeof(c->cmdline))
		return opt_err(err, errlen, "--cmdline: %zu bytes is too long (at most %u)", strlen(cmdline),
			       KEEL_CMDLINE_MAX - 1);
	if ((kernel && dup_string(&k, kernel, err, errlen) < 0) ||
	    (initrd && dup_string(&i, initrd, err, errlen) < 0)) {
		free(k);
		return -ENOMEM;
	}
	if (k)
		c->kernel_path = k;
	if (i)
		c->initrd_paths[c->ninitrds++] = i;
	if (cmdline) {
		memcpy(c->cmdline, cmdline, strlen(cmdline) + 1);
		c->given |= GIVEN_CMDLINE;
	}
	return 0;
}

/* The index of @v among the @n names of @names, or -1. */
static int name_index(const char *v, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (v && strcmp(v, names[i]) == 0)
			return i;
	return -1;
}

/* The --boot-protocol names, in enum config_boot_protocol's order. */
static const char *const boot_protocol_names[] = { "auto", "linux", "pvh", "multiboot", "multiboot2" };

const char *config_boot_protocol_name(enum config_boot_protocol p)
{
	return (unsigned int)p < sizeof(boot_protocol_names) / sizeof(boot_protocol_names[0]) ? boot_protocol_names[p]
											: "auto";
}

int config_set_boot_protocol(struct vm_config *c, const char *name, char *err, size_t errlen)
{
	int i = name_index(name, boot_protocol_names, (int)(sizeof(boot_protocol_names) / sizeof(boot_protocol_names[0])));

	if (given_twice(c, GIVEN_BOOT_PROTOCOL, "--boot-protocol", err, errlen))
		return -EINVAL;
	if (i < 0)
		return opt_err(err, errlen,
			       "--boot-protocol %s: unknown protocol (auto, linux, multiboot, multiboot2 or pvh)",
			       name ? name : "");
	c->boot_protocol = (enum config_boot_protocol)i;
	c->given |= GIVEN_BOOT_PROTOCOL;
	return 0;
}

int config_set_host_fixes(struct vm_config *c, const char *mode, char *err, size_t errlen)
{
	static const char *const names[] = { "auto", "off", "on" };
	int i = name_index(mode, names, 3);

	if (given_twice(c, GIVEN_HOST_FIXES, "--host-workarounds", err, errlen))
		return -EINVAL;
	if (i < 0)
		return opt_err(err, errlen, "--host-workarounds %s: expected auto, off or on", mode ? mode : "");
	c->host_fixes = (enum config_host_fixes)i;
	c->given |= GIVEN_HOST_FIXES;
	return 0;
}

int config_set_reboot(struct vm_config *c, const char *mode, char *err, size_t errlen)
{
	static const char *const names[] = { "exit", "restart" };
	int i = name_index(mode, names, 2);

	if (given_twice(c, GIVEN_REBOOT, "--reboot", err, errlen))
		return -EINVAL;
	if (i < 0)
		return opt_err(err, errlen, "--reboot %s: expected exit or restart", mode ? mode : "");
	c->reboot_restart = i == 1;
	c->given |= GIVEN_REBOOT;
	return 0;
}

int config_set_shutdown_timeout(struct vm_config *c, const char *seconds, char *err, size_t errlen)
{
	char *end = NULL;
	unsigned long v;

	if (given_twice(c, GIVEN_SHUTDOWN_TIMEOUT, "--shutdown-timeout", err, errlen))
		return -EINVAL;
	errno = 0;
	v = seconds && *seconds >= '0' && *seconds <= '9' ? strtoul(seconds, &end, 10) : 0;
	if (!end || *end || errno || v > 3600)
		return opt_err(err, errlen, "--shutdown-timeout %s: expected whole seconds, 0 to 3600",
			       seconds ? seconds : "");
	c->shutdown_timeout = (unsigned int)v;
	c->given |= GIVEN_SHUTDOWN_TIMEOUT;
	return 0;
}

int config_set_kvm_path(struct vm_config *c, const char *path, char *err, size_t errlen)
{
	if (!path || !*path)
		return opt_err(err, errlen, "the KVM device: no path given");
	if (strlen(path) >= sizeof(c->kvm_path))
		return opt_err(err, errlen, "the KVM device %.64s...: the path is too long", path);
	memcpy(c->kvm_path, path, strlen(path) + 1);
	return 0;
}

int config_set_gdb(struct vm_config *c, const char *addr, bool wait, char *err, size_t errlen)
{
	struct gdb_addr parsed;
	char *copy = NULL;

	if (addr) {
		if (c->gdb)
			return opt_err(err, errlen, "--gdb given twice");
		if (gdb_addr_parse(addr, &parsed, err, errlen) < 0)
			return -EINVAL;
		if (dup_string(&copy, addr, err, errlen) < 0)
			return -ENOMEM;
	}
	if (wait && !addr && !c->gdb)
		return opt_err(err, errlen, "--gdb-wait needs --gdb (see 'keel --help')");
	if (copy)
		c->gdb = copy;
	c->gdb_wait = wait;
	return 0;
}
