/* virtio-gpu through a transport (no KVM): config space, requests answered from the render thread, fences a renderer completes later, a reset with requests in flight, malformed chains. */
#include "tests/unit/suites.h"

#include "devices/virtio/gpu.h"
#include "devices/virtio/host.h"
#include "tests/virtio/fakedrv.h"
#include "tests/virtio/testvm.h"
#include "vmm/exit_status.h"
#include "vmm/log.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DW 32u
#define DH 24u
#define RING0_GPA 0x100000ull
#define RING1_GPA 0x110000ull
#define REQ_GPA 0x200000ull		/* request k at REQ_GPA + k * 0x1000, its response 0x800 after */
#define RESP_OFF 0x800ull

/* A display that counts what it is asked. */
struct devdisp {
	unsigned int modes, updates, cursors;
};

static void dd_set_mode(void *o, unsigned int out, uint32_t w, uint32_t h)
{
	(void)out, (void)w, (void)h;
	((struct devdisp *)o)->modes++;
}

static void dd_update(void *o, unsigned int out, const uint32_t *px, uint32_t stride, uint32_t x, uint32_t y,
		      uint32_t w, uint32_t h)
{
	(void)out, (void)px, (void)stride, (void)x, (void)y, (void)w, (void)h;
	((struct devdisp *)o)->updates++;
}

static void dd_cursor(void *o, unsigned int out, int32_t x, int32_t y, const uint32_t *image, uint32_t hx,
		      uint32_t hy, bool visible)
{
	(void)out, (void)x, (void)y, (void)image, (void)hx, (void)hy, (void)visible;
	((struct devdisp *)o)->cursors++;
}

static const struct display_sink_ops dd_ops = { dd_set_mode, dd_update, dd_cursor };
static struct devdisp dd;
static struct display_port dport = { .ops = &dd_ops, .opaque = &dd };

/* The 2D renderer whose fences complete only when the test says (fence_done). */
static struct gpu_backend_ops fence_ops;
static struct virtio_type gpu_test_type;
static void (*fence_done)(void *opaque, uint64_t fence_id);
static void *fence_opaque;
static uint64_t fences_made;

static int fake_create(const struct gpu_backend_env *env, void **out, char *err, size_t errlen)
{
	fence_done = env->fence_done;
	fence_opaque = env->opaque;
	return gpu_2d_backend.create(env, out, err, errlen);
}

static uint32_t fake_fence(void *b, uint32_t ctx_id, uint64_t fence_id)
{
	(void)b, (void)ctx_id, (void)fence_id;
	__atomic_add_fetch(&fences_made, 1, __ATOMIC_SEQ_CST);
	return VIRTIO_GPU_RESP_OK_NODATA;
}

static int test_type_create(void *backend, const struct virtio_config *c, unsigned int i, const struct guest_mem *mem,
			    struct ioloop *loop, struct virtio_dev **out)
{
	char err[200];

	(void)backend, (void)i;
	return virtio_gpu_create(&dport, &c->gpu, &fence_ops, mem, loop, out, err, sizeof(err));
}

static struct vm vm;
static struct fakedrv d;
static struct fakeq q0, q1;
static unsigned int nreq;

static void dev_setup(void)
{
	struct vm_config cfg = { .cmdline = "", .mem_size = TESTVM_RAM, .ncpus = 1, .kvm_path = "/dev/kvm" };
	const struct virtio_type *types[1] = { &gpu_test_type };
	struct virtio_env env = { .display = &dport };

	log_set_level(LOG_ERROR);
	memset(&dd, 0, sizeof(dd));
	fences_made = 0;
	nreq = 0;
	fence_ops = gpu_2d_backend;
	fence_ops.create = fake_create;
	fence_ops.create_fence = fake_fence;
	gpu_test_type = virtio_gpu_type;
	gpu_test_type.open = NULL;
	gpu_test_type.create = test_type_create;
	cfg.virtio.gpu = (struct virtio_gpu_opts){ .kind = VIRTIO_GPU_2D, .spec = strdup("2d"), .width = DW,
						   .height = DH, .outputs = 1 };
	ck_assert_int_eq(vm_init(&vm, &cfg), 0);
	ck_assert_int_eq(gmem_init(&vm.plat.mem, TESTVM_RAM), 0);
	ck_assert_int_eq(virtio_prepare(&vm.cfg.virtio, types, 1, &env, &vm.virtio), KEEL_EXIT_OK);
	ck_assert_int_eq(virtio_create(vm.virtio, &vm.plat), 0);
}

