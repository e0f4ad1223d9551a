/* The few words of the virgl command stream (SUBMIT_3D's payload, as virglrenderer decodes it) that keel's tests and the bundled guest send. */
#ifndef KEEL_DEVICES_VIRTIO_VIRGL_PROTO_H
#define KEEL_DEVICES_VIRTIO_VIRGL_PROTO_H

/*
 * A command stream is a sequence of 32-bit little-endian words. Each command starts with one header
 * word: the command in bits 0-7, the object type (for CREATE_OBJECT, BIND_OBJECT, DESTROY_OBJECT) in
 * bits 8-15, and the number of words that follow the header in bits 16-31.
 */
#define VIRGL_CMD0(cmd, obj, len) ((uint32_t)(cmd) | (uint32_t)(obj) << 8 | (uint32_t)(len) << 16)
#define VIRGL_CMD0_CMD(w) ((w) & 0xffu)
#define VIRGL_CMD0_OBJ(w) (((w) >> 8) & 0xffu)
#define VIRGL_CMD0_LEN(w) ((w) >> 16)

/* Commands. */
#define VIRGL_CCMD_NOP 0u
#define VIRGL_CCMD_CREATE_OBJECT 1u
#define VIRGL_CCMD_BIND_OBJECT 2u
#define VIRGL_CCMD_DESTROY_OBJECT 3u
#define VIRGL_CCMD_SET_VIEWPORT_STATE 4u
#define VIRGL_CCMD_SET_FRAMEBUFFER_STATE 5u
#define VIRGL_CCMD_SET_VERTEX_BUFFERS 6u
#define VIRGL_CCMD_CLEAR 7u
#define VIRGL_CCMD_DRAW_VBO 8u
#define VIRGL_CCMD_RESOURCE_INLINE_WRITE 9u
#define VIRGL_CCMD_SET_SAMPLER_VIEWS 10u
#define VIRGL_CCMD_SET_INDEX_BUFFER 11u
#define VIRGL_CCMD_SET_CONSTANT_BUFFER 12u
#define VIRGL_CCMD_SET_STENCIL_REF 13u
#define VIRGL_CCMD_SET_BLEND_COLOR 14u
#define VIRGL_CCMD_SET_SCISSOR_STATE 15u
#define VIRGL_CCMD_BLIT 16u
#define VIRGL_CCMD_RESOURCE_COPY_REGION 17u
#define VIRGL_CCMD_SET_SUB_CTX 28u
#define VIRGL_CCMD_CREATE_SUB_CTX 29u
#define VIRGL_CCMD_DESTROY_SUB_CTX 30u

/* Object types (CREATE_OBJECT's header bits 8-15). */
#define VIRGL_OBJECT_NULL 0u
#define VIRGL_OBJECT_BLEND 1u
#define VIRGL_OBJECT_RASTERIZER 2u
#define VIRGL_OBJECT_DSA 3u
#define VIRGL_OBJECT_SHADER 4u
#define VIRGL_OBJECT_VERTEX_ELEMENTS 5u
#define VIRGL_OBJECT_SAMPLER_VIEW 6u
#define VIRGL_OBJECT_SAMPLER_STATE 7u
#define VIRGL_OBJECT_SURFACE 8u
#define VIRGL_OBJECT_QUERY 9u
#define VIRGL_OBJECT_STREAMOUT_TARGET 10u

/*
 * CREATE_OBJECT(SURFACE): handle (the new object's id in the context, non-zero), the resource's id
 * (attached to the context), the format, the mip level (a texture; a buffer's first element), and
 * the layers (first | last << 16; a buffer's last element).
 */
#define VIRGL_OBJ_SURFACE_SIZE 5u
#define VIRGL_OBJ_SURFACE_HANDLE 1u
#define VIRGL_OBJ_SURFACE_RES_HANDLE 2u
#define VIRGL_OBJ_SURFACE_FORMAT 3u
#define VIRGL_OBJ_SURFACE_TEXTURE_LEVEL 4u
#define VIRGL_OBJ_SURFACE_TEXTURE_LAYERS 5u

