/* The constants and packet header of virtio-vsock (virtio 1.2 section 5.10): device id, queues, features, operations, shutdown flags. */
#ifndef KEEL_DEVICES_VIRTIO_VSOCK_SPEC_H
#define KEEL_DEVICES_VIRTIO_VSOCK_SPEC_H

#include <stdint.h>

#define VIRTIO_ID_VSOCK 19u

/* Queues. */
#define VIRTIO_VSOCK_RX 0u		/* device to driver: packets for the guest */
#define VIRTIO_VSOCK_TX 1u		/* driver to device: the guest's packets */
#define VIRTIO_VSOCK_EVENT 2u		/* device to driver: transport events (keel sends none) */

/* Feature bits. */
#define VIRTIO_VSOCK_F_STREAM 0u	/* stream sockets (assumed when no type bit is negotiated) */
#define VIRTIO_VSOCK_F_SEQPACKET 1u	/* seqpacket sockets (keel does not offer them) */

/* Configuration space: the guest's context id, le64. */
#define VIRTIO_VSOCK_CFG_GUEST_CID 0u
#define VIRTIO_VSOCK_CFG_SIZE 8u

/* Well-known context ids. */
#define VSOCK_CID_HOST 2u

/* Socket types (hdr.type). */
#define VIRTIO_VSOCK_TYPE_STREAM 1u
#define VIRTIO_VSOCK_TYPE_SEQPACKET 2u

/* Operations (hdr.op). */
enum virtio_vsock_op {
	VIRTIO_VSOCK_OP_INVALID = 0,
	VIRTIO_VSOCK_OP_REQUEST = 1,		/* connect */
	VIRTIO_VSOCK_OP_RESPONSE = 2,		/* accept */
	VIRTIO_VSOCK_OP_RST = 3,		/* refuse, or end at once */
	VIRTIO_VSOCK_OP_SHUTDOWN = 4,		/* half or full close: flags below */
	VIRTIO_VSOCK_OP_RW = 5,			/* data: len bytes follow the header */
	VIRTIO_VSOCK_OP_CREDIT_UPDATE = 6,	/* buf_alloc / fwd_cnt changed */
	VIRTIO_VSOCK_OP_CREDIT_REQUEST = 7,	/* ask for a CREDIT_UPDATE */
};

/* SHUTDOWN flags: what the sender will no longer do. */
#define VIRTIO_VSOCK_SHUTDOWN_RCV 1u
#define VIRTIO_VSOCK_SHUTDOWN_SEND 2u
#define VIRTIO_VSOCK_SHUTDOWN_BOTH (VIRTIO_VSOCK_SHUTDOWN_RCV | VIRTIO_VSOCK_SHUTDOWN_SEND)

/*
 * The header at the start of every packet on the rx and tx queues (little-endian, packed, 44
 * bytes); RW packets carry len bytes of payload after it. buf_alloc is the sender's receive
 * buffer for the connection, fwd_cnt how many bytes it has taken out of it so far: the other side
 * may have at most buf_alloc - (sent - fwd_cnt) bytes in flight.
 */
struct virtio_vsock_hdr {
	uint64_t src_cid;
	uint64_t dst_cid;
	uint32_t src_port;
	uint32_t dst_port;
	uint32_t len;
	uint16_t type;
	uint16_t op;
	uint32_t flags;
	uint32_t buf_alloc;
	uint32_t fwd_cnt;
} __attribute__((packed));

#define VIRTIO_VSOCK_HDR_LEN 44u
_Static_assert(sizeof(struct virtio_vsock_hdr) == VIRTIO_VSOCK_HDR_LEN, "virtio-vsock header is 44 bytes");

/* An event on the event queue (le32 id); VIRTIO_VSOCK_EVENT_TRANSPORT_RESET after a migration. */
#define VIRTIO_VSOCK_EVENT_TRANSPORT_RESET 0u

#endif
