/* The EDID virtio-gpu gives for an output (GET_EDID): a 128-byte EDID 1.4 base block whose preferred timing is the output's mode. */
#ifndef KEEL_DEVICES_VIRTIO_GPU_EDID_H
#define KEEL_DEVICES_VIRTIO_GPU_EDID_H

#include <stdint.h>

#define GPU_EDID_BYTES 128u
#define GPU_EDID_MAX_ACTIVE 4095u	/* a detailed timing holds 12 bits: larger modes are clamped */

/*
 * gpu_edid_build - the EDID of output @out showing @width x @height at 60 Hz into @edid:
 * manufacturer "KEL", product @out, the mode as the preferred detailed timing (reduced
 * blanking), the monitor name "keel", and a checksum making the 128 bytes sum to 0 mod 256.
 */
void gpu_edid_build(uint8_t edid[GPU_EDID_BYTES], uint32_t width, uint32_t height, unsigned int out);

#endif
