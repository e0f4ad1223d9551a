/* The console lock and the printf front end over the 16550. */
#include "guest/kernel/console.h"

#include "firmware/machine.h"
#include "guest/drivers/uart16550.h"
#include "guest/lib/printf.h"
#include "guest/lib/spinlock.h"

static struct spinlock lock;

void console_init(void)
{
	uart_init(KEEL_PORT_UART0);
}

static void console_put(void *ctx, char c)
{
	(void)ctx;
	uart_putc(c);
}

void console_lock(void)
{
	spin_lock(&lock);
}

void console_unlock(void)
{
	spin_unlock(&lock);
}

void kvprintf(const char *fmt, va_list ap)
{
	spin_lock(&lock);
	vformat(console_put, NULL, fmt, ap);
	spin_unlock(&lock);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

void kprintf_unlocked(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat(console_put, NULL, fmt, ap);
	va_end(ap);
}
