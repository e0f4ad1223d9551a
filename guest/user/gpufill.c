/* User program "gpufill": gpu-bench's frames, each written over the whole scanout resource in ring 3 (native here) and handed to the kernel to transfer and flush. */
#include "guest/user/lib/ulib.h"

/* a0, a1: the backing's physical address and bytes (mapped with SYS_MAP_DEVICE); a2: frames. Exits 0, 1 (no map) or 2 (a frame failed). */
int main(uint64_t phys, uint64_t bytes, uint64_t frames)
{
	long p = syscall3(SYS_MAP_DEVICE, (long)phys, (long)bytes, 0);
	volatile uint64_t *fb = (volatile uint64_t *)p;

	if (p < 0) {
		u_printf("map: %ld", p);
		return 1;
	}
	for (uint64_t f = 0; f < frames; f++) {
		uint64_t v = ((f * 37 + 11) & 0xff) * 0x0101010101010101ull;
		long r;

		for (uint64_t i = 0; i < bytes / 8; i++)
			fb[i] = v;
		if ((r = syscall3(SYS_GPU_FRAME, 0, 0, 0)) < 0) {
			u_printf("frame %lu: %ld", (unsigned long)f, r);
			return 2;
		}
	}
	return 0;
}
