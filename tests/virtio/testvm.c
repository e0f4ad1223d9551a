/* Test VMs for the virtio device tests: a struct vm without KVM, temporary images, stderr capture. */
#include "tests/virtio/testvm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/device_types.h"
#include "vmm/exit_status.h"

int testvm_start(struct vm *vm, const struct virtio_config *c)
{
	struct vm_config cfg = { .cmdline = "", .mem_size = TESTVM_RAM, .ncpus = 1, .kvm_path = "/dev/kvm" };
	const struct virtio_type *types[DEVICE_TYPES_MAX];
	struct virtio_env env;
	int ret;

	cfg.virtio = *c;
	ret = vm_init(vm, &cfg);
	if (ret < 0)
		return ret;
	ret = gmem_init(&vm->plat.mem, TESTVM_RAM);
	if (ret < 0)
		return ret;
	device_types_ops(types);
	env = (struct virtio_env){ .stop = &vm->plat.stop };
	ret = virtio_prepare(&vm->cfg.virtio, types, (unsigned int)device_ntypes, &env, &vm->virtio);
	if (ret != KEEL_EXIT_OK)
		return ret;
	return virtio_create(vm->virtio, &vm->plat);
}

void testvm_stop(struct vm *vm)
{
	virtio_destroy(vm->virtio);
	vm->virtio = NULL;
	vm_destroy(vm);
	virtio_config_free(&vm->cfg.virtio);
}

int testvm_image(char *path, size_t len, uint64_t size, uint8_t fill)
{
	char buf[65536];
	int fd;

	snprintf(path, len, "/tmp/keel-test-disk.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	memset(buf, fill, sizeof(buf));
	for (uint64_t off = 0; off < size; off += sizeof(buf)) {
		size_t n = size - off < sizeof(buf) ? (size_t)(size - off) : sizeof(buf);

		if (pwrite(fd, buf, n, (off_t)off) != (ssize_t)n) {
			close(fd);
			return -EIO;
		}
	}
	if (size == 0 && ftruncate(fd, 0) < 0) {
		close(fd);
		return -errno;
	}
	close(fd);
	return 0;
}

struct virtio_disk_opts testvm_disk(const char *path, bool readonly, const char *id)
{
	struct virtio_disk_opts d = { .spec = strdup(path), .path = strdup(path), .readonly = readonly };

	if (id)
		snprintf(d.id, sizeof(d.id), "%s", id);
	return d;
}

void *testvm_hva(struct vm *vm, uint64_t gpa, uint64_t len)
{
	void *hva;

	return gmem_translate(&vm->plat.mem, gpa, len, &hva) == 0 ? hva : NULL;
}

int testvm_capture_stderr(void)
{
	FILE *f = tmpfile();
	int saved = dup(STDERR_FILENO);

	if (!f || saved < 0)
		return -1;
	dup2(fileno(f), STDERR_FILENO);
	fclose(f);	/* fd 2 keeps the file open */
	return saved;
}

char *testvm_release_stderr(int saved)
{
	off_t size = lseek(STDERR_FILENO, 0, SEEK_END);
	char *text = calloc(1, size > 0 ? (size_t)size + 1 : 1);

	if (text && size > 0 && pread(STDERR_FILENO, text, (size_t)size, 0) < 0)
		text[0] = '\0';
	dup2(saved, STDERR_FILENO);
	close(saved);
	return text;
}

unsigned int testvm_count(const char *text, const char *needle)
{
	unsigned int n = 0;

	for (const char *p = text; p && (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}
