/* The groups of Firecracker's metrics line and their fields, in Firecracker's order. */
#ifndef KEEL_VMM_FC_FC_METRICS_GROUPS_H
#define KEEL_VMM_FC_FC_METRICS_GROUPS_H

#include <stdbool.h>

#define FC_FIELDS_MAX 32u	/* the most fields a group has */

/* The groups, in the order the line has them ("block" and "net" stand for the per-device ones too). */
enum fc_group_id {
	FC_G_API_SERVER,
	FC_G_BLOCK,
	FC_G_DEPRECATED_API,
	FC_G_GET_API,
	FC_G_I8042,
	FC_G_UART,
	FC_G_LATENCIES,
	FC_G_LOGGER,
	FC_G_MMDS,
	FC_G_NET,
	FC_G_PATCH_API,
	FC_G_PUT_API,
	FC_G_SECCOMP,
	FC_G_VCPU,
	FC_G_VMM,
	FC_G_SIGNALS,
	FC_G_VSOCK,
	FC_G_ENTROPY,
	FC_GROUP_COUNT
};

/*
 * One group: its key, its fields. Counters (stored false) are reported as what they grew by
 * since the last line; stored values (durations, "a fault happened") as they are.
 */
struct fc_group {
	const char *name;
	const char *const *fields;
	unsigned int nfields;
	bool stored;
};

extern const struct fc_group fc_groups[FC_GROUP_COUNT];

#endif
