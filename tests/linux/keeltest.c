/* keeltest: the Linux guest's helper for the virtio checks and make bench-linux-io (built static): block I/O at a depth, discard and write-zeroes, TCP with checksums, a NIC's offloads, timed block I/O, vsock echo both ways. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/fs.h>
#include <linux/sockios.h>
#include <linux/vm_sockets.h>
#include <net/if.h>
#include <signal.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BLOCK 4096u

/* The word @w of block @blk written with @seed (tests/linux/virtio_host.py computes the same). */
static uint64_t pattern(uint64_t seed, uint64_t blk, uint64_t w)
{
	uint64_t z = seed ^ (blk * 0x9e3779b97f4a7c15ull) ^ (w * 0xbf58476d1ce4e5b9ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The i-th of n distinct blocks of a device of @total blocks: a stride coprime with @total. */
static uint64_t block_at(uint64_t i, uint64_t total)
{
	uint64_t stride = 7919;

	while (total % stride == 0)
		stride += 2;
	return (i * stride + 11) % total;
}

struct job {
	int fd;
	uint64_t seed, total, first, n;	/* blocks [first, first + n) of the sequence */
	int write;
	long bad;			/* verify: blocks that read wrong; -errno when I/O failed */
	uint64_t bad_blk;
};

static void *blk_worker(void *arg)
{
	struct job *j = arg;
	uint64_t *buf;

	if (posix_memalign((void **)&buf, BLOCK, BLOCK)) {
		j->bad = -ENOMEM;
		return NULL;
	}
	for (uint64_t i = j->first; i < j->first + j->n; i++) {
		uint64_t blk = block_at(i, j->total);
		off_t off = (off_t)(blk * BLOCK);

		if (j->write) {
			for (unsigned int w = 0; w < BLOCK / 8; w++)
				buf[w] = pattern(j->seed, blk, w);
			if (pwrite(j->fd, buf, BLOCK, off) != BLOCK) {
				j->bad = -errno;
				break;
			}
			continue;
		}
		if (pread(j->fd, buf, BLOCK, off) != BLOCK) {
			j->bad = -errno;
			break;
		}
		for (unsigned int w = 0; w < BLOCK / 8; w++)
			if (buf[w] != pattern(j->seed, blk, w)) {
				if (!j->bad++)
					j->bad_blk = blk;
				break;
			}
	}
	free(buf);
	return NULL;
}

/* Run @depth threads over @n blocks, writing or verifying; 0 when every block was right. */
static int blk_pass(int fd, uint64_t seed, uint64_t total, uint64_t n, unsigned int depth, int write)
{
	struct job jobs[64];
	pthread_t t[64];
	int ret = 0;

	for (unsigned int k = 0; k < depth; k++) {
		jobs[k] = (struct job){ .fd = fd, .seed = seed, .total = total, .write = write,
					.first = n * k / depth, .n = n * (k + 1) / depth - n * k / depth };
		if (pthread_create(&t[k], NULL, blk_worker, &jobs[k]))
			return -1;
	}
	for (unsigned int k = 0; k < depth; k++) {
		pthread_join(t[k], NULL);
		if (jobs[k].bad < 0) {
			fprintf(stderr, "keeltest: %s: %s\n", write ? "write" : "read", strerror((int)-jobs[k].bad));
			ret = -1;
		} else if (jobs[k].bad) {
			fprintf(stderr, "keeltest: %ld blocks read back wrong, the first at block %llu\n", jobs[k].bad,
				(unsigned long long)jobs[k].bad_blk);
			ret = -1;
		}
	}
	return ret;
}

/*
 * blkrand DEV DEPTH NBLOCKS SEED: write NBLOCKS scattered 4 KiB blocks of the device's first half
 * (the second is left to other checks) with DEPTH in flight, then read every one back.
 */
static int cmd_blkrand(char **a)
{
	unsigned int depth = (unsigned int)strtoul(a[1], NULL, 0);
	uint64_t n = strtoull(a[2], NULL, 0), seed = strtoull(a[3], NULL, 0), bytes;
	int fd = open(a[0], O_RDWR | O_DIRECT), ret;
	struct stat st;

	if (fd >= 0 && ioctl(fd, BLKGETSIZE64, &bytes) < 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		bytes = (uint64_t)st.st_size;	/* a file: the host's own trial run */
	else if (fd >= 0 && ioctl(fd, BLKGETSIZE64, &bytes) < 0)
		fd = -1;
	if (fd < 0) {
		fprintf(stderr, "keeltest: %s: %s\n", a[0], strerror(errno));
		return 1;
	}
	if (!depth || depth > 64 || !n || n > bytes / BLOCK / 2) {
		fprintf(stderr, "keeltest: depth 1-64 and 1 to %llu blocks\n", (unsigned long long)(bytes / BLOCK / 2));
		return 1;
	}
	ret = blk_pass(fd, seed, bytes / BLOCK / 2, n, depth, 1);
	if (!ret && fdatasync(fd) < 0)
		ret = -1;
	if (!ret)
		ret = blk_pass(fd, seed, bytes / BLOCK / 2, n, depth, 0);
	close(fd);
	if (!ret)
		printf("keeltest: %s: %llu blocks written and read back at depth %u\n", a[0], (unsigned long long)n, depth);
	return ret ? 1 : 0;
}

/* zero DEV OFFSET LENGTH discard|zeroout: the ioctl, then the range must read back as zeros. */
static int cmd_zero(char **a)
{
	uint64_t range[2] = { strtoull(a[1], NULL, 0), strtoull(a[2], NULL, 0) };
	int discard = !strcmp(a[3], "discard"), fd = open(a[0], O_RDWR | O_DIRECT);
	unsigned char *buf;

	if (fd < 0 || ioctl(fd, discard ? BLKDISCARD : BLKZEROOUT, range) < 0) {
		fprintf(stderr, "keeltest: %s %s: %s\n", a[0], a[3], strerror(errno));
		return 1;
	}
	if (posix_memalign((void **)&buf, BLOCK, BLOCK))
		return 1;
	for (uint64_t off = range[0]; off < range[0] + range[1]; off += BLOCK) {
		if (pread(fd, buf, BLOCK, (off_t)off) != BLOCK) {
			fprintf(stderr, "keeltest: read at %llu: %s\n", (unsigned long long)off, strerror(errno));
			return 1;
		}
		for (unsigned int k = 0; k < BLOCK; k++)
			if (buf[k]) {
				fprintf(stderr, "keeltest: byte %llu is %#x after %s\n", (unsigned long long)off + k, buf[k],
					a[3]);
				return 1;
			}
	}
	printf("keeltest: %s: %llu bytes at %llu read back as zeros after %s\n", a[0], (unsigned long long)range[1],
	       (unsigned long long)range[0], a[3]);
	close(fd);
	free(buf);
	return 0;
}

struct bench_job {
	int fd;
	int write, random;
	uint64_t bs, start, span;	/* its region of the device: [start, start + span) */
	double until;			/* CLOCK_MONOTONIC seconds */
	uint64_t ops;
	int err;
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *bench_worker(void *arg)
{
	struct bench_job *j = arg;
	uint64_t x = 0x9e3779b97f4a7c15ull ^ j->start, nblk = j->span / j->bs, k = 0;
	void *buf;

	if (posix_memalign(&buf, BLOCK, j->bs)) {
		j->err = ENOMEM;
		return NULL;
	}
	memset(buf, 0x5a, j->bs);
	while (now() < j->until) {
		for (unsigned int b = 0; b < 16; b++, k++) {	/* the clock every 16 requests */
			uint64_t blk;
			ssize_t r;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			blk = j->random ? x % nblk : k % nblk;
			r = j->write ? pwrite(j->fd, buf, j->bs, (off_t)(j->start + blk * j->bs))
				     : pread(j->fd, buf, j->bs, (off_t)(j->start + blk * j->bs));
			if (r != (ssize_t)j->bs) {
				j->err = r < 0 ? errno : EIO;
				free(buf);
				return NULL;
			}
			j->ops++;
		}
	}
	free(buf);
	return NULL;
}

/*
 * bench DEV read|write|randread|randwrite BS DEPTH SECONDS: O_DIRECT requests of BS bytes with
 * DEPTH in flight (a thread each; sequential: each thread walks its own slice) for SECONDS;
 * prints MB/s and IOPS. The host runs the same binary on the image to compare.
 */
static int cmd_bench(char **a)
{
	struct bench_job jobs[64];
	pthread_t t[64];
	uint64_t bs = strtoull(a[2], NULL, 0), bytes, ops = 0;
	unsigned int depth = (unsigned int)strtoul(a[3], NULL, 0);
	int write = strstr(a[1], "write") != NULL, random = !strncmp(a[1], "rand", 4);
	int fd = open(a[0], (write ? O_RDWR : O_RDONLY) | O_DIRECT);
	double t0, secs = strtod(a[4], NULL);
	struct stat st;

	if (fd < 0 || (ioctl(fd, BLKGETSIZE64, &bytes) < 0 && (fstat(fd, &st) < 0 || !(bytes = (uint64_t)st.st_size)))) {
		fprintf(stderr, "keeltest: %s: %s\n", a[0], strerror(errno));
		return 1;
	}
	if (!bs || bs % BLOCK || !depth || depth > 64 || bytes < bs * depth || secs <= 0) {
		fprintf(stderr, "keeltest: bench: BS a multiple of 4096, DEPTH 1-64, SECONDS > 0\n");
		return 1;
	}
	t0 = now();
	for (unsigned int k = 0; k < depth; k++) {
		uint64_t span = random ? bytes / bs * bs : bytes / depth / bs * bs;

		jobs[k] = (struct bench_job){ .fd = fd, .write = write, .random = random, .bs = bs,
					      .start = random ? 0 : span * k, .span = span, .until = t0 + secs };
		if (pthread_create(&t[k], NULL, bench_worker, &jobs[k]))
			return 1;
	}
	for (unsigned int k = 0; k < depth; k++) {
		pthread_join(t[k], NULL);
		if (jobs[k].err) {
			fprintf(stderr, "keeltest: bench %s: %s\n", a[1], strerror(jobs[k].err));
			return 1;
		}
		ops += jobs[k].ops;
	}
	secs = now() - t0;
	close(fd);
	printf("keeltest: bench %s bs=%llu depth=%u: %.1f MB/s %.0f IOPS in %.1f s\n", a[1], (unsigned long long)bs,
	       depth, (double)(ops * bs) / secs / 1e6, (double)ops / secs, secs);
	return 0;
}

/*
 * Pseudo-random bytes made in user space: the kernel's generator (getrandom, /dev/urandom) runs in
 * ring 0, which kvm_pvm hosts emulate an instruction at a time; this runs natively.
 */
static void fill_random(unsigned char *p, size_t n, uint64_t *state)
{
	for (size_t i = 0; i < n; i++) {
		if (i % 8 == 0) {
			*state ^= *state << 13;
			*state ^= *state >> 7;
			*state ^= *state << 17;
		}
		p[i] = (unsigned char)(*state >> (8 * (i % 8)));
	}
}

/* randfile PATH BYTES SEED [OFFSET]: write BYTES pseudo-random bytes at OFFSET of PATH (created if missing), then fsync. */
static int cmd_randfile(char **a, int n)
{
	uint64_t want = strtoull(a[1], NULL, 0), state = strtoull(a[2], NULL, 0) | 1, done = 0;
	off_t off = n > 3 ? (off_t)strtoull(a[3], NULL, 0) : 0;
	int fd = open(a[0], O_WRONLY | O_CREAT, 0644);
	static unsigned char buf[65536];

	if (fd < 0) {
		fprintf(stderr, "keeltest: %s: %s\n", a[0], strerror(errno));
		return 1;
	}
	while (done < want) {
		size_t k = want - done < sizeof(buf) ? (size_t)(want - done) : sizeof(buf);

		fill_random(buf, k, &state);
		if (pwrite(fd, buf, k, off + (off_t)done) != (ssize_t)k) {
			fprintf(stderr, "keeltest: %s: %s\n", a[0], strerror(errno));
			return 1;
		}
		done += k;
	}
	if (fsync(fd) < 0) {
		fprintf(stderr, "keeltest: fsync %s: %s\n", a[0], strerror(errno));
		return 1;
	}
	close(fd);
	return 0;
}

static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

/* tcp-serve PORT BYTES: take one connection, read it to its end, send BYTES pseudo-random bytes back; print both CRC-32s. */
static int cmd_tcp_serve(char **a)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(a[0])) };
	unsigned long long want = strtoull(a[1], NULL, 0), got = 0, sent = 0;
	int one = 1, ls = socket(AF_INET, SOCK_STREAM, 0), s;
	uint32_t rx = 0, tx = 0;
	static unsigned char buf[65536];
	uint64_t state = 0x2545f4914f6cdd1dull;
	ssize_t r;

	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 1) < 0) {
		fprintf(stderr, "keeltest: listen: %s\n", strerror(errno));
		return 1;
	}
	printf("keeltest: tcp listening on %s\n", a[0]);
	fflush(stdout);
	s = accept(ls, NULL, NULL);
	if (s < 0)
		return 1;
	while ((r = read(s, buf, sizeof(buf))) > 0) {
		rx = crc32_update(rx, buf, (size_t)r);
		got += (unsigned long long)r;
	}
	while (r == 0 && sent < want) {
		size_t n = want - sent < sizeof(buf) ? (size_t)(want - sent) : sizeof(buf);

		fill_random(buf, n, &state);
		if (write(s, buf, n) != (ssize_t)n) {
			r = -1;
			break;
		}
		tx = crc32_update(tx, buf, n);
		sent += n;
	}
	close(s);
	close(ls);
	printf("keeltest: tcp received %llu bytes crc32 %08x, sent %llu bytes crc32 %08x\n", got, rx, sent, tx);
	return r < 0 ? 1 : 0;
}

