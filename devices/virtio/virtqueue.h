/* The split virtqueue, device side: checked descriptor chains to iovecs, used-ring updates, notification suppression. */
#ifndef KEEL_DEVICES_VIRTIO_VIRTQUEUE_H
#define KEEL_DEVICES_VIRTIO_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "devices/virtio/spec.h"
#include "vmm/memory.h"

#define VIRTQ_MAX_SIZE 256u		/* largest queue size keel offers; also the longest chain */

/*
 * What a guest driver can get wrong in a ring. Each is a violation of the specification: the
 * device core logs it once per device and sets DEVICE_NEEDS_RESET (devices/virtio/virtio.h).
 */
enum virtq_fault {
	VQ_FAULT_NONE = 0,
	VQ_FAULT_AVAIL_JUMP,	/* the available index moved more than the queue size ahead */
	VQ_FAULT_HEAD_RANGE,	/* an available-ring entry names a descriptor outside the table */
	VQ_FAULT_NEXT_RANGE,	/* a next field names a descriptor outside its table */
	VQ_FAULT_LOOP,		/* a descriptor is reached twice in one chain */
	VQ_FAULT_TOO_LONG,	/* more descriptors than the queue size (an indirect table included) */
	VQ_FAULT_ADDR,		/* a buffer or indirect table outside guest RAM */
	VQ_FAULT_LEN_OVERFLOW,	/* addr + len wraps around, or the chain holds 4 GiB or more */
	VQ_FAULT_INDIRECT,	/* indirect not negotiated, nested, combined with NEXT, or a bad table length */
	VQ_FAULT_ORDER,		/* a device-readable buffer after a device-writable one */
	VQ_FAULT_DIRECTION,	/* (device) a writable buffer where a readable one is needed, or the reverse */
	VQ_FAULT_FORMAT,	/* (device) a request the device cannot even answer */
	VQ_FAULT_RING,		/* queue set-up: bad size, rings misaligned or outside guest RAM */
	VQ_FAULT_OUTSTANDING,	/* a head offered again before it came back: more chains out than the queue holds */
	VQ_FAULT_COUNT
};

/* virtq_fault_name - a short description of @f for messages. */
const char *virtq_fault_name(enum virtq_fault f);

/* One descriptor chain taken from the available ring, as host iovecs into guest RAM. */
struct virtq_chain {
	uint16_t head;			/* what goes back into the used ring */
	uint16_t nout;			/* device-readable buffers: iov[0, nout) */
	uint16_t nin;			/* device-writable buffers: iov[nout, nout + nin) */
	uint32_t out_len, in_len;	/* their bytes */
	struct iovec iov[VIRTQ_MAX_SIZE];
};

/*
 * One split virtqueue. The transport fills size/max_size and the three addresses from the
 * driver's register writes, then calls virtq_enable(). The device side runs on one thread at a
 * time (the I/O thread, under the device's lock).
 */
struct virtq {
	/* Driver-written configuration. */
	uint16_t max_size;		/* what the device offers (power of 2, <= VIRTQ_MAX_SIZE) */
	uint16_t size;			/* what the driver chose */
	uint64_t desc_gpa, avail_gpa, used_gpa;
	bool ready;			/* enabled and validated */

	/* Set by virtq_enable. */
	const struct guest_mem *mem;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	bool event_idx;			/* VIRTIO_F_EVENT_IDX negotiated */
	bool indirect;			/* VIRTIO_F_INDIRECT_DESC negotiated */

	/* Device-side progress. */
	uint16_t last_avail;		/* next available entry to take */
	uint16_t used_idx;		/* next used entry to fill */
	uint16_t published;		/* used->idx as last written */

	/* The last fault (after -EPROTO). */
	enum virtq_fault fault;
	uint16_t fault_desc;		/* the descriptor (or head) involved */
	uint64_t fault_addr;		/* the address involved, when there is one */
};