/* SET_FRAMEBUFFER_STATE: the number of colour buffers, the depth/stencil surface (0: none), then one surface handle per colour buffer. */
#define VIRGL_SET_FRAMEBUFFER_STATE_SIZE(nr_cbufs) ((nr_cbufs) + 2u)
#define VIRGL_SET_FRAMEBUFFER_STATE_NR_CBUFS 1u
#define VIRGL_SET_FRAMEBUFFER_STATE_NR_ZSURF_HANDLE 2u
#define VIRGL_SET_FRAMEBUFFER_STATE_CBUF_HANDLE(i) (3u + (i))

/* CLEAR: the buffers (PIPE_CLEAR_*), the colour as four IEEE-754 single floats (R, G, B, A), the depth as a double (low word first), the stencil value. */
#define VIRGL_OBJ_CLEAR_SIZE 8u
#define VIRGL_OBJ_CLEAR_BUFFERS 1u
#define VIRGL_OBJ_CLEAR_COLOR_0 2u
#define VIRGL_OBJ_CLEAR_COLOR_1 3u
#define VIRGL_OBJ_CLEAR_COLOR_2 4u
#define VIRGL_OBJ_CLEAR_COLOR_3 5u
#define VIRGL_OBJ_CLEAR_DEPTH_0 6u
#define VIRGL_OBJ_CLEAR_DEPTH_1 7u
#define VIRGL_OBJ_CLEAR_STENCIL 8u

/* SET_SUB_CTX, CREATE_SUB_CTX, DESTROY_SUB_CTX: one word, the sub-context's id (a context starts in sub-context 0). */
#define VIRGL_SUB_CTX_SIZE 1u

/* CLEAR's buffers. */
#define PIPE_CLEAR_DEPTH (1u << 0)
#define PIPE_CLEAR_STENCIL (1u << 1)
#define PIPE_CLEAR_COLOR0 (1u << 2)
#define PIPE_CLEAR_COLOR1 (1u << 3)

/* Formats (gallium's pipe_format numbers, which virgl keeps; the 8-bit ones match virtio-gpu's). */
#define VIRGL_FORMAT_B8G8R8A8_UNORM 1u
#define VIRGL_FORMAT_B8G8R8X8_UNORM 2u
#define VIRGL_FORMAT_A8R8G8B8_UNORM 3u
#define VIRGL_FORMAT_X8R8G8B8_UNORM 4u
#define VIRGL_FORMAT_R8G8B8A8_UNORM 67u
#define VIRGL_FORMAT_X8B8G8R8_UNORM 68u
#define VIRGL_FORMAT_A8B8G8R8_UNORM 121u
#define VIRGL_FORMAT_R8G8B8X8_UNORM 134u

/* RESOURCE_CREATE_3D's target. */
#define PIPE_BUFFER 0u
#define PIPE_TEXTURE_1D 1u
#define PIPE_TEXTURE_2D 2u
#define PIPE_TEXTURE_3D 3u
#define PIPE_TEXTURE_CUBE 4u
#define PIPE_TEXTURE_RECT 5u

/* RESOURCE_CREATE_3D's bind flags. */
#define VIRGL_BIND_DEPTH_STENCIL (1u << 0)
#define VIRGL_BIND_RENDER_TARGET (1u << 1)
#define VIRGL_BIND_SAMPLER_VIEW (1u << 3)
#define VIRGL_BIND_VERTEX_BUFFER (1u << 4)
#define VIRGL_BIND_INDEX_BUFFER (1u << 5)
#define VIRGL_BIND_CONSTANT_BUFFER (1u << 6)
#define VIRGL_BIND_DISPLAY_TARGET (1u << 7)
#define VIRGL_BIND_COMMAND_ARGS (1u << 8)
#define VIRGL_BIND_STREAM_OUTPUT (1u << 11)
#define VIRGL_BIND_SHADER_BUFFER (1u << 14)
#define VIRGL_BIND_QUERY_BUFFER (1u << 15)
#define VIRGL_BIND_CURSOR (1u << 16)
#define VIRGL_BIND_CUSTOM (1u << 17)
#define VIRGL_BIND_SCANOUT (1u << 18)

/* Colour components as IEEE-754 single floats, for CLEAR (the guest has no floating point). */
#define VIRGL_F32_0_0 0x00000000u
#define VIRGL_F32_0_2 0x3e4ccccdu	/* 0x33 / 255 */
#define VIRGL_F32_0_4 0x3ecccccdu	/* 0x66 / 255 */
#define VIRGL_F32_0_6 0x3f19999au	/* 0x99 / 255 */
#define VIRGL_F32_1_0 0x3f800000u

#endif
