/* The printf engine behind kprintf() and snprintf(). */
#include "guest/lib/printf.h"

#include <stdbool.h>
#include <stdint.h>

#include "guest/lib/string.h"

struct spec {
	bool left;			/* '-' */
	bool zero;			/* '0' */
	bool alt;			/* '#' */
	int width;
	int precision;			/* -1: none */
	int length;			/* 0 int, 1 long, 2 long long, -1 short, -2 char, 3 size_t */
};

struct out {
	fmt_put_fn put;
	void *ctx;
	int count;
};

static void emit(struct out *o, char c)
{
	o->put(o->ctx, c);
	o->count++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		emit(o, c);
}

/* Emit @len bytes of @s with the width of @sp (precision already applied by the caller). */
static void field(struct out *o, const struct spec *sp, const char *prefix, const char *s, int len,
		  bool numeric)
{
	int plen = (int)strlen(prefix);
	int fill = sp->width - len - plen;
	bool zeros = numeric && sp->zero && !sp->left;

	if (!sp->left && !zeros)
		pad(o, ' ', fill);
	for (int i = 0; i < plen; i++)
		emit(o, prefix[i]);
	if (zeros)
		pad(o, '0', fill);
	for (int i = 0; i < len; i++)
		emit(o, s[i]);
	if (sp->left)
		pad(o, ' ', fill);
}

static void number(struct out *o, const struct spec *sp, uint64_t v, bool negative, unsigned int base,
		   bool upper, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	int n = 0;

	do {
		buf[sizeof(buf) - 1 - n++] = digits[v % base];
		v /= base;
	} while (v);
	while (n < sp->precision && n < (int)sizeof(buf))
		buf[sizeof(buf) - 1 - n++] = '0';
	if (negative)
		prefix = "-";
	field(o, sp, prefix, buf + sizeof(buf) - n, n, sp->precision < 0);
}

static uint64_t arg_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case -2: return (unsigned char)va_arg(*ap, unsigned int);
	case -1: return (unsigned short)va_arg(*ap, unsigned int);
	case 1: return va_arg(*ap, unsigned long);
	case 2: return va_arg(*ap, unsigned long long);
	case 3: return va_arg(*ap, size_t);
	default: return va_arg(*ap, unsigned int);
	}
}

static int64_t arg_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case -2: return (signed char)va_arg(*ap, int);
	case -1: return (short)va_arg(*ap, int);
	case 1: return va_arg(*ap, long);
	case 2: return va_arg(*ap, long long);
	case 3: return (int64_t)va_arg(*ap, size_t);
	default: return va_arg(*ap, int);
	}
}

/* Parse flags, width, precision and length at *@fmt into @sp; advance *@fmt to the conversion. */
static void parse_spec(const char **fmt, struct spec *sp, va_list *ap)
{
	const char *f = *fmt;

	*sp = (struct spec){ .precision = -1 };
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else if (*f == '#')
			sp->alt = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = -sp->width;
		}
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == '.') {
		f++;
		sp->precision = 0;
		if (*f == '*') {
			sp->precision = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			sp->precision = sp->precision * 10 + (*f++ - '0');
	}
	for (;; f++) {
		if (*f == 'l')
			sp->length = sp->length ? 2 : 1;
		else if (*f == 'h')
			sp->length = sp->length ? -2 : -1;
		else if (*f == 'z')
			sp->length = 3;
		else
			break;
	}
	*fmt = f;
}

int vformat(fmt_put_fn put, void *ctx, const char *fmt, va_list ap_in)
{
	struct out o = { .put = put, .ctx = ctx };
	struct spec sp;
	va_list ap;

	va_copy(ap, ap_in);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			emit(&o, *fmt);
			continue;
		}
		fmt++;
		parse_spec(&fmt, &sp, &ap);
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = arg_signed(&sp, &ap);

			number(&o, &sp, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, false, "");
			break;
		}
		case 'u':
			number(&o, &sp, arg_unsigned(&sp, &ap), false, 10, false, "");
			break;
		case 'x':
		case 'X': {
			uint64_t v = arg_unsigned(&sp, &ap);

			number(&o, &sp, v, false, 16, *fmt == 'X', sp.alt && v ? "0x" : "");
			break;
		}
		case 'p':
			number(&o, &sp, (uint64_t)(uintptr_t)va_arg(ap, void *), false, 16, false, "0x");
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			if (!s)
				s = "(null)";
			field(&o, &sp, "", s,
			      (int)(sp.precision >= 0 ? strnlen(s, (size_t)sp.precision) : strlen(s)), false);
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);

			field(&o, &sp, "", &c, 1, false);
			break;
		}
		case '%':
			emit(&o, '%');
			break;
		default:		/* unknown conversion: show it as written */
			emit(&o, '%');
			if (!*fmt)
				goto out;
			emit(&o, *fmt);
			break;
		}
	}
out:
	va_end(ap);
	return o.count;
}

struct buf {
	char *p;
	size_t size, used;
};

static void buf_put(void *ctx, char c)
{
	struct buf *b = ctx;

	if (b->used + 1 < b->size)
		b->p[b->used] = c;
	b->used++;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf b = { .p = buf, .size = size };
	int n = vformat(buf_put, &b, fmt, ap);

	if (size)
		buf[b.used < size ? b.used : size - 1] = '\0';
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
