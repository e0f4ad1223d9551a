/* The virtio-gpu device of the virtio 1.2 specification (5.7): IDs, features, command and response layouts, formats; shared by keel's device and the bundled guest's driver. */
#ifndef KEEL_DEVICES_VIRTIO_GPU_SPEC_H
#define KEEL_DEVICES_VIRTIO_GPU_SPEC_H

#include <stdint.h>

#define VIRTIO_ID_GPU 16u

/* Queues (5.7.2). */
#define VIRTIO_GPU_Q_CONTROL 0u
#define VIRTIO_GPU_Q_CURSOR 1u

/* Feature bits (5.7.3). */
#define VIRTIO_GPU_F_VIRGL 0
#define VIRTIO_GPU_F_EDID 1
#define VIRTIO_GPU_F_RESOURCE_UUID 2
#define VIRTIO_GPU_F_RESOURCE_BLOB 3
#define VIRTIO_GPU_F_CONTEXT_INIT 4

/* struct virtio_gpu_config (5.7.4), by offset. */
#define VIRTIO_GPU_CFG_EVENTS_READ 0u
#define VIRTIO_GPU_CFG_EVENTS_CLEAR 4u
#define VIRTIO_GPU_CFG_NUM_SCANOUTS 8u
#define VIRTIO_GPU_CFG_NUM_CAPSETS 12u
#define VIRTIO_GPU_CFG_SIZE 16u
#define VIRTIO_GPU_EVENT_DISPLAY 1u	/* the display configuration changed: ask GET_DISPLAY_INFO again */

/* Command and response types (5.7.6.7). */
enum virtio_gpu_ctrl_type {
	/* 2D */
	VIRTIO_GPU_CMD_GET_DISPLAY_INFO = 0x0100,
	VIRTIO_GPU_CMD_RESOURCE_CREATE_2D,
	VIRTIO_GPU_CMD_RESOURCE_UNREF,
	VIRTIO_GPU_CMD_SET_SCANOUT,
	VIRTIO_GPU_CMD_RESOURCE_FLUSH,
	VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D,
	VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING,
	VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING,
	VIRTIO_GPU_CMD_GET_CAPSET_INFO,
	VIRTIO_GPU_CMD_GET_CAPSET,
	VIRTIO_GPU_CMD_GET_EDID,
	VIRTIO_GPU_CMD_RESOURCE_ASSIGN_UUID,
	VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB,
	VIRTIO_GPU_CMD_SET_SCANOUT_BLOB,
	/* 3D */
	VIRTIO_GPU_CMD_CTX_CREATE = 0x0200,
	VIRTIO_GPU_CMD_CTX_DESTROY,
	VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE,
	VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE,
	VIRTIO_GPU_CMD_RESOURCE_CREATE_3D,
	VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D,
	VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D,
	VIRTIO_GPU_CMD_SUBMIT_3D,
	VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB,
	VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB,
	/* cursor */
	VIRTIO_GPU_CMD_UPDATE_CURSOR = 0x0300,
	VIRTIO_GPU_CMD_MOVE_CURSOR,
	/* success responses */
	VIRTIO_GPU_RESP_OK_NODATA = 0x1100,
	VIRTIO_GPU_RESP_OK_DISPLAY_INFO,
	VIRTIO_GPU_RESP_OK_CAPSET_INFO,
	VIRTIO_GPU_RESP_OK_CAPSET,
	VIRTIO_GPU_RESP_OK_EDID,
	VIRTIO_GPU_RESP_OK_RESOURCE_UUID,
	VIRTIO_GPU_RESP_OK_MAP_INFO,
	/* error responses */
	VIRTIO_GPU_RESP_ERR_UNSPEC = 0x1200,
	VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY,
	VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID,
	VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID,
	VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID,
	VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
};

#define VIRTIO_GPU_FLAG_FENCE 1u		/* hdr.flags: respond once the command's work is done */
#define VIRTIO_GPU_FLAG_INFO_RING_IDX 2u	/* hdr.ring_idx is valid (CONTEXT_INIT) */

#define VIRTIO_GPU_MAX_SCANOUTS 16u

/* Every request and response starts with this. */
struct virtio_gpu_ctrl_hdr {
	uint32_t type;
	uint32_t flags;
	uint64_t fence_id;
	uint32_t ctx_id;
	uint8_t ring_idx;
	uint8_t padding[3];
};

struct virtio_gpu_rect {
	uint32_t x, y, width, height;
};

struct virtio_gpu_display_one {
	struct virtio_gpu_rect r;
	uint32_t enabled;
	uint32_t flags;
};

struct virtio_gpu_resp_display_info {
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_display_one pmodes[VIRTIO_GPU_MAX_SCANOUTS];
};

struct virtio_gpu_get_edid {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t scanout;
	uint32_t padding;
};

#define VIRTIO_GPU_EDID_MAX 1024u
struct virtio_gpu_resp_edid {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t size;
	uint32_t padding;
	uint8_t edid[VIRTIO_GPU_EDID_MAX];
};

