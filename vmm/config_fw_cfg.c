/* The fw_cfg part of the configuration: --fw-cfg's items in QEMU's -fw_cfg syntax, every refusal one line. */
#include "vmm/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/fw_cfg.h"
#include "vmm/opt.h"

#define SPEC_SHOWN 60		/* bytes of a long value that messages repeat */
#define ITEMS_MAX 4u		/* name, file or string, and one too many */

void config_fw_cfg_free(struct vm_config *c)
{
	for (unsigned int i = 0; i < c->nfw_cfg; i++) {
		free(c->fw_cfg[i].name);
		free(c->fw_cfg[i].file);
		free(c->fw_cfg[i].string);
	}
	memset(c->fw_cfg, 0, sizeof(c->fw_cfg));
	c->nfw_cfg = 0;
}

/*
 * @spec's comma-separated items into @buf (strlen(@spec) + 1 bytes), each NUL-terminated, ",,"
 * turned into a comma (QEMU's escape); their starts into @items. Returns how many, or ITEMS_MAX
 * when there are more.
 */
static unsigned int split(const char *spec, char *buf, char *items[ITEMS_MAX])
{
	unsigned int n = 0;
	char *o = buf;

	items[n++] = o;
	for (const char *s = spec; *s; s++) {
		if (*s == ',' && s[1] == ',') {
			*o++ = ',';
			s++;
		} else if (*s == ',') {
			*o++ = '\0';
			if (n == ITEMS_MAX)
				return ITEMS_MAX;
			items[n++] = o;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return n;
}

/* Is @name a name a user may give? 0, or -EINVAL with one line in @err (@spec names the option). */
static int check_name(const struct vm_config *c, const char *spec, const char *name, char *err, size_t errlen)
{
	size_t len = strlen(name), pl = strlen(FW_CFG_USER_PREFIX);
	const char *part = name;

	if (len == 0)
		return opt_err(err, errlen, "--fw-cfg %.*s: no name (name=opt/...)", SPEC_SHOWN, spec);
	if (len > FW_CFG_NAME_MAX - 1)
		return opt_err(err, errlen, "--fw-cfg %.*s: the name is %zu bytes long (at most %u)", SPEC_SHOWN, spec,
			       len, FW_CFG_NAME_MAX - 1);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20 || (unsigned char)name[i] > 0x7e)
			return opt_err(err, errlen, "--fw-cfg %.*s: the name holds byte %#04x (printable ASCII only)",
				       SPEC_SHOWN, spec, (unsigned char)name[i]);
	if (strncmp(name, FW_CFG_USER_PREFIX, pl) != 0)
		return opt_err(err, errlen,
			       "--fw-cfg %.*s: the name must start with %s (QEMU keeps every other name for itself)",
			       SPEC_SHOWN, spec, FW_CFG_USER_PREFIX);
	for (;;) {
		const char *slash = strchr(part, '/');
		size_t n = slash ? (size_t)(slash - part) : strlen(part);

		if (n == 0 || (n == 1 && part[0] == '.') || (n == 2 && part[0] == '.' && part[1] == '.'))
			return opt_err(err, errlen, "--fw-cfg %.*s: the name has an empty, '.' or '..' part",
				       SPEC_SHOWN, spec);
		if (!slash)
			break;
		part = slash + 1;
	}
	for (unsigned int i = 0; i < c->nfw_cfg; i++)
		if (!strcmp(c->fw_cfg[i].name, name))
			return opt_err(err, errlen, "--fw-cfg %.*s: the name %s is given twice", SPEC_SHOWN, spec,
				       name);
	return 0;
}

/* Is @path a readable, non-empty regular file that fits in an item? 0, or -EINVAL with one line in @err. */
static int check_file(const char *spec, const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if (!*path)
		return opt_err(err, errlen, "--fw-cfg %.*s: file= has no path", SPEC_SHOWN, spec);
	if (stat(path, &st) < 0)
		return opt_err(err, errlen, "--fw-cfg %.*s: %s: %s", SPEC_SHOWN, spec, path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return opt_err(err, errlen, "--fw-cfg %.*s: %s is a directory, not a file", SPEC_SHOWN, spec, path);
	if (S_ISFIFO(st.st_mode))
		return opt_err(err, errlen, "--fw-cfg %.*s: %s is a FIFO (keel reads a regular file once, at start)",
			       SPEC_SHOWN, spec, path);
	if (!S_ISREG(st.st_mode))
		return opt_err(err, errlen, "--fw-cfg %.*s: %s is not a regular file", SPEC_SHOWN, spec, path);
	if (st.st_size == 0)
		return opt_err(err, errlen, "--fw-cfg %.*s: %s is empty", SPEC_SHOWN, spec, path);
	if ((unsigned long long)st.st_size > FW_CFG_ITEM_MAX)
		return opt_err(err, errlen, "--fw-cfg %.*s: %s is %lld bytes (a fw_cfg file is under 4 GiB)",
			       SPEC_SHOWN, spec, path, (long long)st.st_size);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return opt_err(err, errlen, "--fw-cfg %.*s: %s: %s", SPEC_SHOWN, spec, path, strerror(errno));
	close(fd);
	return 0;
}

/* The value of item @it after @key, into *@out; -EINVAL with one line when @key came before. */
static int take(const char **out, const char *it, const char *key, const char *spec, char *err, size_t errlen)
{
	if (*out)
		return opt_err(err, errlen, "--fw-cfg %.*s: %s given twice", SPEC_SHOWN, spec, key);
	*out = it + strlen(key);
	return 0;
}

/* Parse @spec (in @buf's items) and check it against @c; the item's parts into *@out. */
static int parse(const struct vm_config *c, const char *spec, char *buf, struct config_fw_cfg *out, char *err,
		 size_t errlen)
{
	const char *name = NULL, *file = NULL, *string = NULL;
	char *items[ITEMS_MAX];
	unsigned int n = split(spec, buf, items);
	int r = 0;

	if (n == ITEMS_MAX)
		return opt_err(err, errlen, "--fw-cfg %.*s: too many items (name=NAME and file=PATH or string=TEXT)",
			       SPEC_SHOWN, spec);
	for (unsigned int i = 0; i < n && r == 0; i++) {
		const char *it = items[i];

		if (!strncmp(it, "name=", 5))
			r = take(&name, it, "name=", spec, err, errlen);
		else if (!strncmp(it, "file=", 5))
			r = take(&file, it, "file=", spec, err, errlen);
		else if (!strncmp(it, "string=", 7))
			r = take(&string, it, "string=", spec, err, errlen);
		else if (i == 0)
			name = it;	/* QEMU's "[name=]NAME" */
		else
			r = opt_err(err, errlen, "--fw-cfg %.*s: unknown item '%.*s' (name=, file= or string=)",
				    SPEC_SHOWN, spec, SPEC_SHOWN, it);
	}
	if (r < 0)
		return r;
	if (!name)
		return opt_err(err, errlen, "--fw-cfg %.*s: no name (name=opt/...)", SPEC_SHOWN, spec);
	if (check_name(c, spec, name, err, errlen) < 0)
		return -EINVAL;
	if (file && string)
		return opt_err(err, errlen, "--fw-cfg %.*s: file= and string= both given (one of them)", SPEC_SHOWN,
			       spec);
	if (!file && !string)
		return opt_err(err, errlen, "--fw-cfg %.*s: no contents (file=PATH or string=TEXT)", SPEC_SHOWN, spec);
	if (string && !*string)
		return opt_err(err, errlen, "--fw-cfg %.*s: string= is empty", SPEC_SHOWN, spec);
	if (file && check_file(spec, file, err, errlen) < 0)
		return -EINVAL;
	out->name = strdup(name);
	out->file = file ? strdup(file) : NULL;
	out->string = string ? strdup(string) : NULL;
	if (!out->name || (file && !out->file) || (string && !out->string)) {
		free(out->name);
		free(out->file);
		free(out->string);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

int config_add_fw_cfg(struct vm_config *c, const char *spec, char *err, size_t errlen)
{
	struct config_fw_cfg item = { 0 };
	char *buf;
	int r;

	if (!spec)
		spec = "";
	if (c->nfw_cfg == CONFIG_MAX_FW_CFG)
		return opt_err(err, errlen, "--fw-cfg %.*s: more than %u --fw-cfg items", SPEC_SHOWN, spec,
			       CONFIG_MAX_FW_CFG);
	buf = malloc(strlen(spec) + 1);
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	r = parse(c, spec, buf, &item, err, errlen);
	free(buf);
	if (r == 0)
		c->fw_cfg[c->nfw_cfg++] = item;
	return r;
}
