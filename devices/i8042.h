/* The i8042 keyboard controller: its keyboard's output queue and IRQ 1, the commands Linux sends at probe, reset with 0xfe. */
#ifndef KEEL_DEVICES_I8042_H
#define KEEL_DEVICES_I8042_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/irq.h"

struct bus;
struct dev_descs;
struct stop_ctl;
struct vcpu;

#define I8042_KBD_IRQ 1u		/* the keyboard's interrupt input (ISA IRQ 1) */
#define I8042_CMD_RESET 0xfeu	/* pulse the reset line */
#define I8042_QUEUE 16u		/* bytes the keyboard's output queue holds */

/* Status register (port 0x64 read) bits. */
#define I8042_STS_OBF 0x01u	/* output buffer full: port 0x60 has a byte */
#define I8042_STS_SYS 0x04u	/* system flag: the self test passed */
#define I8042_STS_CMD 0x08u	/* the last write went to the command port */
#define I8042_STS_UNLOCKED 0x10u /* keyboard not inhibited */

/* Controller command byte bits. */
#define I8042_CTR_KBD_INT 0x01u	/* IRQ 1 when the keyboard's byte arrives */
#define I8042_CTR_SYS 0x04u
#define I8042_CTR_KBD_OFF 0x10u	/* keyboard interface disabled */
#define I8042_CTR_AUX_OFF 0x20u	/* no mouse here */

/* The keyboard's answers. */
#define I8042_KBD_ACK 0xfau
#define I8042_KBD_RESEND 0xfeu
#define I8042_KBD_BAT_OK 0xaau

/*
 * The controller. Registers are reached from vCPU threads, key injection from the main thread:
 * one lock guards it all. No state is saved: the snapshot issue adds it.
 */
/* What the i8042 counted since it was created (Firecracker's "i8042" metrics). */
struct i8042_stats {
	uint64_t read_count;		/* bytes the guest read from the output buffer */
	uint64_t missed_read_count;	/* reads of an empty output buffer */
	uint64_t write_count;		/* bytes the guest wrote to the data port */
	uint64_t missed_write_count;	/* bytes for the guest dropped: the output queue was full */
	uint64_t reset_count;		/* reset commands (0xfe) */
};

struct i8042 {
	pthread_mutex_t lock;
	struct bus *pio;
	struct stop_ctl *stop;		/* the reset command (0xfe) ends the VM through it */
	struct irq_line irq;		/* IRQ 1 */
	uint8_t ctr;			/* controller command byte */
	uint8_t status;			/* I8042_STS_* but OBF, which the queue gives */
	uint8_t ctl_cmd;		/* controller command waiting for its data byte, 0 when none */
	uint8_t kbd_cmd;		/* keyboard command waiting for its parameter, 0 when none */
	uint8_t queue[I8042_QUEUE];	/* the keyboard's bytes, oldest at head; queue[head] is the output buffer */
	unsigned int head, count;
	uint8_t last;			/* the byte read last: what an empty buffer reads */
	int level;			/* what IRQ 1 was last driven to */
	unsigned long edges;		/* rising edges of IRQ 1 so far */
	struct i8042_stats stats;	/* what it counted (i8042_stats) */
};

/*
 * i8042_create - register ports 0x60 and 0x64 on @pio for a new controller in *@out; a reset stops
 * the VM through @stop, the keyboard interrupts through @irq. Returns 0 or -errno.
 */
int i8042_create(struct bus *pio, struct stop_ctl *stop, struct irq_line irq, struct i8042 **out);

/* i8042_destroy - unregister the ports and free; NULL is fine. */
void i8042_destroy(struct i8042 *k);

/*
 * i8042_data_io - port 0x60, opaque = the struct i8042. A read takes the output buffer's byte
 * (the last one again when empty) and lowers IRQ 1, raising it again for the next byte queued; a
 * write is the data of a pending controller command or a command to the keyboard, answered in the
 * queue (reset 0xff: ACK, 0xaa; get ID 0xf2: ACK, 0xab, 0x83; LEDs, typematic rate, scan set:
 * ACK per byte; echo; enable/disable scanning, defaults: ACK; anything else: resend). Returns 0.
 */
int i8042_data_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len,
		  bool is_write);

/*
 * i8042_cmd_io - port 0x64, opaque = the struct i8042. A read is the status (OBF when the queue
 * has a byte, system flag, keyboard unlocked, command/data). Writes are controller commands:
 * 0x20 read / 0x60 write the command byte, 0xaa self test (0x55), 0xab keyboard test (0),
 * 0xa9 mouse test (0xff: none), 0xad/0xae keyboard off/on, 0xa7/0xa8 mouse off/on, 0xd0 read /
 * 0xd1 write the output port (bit 0 clear resets), 0xd2 a byte as if from the keyboard, 0xfe
 * reset: stops the VM with KEEL_EXIT_OK through stop_reset. Others are ignored. Returns 0.
 */
int i8042_cmd_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len,
		 bool is_write);

/*
 * i8042_keys - put @n bytes the keyboard sent (scan code set 2) in the output queue and raise
 * IRQ 1 when the command byte enables it. Any thread. 0, or -ENOSPC (nothing queued) when they
 * do not fit.
 */
int i8042_keys(struct i8042 *k, const uint8_t *codes, size_t n);

/* i8042_ctrl_alt_del - press and release Ctrl, Alt and Delete (i8042_keys). 0 or -ENOSPC. */
int i8042_ctrl_alt_del(struct i8042 *k);

/* i8042_stats - @k's counters now (under its lock). */
void i8042_stats(struct i8042 *k, struct i8042_stats *out);

/* i8042_irq - what IRQ 1 is driven to now and, in *@edges (may be NULL), its rising edges so far. */
int i8042_irq(struct i8042 *k, unsigned long *edges);

/* i8042_describe - add the controller (data and command ports) to @out. 0 or -ENOSPC. */
int i8042_describe(struct dev_descs *out);

#endif
