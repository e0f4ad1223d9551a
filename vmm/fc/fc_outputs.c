/* The logger and metrics a Firecracker configuration names, opened together. */
#include "vmm/fc/fc_outputs.h"

#include "vmm/fc/fc_config.h"
#include "vmm/fc/fc_log.h"
#include "vmm/fc/fc_metrics.h"

int fc_outputs_open(const struct fc_runtime *rt, const char *id, struct fc_log **log, struct fc_metrics **metrics,
		    char *err, size_t errlen)
{
	int r;

	if (rt->log_path && !*log) {
		if (rt->level_given)
			log_set_level(rt->level);
		r = fc_log_open(rt, id, log, err, errlen);
		if (r < 0)
			return r;
	}
	if (rt->metrics_path && !*metrics) {
		r = fc_metrics_open(rt->metrics_path, metrics, err, errlen);
		if (r < 0)
			return r;
		fc_metrics_set_log(*metrics, *log);
	}
	return 0;
}
