/* A test-and-set spinlock built on xchg (GCC __atomic builtins; never cmpxchg16b). */
#ifndef KEEL_GUEST_LIB_SPINLOCK_H
#define KEEL_GUEST_LIB_SPINLOCK_H

#include <stdbool.h>

#include "guest/arch/x86/cpu.h"

struct spinlock {
	unsigned int locked;
};

static inline bool spin_trylock(struct spinlock *l)
{
	return __atomic_exchange_n(&l->locked, 1u, __ATOMIC_ACQUIRE) == 0;
}

static inline void spin_lock(struct spinlock *l)
{
	while (!spin_trylock(l))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			cpu_relax();
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0u, __ATOMIC_RELEASE);
}

#endif
