/* bench-blk: keel's virtio-blk path (virtqueue in guest RAM, ioeventfd kick, I/O thread, irqfd) next to raw io_uring, 4 KiB random reads at QD 32. */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "devices/virtio/pci.h"
#include "tests/virtio/fakedrv.h"
#include "tests/virtio/testvm.h"
#include "vmm/log.h"

#define QD 32u
#define BS 4096u
#define RING_GPA 0x100000ull
#define REQ_GPA 0x200000ull	/* slot k: header at +0, status at +0x200, data at +0x1000 (page aligned) */
#define REQ_STRIDE 0x2000ull

struct result {
	double iops, cpu_us;	/* per second; CPU microseconds per request */
};

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

/* Raw io_uring: QD reads kept in flight on @path (O_DIRECT), a registered file, for @secs. */
static struct result bench_raw(const char *path, uint64_t blocks, double secs)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	struct result r = { 0 };
	unsigned long done = 0;
	void *buf[QD];
	double t0, c0, t;
	int fd = open(path, O_RDONLY | O_DIRECT);

	if (fd < 0)
		fd = open(path, O_RDONLY);
	if (fd < 0 || io_uring_queue_init(2 * QD, &ring, 0) < 0 || io_uring_register_files(&ring, &fd, 1) < 0) {
		fprintf(stderr, "bench-blk: cannot set up raw io_uring on %s\n", path);
		exit(1);
	}
	for (unsigned int i = 0; i < QD; i++)
		if (posix_memalign(&buf[i], BS, BS))
			exit(1);
	t0 = now();
	c0 = cpu();
	for (uintptr_t i = 0; i < QD; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

		io_uring_prep_read(sqe, 0, buf[i], BS, (rnd() % blocks) * BS);
		sqe->flags |= IOSQE_FIXED_FILE;
		io_uring_sqe_set_data(sqe, (void *)i);
	}
	for (;;) {
		unsigned int head, n = 0;

		io_uring_submit_and_wait(&ring, 1);
		io_uring_for_each_cqe(&ring, head, cqe) {
			uintptr_t i = (uintptr_t)io_uring_cqe_get_data(cqe);
			struct io_uring_sqe *sqe;

			if (cqe->res != (int)BS) {
				fprintf(stderr, "bench-blk: raw read failed: %d\n", cqe->res);
				exit(1);
			}
			n++;
			sqe = io_uring_get_sqe(&ring);
			io_uring_prep_read(sqe, 0, buf[i], BS, (rnd() % blocks) * BS);
			sqe->flags |= IOSQE_FIXED_FILE;
			io_uring_sqe_set_data(sqe, (void *)i);
		}
		io_uring_cq_advance(&ring, n);
		done += n;
		if ((done & 255) < n && now() - t0 >= secs)
			break;
	}
	t = now() - t0;
	r.iops = done / t;
	r.cpu_us = (cpu() - c0) * 1e6 / done;
	/* Let the reads still in flight land before their buffers go. */
	for (unsigned int left = QD; left > 0;) {
		unsigned int head, n = 0;

		io_uring_submit_and_wait(&ring, 1);
		io_uring_for_each_cqe(&ring, head, cqe)
			n++;
		io_uring_cq_advance(&ring, n);
		left -= n < left ? n : left;
	}
	io_uring_queue_exit(&ring);
	for (unsigned int i = 0; i < QD; i++)
		free(buf[i]);
	close(fd);
	return r;
}

/* The driver side: request slot @k reads a random 4 KiB block. */
static void post_read(struct fakeq *q, struct vm *vm, unsigned int k, uint64_t blocks)
{
	uint64_t base = REQ_GPA + k * REQ_STRIDE;
	struct virtio_blk_req_hdr *h = testvm_hva(vm, base, sizeof(*h));
	const struct fakeq_buf b[] = { { base, 16, false }, { base + 0x1000, BS, true }, { base + 0x200, 1, true } };

	*h = (struct virtio_blk_req_hdr){ .type = VIRTIO_BLK_T_IN, .sector = (rnd() % blocks) * (BS / 512) };
	q->avail->ring[q->avail_idx % q->size] = fakeq_chain(q, (uint16_t)(3 * k), b, 3);
	q->avail_idx++;
}

