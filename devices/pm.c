/* The ACPI PM fixed hardware: PM1a status/enable with the SCI, PM1a control (SLP_EN ends the VM with status 0), the PM timer. */
#include "devices/pm.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices/devices.h"
#include "firmware/describe.h"
#include "firmware/machine.h"
#include "vmm/bus.h"
#include "vmm/exit_status.h"
#include "vmm/log.h"
#include "vmm/stop.h"

struct pm {
	struct bus *pio;
	struct stop_ctl *stop;
	struct irq_line sci;
	pthread_mutex_t lock;		/* vCPUs (port I/O) and pm_power_button (any thread) */
	uint16_t sts, en, cnt;		/* cnt: the PM1_CNT_KEPT bits */
	int sci_level;			/* what the line was last driven to */
	uint64_t tmr_base;		/* PM timer = ticks now - tmr_base, modulo 2^32 */
};

/* CLOCK_MONOTONIC in PM timer ticks (3.579545 MHz), without overflow for centuries of uptime. */
static uint64_t pm_ticks(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * PM_TMR_HZ + (uint64_t)ts.tv_nsec * PM_TMR_HZ / 1000000000u;
}

/* Drive the SCI to what PM1_STS & PM1_EN say (lock held). */
static void pm_update_sci(struct pm *pm)
{
	int level = (pm->sts & pm->en) != 0;

	if (level == pm->sci_level)
		return;
	if (irq_line_set(&pm->sci, level) < 0) {
		log_debug("pm: cannot drive the SCI to %d", level);
		return;		/* the next change tries again */
	}
	pm->sci_level = level;
}

/*
 * The bytes [@offset, @offset + @len) of a register block of @size bytes, as a value and a mask
 * of the bytes written, both shifted to their place in the block.
 */
static void pm_write_bytes(const uint8_t *data, uint64_t offset, uint32_t len, uint32_t size,
			   uint32_t *val, uint32_t *mask)
{
	*val = 0;
	*mask = 0;
	for (uint32_t i = 0; i < len && offset + i < size; i++) {
		*val |= (uint32_t)data[i] << (8 * (offset + i));
		*mask |= 0xffu << (8 * (offset + i));
	}
}

/* Reads: the bytes of @value, a register block of @size bytes, at @offset; zeros past its end. */
static void pm_read_bytes(uint8_t *data, uint64_t offset, uint32_t len, uint32_t size, uint32_t value)
{
	for (uint32_t i = 0; i < len; i++)
		data[i] = offset + i < size ? (uint8_t)(value >> (8 * (offset + i))) : 0;
}

/* PM1a_EVT: PM1_STS in bytes 0-1 (write 1 to clear), PM1_EN in bytes 2-3. */
static int pm_evt_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len,
		     bool is_write)
{
	struct pm *pm = opaque;
	uint32_t v, m;

	(void)vcpu;
	pthread_mutex_lock(&pm->lock);
	if (!is_write) {
		pm_read_bytes(data, offset, len, PM1_EVT_LEN, pm->sts | (uint32_t)pm->en << 16);
	} else {
		pm_write_bytes(data, offset, len, PM1_EVT_LEN, &v, &m);
		pm->sts &= (uint16_t)~(v & m);
		pm->en = (uint16_t)((pm->en & ~(m >> 16)) | ((v & m) >> 16 & PM1_EN_BITS));
		pm_update_sci(pm);
	}
	pthread_mutex_unlock(&pm->lock);
	return 0;
}

/* PM1a_CNT: SCI_EN reads 1; SLP_EN (whatever SLP_TYP says: only _S5 is declared) powers off. */
static int pm_cnt_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len,
		     bool is_write)
{
	struct pm *pm = opaque;
	uint32_t v, m;

	(void)vcpu;
	pthread_mutex_lock(&pm->lock);
	if (!is_write) {
		pm_read_bytes(data, offset, len, PM1_CNT_LEN, pm->cnt | PM1_SCI_EN);
		pthread_mutex_unlock(&pm->lock);
		return 0;
	}
	pm_write_bytes(data, offset, len, PM1_CNT_LEN, &v, &m);
	pm->cnt = (uint16_t)((pm->cnt & ~m) | (v & m & PM1_CNT_KEPT));
	pthread_mutex_unlock(&pm->lock);
	if (v & m & KEEL_PM1_SLP_EN)
		stop_request(pm->stop, KEEL_EXIT_OK, "guest powered off");
	return 0;
}

