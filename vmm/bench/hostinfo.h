/* The host facts a bench report carries: date, kernel, KVM flavour, CPU model, TSC frequency and its source. */
#ifndef KEEL_VMM_BENCH_HOSTINFO_H
#define KEEL_VMM_BENCH_HOSTINFO_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/bench/report.h"

/*
 * bench_host_probe - fill @h: the date (UTC), uname's release, the KVM flavour (the modules of
 * /sys/module among kvm_intel, kvm_amd and kvm_pvm), /proc/cpuinfo's model name, the online
 * CPUs, and the TSC frequency: KVM_GET_TSC_KHZ on a scratch vCPU of @kvm_path, or else RDTSC
 * calibrated against CLOCK_MONOTONIC_RAW over 200 ms. Never fails: what it cannot learn reads
 * "unknown" (or 0).
 */
void bench_host_probe(struct bench_host *h, const char *kvm_path);

/* bench_host_flavour - the KVM flavour as bench_host_probe words it, for @sys_module (normally "/sys/module"). */
void bench_host_flavour(const char *sys_module, char *buf, size_t len);

#endif
