/* Constants and layouts of the virtio 1.2 specification that keel implements (device side, little-endian host). */
#ifndef KEEL_DEVICES_VIRTIO_SPEC_H
#define KEEL_DEVICES_VIRTIO_SPEC_H

#include <stdint.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "keel's virtio layer reads guest structures in place: it needs a little-endian host"
#endif

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x01u
#define VIRTIO_STATUS_DRIVER 0x02u
#define VIRTIO_STATUS_DRIVER_OK 0x04u
#define VIRTIO_STATUS_FEATURES_OK 0x08u
#define VIRTIO_STATUS_NEEDS_RESET 0x40u	/* set by the device only */
#define VIRTIO_STATUS_FAILED 0x80u

/* Feature bits common to every device (6). */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_BIT(n) (1ull << (n))

/* Device IDs (5). */
#define VIRTIO_ID_BLOCK 2u
#define VIRTIO_ID_CONSOLE 3u
#define VIRTIO_ID_RNG 4u
#define VIRTIO_ID_NET 1u

/* Split virtqueue (2.7). Every part is little-endian; the host is too, so keel reads them in place. */
#define VIRTQ_DESC_F_NEXT 1u
#define VIRTQ_DESC_F_WRITE 2u
#define VIRTQ_DESC_F_INDIRECT 4u
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u
#define VIRTQ_USED_F_NO_NOTIFY 1u
#define VIRTQ_SIZE_LIMIT 32768u		/* largest queue size the specification allows */

struct vring_desc {
	uint64_t addr;		/* guest-physical */
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];	/* queue size entries, then used_event */
};

struct vring_used_elem {
	uint32_t id;		/* head of the chain */
	uint32_t len;		/* bytes written into the chain's device-writable part */
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[];	/* queue size entries, then avail_event */
};

/* Bytes and alignment of the three parts for a queue of @n entries (2.7, table). */
#define VRING_DESC_BYTES(n) (16ull * (n))
#define VRING_AVAIL_BYTES(n) (6ull + 2ull * (n))
#define VRING_USED_BYTES(n) (6ull + 8ull * (n))
#define VRING_DESC_ALIGN 16u
#define VRING_AVAIL_ALIGN 2u
#define VRING_USED_ALIGN 4u

/* virtio-pci (4.1). */
#define VIRTIO_PCI_VENDOR 0x1af4u
#define VIRTIO_PCI_DEVICE_BASE 0x1040u	/* + device ID: modern (non-transitional) devices */
#define VIRTIO_PCI_REVISION 1u
#define VIRTIO_PCI_SUBSYS_ID 0x40u	/* >= 0x40 keeps legacy drivers away */
#define PCI_CAP_ID_VNDR 0x09u
#define VIRTIO_PCI_CAP_COMMON_CFG 1u
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2u
#define VIRTIO_PCI_CAP_ISR_CFG 3u
#define VIRTIO_PCI_CAP_DEVICE_CFG 4u
#define VIRTIO_PCI_CAP_PCI_CFG 5u
#define VIRTIO_MSI_NO_VECTOR 0xffffu

/* struct virtio_pci_common_cfg field offsets. */
#define VIRTIO_PCI_COMMON_DFSELECT 0x00u
#define VIRTIO_PCI_COMMON_DF 0x04u
#define VIRTIO_PCI_COMMON_GFSELECT 0x08u
#define VIRTIO_PCI_COMMON_GF 0x0cu
#define VIRTIO_PCI_COMMON_MSIX 0x10u
#define VIRTIO_PCI_COMMON_NUMQ 0x12u
#define VIRTIO_PCI_COMMON_STATUS 0x14u
#define VIRTIO_PCI_COMMON_CFGGENERATION 0x15u
#define VIRTIO_PCI_COMMON_Q_SELECT 0x16u
#define VIRTIO_PCI_COMMON_Q_SIZE 0x18u
#define VIRTIO_PCI_COMMON_Q_MSIX 0x1au
#define VIRTIO_PCI_COMMON_Q_ENABLE 0x1cu
#define VIRTIO_PCI_COMMON_Q_NOFF 0x1eu
#define VIRTIO_PCI_COMMON_Q_DESCLO 0x20u
#define VIRTIO_PCI_COMMON_Q_DESCHI 0x24u
#define VIRTIO_PCI_COMMON_Q_AVAILLO 0x28u
#define VIRTIO_PCI_COMMON_Q_AVAILHI 0x2cu
#define VIRTIO_PCI_COMMON_Q_USEDLO 0x30u
#define VIRTIO_PCI_COMMON_Q_USEDHI 0x34u
#define VIRTIO_PCI_COMMON_Q_NDATA 0x38u
#define VIRTIO_PCI_COMMON_Q_RESET 0x3au
#define VIRTIO_PCI_COMMON_SIZE 0x3cu
#define VIRTIO_PCI_ISR_QUEUE 0x1u
#define VIRTIO_PCI_ISR_CONFIG 0x2u

