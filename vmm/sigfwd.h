/* A fault signal's number (SIGSEGV, SIGSYS, ...) sent by another process, forwarded from its handler to the stop signalfd. */
#ifndef KEEL_VMM_SIGFWD_H
#define KEEL_VMM_SIGFWD_H

#include <signal.h>
#include <stdbool.h>

/* sigfwd_signal - the real-time signal that carries a forwarded signal's number (in si_int). */
int sigfwd_signal(void);

/*
 * sigfwd_from_kill - in a handler of @sig: when @si says another process sent it (kill, sigqueue,
 * tgkill: si_code <= 0 from another pid), queue sigfwd_signal() carrying @sig to this process and
 * return true; false for a signal keel raised itself (a fault, abort, seccomp). Async-signal-safe.
 */
bool sigfwd_from_kill(int sig, const siginfo_t *si);

/*
 * sigfwd_handler - an SA_SIGINFO handler for a fault signal: forwards one another process sent
 * (sigfwd_from_kill); for keel's own fault (or abort) restores the default action, which the
 * faulting instruction (or abort's second raise) then takes.
 */
void sigfwd_handler(int sig, siginfo_t *si, void *uctx);

#endif
