/* X11 keysyms to Linux evdev key codes for a US keyboard: printable ASCII through one table, the function and modifier keys through another. */
#include "vmm/display_keymap.h"

#include <linux/input-event-codes.h>
#include <stddef.h>

/* Keysyms 0x20..0x7e are Latin-1 characters: the key that types each on a US keyboard. */
static const uint16_t keymap_ascii[0x7f - 0x20] = {
	[' ' - 0x20] = KEY_SPACE,
	['!' - 0x20] = KEY_1, ['@' - 0x20] = KEY_2, ['#' - 0x20] = KEY_3, ['$' - 0x20] = KEY_4,
	['%' - 0x20] = KEY_5, ['^' - 0x20] = KEY_6, ['&' - 0x20] = KEY_7, ['*' - 0x20] = KEY_8,
	['(' - 0x20] = KEY_9, [')' - 0x20] = KEY_0,
	['0' - 0x20] = KEY_0, ['1' - 0x20] = KEY_1, ['2' - 0x20] = KEY_2, ['3' - 0x20] = KEY_3,
	['4' - 0x20] = KEY_4, ['5' - 0x20] = KEY_5, ['6' - 0x20] = KEY_6, ['7' - 0x20] = KEY_7,
	['8' - 0x20] = KEY_8, ['9' - 0x20] = KEY_9,
	['-' - 0x20] = KEY_MINUS, ['_' - 0x20] = KEY_MINUS, ['=' - 0x20] = KEY_EQUAL, ['+' - 0x20] = KEY_EQUAL,
	['[' - 0x20] = KEY_LEFTBRACE, ['{' - 0x20] = KEY_LEFTBRACE,
	[']' - 0x20] = KEY_RIGHTBRACE, ['}' - 0x20] = KEY_RIGHTBRACE,
	['\\' - 0x20] = KEY_BACKSLASH, ['|' - 0x20] = KEY_BACKSLASH,
	[';' - 0x20] = KEY_SEMICOLON, [':' - 0x20] = KEY_SEMICOLON,
	['\'' - 0x20] = KEY_APOSTROPHE, ['"' - 0x20] = KEY_APOSTROPHE,
	['`' - 0x20] = KEY_GRAVE, ['~' - 0x20] = KEY_GRAVE,
	[',' - 0x20] = KEY_COMMA, ['<' - 0x20] = KEY_COMMA,
	['.' - 0x20] = KEY_DOT, ['>' - 0x20] = KEY_DOT,
	['/' - 0x20] = KEY_SLASH, ['?' - 0x20] = KEY_SLASH,
	['a' - 0x20] = KEY_A, ['b' - 0x20] = KEY_B, ['c' - 0x20] = KEY_C, ['d' - 0x20] = KEY_D,
	['e' - 0x20] = KEY_E, ['f' - 0x20] = KEY_F, ['g' - 0x20] = KEY_G, ['h' - 0x20] = KEY_H,
	['i' - 0x20] = KEY_I, ['j' - 0x20] = KEY_J, ['k' - 0x20] = KEY_K, ['l' - 0x20] = KEY_L,
	['m' - 0x20] = KEY_M, ['n' - 0x20] = KEY_N, ['o' - 0x20] = KEY_O, ['p' - 0x20] = KEY_P,
	['q' - 0x20] = KEY_Q, ['r' - 0x20] = KEY_R, ['s' - 0x20] = KEY_S, ['t' - 0x20] = KEY_T,
	['u' - 0x20] = KEY_U, ['v' - 0x20] = KEY_V, ['w' - 0x20] = KEY_W, ['x' - 0x20] = KEY_X,
	['y' - 0x20] = KEY_Y, ['z' - 0x20] = KEY_Z,
};

/* The X11 function and modifier keysyms (0xff00..0xffff, X11/keysymdef.h) keel knows. */
static const struct {
	uint16_t keysym_low;	/* keysym - 0xff00 */
	uint16_t code;
} keymap_special[] = {
	{ 0x08, KEY_BACKSPACE }, { 0x09, KEY_TAB }, { 0x0d, KEY_ENTER }, { 0x1b, KEY_ESC },
	{ 0x50, KEY_HOME }, { 0x51, KEY_LEFT }, { 0x52, KEY_UP }, { 0x53, KEY_RIGHT }, { 0x54, KEY_DOWN },
	{ 0x55, KEY_PAGEUP }, { 0x56, KEY_PAGEDOWN }, { 0x57, KEY_END }, { 0x63, KEY_INSERT },
	{ 0x8d, KEY_KPENTER },
	{ 0xbe, KEY_F1 }, { 0xbf, KEY_F2 }, { 0xc0, KEY_F3 }, { 0xc1, KEY_F4 }, { 0xc2, KEY_F5 },
	{ 0xc3, KEY_F6 }, { 0xc4, KEY_F7 }, { 0xc5, KEY_F8 }, { 0xc6, KEY_F9 }, { 0xc7, KEY_F10 },
	{ 0xc8, KEY_F11 }, { 0xc9, KEY_F12 },
	{ 0xe1, KEY_LEFTSHIFT }, { 0xe2, KEY_RIGHTSHIFT }, { 0xe3, KEY_LEFTCTRL }, { 0xe4, KEY_RIGHTCTRL },
	{ 0xe5, KEY_CAPSLOCK }, { 0xe7, KEY_LEFTMETA }, { 0xe8, KEY_RIGHTMETA },
	{ 0xe9, KEY_LEFTALT }, { 0xea, KEY_RIGHTALT }, { 0xeb, KEY_LEFTMETA }, { 0xec, KEY_RIGHTMETA },
	{ 0xff, KEY_DELETE },
};

#define KEYSYM_ISO_LEFT_TAB 0xfe20u	/* Shift+Tab as some clients send it */

uint16_t display_keymap(uint32_t keysym)
{
	if (keysym >= 0x20 && keysym < 0x7f) {
		if (keysym >= 'A' && keysym <= 'Z')
			keysym += 'a' - 'A';
		return keymap_ascii[keysym - 0x20];
	}
	if (keysym == KEYSYM_ISO_LEFT_TAB)
		return KEY_TAB;
	if ((keysym & ~0xffu) != 0xff00u)
		return 0;
	for (size_t i = 0; i < sizeof(keymap_special) / sizeof(keymap_special[0]); i++)
		if (keymap_special[i].keysym_low == (keysym & 0xffu))
			return keymap_special[i].code;
	return 0;
}