static void dev_teardown(void)
{
	testvm_stop(&vm);
}

/* The driver: features (EDID), both queues, DRIVER_OK. */
static void driver_up(void)
{
	uint64_t got;

	ck_assert_int_eq(fakedrv_open_pci(&d, &vm, 1), 0);
	ck_assert_int_eq(fakedrv_init(&d, VIRTIO_BIT(VIRTIO_GPU_F_EDID) | VIRTIO_BIT(VIRTIO_F_VERSION_1), &got), 0);
	ck_assert(got & VIRTIO_BIT(VIRTIO_GPU_F_EDID));
	ck_assert(!(fakedrv_device_features(&d) & VIRTIO_BIT(VIRTIO_GPU_F_VIRGL)));
	fakeq_init(&q0, &vm.plat.mem, RING0_GPA, 64);
	fakeq_init(&q1, &vm.plat.mem, RING1_GPA, 64);
	fakedrv_queue(&d, 0, &q0, 0xffff);
	fakedrv_queue(&d, 1, &q1, 0xffff);
	fakedrv_driver_ok(&d);
}

/* Offer request @req (@len bytes) with @resp_len bytes for the answer on queue @q; its response area. */
static uint8_t *offer(struct fakeq *q, unsigned int qi, const void *req, uint32_t len, uint32_t resp_len)
{
	uint64_t gpa = REQ_GPA + (uint64_t)(nreq % 256) * 0x1000;
	struct fakeq_buf b[2] = { { gpa, len, false }, { gpa + RESP_OFF, resp_len, true } };
	uint8_t *resp = testvm_hva(&vm, gpa + RESP_OFF, 0x800);

	memcpy(testvm_hva(&vm, gpa, len), req, len);
	memset(resp, 0xee, 0x800);
	fakeq_offer(q, fakeq_chain(q, (uint16_t)((nreq * 2) % q->size), b, resp_len ? 2 : 1));
	nreq++;
	fakedrv_kick(&d, qi);
	return resp;
}

static uint32_t resp_type(const uint8_t *resp)
{
	uint32_t t;

	memcpy(&t, resp, 4);
	return t;
}