/* PM_TMR: read-only, 32 bits (the FADT says TMR_VAL_EXT). */
static int pm_tmr_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len,
		     bool is_write)
{
	struct pm *pm = opaque;

	(void)vcpu;
	if (is_write)
		return 0;
	pthread_mutex_lock(&pm->lock);
	pm_read_bytes(data, offset, len, PM_TMR_LEN, (uint32_t)(pm_ticks() - pm->tmr_base));
	pthread_mutex_unlock(&pm->lock);
	return 0;
}

static const struct {
	uint64_t port;
	uint32_t len;
	bus_handler_fn fn;
	const char *name;
} pm_ranges[] = {
	{ KEEL_PORT_PM1A_EVT, PM1_EVT_LEN, pm_evt_io, "pm1a-event" },
	{ KEEL_PORT_PM1A_CNT, PM1_CNT_LEN, pm_cnt_io, "pm1a-control" },
	{ KEEL_PORT_PM_TMR, PM_TMR_LEN, pm_tmr_io, "pm-timer" },
};

#define PM_NRANGES (sizeof(pm_ranges) / sizeof(pm_ranges[0]))

static void pm_unregister(struct bus *pio, size_t n)
{
	while (n-- > 0)
		devices_unregister(pio, pm_ranges[n].port, pm_ranges[n].fn);
}

int pm_create(struct bus *pio, struct stop_ctl *stop, struct irq_line sci, struct pm **out)
{
	struct pm *pm = calloc(1, sizeof(*pm));
	size_t i;
	int ret = 0;

	if (!pm)
		return -ENOMEM;
	pm->pio = pio;
	pm->stop = stop;
	pm->sci = sci;
	pm->tmr_base = pm_ticks();
	pthread_mutex_init(&pm->lock, NULL);
	for (i = 0; i < PM_NRANGES && ret == 0; i++)
		ret = bus_register(pio, pm_ranges[i].port, pm_ranges[i].len, pm_ranges[i].fn, pm, pm_ranges[i].name);
	if (ret < 0) {
		pm_unregister(pio, i - 1);
		pthread_mutex_destroy(&pm->lock);
		free(pm);
		return ret;
	}
	*out = pm;
	return 0;
}

void pm_destroy(struct pm *pm)
{
	if (!pm)
		return;
	pm_unregister(pm->pio, PM_NRANGES);
	pthread_mutex_destroy(&pm->lock);
	free(pm);
}

int pm_power_button(struct pm *pm)
{
	bool listens;

	pthread_mutex_lock(&pm->lock);
	pm->sts |= PM1_PWRBTN_STS;
	listens = pm->en & PM1_PWRBTN_EN;
	pm_update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
	return listens ? 0 : -ENODEV;
}

int pm_sci_level(struct pm *pm)
{
	int level;

	pthread_mutex_lock(&pm->lock);
	level = pm->sci_level;
	pthread_mutex_unlock(&pm->lock);
	return level;
}

int pm_save(struct pm *pm, struct pm_state *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_lock(&pm->lock);
	s->sts = pm->sts;
	s->en = pm->en;
	s->cnt = (uint16_t)(pm->cnt | PM1_SCI_EN);
	s->tmr = (uint32_t)(pm_ticks() - pm->tmr_base);
	pthread_mutex_unlock(&pm->lock);
	return 0;
}

int pm_restore(struct pm *pm, const struct pm_state *s)
{
	if ((s->sts & ~PM1_PWRBTN_STS) || (s->en & ~PM1_EN_BITS) || !(s->cnt & PM1_SCI_EN) ||
	    (s->cnt & ~(PM1_SCI_EN | PM1_CNT_KEPT)))
		return -EINVAL;
	pthread_mutex_lock(&pm->lock);
	pm->sts = s->sts;
	pm->en = s->en;
	pm->cnt = (uint16_t)(s->cnt & PM1_CNT_KEPT);
	pm->tmr_base = pm_ticks() - s->tmr;
	pm_update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
	return 0;
}

int pm_describe(struct dev_descs *out)
{
	const struct dev_desc d = {
		.name = "poweroff", .compatible = "keel,pm1a-control", .space = DESC_ISA_IO,
		.nregs = 1, .regs = { { KEEL_PORT_PM1A_CNT, PM1_CNT_LEN } }, .irq = -1,
	};

	return desc_add(out, &d);
}
