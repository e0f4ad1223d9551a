/* The user library's functions: formatted output and the shared-memory spinlock. */
#include "guest/user/lib/ulib.h"

#include "guest/lib/printf.h"
#include "guest/user/progs.h"

#define SPINS_BEFORE_YIELD 1000

long u_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	return u_write(1, buf, (size_t)n);
}

void u_lock(volatile uint32_t *l)
{
	unsigned int spins = 0;

	while (__atomic_exchange_n(l, 1u, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(l, __ATOMIC_RELAXED)) {
			__asm__ volatile("pause");
			if (++spins == SPINS_BEFORE_YIELD) {
				spins = 0;
				u_yield();
			}
		}
	}
}

void u_unlock(volatile uint32_t *l)
{
	__atomic_store_n(l, 0u, __ATOMIC_RELEASE);
}

const volatile struct go_page *u_wait_go(void)
{
	long p = u_shm(GO_KEY);
	const volatile struct go_page *go = (const volatile struct go_page *)p;

	if (p < 0)
		return NULL;
	while (!go->end)
		__asm__ volatile("pause");
	while (u_rdtsc() < go->start)
		__asm__ volatile("pause");
	return go;
}