#define VSOCK_DEADLINE 900	/* seconds a vsock command may take (SIGALRM ends it: a failed check, not a hang) */

/* One echoed vsock connection: read to the end, write each byte back. */
static void *vsock_echo(void *arg)
{
	unsigned char own[4096];
	int s = (int)(intptr_t)arg;
	ssize_t r;

	while ((r = read(s, own, sizeof(own))) > 0)
		for (ssize_t off = 0; off < r;) {
			ssize_t w = write(s, own + off, (size_t)(r - off));

			if (w <= 0)
				goto out;
			off += w;
		}
out:
	close(s);
	return NULL;
}

/* vsock-listen PORT N: accept N connections on vsock port PORT (any cid), each echoed by a thread until its end. */
static int cmd_vsock_listen(char **a)
{
	struct sockaddr_vm sa = { .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY, .svm_port = (unsigned int)atoi(a[0]) };
	int n = atoi(a[1]), ls = socket(AF_VSOCK, SOCK_STREAM, 0);
	pthread_t *t = calloc((size_t)(n > 0 ? n : 1), sizeof(*t));

	alarm(VSOCK_DEADLINE);
	if (!t || ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, n) < 0) {
		fprintf(stderr, "keeltest: vsock listen %s: %s\n", a[0], strerror(errno));
		return 1;
	}
	printf("keeltest: vsock listening on %s\n", a[0]);
	fflush(stdout);
	for (int i = 0; i < n; i++) {
		int s = accept(ls, NULL, NULL);

		if (s < 0 || pthread_create(&t[i], NULL, vsock_echo, (void *)(intptr_t)s)) {
			fprintf(stderr, "keeltest: vsock accept %d: %s\n", i, strerror(errno));
			return 1;
		}
	}
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	close(ls);
	printf("keeltest: vsock served %d connections on %s\n", n, a[0]);
	return 0;
}

