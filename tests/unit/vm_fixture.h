/* A struct vm without KVM for the console and stop-device tests, and fx_run_for() to turn an event loop. */
#ifndef KEEL_TESTS_UNIT_VM_FIXTURE_H
#define KEEL_TESTS_UNIT_VM_FIXTURE_H

#include <stdbool.h>

#include "vmm/evloop.h"
#include "vmm/vm.h"

/* The VM of the current test: vm_init() with no RAM, one vCPU and /dev/null for KVM. */
extern struct vm fx_vm;

/* fx_vm_setup / fx_vm_teardown - a Check fixture: vm_init and vm_destroy of @fx_vm. */
void fx_vm_setup(void);
void fx_vm_teardown(void);

/* fx_stop_status - @fx_vm's exit status; whether a stop was requested into @requested. */
int fx_stop_status(bool *requested);

/* fx_run_for - run @loop for about @ms milliseconds. */
void fx_run_for(struct evloop *loop, int ms);

#endif
