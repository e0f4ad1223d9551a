/* libFuzzer target: arbitrary bytes as a Firecracker configuration file, parsed and applied to keel's configuration as --config-file does. */
#include "vmm/fc/fc_config.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fc_runtime rt = { 0 };
	struct vm_config cfg;
	json_error_t jerr;
	char err[512];
	json_t *doc;

	log_set_level(LOG_OFF);
	if (size > FC_CONFIG_MAX_BYTES)
		return 0;
	doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		return 0;
	vm_config_init(&cfg);
	if (fc_config_apply(doc, &cfg, &rt, err, sizeof(err)) == 0 && cfg.ncpus == 0)
		__builtin_trap();	/* an accepted document always has a vCPU */
	vm_config_free(&cfg);
	fc_runtime_free(&rt);
	json_decref(doc);
	return 0;
}
