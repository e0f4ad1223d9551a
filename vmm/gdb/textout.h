/* A bounded text sink: printf-style output gathered into chunks handed to a callback (the monitor's gdb 'O' packets). */
#ifndef KEEL_VMM_GDB_TEXTOUT_H
#define KEEL_VMM_GDB_TEXTOUT_H

#include <stdbool.h>
#include <stddef.h>

#define TEXTOUT_CHUNK 4096	/* the most text handed to emit at once */
#define TEXTOUT_LINE 512	/* the longest text one textout_printf call writes */

struct textout {
	/* emit - @len bytes of text (1..TEXTOUT_CHUNK), not NUL-terminated. */
	void (*emit)(void *opaque, const char *text, size_t len);
	void *opaque;
	size_t max;		/* text accepted in all, beyond which output is dropped */
	size_t total;		/* text accepted so far */
	unsigned long dropped;	/* lines dropped because of max */
	size_t len;		/* text in buf not yet emitted */
	char buf[TEXTOUT_CHUNK];
};

/* textout_init - an empty sink that accepts at most @max bytes of text in all. */
void textout_init(struct textout *o, size_t max, void (*emit)(void *opaque, const char *text, size_t len),
		  void *opaque);

/* textout_printf - append formatted text (cut at TEXTOUT_LINE bytes); past the sink's max it is counted and dropped. */
void textout_printf(struct textout *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* textout_full - has output been dropped? (Producers may stop early.) */
bool textout_full(const struct textout *o);

/* textout_finish - say how many lines were dropped, if any, and emit what is left. */
void textout_finish(struct textout *o);

#endif
