/* virtio-console, port 0 only: writes on the transmit queue, reads by posting one buffer on the receive queue. */
#include "guest/drivers/virtio_devices.h"

#include "guest/lib/string.h"

bool vcons_open(struct vio *c)
{
	return vio_open(c, VIRTIO_ID_CONSOLE, 0, 0, 2);
}

bool vcons_write(struct vio *c, const char *s, uint32_t len)
{
	struct virtio_buf buf = { c->pa + VIO_DATA, len, false };

	if (len > VIO_DATA_MAX)
		return false;
	memcpy(c->va + VIO_DATA, s, len);
	return virtio_request(c->d, VIRTIO_CONSOLE_TX, &buf, 1, 0, VIRTIO_WAIT_MS);
}

int vcons_read(struct vio *c, char *buf, uint32_t max, unsigned int wait_ms)
{
	struct virtio_buf b = { c->pa + VIO_DATA, max < VIO_DATA_MAX ? max : VIO_DATA_MAX, true };
	uint32_t got = 0;

	if (!virtio_request(c->d, VIRTIO_CONSOLE_RX, &b, 1, &got, wait_ms))
		return VIO_TIMEOUT;
	if (got > b.len)
		got = b.len;
	memcpy(buf, c->va + VIO_DATA, got);
	return (int)got;
}
