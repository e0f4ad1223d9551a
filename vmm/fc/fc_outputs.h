/* The logger and metrics a Firecracker configuration names, opened together for `keel run --config-file` and `keel firecracker`. */
#ifndef KEEL_VMM_FC_FC_OUTPUTS_H
#define KEEL_VMM_FC_FC_OUTPUTS_H

#include <stddef.h>

struct fc_runtime;
struct fc_log;
struct fc_metrics;

/*
 * fc_outputs_open - open what @rt names and is not open yet: the logger (*@log NULL and
 * rt->log_path set; rt->level, when given, becomes the log level) as instance @id (NULL: the
 * default), then the metrics (*@metrics NULL and rt->metrics_path set), which report the
 * logger's lost lines. 0, or -errno with one line in @err (what opened stays open: close both).
 */
int fc_outputs_open(const struct fc_runtime *rt, const char *id, struct fc_log **log, struct fc_metrics **metrics,
		    char *err, size_t errlen);

#endif
