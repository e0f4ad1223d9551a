/* A bounded text sink for the gdb monitor: formatted text gathered into chunks, a total cap, dropped lines counted. */
#include "vmm/gdb/textout.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void textout_init(struct textout *o, size_t max, void (*emit)(void *opaque, const char *text, size_t len),
		  void *opaque)
{
	o->emit = emit;
	o->opaque = opaque;
	o->max = max;
	o->total = 0;
	o->dropped = 0;
	o->len = 0;
}

static void textout_flush(struct textout *o)
{
	if (o->len)
		o->emit(o->opaque, o->buf, o->len);
	o->len = 0;
}

static void textout_put(struct textout *o, const char *text, size_t n)
{
	if (n > sizeof(o->buf) - o->len)
		textout_flush(o);
	memcpy(o->buf + o->len, text, n);
	o->len += n;
}

void textout_printf(struct textout *o, const char *fmt, ...)
{
	char line[TEXTOUT_LINE];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (o->dropped || o->total + (size_t)n > o->max) {
		for (int i = 0; i < n; i++)
			o->dropped += line[i] == '\n';
		if (!o->dropped)
			o->dropped = 1;
		return;
	}
	o->total += (size_t)n;
	textout_put(o, line, (size_t)n);
}

bool textout_full(const struct textout *o)
{
	return o->dropped != 0;
}

void textout_finish(struct textout *o)
{
	if (o->dropped) {
		char note[96];
		int n = snprintf(note, sizeof(note), "... output cut at %zu bytes: %lu more lines not shown\n", o->max,
				 o->dropped);

		textout_put(o, note, (size_t)n);
	}
	textout_flush(o);
}
