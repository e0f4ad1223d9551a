/* User program "device": maps an I/O APIC's registers with SYS_MAP_DEVICE and reads its version register. */
#include "guest/user/lib/ulib.h"

#define IOREGSEL 0x00
#define IOWIN 0x10
#define IOAPIC_VER 0x01

/* a0: the I/O APIC's physical address. Writes "version=V"; exits 0, or 1 when the map was refused. */
int main(uint64_t phys, uint64_t a1, uint64_t a2)
{
	long p = syscall3(SYS_MAP_DEVICE, (long)phys, 4096, 0);
	volatile uint32_t *regs = (volatile uint32_t *)p;

	(void)a1;
	(void)a2;
	if (p < 0) {
		u_printf("map: %ld", p);
		return 1;
	}
	regs[IOREGSEL / 4] = IOAPIC_VER;
	u_printf("version=%#x", regs[IOWIN / 4]);
	return 0;
}
