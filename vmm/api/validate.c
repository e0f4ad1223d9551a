/* The API's judge of a whole configuration document: fc_config_apply into a scratch configuration, thrown away. */
#include "vmm/api/core.h"

#include "vmm/config.h"
#include "vmm/fc/fc_config.h"

int api_validate_doc(const json_t *doc, char *err, size_t errlen)
{
	struct vm_config c;
	struct fc_runtime rt = { 0 };
	int ret;

	vm_config_init(&c);
	ret = fc_config_apply(doc, &c, &rt, err, errlen);
	vm_config_free(&c);
	fc_runtime_free(&rt);
	return ret;
}