/* virtio-mmio version 2 registers (4.2.2). */
#define VIRTIO_MMIO_MAGIC 0x74726976u	/* "virt" */
#define VIRTIO_MMIO_VERSION 2u
#define VIRTIO_MMIO_MAGIC_VALUE 0x000u
#define VIRTIO_MMIO_VERSION_REG 0x004u
#define VIRTIO_MMIO_DEVICE_ID 0x008u
#define VIRTIO_MMIO_VENDOR_ID 0x00cu
#define VIRTIO_MMIO_DEVICE_FEATURES 0x010u
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014u
#define VIRTIO_MMIO_DRIVER_FEATURES 0x020u
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024u
#define VIRTIO_MMIO_QUEUE_SEL 0x030u
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034u
#define VIRTIO_MMIO_QUEUE_NUM 0x038u
#define VIRTIO_MMIO_QUEUE_READY 0x044u
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050u
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060u
#define VIRTIO_MMIO_INTERRUPT_ACK 0x064u
#define VIRTIO_MMIO_STATUS 0x070u
#define VIRTIO_MMIO_QUEUE_DESC_LOW 0x080u
#define VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084u
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW 0x090u
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094u
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW 0x0a0u
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0a4u
#define VIRTIO_MMIO_SHM_SEL 0x0acu
#define VIRTIO_MMIO_SHM_LEN_LOW 0x0b0u
#define VIRTIO_MMIO_SHM_LEN_HIGH 0x0b4u
#define VIRTIO_MMIO_SHM_BASE_LOW 0x0b8u
#define VIRTIO_MMIO_SHM_BASE_HIGH 0x0bcu
#define VIRTIO_MMIO_QUEUE_RESET 0x0c0u
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fcu
#define VIRTIO_MMIO_CONFIG 0x100u
#define VIRTIO_MMIO_INT_VRING 0x1u
#define VIRTIO_MMIO_INT_CONFIG 0x2u

/* virtio-blk (5.2). */
#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_F_DISCARD 13
#define VIRTIO_BLK_F_WRITE_ZEROES 14
#define VIRTIO_BLK_T_IN 0u
#define VIRTIO_BLK_T_OUT 1u
#define VIRTIO_BLK_T_FLUSH 4u
#define VIRTIO_BLK_T_GET_ID 8u
#define VIRTIO_BLK_T_DISCARD 11u
#define VIRTIO_BLK_T_WRITE_ZEROES 13u
#define VIRTIO_BLK_S_OK 0u
#define VIRTIO_BLK_S_IOERR 1u
#define VIRTIO_BLK_S_UNSUPP 2u
#define VIRTIO_BLK_SECTOR 512u
#define VIRTIO_BLK_ID_BYTES 20u
#define VIRTIO_BLK_WZ_UNMAP 1u		/* write-zeroes flag: the range may be deallocated */

struct virtio_blk_req_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct virtio_blk_range {	/* one discard / write-zeroes segment */
	uint64_t sector;
	uint32_t num_sectors;
	uint32_t flags;
};

/* The fields of struct virtio_blk_config keel fills, by offset. */
#define VIRTIO_BLK_CFG_CAPACITY 0u	/* le64, 512-byte sectors */
#define VIRTIO_BLK_CFG_SIZE_MAX 8u
#define VIRTIO_BLK_CFG_SEG_MAX 12u
#define VIRTIO_BLK_CFG_BLK_SIZE 20u
#define VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS 36u
#define VIRTIO_BLK_CFG_MAX_DISCARD_SEG 40u
#define VIRTIO_BLK_CFG_DISCARD_ALIGN 44u
#define VIRTIO_BLK_CFG_MAX_WZ_SECTORS 48u
#define VIRTIO_BLK_CFG_MAX_WZ_SEG 52u
#define VIRTIO_BLK_CFG_WZ_MAY_UNMAP 56u
#define VIRTIO_BLK_CFG_SIZE 60u		/* up to and including write_zeroes_may_unmap and its padding */

