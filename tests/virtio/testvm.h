/* A VM for device tests without KVM: buses, guest RAM, and keel's virtio machine from a virtio_config. */
#ifndef KEEL_TESTS_VIRTIO_TESTVM_H
#define KEEL_TESTS_VIRTIO_TESTVM_H

#include <stddef.h>
#include <stdint.h>

#include "devices/virtio/host.h"
#include "vmm/vm.h"

#define TESTVM_RAM (64ull << 20)

/*
 * testvm_start - vm_init, TESTVM_RAM of guest RAM, then virtio_prepare and virtio_create with
 * @c (vm_fd is -1: no KVM; notifications take the register path, interrupts are eventfds the
 * test reads). The VM takes over @c's strings (heap copies: testvm_disk, strdup): testvm_stop
 * frees them. Returns 0, or the exit status / -errno that failed.
 */
int testvm_start(struct vm *vm, const struct virtio_config *c);

/* testvm_stop - virtio_destroy, vm_destroy, and free the strings of the VM's virtio_config. */
void testvm_stop(struct vm *vm);

/* testvm_image - create a temporary image of @size bytes filled with @fill; its path into @path. 0 or -errno. */
int testvm_image(char *path, size_t len, uint64_t size, uint8_t fill);

/* testvm_disk - a virtio_config disk entry for @path, with its own copies of the strings (NULL strings when out of memory). */
struct virtio_disk_opts testvm_disk(const char *path, bool readonly, const char *id);

/* testvm_hva - host pointer of guest range [@gpa, @gpa + @len). */
void *testvm_hva(struct vm *vm, uint64_t gpa, uint64_t len);

/* testvm_capture_stderr / testvm_release_stderr - send fd 2 to a temporary file; get its text back (malloc'd). */
int testvm_capture_stderr(void);
char *testvm_release_stderr(int saved);

/* testvm_count - occurrences of @needle in @text. */
unsigned int testvm_count(const char *text, const char *needle);

#endif