/* Pixel formats (5.7.6.8): the byte order in memory, first byte first (B8G8R8X8: B, G, R, X). */
enum virtio_gpu_formats {
	VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM = 1,
	VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM = 2,
	VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM = 3,
	VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM = 4,
	VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM = 67,
	VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM = 68,
	VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM = 121,
	VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM = 134,
};

struct virtio_gpu_resource_create_2d {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t format;
	uint32_t width;
	uint32_t height;
};

struct virtio_gpu_resource_unref {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t padding;
};

struct virtio_gpu_set_scanout {
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_rect r;
	uint32_t scanout_id;
	uint32_t resource_id;	/* 0: disable the scanout */
};

struct virtio_gpu_resource_flush {
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_rect r;
	uint32_t resource_id;
	uint32_t padding;
};

struct virtio_gpu_transfer_to_host_2d {
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_rect r;
	uint64_t offset;	/* into the backing, where the rectangle's first pixel is */
	uint32_t resource_id;
	uint32_t padding;
};

struct virtio_gpu_mem_entry {
	uint64_t addr;		/* guest-physical */
	uint32_t length;
	uint32_t padding;
};

/* Followed by nr_entries struct virtio_gpu_mem_entry. */
struct virtio_gpu_resource_attach_backing {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t nr_entries;
};

struct virtio_gpu_resource_detach_backing {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t padding;
};

/* Capability sets (5.7.6.8). */
#define VIRTIO_GPU_CAPSET_VIRGL 1u
#define VIRTIO_GPU_CAPSET_VIRGL2 2u

struct virtio_gpu_get_capset_info {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t capset_index;
	uint32_t padding;
};

struct virtio_gpu_resp_capset_info {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t capset_id;
	uint32_t capset_max_version;
	uint32_t capset_max_size;
	uint32_t padding;
};

struct virtio_gpu_get_capset {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t capset_id;
	uint32_t capset_version;
};

/* Followed by the capability set's bytes. */
struct virtio_gpu_resp_capset {
	struct virtio_gpu_ctrl_hdr hdr;
};

struct virtio_gpu_ctx_create {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t nlen;
	uint32_t context_init;	/* CONTEXT_INIT: the capset id in bits 0-7 */
	char debug_name[64];
};

struct virtio_gpu_ctx_resource {	/* CTX_ATTACH_RESOURCE, CTX_DETACH_RESOURCE */
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t padding;
};

struct virtio_gpu_resource_create_3d {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t target;
	uint32_t format;
	uint32_t bind;
	uint32_t width;
	uint32_t height;
	uint32_t depth;
	uint32_t array_size;
	uint32_t last_level;
	uint32_t nr_samples;
	uint32_t flags;
	uint32_t padding;
};

struct virtio_gpu_box {
	uint32_t x, y, z, w, h, d;
};

struct virtio_gpu_transfer_host_3d {	/* TRANSFER_TO_HOST_3D, TRANSFER_FROM_HOST_3D */
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_box box;
	uint64_t offset;
	uint32_t resource_id;
	uint32_t level;
	uint32_t stride;
	uint32_t layer_stride;
};

/* Followed by size bytes of the renderer's command stream. */
struct virtio_gpu_cmd_submit {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t size;
	uint32_t padding;
};

struct virtio_gpu_cursor_pos {
	uint32_t scanout_id;
	uint32_t x;
	uint32_t y;
	uint32_t padding;
};

struct virtio_gpu_update_cursor {	/* UPDATE_CURSOR, MOVE_CURSOR (resource_id and hot spot ignored) */
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_cursor_pos pos;
	uint32_t resource_id;	/* a 64x64 resource, 0: hide the cursor */
	uint32_t hot_x;
	uint32_t hot_y;
	uint32_t padding;
};
#define VIRTIO_GPU_CURSOR_SIZE 64u

_Static_assert(sizeof(struct virtio_gpu_ctrl_hdr) == 24, "virtio_gpu_ctrl_hdr");
_Static_assert(sizeof(struct virtio_gpu_resp_display_info) == 24 + 16 * 24, "virtio_gpu_resp_display_info");
_Static_assert(sizeof(struct virtio_gpu_resp_edid) == 32 + 1024, "virtio_gpu_resp_edid");
_Static_assert(sizeof(struct virtio_gpu_transfer_to_host_2d) == 56, "virtio_gpu_transfer_to_host_2d");
_Static_assert(sizeof(struct virtio_gpu_mem_entry) == 16, "virtio_gpu_mem_entry");
_Static_assert(sizeof(struct virtio_gpu_ctx_create) == 96, "virtio_gpu_ctx_create");
_Static_assert(sizeof(struct virtio_gpu_resource_create_3d) == 72, "virtio_gpu_resource_create_3d");
_Static_assert(sizeof(struct virtio_gpu_transfer_host_3d) == 72, "virtio_gpu_transfer_host_3d");
_Static_assert(sizeof(struct virtio_gpu_update_cursor) == 56, "virtio_gpu_update_cursor");

#endif
