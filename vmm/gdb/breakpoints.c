/* Breakpoint bookkeeping: a sorted table of planted int3s with the bytes they hide, and the x86 debug-register slots. */
#include "vmm/gdb/breakpoints.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void gdb_bps_init(struct gdb_bps *b, unsigned int hw_slots)
{
	memset(b, 0, sizeof(*b));
	pthread_mutex_init(&b->lock, NULL);
	b->hw_slots = hw_slots < GDB_HW_SLOTS ? hw_slots : GDB_HW_SLOTS;
}

void gdb_bps_destroy(struct gdb_bps *b)
{
	free(b->sw);
	b->sw = NULL;
	b->nsw = b->capsw = 0;
	pthread_mutex_destroy(&b->lock);
}

/* Index of the first breakpoint at or above @addr (lock held). */
static size_t swbp_lower(const struct gdb_bps *b, uint64_t addr)
{
	size_t lo = 0, hi = b->nsw;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->sw[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int gdb_swbp_add(struct gdb_bps *b, uint64_t addr, uint8_t orig)
{
	int ret = 0;
	size_t i;

	pthread_mutex_lock(&b->lock);
	i = swbp_lower(b, addr);
	if (i < b->nsw && b->sw[i].addr == addr) {
		ret = -EEXIST;
		goto out;
	}
	if (b->nsw == GDB_SWBP_MAX) {
		ret = -ENOSPC;
		goto out;
	}
	if (b->nsw == b->capsw) {
		size_t cap = b->capsw ? 2 * b->capsw : 16;
		struct gdb_swbp *sw = realloc(b->sw, cap * sizeof(*sw));

		if (!sw) {
			ret = -ENOMEM;
			goto out;
		}
		b->sw = sw;
		b->capsw = cap;
	}
	memmove(&b->sw[i + 1], &b->sw[i], (b->nsw - i) * sizeof(b->sw[0]));
	b->sw[i] = (struct gdb_swbp){ .addr = addr, .orig = orig };
	b->nsw++;
out:
	pthread_mutex_unlock(&b->lock);
	return ret;
}

int gdb_swbp_del(struct gdb_bps *b, uint64_t addr, uint8_t *orig)
{
	int ret = -ENOENT;
	size_t i;

	pthread_mutex_lock(&b->lock);
	i = swbp_lower(b, addr);
	if (i < b->nsw && b->sw[i].addr == addr) {
		if (orig)
			*orig = b->sw[i].orig;
		memmove(&b->sw[i], &b->sw[i + 1], (b->nsw - i - 1) * sizeof(b->sw[0]));
		b->nsw--;
		ret = 0;
	}
	pthread_mutex_unlock(&b->lock);
	return ret;
}

bool gdb_swbp_find(struct gdb_bps *b, uint64_t addr, uint8_t *orig)
{
	bool found;
	size_t i;

	pthread_mutex_lock(&b->lock);
	i = swbp_lower(b, addr);
	found = i < b->nsw && b->sw[i].addr == addr;
	if (found && orig)
		*orig = b->sw[i].orig;
	pthread_mutex_unlock(&b->lock);
	return found;
}

size_t gdb_swbp_count(struct gdb_bps *b)
{
	size_t n;

	pthread_mutex_lock(&b->lock);
	n = b->nsw;
	pthread_mutex_unlock(&b->lock);
	return n;
}

bool gdb_swbp_first(struct gdb_bps *b, uint64_t *addr, uint8_t *orig)
{
	bool any;

	pthread_mutex_lock(&b->lock);
	any = b->nsw > 0;
	if (any) {
		*addr = b->sw[0].addr;
		*orig = b->sw[0].orig;
	}
	pthread_mutex_unlock(&b->lock);
	return any;
}

/* Call @fn for every breakpoint inside [@addr, @addr + @len) (lock held); the range may wrap at 2^64. */
static void swbp_each_in(struct gdb_bps *b, uint64_t addr, size_t len,
			 void (*fn)(struct gdb_swbp *bp, size_t off, void *arg), void *arg)
{
	for (size_t i = 0; i < b->nsw; i++) {
		uint64_t off = b->sw[i].addr - addr;	/* modulo 2^64 */

		if (off < len)
			fn(&b->sw[i], (size_t)off, arg);
	}
}

static void mask_one(struct gdb_swbp *bp, size_t off, void *buf)
{
	((uint8_t *)buf)[off] = bp->orig;
}

static void plant_one(struct gdb_swbp *bp, size_t off, void *buf)
{
	(void)bp;
	((uint8_t *)buf)[off] = GDB_INT3;
}

static void set_orig_one(struct gdb_swbp *bp, size_t off, void *data)
{
	bp->orig = ((const uint8_t *)data)[off];
}

void gdb_swbp_mask(struct gdb_bps *b, uint64_t addr, uint8_t *buf, size_t len)
{
	pthread_mutex_lock(&b->lock);
	swbp_each_in(b, addr, len, mask_one, buf);
	pthread_mutex_unlock(&b->lock);
}

void gdb_swbp_plant_in(struct gdb_bps *b, uint64_t addr, uint8_t *buf, size_t len)
{
	pthread_mutex_lock(&b->lock);
	swbp_each_in(b, addr, len, plant_one, buf);
	pthread_mutex_unlock(&b->lock);
}

void gdb_swbp_set_orig(struct gdb_bps *b, uint64_t addr, const uint8_t *data, size_t len)
{
	pthread_mutex_lock(&b->lock);
	swbp_each_in(b, addr, len, set_orig_one, (void *)data);
	pthread_mutex_unlock(&b->lock);
}

/* The largest aligned piece (8, 4, 2 or 1 bytes) that starts at @addr and fits in @len. */
static unsigned int hw_piece(uint64_t addr, uint64_t len)
{
	unsigned int size = 8;

	while (size > 1 && ((addr & (size - 1)) || size > len))
		size /= 2;
	return size;
}

int gdb_hw_add(struct gdb_bps *b, enum gdb_hw_type type, uint64_t addr, uint64_t len)
{
	unsigned int need = 0, free_slots = 0;
	uint64_t a, left;
	int ret = 0;

	if (type != GDB_HW_EXEC && type != GDB_HW_WRITE && type != GDB_HW_ACCESS)
		return -EINVAL;
	if (len == 0 || len > 8 * GDB_HW_SLOTS || (type == GDB_HW_EXEC && len != 1) || addr + len < addr)
		return -EINVAL;
	pthread_mutex_lock(&b->lock);
	if (b->hw_slots == 0) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	for (a = addr, left = len; left; need++) {
		unsigned int piece = hw_piece(a, left);

		a += piece;
		left -= piece;
	}
	for (unsigned int i = 0; i < b->hw_slots; i++)
		free_slots += !b->hw[i].used;
	if (need > free_slots) {
		ret = -ENOSPC;
		goto out;
	}
	for (unsigned int i = 0, a2 = 0; i < b->hw_slots && a2 < len; i++) {
		unsigned int piece;

		if (b->hw[i].used)
			continue;
		piece = hw_piece(addr + a2, len - a2);
		b->hw[i] = (struct gdb_hwslot){ .used = true, .type = type, .addr = addr + a2, .len = piece,
						.req_addr = addr, .req_len = len };
		a2 += piece;
	}
out:
	pthread_mutex_unlock(&b->lock);
	return ret;
}

int gdb_hw_del(struct gdb_bps *b, enum gdb_hw_type type, uint64_t addr, uint64_t len)
{
	int ret = -ENOENT;

	pthread_mutex_lock(&b->lock);
	for (unsigned int i = 0; i < b->hw_slots; i++) {
		struct gdb_hwslot *s = &b->hw[i];

		if (s->used && s->type == type && s->req_addr == addr && s->req_len == len) {
			s->used = false;
			ret = 0;
		}
	}
	pthread_mutex_unlock(&b->lock);
	return ret;
}

void gdb_hw_clear(struct gdb_bps *b)
{
	pthread_mutex_lock(&b->lock);
	memset(b->hw, 0, sizeof(b->hw));
	pthread_mutex_unlock(&b->lock);
}

bool gdb_hw_in_use(struct gdb_bps *b)
{
	bool any = false;

	pthread_mutex_lock(&b->lock);
	for (unsigned int i = 0; i < b->hw_slots; i++)
		any |= b->hw[i].used;
	pthread_mutex_unlock(&b->lock);
	return any;
}

void gdb_hw_debugregs(struct gdb_bps *b, uint64_t dr[4], uint64_t *dr7)
{
	/* DR7: bit 10 reads as one, GE (bit 9) asks for exact data breakpoints. */
	uint64_t v = 0x600;

	pthread_mutex_lock(&b->lock);
	for (unsigned int i = 0; i < GDB_HW_SLOTS; i++) {
		const struct gdb_hwslot *s = &b->hw[i];
		uint64_t rw, ln;

		dr[i] = 0;
		if (i >= b->hw_slots || !s->used)
			continue;
		dr[i] = s->addr;
		rw = s->type == GDB_HW_EXEC ? 0 : s->type == GDB_HW_WRITE ? 1 : 3;
		ln = s->type == GDB_HW_EXEC ? 0 : s->len == 1 ? 0 : s->len == 2 ? 1 : s->len == 8 ? 2 : 3;
		v |= 2ull << (2 * i);			/* Gi: global enable */
		v |= (rw | ln << 2) << (16 + 4 * i);	/* R/Wi and LENi */
	}
	pthread_mutex_unlock(&b->lock);
	*dr7 = v;
}

bool gdb_hw_hit(struct gdb_bps *b, uint64_t dr6, enum gdb_hw_type *type, uint64_t *addr)
{
	bool hit = false;

	pthread_mutex_lock(&b->lock);
	for (unsigned int i = 0; i < b->hw_slots && !hit; i++) {
		if (b->hw[i].used && (dr6 & (1ull << i))) {
			*type = b->hw[i].type;
			*addr = b->hw[i].req_addr;
			hit = true;
		}
	}
	pthread_mutex_unlock(&b->lock);
	return hit;
}