/*
 * A queue's state as plain data (no pointers): what virtq_save reads out and virtq_restore sets
 * back. Chains taken and not yet returned ("in flight") are [used_idx, last_avail); entries
 * returned but not yet visible to the driver are [published, used_idx); both modulo 2^16.
 */
struct virtq_state {
	uint16_t max_size;		/* what the device offers: must be the restoring queue's own */
	uint16_t size;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	bool ready;
	bool event_idx;
	bool indirect;
	uint16_t last_avail;
	uint16_t used_idx;
	uint16_t published;
};

/* virtq_init - a queue offering @max_size entries, not enabled. */
void virtq_init(struct virtq *vq, uint16_t max_size);

/* virtq_reset - back to the state after virtq_init (driver configuration forgotten). */
void virtq_reset(struct virtq *vq);

/*
 * virtq_enable - check the driver's configuration (size a power of 2 within max_size, each ring
 * aligned and wholly inside guest RAM through gmem_translate) and start using the queue.
 * Returns 0, or -EINVAL with vq->fault = VQ_FAULT_RING and the queue left disabled.
 */
int virtq_enable(struct virtq *vq, const struct guest_mem *mem, bool event_idx, bool indirect);

/* virtq_save - read @vq's state out into @s (ready or not); guest memory is not touched. */
void virtq_save(const struct virtq *vq, struct virtq_state *s);

/*
 * virtq_restore - set @vq (virtq_init'ed with the same max_size) back to @s, indices included.
 * @s is untrusted. A ready state is checked as virtq_enable checks the driver's configuration
 * (size a power of 2 within max_size, each ring aligned and wholly inside @mem through
 * gmem_translate), and its indices must be possible: at most size chains in flight and at most
 * size entries unpublished. Then the rings' host pointers are derived again. A state that is not
 * ready is set back unchecked: a disabled queue is not used, and virtq_enable checks its
 * configuration (and zeroes its indices) when the driver enables it. Returns 0, or -EINVAL with
 * vq->fault = VQ_FAULT_RING and the queue left not ready.
 */
int virtq_restore(struct virtq *vq, const struct virtq_state *s, const struct guest_mem *mem);

/*
 * virtq_pop - take the next available chain into @c. Every buffer goes through gmem_translate;
 * a chain is bounded by the queue size, visits no descriptor twice, and lists readable buffers
 * before writable ones. Zero-length buffers are skipped. A chain is not taken while the queue
 * size of chains is already out (in flight, or completed but not yet published): a driver can
 * only get there by offering a head again before it came back (VQ_FAULT_OUTSTANDING), and the
 * used ring would have no room for it. Returns 0 with @c filled, -EAGAIN when
 * nothing is available (or the queue is not ready), or -EPROTO when the driver broke the rules:
 * vq->fault says how, and the entry is not consumed.
 */
int virtq_pop(struct virtq *vq, struct virtq_chain *c);

/* virtq_pending - available entries not yet taken (0 when not ready). */
uint16_t virtq_pending(const struct virtq *vq);

/*
 * virtq_push - return chain @head with @len bytes written into its writable part. The entry is
 * not visible to the driver until virtq_publish().
 */
void virtq_push(struct virtq *vq, uint16_t head, uint32_t len);

/*
 * virtq_publish - make the pushed entries visible (used->idx, with a release barrier) and say
 * whether the driver asked to be notified about them (used_event with EVENT_IDX, otherwise
 * the NO_INTERRUPT flag). Returns false when nothing was pushed since the last call.
 */
bool virtq_publish(struct virtq *vq);

/* virtq_kick_disable - ask the driver not to notify (NO_NOTIFY; with EVENT_IDX nothing to do). */
void virtq_kick_disable(struct virtq *vq);

/*
 * virtq_kick_enable - ask to be notified about the next available entry (avail_event with
 * EVENT_IDX, else clear NO_NOTIFY), then re-check with a full barrier. Returns true when entries
 * arrived meanwhile: the caller must process them, or it would miss them.
 */
bool virtq_kick_enable(struct virtq *vq);

#endif