struct vsock_sender {
	int s;
	unsigned long long bytes;
	uint64_t state;
	int err;
};

static void *vsock_send(void *arg)
{
	struct vsock_sender *v = arg;
	static unsigned char buf[8192];
	unsigned long long sent = 0;

	while (sent < v->bytes) {
		size_t n = v->bytes - sent < sizeof(buf) ? (size_t)(v->bytes - sent) : sizeof(buf);

		fill_random(buf, n, &v->state);
		for (size_t off = 0; off < n;) {
			ssize_t w = write(v->s, buf + off, n - off);

			if (w <= 0) {
				v->err = errno ? errno : EIO;
				return NULL;
			}
			off += (size_t)w;
		}
		sent += n;
	}
	shutdown(v->s, SHUT_WR);
	return NULL;
}

/* vsock-connect CID PORT BYTES: send BYTES pseudo-random bytes to CID:PORT, read them back, compare. */
static int cmd_vsock_connect(char **a)
{
	struct sockaddr_vm sa = { .svm_family = AF_VSOCK, .svm_cid = (unsigned int)atoi(a[0]),
				  .svm_port = (unsigned int)atoi(a[1]) };
	struct vsock_sender v = { .bytes = strtoull(a[2], NULL, 0), .state = 0x9e3779b97f4a7c15ull ^ sa.svm_port };
	uint64_t check = v.state;
	static unsigned char got[8192], want[8192];
	unsigned long long n = 0;
	pthread_t t;
	ssize_t r;

	alarm(VSOCK_DEADLINE);
	v.s = socket(AF_VSOCK, SOCK_STREAM, 0);
	if (v.s < 0 || connect(v.s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "keeltest: vsock connect %s:%s: %s\n", a[0], a[1], strerror(errno));
		return 1;
	}
	if (pthread_create(&t, NULL, vsock_send, &v))
		return 1;
	while ((r = read(v.s, got, sizeof(got))) > 0) {
		/* the echo comes back in pieces of any size: compare against the same sequence, regenerated */
		for (ssize_t i = 0; i < r; i++, n++) {
			if (n % sizeof(want) == 0)
				fill_random(want, v.bytes - n < sizeof(want) ? (size_t)(v.bytes - n) : sizeof(want), &check);
			if (n >= v.bytes || got[i] != want[n % sizeof(want)]) {
				fprintf(stderr, "keeltest: vsock %s:%s: byte %llu differs\n", a[0], a[1], n);
				return 1;
			}
		}
	}
	pthread_join(t, NULL);
	close(v.s);
	if (v.err || n != v.bytes) {
		fprintf(stderr, "keeltest: vsock %s:%s: sent %s, %llu bytes back (%s)\n", a[0], a[1], a[2], n,
			strerror(v.err));
		return 1;
	}
	printf("keeltest: vsock %s:%s: %llu bytes echoed byte for byte\n", a[0], a[1], n);
	return 0;
}

