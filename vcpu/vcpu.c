/* vCPU lifecycle: creation, the thread running the KVM_RUN loop, and its running / paused / stopped state machine. */
#include "vcpu/vcpu.h"

#include "vcpu/cpuid.h"
#include "vcpu/quirks.h"
#include "vmm/exit_status.h"
#include "vmm/log.h"
#include "vmm/sandbox.h"
#include "vmm/stop.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

int vcpu_kick_signal(void)
{
	return SIGRTMIN;
}

int vcpu_create(const struct vcpu_env *env, unsigned int id, struct vcpu **out)
{
	struct kvm_cpuid2 *cpuid = NULL;
	struct vcpu *v;
	int ret;

	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->env = env;
	v->id = id;
	v->apic_id = id;
	v->fd = -1;
	v->state = VCPU_RUNNING;
	pthread_mutex_init(&v->lock, NULL);
	pthread_cond_init(&v->cond, NULL);

	v->fd = ioctl(env->vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (v->fd < 0) {
		ret = -errno;
		goto fail;
	}
	v->run = mmap(NULL, (size_t)env->mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		ret = -errno;
		goto fail;
	}
	ret = cpuid_build(env->cpuid, v->apic_id, env->ncpus, &cpuid);
	if (ret < 0)
		goto fail;
	quirks_cpuid(env->quirks, cpuid);
	if (ioctl(v->fd, KVM_SET_CPUID2, cpuid) < 0) {
		ret = -errno;
		goto fail;
	}
	free(cpuid);
	*out = v;
	return 0;
fail:
	free(cpuid);
	vcpu_destroy(v);
	return ret;
}

void vcpu_destroy(struct vcpu *vcpu)
{
	if (!vcpu)
		return;
	if (vcpu->run)
		munmap(vcpu->run, (size_t)vcpu->env->mmap_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	pthread_cond_destroy(&vcpu->cond);
	pthread_mutex_destroy(&vcpu->lock);
	free(vcpu);
}

static void vcpu_set_state(struct vcpu *vcpu, enum vcpu_state state)
{
	pthread_mutex_lock(&vcpu->lock);
	vcpu->state = state;
	pthread_cond_broadcast(&vcpu->cond);
	pthread_mutex_unlock(&vcpu->lock);
}

/* Park while any reason holds the vCPU; returns false when the thread must leave the run loop. */
static bool vcpu_wait_runnable(struct vcpu *vcpu)
{
	bool run;

	pthread_mutex_lock(&vcpu->lock);
	while (vcpu->paused_for && !vcpu->stop) {
		if (vcpu->state != VCPU_PAUSED) {
			vcpu->state = VCPU_PAUSED;
			pthread_cond_broadcast(&vcpu->cond);
		}
		pthread_cond_wait(&vcpu->cond, &vcpu->lock);
	}
	run = !vcpu->stop;
	if (run && vcpu->state != VCPU_RUNNING) {
		vcpu->state = VCPU_RUNNING;
		pthread_cond_broadcast(&vcpu->cond);
	}
	pthread_mutex_unlock(&vcpu->lock);
	return run;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	sigset_t set;

	if (sandbox_enter(SANDBOX_VCPU, vcpu->env->seccomp, 0) < 0) {
		stop_request(vcpu->env->stop, KEEL_EXIT_HOST, NULL);
		vcpu_set_state(vcpu, VCPU_STOPPED);
		return NULL;
	}
	sigemptyset(&set);
	sigaddset(&set, vcpu_kick_signal());
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	while (vcpu_wait_runnable(vcpu)) {
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			int err = errno;

			vcpu->run->immediate_exit = 0;
			if (err == EINTR || err == EAGAIN)
				continue;
			log_error("vCPU %u: KVM_RUN failed: %s", vcpu->id, strerror(err));
			atomic_fetch_add_explicit(&vcpu->ctr.failures, 1, memory_order_relaxed);
			stop_request(vcpu->env->stop, KEEL_EXIT_HOST, NULL);
			break;
		}
		if (vcpu_dispatch_exit(vcpu, vcpu->run) == VCPU_ACTION_STOP)
			break;
	}
	vcpu_set_state(vcpu, VCPU_STOPPED);
	return NULL;
}

static void vcpu_kick_handler(int sig)
{
	(void)sig;	/* its only job is to make KVM_RUN return with EINTR */
}

int vcpu_start(struct vcpu *vcpu)
{
	struct sigaction sa;
	char name[16];
	int ret;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = vcpu_kick_handler;	/* no SA_RESTART: KVM_RUN must return */
	sigemptyset(&sa.sa_mask);
	if (sigaction(vcpu_kick_signal(), &sa, NULL) < 0)
		return -errno;
	ret = pthread_create(&vcpu->thread, NULL, vcpu_thread, vcpu);
	if (ret)
		return -ret;
	vcpu->thread_started = true;
	snprintf(name, sizeof(name), "%s%u", vcpu->env->thread_name ? vcpu->env->thread_name : "keel-vcpu", vcpu->id);
	pthread_setname_np(vcpu->thread, name);
	return 0;
}

void vcpu_kick(struct vcpu *vcpu)
{
	if (vcpu->run)
		__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	if (vcpu->thread_started)
		pthread_kill(vcpu->thread, vcpu_kick_signal());
}

void vcpu_pause(struct vcpu *vcpu, unsigned int reason)
{
	bool newly;

	pthread_mutex_lock(&vcpu->lock);
	newly = vcpu->paused_for == 0 && !vcpu->stop;
	vcpu->paused_for |= reason;
	pthread_cond_broadcast(&vcpu->cond);
	pthread_mutex_unlock(&vcpu->lock);
	/* Whoever paused it before has kicked already. */
	if (newly)
		vcpu_kick(vcpu);
}

void vcpu_resume(struct vcpu *vcpu, unsigned int reason)
{
	pthread_mutex_lock(&vcpu->lock);
	vcpu->paused_for &= ~reason;
	pthread_cond_broadcast(&vcpu->cond);
	pthread_mutex_unlock(&vcpu->lock);
}

void vcpu_stop(struct vcpu *vcpu)
{
	bool newly;

	pthread_mutex_lock(&vcpu->lock);
	newly = !vcpu->stop;
	vcpu->stop = true;
	pthread_cond_broadcast(&vcpu->cond);
	pthread_mutex_unlock(&vcpu->lock);
	if (newly)
		vcpu_kick(vcpu);
}

void vcpu_park_self(struct vcpu *vcpu, unsigned int reason)
{
	pthread_mutex_lock(&vcpu->lock);
	vcpu->paused_for |= reason;
	pthread_mutex_unlock(&vcpu->lock);
}

unsigned int vcpu_paused_for(struct vcpu *vcpu)
{
	unsigned int r;

	pthread_mutex_lock(&vcpu->lock);
	r = vcpu->paused_for;
	pthread_mutex_unlock(&vcpu->lock);
	return r;
}

void vcpus_pause(struct vcpu *const *v, unsigned int n, unsigned int reason)
{
	for (unsigned int i = 0; i < n; i++)
		vcpu_pause(v[i], reason);
	for (unsigned int i = 0; i < n; i++)
		vcpu_wait_state(v[i], VCPU_PAUSED);
}

void vcpus_resume(struct vcpu *const *v, unsigned int n, unsigned int reason)
{
	for (unsigned int i = 0; i < n; i++)
		vcpu_resume(v[i], reason);
}

void vcpu_wait_state(struct vcpu *vcpu, enum vcpu_state state)
{
	pthread_mutex_lock(&vcpu->lock);
	while (vcpu->thread_started && vcpu->state != state && vcpu->state != VCPU_STOPPED)
		pthread_cond_wait(&vcpu->cond, &vcpu->lock);
	pthread_mutex_unlock(&vcpu->lock);
}

void vcpu_join(struct vcpu *vcpu)
{
	if (vcpu->thread_started) {
		pthread_join(vcpu->thread, NULL);
		vcpu->thread_started = false;
	}
}
