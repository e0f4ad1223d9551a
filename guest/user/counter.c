/* User program "counter": increments a shared counter under a lock, the user's own or the kernel's. */
#include "guest/user/lib/ulib.h"
#include "guest/user/progs.h"

struct shared {
	volatile uint32_t lock;
	volatile uint64_t value;
};

/* a0: increments, a1: COUNTER_USER_LOCK or COUNTER_KERNEL, a2: the shared page or kernel counter. */
int main(uint64_t n, uint64_t mode, uint64_t key)
{
	if (mode == COUNTER_USER_LOCK) {
		long p = u_shm((int)key);
		struct shared *s = (struct shared *)p;

		if (p < 0)
			return 1;
		for (uint64_t i = 0; i < n; i++) {
			u_lock(&s->lock);
			s->value = s->value + 1;	/* a plain read-modify-write: only the lock makes it exact */
			u_unlock(&s->lock);
		}
		return 0;
	}
	if (mode == COUNTER_KERNEL) {
		for (uint64_t i = 0; i < n; i++)
			if (u_counter_add((int)key, 1) < 0)
				return 2;
		return 0;
	}
	return 127;
}
