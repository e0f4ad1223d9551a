/* Unit tests of the seccomp filters (vmm/sandbox.c): every kind builds, a forbidden call ends a child with the status and one line, an allowed one passes. */
#include "tests/unit/suites.h"

#include "vmm/exit_status.h"
#include "vmm/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

enum sb_action {
	SB_FORBIDDEN,	/* socket(AF_PACKET): no kind allows it */
	SB_ALLOWED,	/* getpid, a write, and the Seccomp line of the thread's status */
	SB_SELFTEST,	/* KEEL_SECCOMP_SELFTEST names the kind */
};

/* Whether the /proc status @fd (opened before the filter: a vCPU may not open files) says "Seccomp:\t2". */
static bool sb_filtered(int fd)
{
	char buf[4096];
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (n <= 0)
		return false;
	buf[n] = '\0';
	return strstr(buf, "Seccomp:\t2\n") != NULL;
}

/*
 * In a child with stderr on a pipe: enter @kind (@on) and do @action. Returns the child's wait
 * status; its stderr in @err.
 */
static int sb_child(enum sandbox_kind kind, bool on, enum sb_action action, char *err, size_t errlen)
{
	int p[2], status = -1;
	ssize_t n, got = 0;
	pid_t pid;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd, status_fd = open("/proc/thread-self/status", O_RDONLY | O_CLOEXEC);

		dup2(p[1], STDERR_FILENO);
		if (action == SB_SELFTEST)
			setenv(SANDBOX_SELFTEST_ENV, sandbox_kind_name(kind), 1);
		if (sandbox_enter(kind, on ? KEEL_EXIT_SECCOMP : 0, 0) < 0)
			_exit(100);
		if (action == SB_SELFTEST)
			_exit(101);	/* the self-test's call was not stopped */
		if (action == SB_FORBIDDEN) {
			fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
			_exit(fd >= 0 || errno != ENOSYS ? 0 : 102);
		}
		if (getpid() <= 0 || write(STDERR_FILENO, "allowed\n", 8) != 8)
			_exit(103);
		_exit(on && !sb_filtered(status_fd) ? 104 : 0);
	}
	close(p[1]);
	while (got + 1 < (ssize_t)errlen && (n = read(p[0], err + got, errlen - 1 - (size_t)got)) > 0)
		got += n;
	err[got] = '\0';
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

START_TEST(sandbox_every_kind_builds)
{
	for (int k = 0; k < SANDBOX_NKINDS; k++) {
		ck_assert_ptr_nonnull(sandbox_kind_name(k));
		ck_assert_int_eq(sandbox_build(k, 0), 0);
	}
	ck_assert_int_eq(sandbox_build(SANDBOX_MAIN, SANDBOX_EXEC), 0);
	ck_assert_int_eq(sandbox_build(SANDBOX_NKINDS, 0), -EINVAL);
	ck_assert_ptr_null(sandbox_kind_name(SANDBOX_NKINDS));
	ck_assert_str_eq(sandbox_kind_name(SANDBOX_VCPU), "vcpu");
}
END_TEST

/* Each kind: a forbidden call ends the child with KEEL_EXIT_SECCOMP and one line naming the call and the kind. */
START_TEST(sandbox_forbidden_call_stops)
{
	enum sandbox_kind kind = (enum sandbox_kind)_i;
	char err[512], want[128];
	int status = sb_child(kind, true, SB_FORBIDDEN, err, sizeof(err));

	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == KEEL_EXIT_SECCOMP, "%s: status %#x, stderr: %s",
		      sandbox_kind_name(kind), status, err);
	snprintf(want, sizeof(want), "keel: error: system call 41 (socket) is not allowed in the %s thread: stopping",
		 sandbox_kind_name(kind));
	ck_assert_msg(strstr(err, want) == err, "stderr: %s", err);
	ck_assert_msg(strstr(err, "--no-seccomp turns the filters off)\n") && !strchr(err, '\n')[1], "stderr: %s", err);
}
END_TEST

/* Each kind: allowed calls pass, and the thread's status shows the filter. */
START_TEST(sandbox_allowed_call_passes)
{
	enum sandbox_kind kind = (enum sandbox_kind)_i;
	char err[512];
	int status = sb_child(kind, true, SB_ALLOWED, err, sizeof(err));

	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: status %#x, stderr: %s",
		      sandbox_kind_name(kind), status, err);
	ck_assert_str_eq(err, "allowed\n");
}
END_TEST

/* KEEL_SECCOMP_SELFTEST=<kind> makes the thread's first call after its filter a forbidden one. */
START_TEST(sandbox_selftest_knob)
{
	enum sandbox_kind kind = (enum sandbox_kind)_i;
	char err[512];
	int status = sb_child(kind, true, SB_SELFTEST, err, sizeof(err));

	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == KEEL_EXIT_SECCOMP, "%s: status %#x, stderr: %s",
		      sandbox_kind_name(kind), status, err);
	ck_assert_msg(strstr(err, "(socket) is not allowed"), "stderr: %s", err);
}
END_TEST

/* Off (--no-seccomp): nothing installed, the call is the kernel's to refuse or not. */
START_TEST(sandbox_off_installs_nothing)
{
	char err[512];
	int status = sb_child(SANDBOX_VCPU, false, SB_FORBIDDEN, err, sizeof(err));

	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x, stderr: %s", status, err);
	ck_assert_str_eq(err, "");
}
END_TEST

Suite *sandbox_suite(void)
{
	Suite *s = suite_create("sandbox");
	TCase *t = tcase_create("filters");

	tcase_add_test(t, sandbox_every_kind_builds);
	tcase_add_loop_test(t, sandbox_forbidden_call_stops, 0, SANDBOX_NKINDS);
	tcase_add_loop_test(t, sandbox_allowed_call_passes, 0, SANDBOX_NKINDS);
	tcase_add_loop_test(t, sandbox_selftest_knob, 0, SANDBOX_NKINDS);
	tcase_add_test(t, sandbox_off_installs_nothing);
	suite_add_tcase(s, t);
	return s;
}
