/* Guest RAM backed by a memfd, and the single checked guest-physical to host translation. */
#include "vmm/memory.h"

#include "firmware/machine.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int gmem_init(struct guest_mem *m, uint64_t size)
{
	uint64_t low;

	memset(m, 0, sizeof(*m));
	m->memfd = -1;
	if (size < GMEM_MIN_SIZE || size > GMEM_MAX_SIZE || (size & 0xfff))
		return -EINVAL;
	m->memfd = memfd_create("keel-guest-ram", MFD_CLOEXEC);
	if (m->memfd < 0)
		return -errno;
	if (ftruncate(m->memfd, (off_t)size) < 0)
		goto fail;
	m->base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, m->memfd, 0);
	if (m->base == MAP_FAILED) {
		m->base = NULL;
		goto fail;
	}
	(void)madvise(m->base, size, MADV_DONTDUMP);
	m->size = size;
	low = size < KEEL_LOW_RAM_MAX ? size : KEEL_LOW_RAM_MAX;
	m->regions[0] = (struct gmem_region){ .gpa = 0, .size = low, .hva = m->base };
	m->nregions = 1;
	if (size > low) {
		m->regions[1] = (struct gmem_region){
			.gpa = KEEL_RAM_ABOVE_4G, .size = size - low, .hva = m->base + low
		};
		m->nregions = 2;
	}
	return 0;
fail:
	{
		int err = -errno;
		gmem_destroy(m);
		return err;
	}
}

void gmem_destroy(struct guest_mem *m)
{
	if (m->base)
		munmap(m->base, m->size);
	if (m->memfd >= 0)
		close(m->memfd);
	memset(m, 0, sizeof(*m));
	m->memfd = -1;
}

int gmem_translate(const struct guest_mem *m, uint64_t gpa, uint64_t len, void **hva)
{
	uint64_t last;

	if (len == 0)
		return -EINVAL;
	if (__builtin_add_overflow(gpa, len - 1, &last))
		return -EFAULT;
	for (unsigned int i = 0; i < m->nregions; i++) {
		const struct gmem_region *r = &m->regions[i];

		if (gpa >= r->gpa && last <= r->gpa + (r->size - 1)) {
			*hva = r->hva + (gpa - r->gpa);
			return 0;
		}
	}
	return -EFAULT;
}

int gmem_read(const struct guest_mem *m, uint64_t gpa, void *dst, size_t len)
{
	void *src;
	int r = gmem_translate(m, gpa, len, &src);

	if (r == 0)
		memcpy(dst, src, len);
	return r;
}

int gmem_write(const struct guest_mem *m, uint64_t gpa, const void *src, size_t len)
{
	void *dst;
	int r = gmem_translate(m, gpa, len, &dst);

	if (r == 0)
		memcpy(dst, src, len);
	return r;
}
