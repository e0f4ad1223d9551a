/* Firecracker's configuration document (its --config-file JSON, also what the API builds) turned into keel's configuration through the adders. */
#ifndef KEEL_VMM_FC_FC_CONFIG_H
#define KEEL_VMM_FC_FC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "vmm/config.h"
#include "vmm/log.h"

#define FC_CONFIG_MAX_BYTES (1u << 20)	/* a --config-file larger than this is refused */

/* What a document says beyond the VM itself: the "logger" and "metrics" sections. Owned strings. */
struct fc_runtime {
	char *log_path;			/* logger.log_path, NULL when none */
	enum log_level level;		/* logger.level (Error, Warning, Info, Debug, Trace, Off): LOG_WARN by default */
	bool level_given;
	bool show_level;		/* logger.show_level */
	bool show_log_origin;		/* logger.show_log_origin */
	char *metrics_path;		/* metrics.metrics_path, NULL when none */
};

/*
 * fc_config_load - read and parse the JSON file @path (at most FC_CONFIG_MAX_BYTES) into *@doc
 * (a new reference to an object). 0, or -EINVAL / -errno with one line in @err naming the file
 * and, for bad JSON, the line and column.
 */
int fc_config_load(const char *path, json_t **doc, char *err, size_t errlen);

/*
 * fc_config_apply - add what document @doc says to @c (from vm_config_init) through the same
 * adders as the command line, and the logger and metrics sections to @rt (zeroed, or
 * fc_runtime_free'd). Sections: boot-source, machine-config, drives, network-interfaces, vsock,
 * logger, metrics, entropy, and keel's own "keel" section; "balloon", "mmds-config" and others
 * Firecracker knows are refused as unsupported, unknown ones as unknown; null stands for an
 * absent section or field. Every error is one line in @err naming the field
 * ("drives[1].path_on_host: ..."); -EINVAL (-ENOMEM). Without a transport in the keel section
 * the devices are virtio-mmio, as in Firecracker.
 */
int fc_config_apply(const json_t *doc, struct vm_config *c, struct fc_runtime *rt, char *err, size_t errlen);

/*
 * fc_config_check_files - the files document @doc names (boot-source's kernel_image_path and
 * initrd_path, each drive's path_on_host) exist and are regular files (a drive may be a block
 * device): 0, or -EINVAL with one line naming the field ("drives[0].path_on_host: /x: No such
 * file or directory"). Run it on a document about to boot; fc_config_apply does not look at files,
 * so that the API's clients may set paths before the files are there.
 */
int fc_config_check_files(const json_t *doc, char *err, size_t errlen);

/* fc_log_level_of - a Firecracker level name (Error, Warning, Info, Debug, Trace, Off; any case): 0 and *@out, or -EINVAL. */
int fc_log_level_of(const char *name, enum log_level *out);

/* fc_runtime_free - release @rt's strings and zero it. */
void fc_runtime_free(struct fc_runtime *rt);

#endif
