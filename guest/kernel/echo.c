/* The echo loop: gather a line from the console input, print it back. */
#include "guest/kernel/echo.h"

#include "guest/kernel/console.h"
#include "guest/kernel/console_in.h"
#include "guest/lib/string.h"

#define ECHO_LINE_MAX 256		/* longer lines are cut (the rest is dropped) */
#define ECHO_WAIT_NS (~0ull)		/* no time limit: exit=echo waits for "quit" */

void echo_loop(void)
{
	char line[ECHO_LINE_MAX];

	kprintf("guest: echo ready\n");
	for (;;) {
		console_read_line(line, sizeof(line), ECHO_WAIT_NS, true);
		if (!strcmp(line, "quit"))
			return;
		kprintf("echo: %s\n", line);
	}
}
