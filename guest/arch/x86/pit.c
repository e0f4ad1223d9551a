/* PIT channel 2 (one-shot, polled through port 0x61) and channel 0 (latched read-back) interval measurements. */
#include "guest/arch/x86/pit.h"

#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/io.h"

#define PIT_CH0 0x40
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PORT_B 0x61			/* bit 0: channel 2 gate, bit 1: speaker, bit 5: channel 2 output */
#define PORT_B_GATE2 0x01
#define PORT_B_SPEAKER 0x02
#define PORT_B_OUT2 0x20
#define CMD_CH2_MODE0 0xb0		/* channel 2, low then high byte, mode 0, binary */
#define CMD_CH0_MODE2 0x34		/* channel 0, low then high byte, mode 2, binary */
#define CMD_CH0_LATCH 0x00
#define MAX_POLLS 2000000u		/* a bound in case the counter never gets there */

bool pit_ch2_measure(uint16_t pit_ticks, uint64_t *tsc_ticks)
{
	uint8_t b = inb(PORT_B);
	uint64_t t0, t1;
	unsigned int polls = 0;

	outb(PORT_B, (uint8_t)((b & ~PORT_B_SPEAKER) & ~PORT_B_GATE2));
	outb(PIT_CMD, CMD_CH2_MODE0);
	outb(PIT_CH2, (uint8_t)pit_ticks);
	outb(PIT_CH2, (uint8_t)(pit_ticks >> 8));
	/* Mode 0 counts while the gate is high: raising it starts the interval. */
	outb(PORT_B, (uint8_t)(((b & ~PORT_B_SPEAKER) | PORT_B_GATE2)));
	t0 = rdtsc();
	while (!(inb(PORT_B) & PORT_B_OUT2))
		if (++polls == MAX_POLLS)
			break;
	t1 = rdtsc();
	outb(PORT_B, (uint8_t)(b & ~PORT_B_GATE2 & ~PORT_B_SPEAKER));
	if (polls == MAX_POLLS || polls == 0)
		return false;		/* never rose, or was high already: no working port 0x61 */
	*tsc_ticks = t1 - t0;
	return true;
}

static uint16_t ch0_read(void)
{
	uint8_t lo, hi;

	outb(PIT_CMD, CMD_CH0_LATCH);
	lo = inb(PIT_CH0);
	hi = inb(PIT_CH0);
	return (uint16_t)(lo | hi << 8);
}

bool pit_ch0_measure(uint32_t pit_ticks, uint64_t *tsc_ticks)
{
	uint32_t elapsed = 0, polls = 0;
	uint16_t prev, cur;
	uint64_t t0, t1;

	outb(PIT_CMD, CMD_CH0_MODE2);
	outb(PIT_CH0, 0);
	outb(PIT_CH0, 0);		/* count 0: 65536, reloads forever */
	prev = ch0_read();
	t0 = rdtsc();
	while (elapsed < pit_ticks) {
		cur = ch0_read();
		elapsed += (uint16_t)(prev - cur);	/* counts down, wraps at 65536 */
		prev = cur;
		if (++polls == MAX_POLLS)
			return false;
	}
	t1 = rdtsc();
	*tsc_ticks = (t1 - t0) * pit_ticks / elapsed;
	return elapsed > 0;
}