/* Publish new entries and kick the ioeventfd when the device asked for it (EVENT_IDX). */
static void publish_and_kick(struct fakeq *q, uint16_t old, int kick_fd)
{
	static const uint64_t one = 1;
	uint16_t ev;

	__atomic_store_n(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	ev = fakeq_avail_event(q);
	if ((uint16_t)(q->avail_idx - ev - 1) < (uint16_t)(q->avail_idx - old) && write(kick_fd, &one, 8) != 8)
		exit(1);
}

/* keel's virtio-blk on @path through the PCI transport: the guest's kick is the ioeventfd, its interrupt the irqfd. */
static struct result bench_keel(const char *path, uint64_t blocks, double secs)
{
	struct virtio_config c = { .transport = VIRTIO_TRANSPORT_PCI, .ndisks = 1 };
	struct result r = { 0 };
	unsigned long done = 0;
	struct fakedrv d;
	struct fakeq q;
	struct vm vm;
	double t0, c0, t;
	int kick, irq;
	uint16_t old;

	c.disks[0] = testvm_disk(path, true, NULL);
	if (testvm_start(&vm, &c) != 0 || fakedrv_open_pci(&d, &vm, 1) != 0 || fakedrv_init(&d, ~0ull, NULL) != 0) {
		fprintf(stderr, "bench-blk: cannot start virtio-blk on %s\n", path);
		exit(1);
	}
	fakedrv_msix_enable(&d);
	fakedrv_msix_vector(&d, 1, 0xfee00000, 0x41, false);
	fakeq_init(&q, &vm.plat.mem, RING_GPA, 128);
	fakedrv_queue(&d, 0, &q, 1);
	fakedrv_driver_ok(&d);
	kick = vm.virtio->slots[0].dev->kick_fd[0];
	irq = virtio_pci_vector_fd(vm.virtio->slots[0].pci, 1);

	t0 = now();
	c0 = cpu();
	old = q.avail_idx;
	for (unsigned int k = 0; k < QD; k++)
		post_read(&q, &vm, k, blocks);
	fakeq_set_used_event(&q, 0);
	publish_and_kick(&q, old, kick);
	for (bool wait = true;;) {
		struct pollfd p = { .fd = irq, .events = POLLIN };
		uint32_t id;
		unsigned int n = 0;

		if (wait && poll(&p, 1, 5000) != 1) {
			fprintf(stderr, "bench-blk: no interrupt from virtio-blk\n");
			exit(1);
		}
		fakedrv_irqs(irq);
		old = q.avail_idx;
		while (fakeq_used(&q, &id, NULL)) {
			unsigned int k = id / 3;

			if (*(uint8_t *)testvm_hva(&vm, REQ_GPA + k * REQ_STRIDE + 0x200, 1) != VIRTIO_BLK_S_OK) {
				fprintf(stderr, "bench-blk: virtio-blk read failed\n");
				exit(1);
			}
			post_read(&q, &vm, k, blocks);
			n++;
		}
		/* ask for an interrupt at the next completion, then re-check (as a driver does) */
		fakeq_set_used_event(&q, q.used_seen);
		publish_and_kick(&q, old, kick);
		wait = __atomic_load_n(&q.used->idx, __ATOMIC_ACQUIRE) == q.used_seen;
		done += n;
		if ((done & 255) < n && now() - t0 >= secs)
			break;
	}
	t = now() - t0;
	r.iops = done / t;
	r.cpu_us = (cpu() - c0) * 1e6 / done;
	testvm_stop(&vm);
	return r;
}

/* Fill @path with @size bytes of data (so that reads hit the disk, not holes). */
static void make_file(const char *path, uint64_t size)
{
	struct stat st;
	char *buf = malloc(1 << 20);
	int fd;

	if (stat(path, &st) == 0 && (uint64_t)st.st_size == size)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || !buf) {
		fprintf(stderr, "bench-blk: cannot create %s: %s\n", path, strerror(errno));
		exit(1);
	}
	for (uint64_t off = 0; off < size; off += 1 << 20) {
		for (unsigned int i = 0; i < (1 << 20) / 8; i++)
			((uint64_t *)buf)[i] = rnd();
		if (write(fd, buf, 1 << 20) != 1 << 20)
			exit(1);
	}
	fsync(fd);
	close(fd);
	free(buf);
}

static const char *kvm_flavour(void)
{
	if (access("/sys/module/kvm_pvm", F_OK) == 0)
		return "kvm_pvm";
	if (access("/sys/module/kvm_intel", F_OK) == 0)
		return "kvm_intel";
	if (access("/sys/module/kvm_amd", F_OK) == 0)
		return "kvm_amd";
	return "unknown";
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/var/tmp/keel-bench-blk.img";
	double secs = argc > 2 ? atof(argv[2]) : 5.0;
	uint64_t size = 1ull << 30, blocks = size / BS;
	struct result raw[2], keel[2];
	struct utsname u;
	char date[32];
	time_t tt = time(NULL);
	int probe;

	log_set_level(LOG_ERROR);
	make_file(path, size);
	probe = open(path, O_RDONLY | O_DIRECT);
	uname(&u);
	strftime(date, sizeof(date), "%Y-%m-%d", localtime(&tt));
	printf("bench-blk %s: 4 KiB random reads, queue depth %u, %s, %s (%llu MiB), %.0f s per run, 2 rounds\n",
	       date, QD, probe >= 0 ? "O_DIRECT" : "buffered (no O_DIRECT here)", path,
	       (unsigned long long)(size >> 20), secs);
	printf("host: Linux %s, KVM flavour %s, %ld CPUs\n", u.release, kvm_flavour(), sysconf(_SC_NPROCESSORS_ONLN));
	if (probe >= 0)
		close(probe);
	for (int round = 0; round < 2; round++) {
		raw[round] = bench_raw(path, blocks, secs);
		keel[round] = bench_keel(path, blocks, secs);
	}
	{
		double ri = (raw[0].iops + raw[1].iops) / 2, rc = (raw[0].cpu_us + raw[1].cpu_us) / 2;
		double ki = (keel[0].iops + keel[1].iops) / 2, kc = (keel[0].cpu_us + keel[1].cpu_us) / 2;

		printf("%-34s %10s %18s\n", "", "IOPS", "CPU us/request");
		printf("%-34s %10.0f %18.2f\n", "raw io_uring (registered file)", ri, rc);
		printf("%-34s %10.0f %18.2f\n", "keel virtio-blk (PCI, MSI-X)", ki, kc);
		printf("%-34s %10.2f %18.2f\n", "keel / raw", ki / ri, kc / rc);
		printf("rounds: raw %.0f / %.0f IOPS, keel %.0f / %.0f IOPS\n", raw[0].iops, raw[1].iops, keel[0].iops,
		       keel[1].iops);
	}
	return 0;
}
