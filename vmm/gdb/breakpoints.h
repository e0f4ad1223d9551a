/* Breakpoint bookkeeping: software breakpoints the stub planted (with the bytes they hide) and hardware debug-register slots. */
#ifndef KEEL_VMM_GDB_BREAKPOINTS_H
#define KEEL_VMM_GDB_BREAKPOINTS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GDB_INT3 0xcc		/* the byte a software breakpoint plants */
#define GDB_SWBP_MAX 4096	/* software breakpoints at once */
#define GDB_HW_SLOTS 4		/* x86 debug registers DR0-DR3 */

/* Z/z packet types 1, 2, 4 (3, read-only watchpoints, cannot be done by x86 and is refused). */
enum gdb_hw_type {
	GDB_HW_EXEC = 1,
	GDB_HW_WRITE = 2,
	GDB_HW_ACCESS = 4,
};

struct gdb_swbp {
	uint64_t addr;		/* guest-virtual */
	uint8_t orig;		/* the byte under the int3 */
};

struct gdb_hwslot {
	bool used;
	enum gdb_hw_type type;
	uint64_t addr;		/* what this debug register watches: aligned, 1, 2, 4 or 8 bytes */
	unsigned int len;
	uint64_t req_addr;	/* the watchpoint gdb asked for (it may take several slots) */
	uint64_t req_len;
};

/*
 * The table. The stub's thread changes it while every vCPU is stopped; vCPU threads look
 * breakpoints up when they trap, so every function takes the lock.
 */
struct gdb_bps {
	pthread_mutex_t lock;
	struct gdb_swbp *sw;	/* sorted by address */
	size_t nsw, capsw;
	unsigned int hw_slots;	/* debug registers the host lets a VMM use (0: none) */
	struct gdb_hwslot hw[GDB_HW_SLOTS];
};

/* gdb_bps_init - an empty table; @hw_slots debug registers may be used (at most GDB_HW_SLOTS). */
void gdb_bps_init(struct gdb_bps *b, unsigned int hw_slots);
/* gdb_bps_destroy - free the table (planted bytes are the caller's business). */
void gdb_bps_destroy(struct gdb_bps *b);

/* gdb_swbp_add - record a breakpoint at @addr hiding @orig. 0, -EEXIST or -ENOSPC. */
int gdb_swbp_add(struct gdb_bps *b, uint64_t addr, uint8_t orig);
/* gdb_swbp_del - forget the breakpoint at @addr, giving back its hidden byte. 0 or -ENOENT. */
int gdb_swbp_del(struct gdb_bps *b, uint64_t addr, uint8_t *orig);
/* gdb_swbp_find - is there a breakpoint at @addr? Its hidden byte in *@orig (may be NULL). */
bool gdb_swbp_find(struct gdb_bps *b, uint64_t addr, uint8_t *orig);
/* gdb_swbp_count - how many software breakpoints are planted. */
size_t gdb_swbp_count(struct gdb_bps *b);
/* gdb_swbp_first - the lowest breakpoint (to remove them all). false when there is none. */
bool gdb_swbp_first(struct gdb_bps *b, uint64_t *addr, uint8_t *orig);

/* gdb_swbp_mask - in @buf, read from guest @addr, put back the bytes the breakpoints hide. */
void gdb_swbp_mask(struct gdb_bps *b, uint64_t addr, uint8_t *buf, size_t len);
/* gdb_swbp_plant_in - in @buf, about to be written at @addr, put int3 where breakpoints are. */
void gdb_swbp_plant_in(struct gdb_bps *b, uint64_t addr, uint8_t *buf, size_t len);
/* gdb_swbp_set_orig - @data was written at @addr: it is what the breakpoints there now hide. */
void gdb_swbp_set_orig(struct gdb_bps *b, uint64_t addr, const uint8_t *data, size_t len);

/*
 * gdb_hw_add - a hardware breakpoint (@len 1) or watchpoint over [@addr, @addr + @len), split
 * into aligned pieces of 1, 2, 4 or 8 bytes, one debug register each. 0, -EINVAL (bad length
 * or type), -ENOSPC (not enough free registers; nothing taken) or -EOPNOTSUPP (no registers).
 */
int gdb_hw_add(struct gdb_bps *b, enum gdb_hw_type type, uint64_t addr, uint64_t len);
/* gdb_hw_del - free the registers of the breakpoint or watchpoint gdb_hw_add made. 0 or -ENOENT. */
int gdb_hw_del(struct gdb_bps *b, enum gdb_hw_type type, uint64_t addr, uint64_t len);
/* gdb_hw_clear - free every register. */
void gdb_hw_clear(struct gdb_bps *b);
/* gdb_hw_in_use - is any debug register taken? */
bool gdb_hw_in_use(struct gdb_bps *b);
/* gdb_hw_debugregs - DR0-DR3 and DR7 (global enables, R/W and LEN fields) for the slots in use. */
void gdb_hw_debugregs(struct gdb_bps *b, uint64_t dr[4], uint64_t *dr7);
/* gdb_hw_hit - which slot a #DB with status @dr6 (bits 0-3) reports: its type and gdb's address. */
bool gdb_hw_hit(struct gdb_bps *b, uint64_t dr6, enum gdb_hw_type *type, uint64_t *addr);

#endif
