/* X11 keysyms (what a VNC client sends) to Linux evdev key codes, for a US keyboard layout. */
#ifndef KEEL_VMM_DISPLAY_KEYMAP_H
#define KEEL_VMM_DISPLAY_KEYMAP_H

#include <stdint.h>

/*
 * display_keymap - the evdev key code (KEY_*, <linux/input-event-codes.h>) of the key that types
 * @keysym on a US keyboard, or 0 when it has none. Shifted symbols ('A', '!', '{') give their
 * unshifted key: a client sends Shift as a key of its own.
 */
uint16_t display_keymap(uint32_t keysym);

#endif
