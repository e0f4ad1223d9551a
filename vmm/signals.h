/* The process's signal set-up, shared by `keel run`, `keel firecracker` and `keel bench`: which signals stop keel, blocking them early, and those sent by another process that would otherwise kill it without cleaning up. */
#ifndef KEEL_VMM_SIGNALS_H
#define KEEL_VMM_SIGNALS_H

#include <signal.h>
#include <sys/signalfd.h>

/*
 * signals_stop_set - fill @set with the signals that stop keel (read from a signalfd, keel then
 * stops its vCPUs, restores the terminal, removes its sockets and ends with 128+N): every signal
 * whose default action ends a process and that is not a fault of keel's own, i.e. SIGHUP, SIGINT,
 * SIGQUIT, SIGUSR1 (`keel run` with a display takes it for a screenshot instead), SIGUSR2,
 * SIGALRM, SIGTERM, SIGSTKFLT, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO, SIGPWR, and the
 * real-time signals but the vCPU kick (the forwarding signal of vmm/sigfwd.h among them).
 */
void signals_stop_set(sigset_t *set);

/*
 * signals_block - call before any thread exists: block the stop signals and the vCPU kick
 * signal (unblocked only in vCPU threads); ignore SIGPIPE (a closed stdout or socket is not fatal);
 * and for SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT and SIGSYS install a handler that
 * forwards such a signal sent by another process (kill) to the signalfd, while a real fault keeps
 * its default action (a core dump). A handler already there (a sanitizer's, seccomp's for SIGSYS)
 * is left in place.
 */
void signals_block(void);

/*
 * signals_number - the signal @si stands for: ssi_signo, or for the forwarding signal the number
 * it carries (SIGSEGV sent by kill arrives that way).
 */
int signals_number(const struct signalfd_siginfo *si);

#endif
