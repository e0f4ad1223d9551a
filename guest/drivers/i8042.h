/* The guest's i8042 keyboard: IRQ 1 on the BSP, scan code set 2 decoded just enough to see Ctrl-Alt-Del. */
#ifndef KEEL_GUEST_DRIVERS_I8042_H
#define KEEL_GUEST_DRIVERS_I8042_H

#include <stdbool.h>
#include <stdint.h>

/* Route ISA IRQ 1 to the BSP and empty the controller's output buffer. */
void kbd_init(void);

/* The interrupt: read every byte the controller has (BSP, interrupts off). */
void kbd_irq(void);

/* Ctrl and Alt were held when Delete went down (since kbd_init). */
bool kbd_ctrl_alt_del(void);

/* Keyboard interrupts and bytes seen so far. */
uint64_t kbd_irq_count(void);
uint64_t kbd_byte_count(void);

#endif
