/* User program "hello": says which task and CPU it is, exits with a code its spawner chose. */
#include "guest/user/lib/ulib.h"

/* a0: the exit code to use. */
int main(uint64_t a0, uint64_t a1, uint64_t a2)
{
	(void)a1;
	(void)a2;
	u_printf("hello from pid %ld on cpu %ld", u_getpid(), u_getcpu());
	return (int)a0;
}
