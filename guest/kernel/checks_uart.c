/* Checks of the UART beyond the output everyone sees. */
#include "guest/kernel/checks.h"

#include "guest/drivers/uart16550.h"

enum check_status check_uart_scratch(struct check_ctx *ctx)
{
	if (!uart_scratch_roundtrip())
		return check_fail(ctx, "the scratch register did not return 0x5a and 0xa5");
	return CHECK_PASS;
}