START_TEST(config_space_and_display_info)
{
	struct virtio_gpu_ctrl_hdr h = { .type = VIRTIO_GPU_CMD_GET_DISPLAY_INFO };
	struct virtio_gpu_resp_display_info info;
	uint32_t len;
	uint8_t *resp;

	driver_up();
	ck_assert_uint_eq(fakedrv_config(&d, VIRTIO_GPU_CFG_NUM_SCANOUTS, 4), 1);
	ck_assert_uint_eq(fakedrv_config(&d, VIRTIO_GPU_CFG_NUM_CAPSETS, 4), 0);
	ck_assert_uint_eq(fakedrv_config(&d, VIRTIO_GPU_CFG_EVENTS_READ, 4), 0);
	resp = offer(&q0, 0, &h, sizeof(h), sizeof(info));
	ck_assert_int_eq(fakeq_wait_used(&q0, NULL, &len, 5000), 1);
	ck_assert_uint_eq(len, sizeof(info));
	memcpy(&info, resp, sizeof(info));
	ck_assert_uint_eq(info.hdr.type, VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
	ck_assert_uint_eq(info.pmodes[0].r.width, DW);
	ck_assert_uint_eq(info.pmodes[0].r.height, DH);
	ck_assert_uint_eq(info.pmodes[1].enabled, 0);
	/* a response buffer too short for it: what fits is written */
	resp = offer(&q0, 0, &h, sizeof(h), 40);
	ck_assert_int_eq(fakeq_wait_used(&q0, NULL, &len, 5000), 1);
	ck_assert_uint_eq(len, 40);
	ck_assert_uint_eq(resp[40], 0xee);
	ck_assert_uint_eq(resp_type(resp), VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
}
END_TEST

START_TEST(fenced_answer_waits_for_its_fence)
{
	struct virtio_gpu_ctrl_hdr f = { .type = VIRTIO_GPU_CMD_GET_DISPLAY_INFO, .flags = VIRTIO_GPU_FLAG_FENCE,
					 .fence_id = 9 };
	struct virtio_gpu_ctrl_hdr h = { .type = VIRTIO_GPU_CMD_GET_DISPLAY_INFO };
	struct virtio_gpu_ctrl_hdr out;
	uint32_t len, id, fenced_head;
	uint8_t *fr, *r;

	driver_up();
	fr = offer(&q0, 0, &f, sizeof(f), sizeof(struct virtio_gpu_resp_display_info));
	fenced_head = 0;
	ck_assert_int_eq(fakeq_wait_used(&q0, NULL, &len, 300), 0);	/* waits */
	ck_assert_uint_eq(__atomic_load_n(&fences_made, __ATOMIC_SEQ_CST), 1);
	r = offer(&q0, 0, &h, sizeof(h), sizeof(struct virtio_gpu_resp_display_info));
	ck_assert_int_eq(fakeq_wait_used(&q0, &id, &len, 5000), 1);	/* the unfenced one overtakes it */
	ck_assert_uint_ne(id, fenced_head);
	ck_assert_uint_eq(resp_type(r), VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
	fence_done(fence_opaque, 9);
	ck_assert_int_eq(fakeq_wait_used(&q0, &id, &len, 5000), 1);
	ck_assert_uint_eq(id, fenced_head);
	memcpy(&out, fr, sizeof(out));
	ck_assert_uint_eq(out.type, VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
	ck_assert_uint_eq(out.flags & VIRTIO_GPU_FLAG_FENCE, VIRTIO_GPU_FLAG_FENCE);
	ck_assert_uint_eq(out.fence_id, 9);
}
END_TEST

START_TEST(reset_with_a_fenced_request_in_flight)
{
	struct virtio_gpu_resource_create_2d c = { { .type = VIRTIO_GPU_CMD_RESOURCE_CREATE_2D }, 1,
						   VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, DW, DH };
	struct virtio_gpu_resource_flush fl = { { .type = VIRTIO_GPU_CMD_RESOURCE_FLUSH, .flags = VIRTIO_GPU_FLAG_FENCE,
						  .fence_id = 3 }, { 0, 0, 1, 1 }, 1, 0 };
	uint32_t len;
	uint8_t *r;

	driver_up();
	r = offer(&q0, 0, &c, sizeof(c), 24);
	ck_assert_int_eq(fakeq_wait_used(&q0, NULL, &len, 5000), 1);
	ck_assert_uint_eq(resp_type(r), VIRTIO_GPU_RESP_OK_NODATA);
	r = offer(&q0, 0, &fl, sizeof(fl), 24);
	ck_assert_int_eq(fakeq_wait_used(&q0, NULL, &len, 300), 0);
	ck_assert_int_eq(fakedrv_reset(&d), 0);		/* completes: the parked request is dropped */
	ck_assert_int_eq(fakeq_used(&q0, NULL, &len), 0);
	ck_assert_uint_eq(r[0], 0xee);			/* its buffer untouched */
	fence_done(fence_opaque, 3);			/* a late fence finds nothing */

	/* a new session: resource 1 is gone */
	nreq = 0;
	driver_up();
	fl.hdr.flags = 0;
	r = offer(&q0, 0, &fl, sizeof(fl), 24);
	ck_assert_int_eq(fakeq_wait_used(&q0, NULL, &len, 5000), 1);
	ck_assert_uint_eq(resp_type(r), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	r = offer(&q0, 0, &c, sizeof(c), 24);
	ck_assert_int_eq(fakeq_wait_used(&q0, NULL, &len, 5000), 1);
	ck_assert_uint_eq(resp_type(r), VIRTIO_GPU_RESP_OK_NODATA);
}
END_TEST

START_TEST(destroy_with_requests_in_flight)
{
	struct virtio_gpu_ctrl_hdr f = { .type = VIRTIO_GPU_CMD_GET_DISPLAY_INFO, .flags = VIRTIO_GPU_FLAG_FENCE,
					 .fence_id = 1 };

	driver_up();
	for (unsigned int i = 0; i < 8; i++)
		offer(&q0, 0, &f, sizeof(f), 24);
	/* teardown destroys the device with fenced requests parked (ASan: nothing leaks or is used after free) */
}
END_TEST

START_TEST(control_chain_without_a_writable_buffer_is_a_fault)
{
	struct virtio_gpu_ctrl_hdr h = { .type = VIRTIO_GPU_CMD_GET_DISPLAY_INFO };

	driver_up();
	offer(&q0, 0, &h, sizeof(h), 0);
	for (int i = 0; i < 500 && !(fakedrv_status(&d) & VIRTIO_STATUS_NEEDS_RESET); i++)
		usleep(2000);
	ck_assert(fakedrv_status(&d) & VIRTIO_STATUS_NEEDS_RESET);
}
END_TEST

START_TEST(cursor_queue_takes_requests_without_answers)
{
	struct virtio_gpu_update_cursor m = { { .type = VIRTIO_GPU_CMD_MOVE_CURSOR }, { 0, 3, 4, 0 }, 0, 0, 0, 0 };
	uint32_t len;

	driver_up();
	offer(&q1, 1, &m, sizeof(m), 0);
	ck_assert_int_eq(fakeq_wait_used(&q1, NULL, &len, 5000), 1);
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(dd.cursors, 1);
	ck_assert(!(fakedrv_status(&d) & VIRTIO_STATUS_NEEDS_RESET));
}
END_TEST

/* Requests of GPU_REQ_MAX bytes each, fenced and parked: the device stops taking more at its budget, and goes on once answers go back. */
START_TEST(queued_requests_are_bounded)
{
	struct virtio_gpu_ctrl_hdr f = { .type = VIRTIO_GPU_CMD_GET_DISPLAY_INFO, .flags = VIRTIO_GPU_FLAG_FENCE,
					 .fence_id = 1 };
	const unsigned int n = 24;
	uint64_t big = 32ull << 20;	/* every request's bytes, the same guest range */
	uint32_t id, len;

	driver_up();
	memcpy(testvm_hva(&vm, big, sizeof(f)), &f, sizeof(f));
	for (unsigned int i = 0; i < n; i++) {
		struct fakeq_buf b[2] = { { big, GPU_REQ_MAX, false }, { REQ_GPA + i * 0x1000, 0x800, true } };

		fakeq_offer(&q0, fakeq_chain(&q0, (uint16_t)(i * 2), b, 2));
	}
	fakedrv_kick(&d, 0);
	usleep(300000);
	ck_assert_uint_gt(__atomic_load_n(&fences_made, __ATOMIC_SEQ_CST), 0);
	ck_assert_uint_lt(__atomic_load_n(&fences_made, __ATOMIC_SEQ_CST), n);
	for (unsigned int got = 0; got < n;) {
		fence_done(fence_opaque, 1);
		while (fakeq_wait_used(&q0, &id, &len, 200) == 1)
			got++;
		ck_assert_uint_gt(__atomic_load_n(&fences_made, __ATOMIC_SEQ_CST), got > 0 ? got - 1 : 0);
	}
	ck_assert_uint_eq(__atomic_load_n(&fences_made, __ATOMIC_SEQ_CST), n);
}
END_TEST

void gpu_dev_tests(TCase *t)
{
	tcase_add_checked_fixture(t, dev_setup, dev_teardown);
	tcase_add_test(t, config_space_and_display_info);
	tcase_add_test(t, fenced_answer_waits_for_its_fence);
	tcase_add_test(t, reset_with_a_fenced_request_in_flight);
	tcase_add_test(t, destroy_with_requests_in_flight);
	tcase_add_test(t, control_chain_without_a_writable_buffer_is_a_fault);
	tcase_add_test(t, cursor_queue_takes_requests_without_answers);
	tcase_add_test(t, queued_requests_are_bounded);
}
