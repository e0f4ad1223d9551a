/* Firecracker-format metrics: one JSON object per flush, one line, counters since the last flush, to a file or FIFO. */
#ifndef KEEL_VMM_FC_FC_METRICS_H
#define KEEL_VMM_FC_FC_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct fc_log;
struct fc_metrics;
struct vm;

#define FC_METRICS_PERIOD_S 60	/* Firecracker flushes every 60 seconds on its own */

/*
 * What the API server counts (Firecracker's "get_api_requests", "put_api_requests" and
 * "patch_api_requests" groups, and "api_server"). Whoever owns it (the API) increments the
 * fields with relaxed atomics (atomic_fetch_add_explicit(&c->put.drive_count, 1,
 * memory_order_relaxed)) from any thread; fc_metrics_set_api makes the metrics read it. The
 * counts only grow: each flush reports what they grew by since the last one. The two
 * process_startup_time fields are stored once, not counted, and reported as they are.
 */
struct fc_api_counters {
	_Atomic uint64_t process_startup_time_us;	/* execve to the API socket answering (CLOCK_MONOTONIC) */
	_Atomic uint64_t process_startup_time_cpu_us;	/* the CPU time that took */
	struct {
		_Atomic uint64_t instance_info_count;	/* GET / */
		_Atomic uint64_t machine_cfg_count;	/* GET /machine-config */
		_Atomic uint64_t vmm_version_count;	/* GET /version */
	} get;
	struct {
		_Atomic uint64_t actions_count, actions_fails;		/* PUT /actions */
		_Atomic uint64_t boot_source_count, boot_source_fails;	/* PUT /boot-source */
		_Atomic uint64_t drive_count, drive_fails;		/* PUT /drives/{id} */
		_Atomic uint64_t logger_count, logger_fails;		/* PUT /logger */
		_Atomic uint64_t machine_cfg_count, machine_cfg_fails;	/* PUT /machine-config */
		_Atomic uint64_t metrics_count, metrics_fails;		/* PUT /metrics */
		_Atomic uint64_t network_count, network_fails;		/* PUT /network-interfaces/{id} */
		_Atomic uint64_t vsock_count, vsock_fails;		/* PUT /vsock */
	} put;
	struct {
		_Atomic uint64_t drive_count, drive_fails;		/* PATCH /drives/{id} */
		_Atomic uint64_t machine_cfg_count, machine_cfg_fails;	/* PATCH /machine-config */
		_Atomic uint64_t network_count, network_fails;		/* PATCH /network-interfaces/{id} */
	} patch;
};

/*
 * fc_metrics_open - metrics written to @path: a regular file (created mode 0600 when absent,
 * appended to) or a FIFO (opened so that it never blocks keel: a FIFO without a reader yet keeps
 * the lines in the pipe until one comes, and a line that does not fit is dropped and counted in
 * "logger"."missed_metrics_count"; keel logs once that no reader was there). Nothing is written
 * until the first flush. 0 and *@out, or -errno with one line in @err naming @path.
 */
int fc_metrics_open(const char *path, struct fc_metrics **out, char *err, size_t errlen);

/*
 * fc_metrics_attach - read the device and vCPU counters of @vm from now on (each disk as
 * "block_<drive id>", each NIC as "net_eth<index>", as Firecracker names its devices) and flush
 * every FC_METRICS_PERIOD_S seconds from a timerfd on @vm's event loop (vm->plat.loop, the main
 * thread). Call it once @vm is created (vm_create) and before vm_run. 0 or -errno.
 */
int fc_metrics_attach(struct fc_metrics *m, struct vm *vm);

/* fc_metrics_attach_every - fc_metrics_attach flushing every @period_ms instead (tests). -EINVAL for 0. */
int fc_metrics_attach_every(struct fc_metrics *m, struct vm *vm, unsigned int period_ms);

/*
 * fc_metrics_detach - flush once more (the VM's last counters), stop the timer and forget the VM.
 * Call it on the main thread after vm_run and before vm_destroy. Fine when not attached.
 */
void fc_metrics_detach(struct fc_metrics *m);

/*
 * fc_metrics_set_api - read the API server's counters from @c (which must outlive @m, or be
 * unset with NULL first). fc_metrics_set_log - read "logger"."missed_log_count" from @log's
 * count of lines it could not write (likewise).
 */
void fc_metrics_set_api(struct fc_metrics *m, const struct fc_api_counters *c);
void fc_metrics_set_log(struct fc_metrics *m, const struct fc_log *log);

/*
 * fc_metrics_flush - write one line now: {"utc_timestamp_ms":..., "api_server":{...}, ...} with
 * what each counter grew by since the last flush, with one write(2). The FlushMetrics action
 * calls it (main thread: flushes are not run concurrently). 0, or -errno when the line could not
 * be written (counted in "logger"."missed_metrics_count", reported in the next line).
 */
int fc_metrics_flush(struct fc_metrics *m);

/* fc_metrics_close - detach, flush a last time, close the file; NULL is fine. */
void fc_metrics_close(struct fc_metrics *m);

#endif