/* virtio-console (5.3): one port, no optional features. */
#define VIRTIO_CONSOLE_CFG_COLS 0u
#define VIRTIO_CONSOLE_CFG_ROWS 2u
#define VIRTIO_CONSOLE_CFG_MAX_PORTS 4u
#define VIRTIO_CONSOLE_CFG_EMERG_WR 8u
#define VIRTIO_CONSOLE_CFG_SIZE 12u
#define VIRTIO_CONSOLE_RX 0u		/* receiveq(port0): device to driver */
#define VIRTIO_CONSOLE_TX 1u		/* transmitq(port0): driver to device */

/* virtio-net (5.1): one queue pair and a control queue. */
#define VIRTIO_NET_F_CSUM 0		/* the driver may send partially checksummed frames */
#define VIRTIO_NET_F_GUEST_CSUM 1	/* the driver takes partially checksummed frames */
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_GUEST_TSO4 7
#define VIRTIO_NET_F_GUEST_TSO6 8
#define VIRTIO_NET_F_GUEST_ECN 9
#define VIRTIO_NET_F_GUEST_UFO 10
#define VIRTIO_NET_F_HOST_TSO4 11
#define VIRTIO_NET_F_HOST_TSO6 12
#define VIRTIO_NET_F_HOST_ECN 13
#define VIRTIO_NET_F_HOST_UFO 14
#define VIRTIO_NET_F_MRG_RXBUF 15
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_F_CTRL_VQ 17
#define VIRTIO_NET_F_CTRL_RX 18
#define VIRTIO_NET_F_CTRL_VLAN 19
#define VIRTIO_NET_F_CTRL_RX_EXTRA 20
#define VIRTIO_NET_F_GUEST_ANNOUNCE 21
#define VIRTIO_NET_F_MQ 22
#define VIRTIO_NET_F_CTRL_MAC_ADDR 23
#define VIRTIO_NET_RX 0u		/* receiveq1 */
#define VIRTIO_NET_TX 1u		/* transmitq1 */
#define VIRTIO_NET_CTRL 2u		/* controlq (with VIRTIO_NET_F_CTRL_VQ) */
#define VIRTIO_NET_S_LINK_UP 1u
#define VIRTIO_NET_S_ANNOUNCE 2u
#define VIRTIO_NET_CFG_MAC 0u		/* u8[6] */
#define VIRTIO_NET_CFG_STATUS 6u	/* le16 */
#define VIRTIO_NET_CFG_MAX_VQ_PAIRS 8u	/* le16 */
#define VIRTIO_NET_CFG_SIZE 10u		/* keel fills up to max_virtqueue_pairs */
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1u
#define VIRTIO_NET_HDR_F_DATA_VALID 2u
#define VIRTIO_NET_HDR_GSO_NONE 0u
#define VIRTIO_NET_HDR_GSO_TCPV4 1u
#define VIRTIO_NET_HDR_GSO_UDP 3u
#define VIRTIO_NET_HDR_GSO_TCPV6 4u
#define VIRTIO_NET_HDR_GSO_ECN 0x80u

/* The header before every frame in both directions: 12 bytes, num_buffers included (VERSION_1). */
struct virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};

/* Control queue: class, command, data (device-readable), then one ack byte (device-writable). */
#define VIRTIO_NET_OK 0u
#define VIRTIO_NET_ERR 1u
#define VIRTIO_NET_CTRL_RX 0u
#define VIRTIO_NET_CTRL_RX_PROMISC 0u
#define VIRTIO_NET_CTRL_RX_ALLMULTI 1u
#define VIRTIO_NET_CTRL_MAC 1u
#define VIRTIO_NET_CTRL_MAC_TABLE_SET 0u
#define VIRTIO_NET_CTRL_MAC_ADDR_SET 1u
#define VIRTIO_NET_CTRL_VLAN 2u
#define VIRTIO_NET_CTRL_VLAN_ADD 0u
#define VIRTIO_NET_CTRL_VLAN_DEL 1u
#define VIRTIO_NET_CTRL_ANNOUNCE 3u
#define VIRTIO_NET_CTRL_ANNOUNCE_ACK 0u
#define VIRTIO_NET_CTRL_MQ 4u

#endif
