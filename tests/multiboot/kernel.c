/* The Multiboot test kernels' C part: print on COM1 everything the loader handed over (Multiboot 1 or 2, by the magic), then leave through the debug-exit port. */
#include "firmware/multiboot.h"
#include "tests/multiboot/mbtest.h"

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static void putc_(char c)
{
	outb(MBTEST_PORT_COM1, (uint8_t)c);
}

static void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

/* @n bytes of @s, '?' for anything unprintable (the string's end is the loader's business). */
static void putn(const char *s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		putc_(s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?');
}

/* A NUL-terminated guest string, at most 4096 bytes. */
static void putstr(const char *s)
{
	uint32_t n = 0;

	while (n < 4096 && s[n])
		n++;
	putn(s, n);
}

static void hex(uint64_t v, unsigned int digits)
{
	puts_("0x");
	while (digits--)
		putc_("0123456789abcdef"[(v >> (4 * digits)) & 0xf]);
}

static void dec(uint32_t v)
{
	char b[11];
	int i = 0;

	do
		b[i++] = (char)('0' + v % 10);
	while ((v /= 10) && i < 10);
	while (i--)
		putc_(b[i]);
}

static void __attribute__((noreturn)) leave(uint8_t v)
{
	outb(MBTEST_PORT_EXIT, v);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* FNV-1a, 32 bits, of @len bytes at physical @start: the test compares it with the file's. */
static uint32_t fnv1a(const volatile uint8_t *p, uint32_t len)
{
	uint32_t h = 0x811c9dc5u;

	for (uint32_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x01000193u;
	return h;
}

static void module(unsigned int i, uint32_t start, uint32_t end, const char *string)
{
	puts_("module ");
	dec(i);
	puts_(": start ");
	hex(start, 8);
	puts_(" end ");
	hex(end, 8);
	puts_(" size ");
	dec(end - start);
	puts_(" fnv ");
	hex(end >= start ? fnv1a((const volatile uint8_t *)(uintptr_t)start, end - start) : 0, 8);
	puts_(" page-aligned ");
	puts_(start & 0xfff ? "no" : "yes");
	puts_(" string ");
	putstr(string ? string : "");
	puts_("\n");
}

static void mmap_entry(uint64_t base, uint64_t len, uint32_t type)
{
	puts_("mmap: base ");
	hex(base, 16);
	puts_(" length ");
	hex(len, 16);
	puts_(" type ");
	dec(type);
	puts_("\n");
}

static void meminfo(uint32_t lower, uint32_t upper)
{
	puts_("mem_lower: ");
	dec(lower);
	puts_("\nmem_upper: ");
	dec(upper);
	puts_("\n");
}

/* An ACPI RSDP copy: signature, checksum over the first 20 bytes, revision, OEM id (and length). */
static void rsdp(const char *what, const uint8_t *r, uint32_t len)
{
	uint8_t sum = 0;

	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + r[i]);
	puts_(what);
	puts_(": signature ");
	putn((const char *)r, 8);
	puts_(" revision ");
	dec(r[15]);
	puts_(" oem ");
	putn((const char *)r + 9, 6);
	puts_(" length ");
	dec(len);
	puts_(" checksum ");
	puts_(sum ? "bad" : "ok");
	puts_("\n");
}

/* The command line has the word "int3": kernel_main executes one before it ends (a debugger's test). */
static int want_int3;

static void note_cmdline(const char *c)
{
	for (const char *w = c; *w; w++)
		if ((w == c || w[-1] == ' ') && w[0] == 'i' && w[1] == 'n' && w[2] == 't' && w[3] == '3' &&
		    (w[4] == ' ' || w[4] == '\0'))
			want_int3 = 1;
}

static void mb1(const struct mb1_info *mbi)
{
	puts_("flags: ");
	hex(mbi->flags, 8);
	puts_("\n");
	if (mbi->flags & MB1_INFO_MEMORY)
		meminfo(mbi->mem_lower, mbi->mem_upper);
	if (mbi->flags & MB1_INFO_MMAP) {
		uint32_t at = mbi->mmap_addr, end = mbi->mmap_addr + mbi->mmap_length;

		while (at + 4 <= end) {
			const struct mb1_mmap_entry *e = (const struct mb1_mmap_entry *)(uintptr_t)at;

			mmap_entry((uint64_t)e->base_hi << 32 | e->base_lo, (uint64_t)e->length_hi << 32 | e->length_lo,
				   e->type);
			at += e->size + 4;
		}
	}
	if (mbi->flags & MB1_INFO_CMDLINE) {
		puts_("cmdline: ");
		putstr((const char *)(uintptr_t)mbi->cmdline);
		puts_("\n");
		note_cmdline((const char *)(uintptr_t)mbi->cmdline);
	}
	if (mbi->flags & MB1_INFO_LOADER_NAME) {
		puts_("loader: ");
		putstr((const char *)(uintptr_t)mbi->boot_loader_name);
		puts_("\n");
	}
	if (mbi->flags & MB1_INFO_MODS) {
		const struct mb1_module *m = (const struct mb1_module *)(uintptr_t)mbi->mods_addr;

		puts_("modules: ");
		dec(mbi->mods_count);
		puts_("\n");
		for (uint32_t i = 0; i < mbi->mods_count && i < 64; i++)
			module(i, m[i].mod_start, m[i].mod_end, (const char *)(uintptr_t)m[i].string);
	}
}

static void mb2(const uint8_t *mbi)
{
	const struct mb2_info_header *h = (const struct mb2_info_header *)mbi;
	uint32_t at = sizeof(*h), nmods = 0;

	puts_("total_size: ");
	dec(h->total_size);
	puts_(" aligned ");
	puts_((uintptr_t)mbi & 7 ? "no" : "yes");
	puts_("\n");
	while (at + sizeof(struct mb2_tag) <= h->total_size) {
		const struct mb2_tag *t = (const struct mb2_tag *)(mbi + at);
		const uint8_t *body = mbi + at + sizeof(*t);

		puts_("tag: type ");
		dec(t->type);
		puts_(" size ");
		dec(t->size);
		puts_("\n");
		if (t->type == MB2_TAG_END || t->size < sizeof(*t))
			break;
		switch (t->type) {
		case MB2_TAG_CMDLINE:
			puts_("cmdline: ");
			putstr((const char *)body);
			puts_("\n");
			note_cmdline((const char *)body);
			break;
		case MB2_TAG_LOADER_NAME:
			puts_("loader: ");
			putstr((const char *)body);
			puts_("\n");
			break;
		case MB2_TAG_MODULE: {
			const struct mb2_tag_module *m = (const struct mb2_tag_module *)t;

			module(nmods++, m->mod_start, m->mod_end, (const char *)(m + 1));
			break;
		}
		case MB2_TAG_BASIC_MEMINFO: {
			const struct mb2_tag_meminfo *m = (const struct mb2_tag_meminfo *)t;

			meminfo(m->mem_lower, m->mem_upper);
			break;
		}
		case MB2_TAG_MMAP: {
			const struct mb2_tag_mmap *m = (const struct mb2_tag_mmap *)t;

			puts_("mmap_entry_size: ");
			dec(m->entry_size);
			puts_(" version ");
			dec(m->entry_version);
			puts_("\n");
			for (uint32_t o = sizeof(*m); m->entry_size && o + m->entry_size <= t->size; o += m->entry_size) {
				const struct mb2_mmap_entry *e = (const struct mb2_mmap_entry *)((const uint8_t *)t + o);

				mmap_entry(e->base_addr, e->length, e->type);
			}
			break;
		}
		case MB2_TAG_ACPI_OLD:
			rsdp("rsdp_old", body, t->size - sizeof(*t));
			break;
		case MB2_TAG_ACPI_NEW:
			rsdp("rsdp_new", body, t->size - sizeof(*t));
			break;
		case MB2_TAG_LOAD_BASE:
			puts_("load_base: ");
			hex(((const struct mb2_tag_load_base *)t)->load_base_addr, 8);
			puts_("\n");
			break;
		default:
			break;
		}
		at += (t->size + 7) & ~7u;
	}
	puts_("modules: ");
	dec(nmods);
	puts_("\n");
}

/* A20: writing below 1 MiB must not show 1 MiB higher (0x90000 and 0x190000 are free in both loaders). */
static int a20_on(void)
{
	volatile uint32_t *lo = (volatile uint32_t *)0x90000, *hi = (volatile uint32_t *)0x190000;

	*lo = 0x11111111u;
	*hi = 0x22222222u;
	return *lo == 0x11111111u;
}

void kernel_main(const struct boot_state *s)
{
	puts_("mbtest: start\n");
	puts_("kernel_main: ");
	hex((uintptr_t)kernel_main, 8);
	puts_("\nmagic: ");
	hex(s->eax, 8);
	puts_("\ninfo: ");
	hex(s->ebx, 8);
	puts_("\ncr0: ");
	hex(s->cr0, 8);
	puts_(" pe ");
	dec(s->cr0 & 1);
	puts_(" pg ");
	dec(s->cr0 >> 31);
	puts_("\neflags: ");
	hex(s->eflags, 8);
	puts_(" if ");
	dec((s->eflags >> 9) & 1);
	puts_(" vm ");
	dec((s->eflags >> 17) & 1);
	puts_("\nselectors: cs ");
	hex(s->cs, 4);
	puts_(" ds ");
	hex(s->ds, 4);
	puts_(" es ");
	hex(s->es, 4);
	puts_(" fs ");
	hex(s->fs, 4);
	puts_(" gs ");
	hex(s->gs, 4);
	puts_(" ss ");
	hex(s->ss, 4);
	puts_("\nflat: ");
	puts_(s->flat == 0x1f ? "yes" : "no");
	puts_("\na20: ");
	puts_(a20_on() ? "on" : "off");
	puts_("\n");
	if (s->eax == MB1_BOOT_MAGIC) {
		puts_("version: 1\n");
		mb1((const struct mb1_info *)(uintptr_t)s->ebx);
	} else if (s->eax == MB2_BOOT_MAGIC) {
		puts_("version: 2\n");
		mb2((const uint8_t *)(uintptr_t)s->ebx);
	} else {
		puts_("version: unknown magic\n");
		leave(1);
	}
	if (want_int3) {	/* no IDT: only a debugger that takes it lets the kernel go on */
		puts_("int3: before\n");
		__asm__ volatile("int3");
		puts_("int3: after\n");
	}
	puts_("mbtest: done\n");
	leave(0);
}
