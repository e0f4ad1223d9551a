/* Guest RAM (anonymous memory, advised for huge pages), and the single checked guest-physical to host translation. */
#include "vmm/memory.h"

#include "firmware/machine.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <stdint.h>

/*
 * One anonymous private mapping, its start aligned to 2 MiB so that guest-physical and host
 * 2 MiB boundaries coincide, and advised for transparent huge pages: where the host grants
 * them, KVM maps guest RAM with large pages and keel's own walks of it (the ring-0 emulation
 * of kvm_pvm hosts reads guest memory on every instruction) miss the host TLB less.
 */
static uint8_t *gmem_map(uint64_t size)
{
	uint64_t span = size + GMEM_ALIGN;
	uint8_t *raw, *base;
	uintptr_t head;

	raw = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	head = (GMEM_ALIGN - ((uintptr_t)raw & (GMEM_ALIGN - 1))) & (GMEM_ALIGN - 1);
	base = raw + head;
	if (head)
		munmap(raw, head);
	if (span - head > size)
		munmap(base + size, span - head - size);
	(void)madvise(base, size, MADV_HUGEPAGE);	/* advice: refused where THP is off */
	(void)madvise(base, size, MADV_DONTDUMP);
	(void)madvise(base, size, MADV_DONTFORK);	/* a child (keel bench) must not share it copy-on-write */
	return base;
}

int gmem_init(struct guest_mem *m, uint64_t size)
{
	uint64_t low;

	memset(m, 0, sizeof(*m));
	if (size < GMEM_MIN_SIZE || size > GMEM_MAX_SIZE || (size & 0xfff))
		return -EINVAL;
	m->base = gmem_map(size);
	if (!m->base)
		return -errno;
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
}

void gmem_destroy(struct guest_mem *m)
{
	if (m->base)
		munmap(m->base, m->size);
	memset(m, 0, sizeof(*m));
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
