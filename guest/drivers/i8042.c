/* The guest's i8042 keyboard: bytes read at port 0x60 on IRQ 1, Ctrl, Alt and Delete tracked in scan code set 2. */
#include "guest/drivers/i8042.h"

#include "guest/arch/x86/io.h"
#include "guest/arch/x86/ioapic.h"
#include "guest/arch/x86/percpu.h"
#include "guest/arch/x86/vectors.h"

#define KBD_DATA 0x60
#define KBD_STATUS 0x64
#define KBD_STS_OBF 0x01		/* a byte waits at the data port */
#define KBD_STS_AUX 0x20		/* ... and it is the mouse's */
#define KBD_DRAIN_MAX 64		/* bytes one interrupt may take */

#define SC2_BREAK 0xf0			/* the next code is a release */
#define SC2_EXT 0xe0			/* the next code is an extended key */
#define SC2_CTRL 0x14			/* left Ctrl (E0 14: right Ctrl) */
#define SC2_ALT 0x11			/* left Alt (E0 11: right Alt) */
#define SC2_DEL 0x71			/* E0 71: Delete (without E0: keypad '.') */

/* Only the BSP's interrupt handler writes these; the main thread reads them. */
static struct {
	bool brk, ext, ctrl, alt;
	bool cad;
	uint64_t irqs, bytes;
} kbd;

static void kbd_byte(uint8_t b)
{
	bool down;

	kbd.bytes++;
	if (b == SC2_BREAK) {
		kbd.brk = true;
		return;
	}
	if (b == SC2_EXT) {
		kbd.ext = true;
		return;
	}
	down = !kbd.brk;
	if (b == SC2_CTRL)
		kbd.ctrl = down;
	else if (b == SC2_ALT)
		kbd.alt = down;
	else if (b == SC2_DEL && kbd.ext && down && kbd.ctrl && kbd.alt)
		__atomic_store_n(&kbd.cad, true, __ATOMIC_RELEASE);
	kbd.brk = kbd.ext = false;
}

static void kbd_drain(void)
{
	for (int i = 0; i < KBD_DRAIN_MAX; i++) {
		uint8_t st = inb(KBD_STATUS);

		if (!(st & KBD_STS_OBF))
			break;
		if (st & KBD_STS_AUX)
			(void)inb(KBD_DATA);
		else
			kbd_byte(inb(KBD_DATA));
	}
}

void kbd_init(void)
{
	kbd_drain();		/* what came before: its edge is gone */
	ioapic_route(ISA_IRQ_KBD, VEC_KBD, cpus[0].apic_id);
}

void kbd_irq(void)
{
	kbd.irqs++;
	kbd_drain();		/* each byte read lowers the (edge) line; the next raises it again */
}

bool kbd_ctrl_alt_del(void)
{
	return __atomic_load_n(&kbd.cad, __ATOMIC_ACQUIRE);
}

uint64_t kbd_irq_count(void)
{
	return __atomic_load_n(&kbd.irqs, __ATOMIC_RELAXED);
}

uint64_t kbd_byte_count(void)
{
	return __atomic_load_n(&kbd.bytes, __ATOMIC_RELAXED);
}
