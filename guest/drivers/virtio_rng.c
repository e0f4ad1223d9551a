/* virtio-rng: one device-writable buffer on the request queue, filled by the device. */
#include "guest/drivers/virtio_devices.h"

bool vrng_open(struct vio *r)
{
	return vio_open(r, VIRTIO_ID_RNG, 0, 0, 1);
}

int vrng_read(struct vio *r, uint32_t len)
{
	struct virtio_buf buf = { r->pa + VIO_DATA, len, true };
	uint32_t got = 0;

	if (len > VIO_DATA_MAX)
		return VIO_TIMEOUT;
	if (!virtio_request(r->d, 0, &buf, 1, &got, VIRTIO_WAIT_MS))
		return VIO_TIMEOUT;
	return (int)got;
}
