/* The echo loop: poll the UART, gather a line, print it back. */
#include "guest/kernel/echo.h"

#include <stdbool.h>

#include "guest/arch/x86/cpu.h"
#include "guest/drivers/uart16550.h"
#include "guest/kernel/console.h"
#include "guest/lib/string.h"

#define ECHO_LINE_MAX 256		/* longer lines are cut (the rest is dropped) */

void echo_loop(void)
{
	char line[ECHO_LINE_MAX];
	unsigned int len = 0;
	bool after_cr = false;

	kprintf("guest: echo ready\n");
	for (;;) {
		char c;

		if (!uart_getc(&c)) {
			cpu_relax();
			continue;
		}
		if (c == '\n' && after_cr) {	/* the \n of a \r\n pair */
			after_cr = false;
			continue;
		}
		after_cr = c == '\r';
		if (c != '\n' && c != '\r') {
			if (len < sizeof(line) - 1)
				line[len++] = c;
			continue;
		}
		line[len] = '\0';
		len = 0;
		if (!strcmp(line, "quit"))
			return;
		kprintf("echo: %s\n", line);
	}
}
