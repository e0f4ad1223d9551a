/* The groups of Firecracker's metrics line and their fields: keel emits every one, zeros where it counts nothing of that kind. */
#include "vmm/fc/fc_metrics_groups.h"

#define FIELDS(a) a, sizeof(a) / sizeof(a[0])

static const char *const api_server[] = { "process_startup_time_us", "process_startup_time_cpu_us" };
static const char *const block[] = {
	"activate_fails", "cfg_fails", "no_avail_buffer", "event_fails", "execute_fails", "invalid_reqs_count",
	"flush_count", "queue_event_count", "rate_limiter_event_count", "update_count", "update_fails", "read_bytes",
	"write_bytes", "read_count", "write_count", "rate_limiter_throttled_events", "io_engine_throttled_events",
	"remaining_reqs_count",
};
static const char *const deprecated_api[] = { "deprecated_http_api_calls" };
static const char *const get_api[] = { "instance_info_count", "machine_cfg_count", "mmds_count", "vmm_version_count" };
static const char *const i8042[] = {
	"error_count", "missed_read_count", "missed_write_count", "read_count", "reset_count", "write_count",
};
static const char *const uart[] = {
	"error_count", "flush_count", "missed_read_count", "missed_write_count", "read_count", "write_count",
};
static const char *const latencies[] = {
	"full_create_snapshot", "diff_create_snapshot", "load_snapshot", "pause_vm", "resume_vm",
	"vmm_full_create_snapshot", "vmm_diff_create_snapshot", "vmm_load_snapshot", "vmm_pause_vm", "vmm_resume_vm",
};
static const char *const logger[] = { "missed_metrics_count", "metrics_fails", "missed_log_count", "rate_limited_log_count" };
static const char *const mmds[] = {
	"rx_accepted", "rx_accepted_err", "rx_accepted_unusual", "rx_bad_eth", "rx_invalid_token", "rx_no_token",
	"rx_count", "tx_bytes", "tx_count", "tx_errors", "tx_frames", "connections_created", "connections_destroyed",
};
static const char *const net[] = {
	"activate_fails", "cfg_fails", "no_rx_avail_buffer", "no_tx_avail_buffer", "event_fails",
	"rx_queue_event_count", "rx_event_rate_limiter_count", "rx_rate_limiter_throttled", "rx_tap_event_count",
	"rx_bytes_count", "rx_packets_count", "rx_fails", "rx_count", "tap_read_fails", "tap_write_fails",
	"tx_bytes_count", "tx_malformed_frames", "tx_fails", "tx_count", "tx_packets_count", "tx_queue_event_count",
	"tx_rate_limiter_event_count", "tx_rate_limiter_throttled", "tx_spoofed_mac_count", "tx_remaining_reqs_count",
};
static const char *const patch_api[] = {
	"drive_count", "drive_fails", "network_count", "network_fails", "machine_cfg_count", "machine_cfg_fails",
	"mmds_count", "mmds_fails",
};
static const char *const put_api[] = {
	"actions_count", "actions_fails", "boot_source_count", "boot_source_fails", "drive_count", "drive_fails",
	"logger_count", "logger_fails", "machine_cfg_count", "machine_cfg_fails", "cpu_cfg_count", "cpu_cfg_fails",
	"metrics_count", "metrics_fails", "network_count", "network_fails", "mmds_count", "mmds_fails", "vsock_count",
	"vsock_fails",
};
static const char *const seccomp[] = { "num_faults" };
static const char *const vcpu[] = {
	"exit_io_in", "exit_io_out", "exit_mmio_read", "exit_mmio_write", "failures", "kvmclock_ctrl_fails",
};
static const char *const vmm[] = { "panic_count" };
static const char *const signals[] = { "sigbus", "sigsegv", "sigxfsz", "sigxcpu", "sigpipe", "sighup", "sigill" };
static const char *const vsock[] = {
	"activate_fails", "cfg_fails", "rx_queue_event_fails", "tx_queue_event_fails", "ev_queue_event_fails",
	"muxer_event_fails", "conn_event_fails", "rx_queue_event_count", "tx_queue_event_count", "rx_bytes_count",
	"tx_bytes_count", "rx_packets_count", "tx_packets_count", "conns_added", "conns_killed", "conns_removed",
	"killq_resync", "tx_flush_fails", "tx_write_fails", "rx_read_fails",
};
static const char *const entropy[] = {
	"activate_fails", "entropy_event_fails", "entropy_event_count", "entropy_bytes", "host_rng_fails",
	"entropy_rate_limiter_throttled", "rate_limiter_event_count",
};

const struct fc_group fc_groups[FC_GROUP_COUNT] = {
	[FC_G_API_SERVER] = { "api_server", FIELDS(api_server), true },
	[FC_G_BLOCK] = { "block", FIELDS(block), false },
	[FC_G_DEPRECATED_API] = { "deprecated_api", FIELDS(deprecated_api), false },
	[FC_G_GET_API] = { "get_api_requests", FIELDS(get_api), false },
	[FC_G_I8042] = { "i8042", FIELDS(i8042), false },
	[FC_G_UART] = { "uart", FIELDS(uart), false },
	[FC_G_LATENCIES] = { "latencies_us", FIELDS(latencies), true },
	[FC_G_LOGGER] = { "logger", FIELDS(logger), false },
	[FC_G_MMDS] = { "mmds", FIELDS(mmds), false },
	[FC_G_NET] = { "net", FIELDS(net), false },
	[FC_G_PATCH_API] = { "patch_api_requests", FIELDS(patch_api), false },
	[FC_G_PUT_API] = { "put_api_requests", FIELDS(put_api), false },
	[FC_G_SECCOMP] = { "seccomp", FIELDS(seccomp), true },
	[FC_G_VCPU] = { "vcpu", FIELDS(vcpu), false },
	[FC_G_VMM] = { "vmm", FIELDS(vmm), true },
	[FC_G_SIGNALS] = { "signals", FIELDS(signals), true },
	[FC_G_VSOCK] = { "vsock", FIELDS(vsock), false },
	[FC_G_ENTROPY] = { "entropy", FIELDS(entropy), false },
};

_Static_assert(sizeof(net) / sizeof(net[0]) <= FC_FIELDS_MAX, "FC_FIELDS_MAX too small");
_Static_assert(sizeof(put_api) / sizeof(put_api[0]) <= FC_FIELDS_MAX, "FC_FIELDS_MAX too small");
