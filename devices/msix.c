/* MSI-X table and PBA emulation: routes follow the table, masked vectors collect pending bits, irqfds deliver. */
#include "devices/msix.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vmm/ioloop.h"
#include "vmm/log.h"

int msix_init(struct msix *m, unsigned int nvec, struct irq_router *router, int vm_fd, struct ioloop *loop)
{
	memset(m, 0, sizeof(*m));
	m->router = router;
	m->vm_fd = vm_fd;
	m->loop = loop;
	if (nvec == 0 || nvec > 2048)
		return -EINVAL;
	m->vec = calloc(nvec, sizeof(*m->vec));
	m->pba = calloc((nvec + 63) / 64, sizeof(*m->pba));
	if (!m->vec || !m->pba)
		return -ENOMEM;
	m->nvec = nvec;
	for (unsigned int v = 0; v < nvec; v++) {
		m->vec[v].ctrl = MSIX_VEC_MASKED;
		m->vec[v].efd = -1;
		m->vec[v].gsi = -1;
	}
	for (unsigned int v = 0; v < nvec; v++) {
		struct msix_vector *x = &m->vec[v];
		int ret;

		x->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (x->efd < 0)
			return -errno;
		x->gsi = irq_router_alloc_gsi(router);
		if (x->gsi < 0)
			return x->gsi;
		ret = kvm_irqfd(vm_fd, x->efd, (unsigned int)x->gsi, true);
		if (ret < 0) {
			x->gsi = -1;
			return ret;
		}
	}
	return 0;
}

void msix_destroy(struct msix *m)
{
	for (unsigned int v = 0; m->vec && v < m->nvec; v++) {
		struct msix_vector *x = &m->vec[v];

		if (x->gsi >= 0 && x->efd >= 0)
			kvm_irqfd(m->vm_fd, x->efd, (unsigned int)x->gsi, false);
		if (x->routed)
			irq_router_clear(m->router, (unsigned int)x->gsi);
		if (x->efd >= 0)
			close(x->efd);
	}
	free(m->vec);
	free(m->pba);
	memset(m, 0, sizeof(*m));
}

uint32_t msix_table_bytes(const struct msix *m)
{
	return m->nvec * MSIX_ENTRY_SIZE;
}

uint32_t msix_pba_bytes(const struct msix *m)
{
	return (m->nvec + 63) / 64 * 8;
}

bool msix_enabled(const struct msix *m)
{
	return m->ctrl & MSIX_CTRL_ENABLE;
}

static bool msix_masked(const struct msix *m, unsigned int v)
{
	return (m->ctrl & MSIX_CTRL_MASKALL) || (m->vec[v].ctrl & MSIX_VEC_MASKED);
}

static void msix_signal(struct msix *m, unsigned int v)
{
	ioloop_signal(m->loop, m->vec[v].efd);
}

/* Make KVM's route match the entry (vector unmasked, MSI-X enabled). */
static void msix_route(struct msix *m, unsigned int v)
{
	struct msix_vector *x = &m->vec[v];
	uint64_t addr = (uint64_t)x->addr_hi << 32 | x->addr_lo;
	int ret;

	if (x->gsi < 0 || (x->routed && x->route_addr == addr && x->route_data == x->data))
		return;
	ret = irq_router_set_msi(m->router, (unsigned int)x->gsi, addr, x->data);
	if (ret < 0) {
		log_warn("MSI-X vector %u: cannot route it through GSI %d: %s", v, x->gsi, strerror(-ret));
		return;
	}
	x->routed = true;
	x->route_addr = addr;
	x->route_data = x->data;
}

/* After the entry or the function state changed: route it, deliver what is pending. */
static void msix_update(struct msix *m, unsigned int v)
{
	if (!msix_enabled(m) || msix_masked(m, v))
		return;
	msix_route(m, v);
	if (m->pba[v / 64] & (1ull << (v % 64))) {
		m->pba[v / 64] &= ~(1ull << (v % 64));
		msix_signal(m, v);
	}
}