/* offloads IFNAME: what the driver turned on, by the ethtool ioctls. */
static int cmd_offloads(char **a)
{
	static const struct {
		const char *name;
		uint32_t cmd;
	} q[] = { { "rx-checksum", ETHTOOL_GRXCSUM }, { "tx-checksum", ETHTOOL_GTXCSUM }, { "sg", ETHTOOL_GSG },
		  { "tso", ETHTOOL_GTSO }, { "gso", ETHTOOL_GGSO }, { "gro", ETHTOOL_GGRO } };
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	printf("keeltest: %s offloads:", a[0]);
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		struct ethtool_value v = { .cmd = q[i].cmd };
		struct ifreq ifr = { .ifr_data = (char *)&v };

		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", a[0]);
		if (ioctl(s, SIOCETHTOOL, &ifr) < 0) {
			fprintf(stderr, "\nkeeltest: %s %s: %s\n", a[0], q[i].name, strerror(errno));
			return 1;
		}
		printf(" %s=%s", q[i].name, v.data ? "on" : "off");
	}
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int nargs, maxargs;
		int (*fn)(char **a);
	} cmds[] = { { "blkrand", 4, 4, cmd_blkrand }, { "zero", 4, 4, cmd_zero }, { "tcp-serve", 2, 2, cmd_tcp_serve },
		     { "offloads", 1, 1, cmd_offloads }, { "bench", 5, 5, cmd_bench }, { "randfile", 3, 4, NULL },
		     { "vsock-listen", 2, 2, cmd_vsock_listen }, { "vsock-connect", 3, 3, cmd_vsock_connect } };

	for (size_t i = 0; argc > 1 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name)) {
			if (argc < cmds[i].nargs + 2 || argc > cmds[i].maxargs + 2) {
				fprintf(stderr, "keeltest %s: %d arguments\n", argv[1], cmds[i].nargs);
				return 2;
			}
			return cmds[i].fn ? cmds[i].fn(argv + 2) : cmd_randfile(argv + 2, argc - 2);
		}
	fprintf(stderr, "usage: keeltest blkrand DEV DEPTH NBLOCKS SEED | zero DEV OFF LEN discard|zeroout |\n"
			"                tcp-serve PORT BYTES | offloads IFNAME |\n"
			"                bench DEV read|write|randread|randwrite BS DEPTH SECONDS |\n"
			"                randfile PATH BYTES SEED [OFFSET] |\n"
			"                vsock-listen PORT N | vsock-connect CID PORT BYTES\n");
	return 2;
}