void msix_table_access(struct msix *m, uint32_t off, uint8_t *data, uint32_t len, bool is_write)
{
	for (uint32_t i = 0; i < len; i++) {
		uint32_t o = off + i, v = o / MSIX_ENTRY_SIZE, w = (o % MSIX_ENTRY_SIZE) / 4, sh = 8 * (o % 4);
		uint32_t *word;

		if (v >= m->nvec) {
			if (!is_write)
				data[i] = 0;
			continue;
		}
		word = w == 0 ? &m->vec[v].addr_lo : w == 1 ? &m->vec[v].addr_hi : w == 2 ? &m->vec[v].data
									    : &m->vec[v].ctrl;
		if (!is_write) {
			data[i] = (uint8_t)(*word >> sh);
			continue;
		}
		*word = (*word & ~(0xffu << sh)) | (uint32_t)data[i] << sh;
		if (w == 3)
			*word &= MSIX_VEC_MASKED;	/* the other vector-control bits are reserved */
	}
	if (is_write) {
		uint32_t first = off / MSIX_ENTRY_SIZE, last = (off + len - 1) / MSIX_ENTRY_SIZE;

		for (uint32_t v = first; v <= last && v < m->nvec; v++)
			msix_update(m, v);
	}
}

void msix_pba_access(struct msix *m, uint32_t off, uint8_t *data, uint32_t len, bool is_write)
{
	if (is_write)
		return;		/* read-only */
	for (uint32_t i = 0; i < len; i++) {
		uint32_t o = off + i;

		data[i] = o / 8 < (m->nvec + 63) / 64 ? (uint8_t)(m->pba[o / 8] >> (8 * (o % 8))) : 0;
	}
}

void msix_set_control(struct msix *m, uint16_t ctrl)
{
	m->ctrl = ctrl & (MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL);
	for (unsigned int v = 0; v < m->nvec; v++)
		msix_update(m, v);
}

void msix_notify(struct msix *m, unsigned int v)
{
	if (v >= m->nvec || !msix_enabled(m))
		return;
	if (msix_masked(m, v)) {
		m->pba[v / 64] |= 1ull << (v % 64);
		return;
	}
	msix_route(m, v);
	msix_signal(m, v);
}

int msix_vector_fd(const struct msix *m, unsigned int v)
{
	return v < m->nvec ? m->vec[v].efd : -1;
}

int msix_save(const struct msix *m, struct msix_state *s)
{
	if (m->nvec > MSIX_STATE_MAX_VECTORS)
		return -E2BIG;
	memset(s, 0, sizeof(*s));
	s->nvec = (uint16_t)m->nvec;
	s->ctrl = m->ctrl;
	s->pba = m->nvec ? m->pba[0] : 0;
	for (unsigned int v = 0; v < m->nvec; v++)
		s->vec[v] = (struct msix_vector_state){
			.addr_lo = m->vec[v].addr_lo, .addr_hi = m->vec[v].addr_hi,
			.data = m->vec[v].data, .ctrl = m->vec[v].ctrl,
		};
	return 0;
}

int msix_state_check(const struct msix *m, const struct msix_state *s)
{
	const struct msix_vector_state zero = { 0 };
	uint64_t live = 0;

	if (m->nvec > MSIX_STATE_MAX_VECTORS || s->nvec != m->nvec)
		return -EINVAL;
	if (s->ctrl & ~(MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL))
		return -EINVAL;
	if (s->nvec < 64 && (s->pba >> s->nvec))
		return -EINVAL;
	for (unsigned int v = 0; v < MSIX_STATE_MAX_VECTORS; v++) {
		const struct msix_vector_state *x = &s->vec[v];

		if (v >= s->nvec) {
			if (memcmp(x, &zero, sizeof(zero)))
				return -EINVAL;
			continue;
		}
		if (x->ctrl & ~MSIX_VEC_MASKED)
			return -EINVAL;
		if (!(x->ctrl & MSIX_VEC_MASKED))
			live |= 1ull << v;
	}
	/* Enabled and unmasked, a vector delivers what is pending at once: nothing can wait there. */
	if ((s->ctrl & MSIX_CTRL_ENABLE) && !(s->ctrl & MSIX_CTRL_MASKALL) && (s->pba & live))
		return -EINVAL;
	return 0;
}

int msix_restore(struct msix *m, const struct msix_state *s)
{
	int ret = msix_state_check(m, s);

	if (ret < 0)
		return ret;
	m->ctrl = s->ctrl;
	if (m->nvec)
		m->pba[0] = s->pba;
	for (unsigned int v = 0; v < m->nvec; v++) {
		struct msix_vector *x = &m->vec[v];

		x->addr_lo = s->vec[v].addr_lo;
		x->addr_hi = s->vec[v].addr_hi;
		x->data = s->vec[v].data;
		x->ctrl = s->vec[v].ctrl;
		if (msix_enabled(m) && !msix_masked(m, v))
			msix_route(m, v);
	}
	return 0;
}
