/* Questions the kernel asks keel's flattened device tree (layout in firmware/machine.h), via libfdt. */
#ifndef KEEL_GUEST_KERNEL_DEVTREE_H
#define KEEL_GUEST_KERNEL_DEVTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dt_reg {
	uint64_t addr, size;
};

/*
 * One tree at a time, opened with devtree_open(). Node lookups go through an index built in a
 * single pass, not through libfdt's path and parent searches, which rescan the tree from the
 * start each time: that costs tens of thousands of instructions, slow where ring 0 is emulated.
 *
 * libfdt is built for user space and may use the red zone below %rsp: call all of these with
 * interrupts disabled only (the kernel runs with IF=0 throughout today).
 */

/* Check the header of @fdt (@size bytes available) and index its nodes. 0 or a negative libfdt error. */
int devtree_open(const void *fdt, uint64_t size);

/* True when the root node is compatible with KEEL_FDT_COMPATIBLE. */
bool devtree_is_keel(void);

/* /chosen bootargs, or NULL. */
const char *devtree_bootargs(void);

/* Offset of the node at absolute path @path (its first @len bytes), or a negative libfdt error. */
int devtree_path(const char *path, size_t len);

/* Offset of the node /chosen stdout-path names (options after ':' ignored), or a negative error. */
int devtree_stdout_node(void);

/*
 * The (address, size) pairs of @node's reg, decoded with its parent's #address-cells and #size-cells
 * (at most 2 each; /isa's (space, port) reads as space << 32 | port). Stores up to @max into @out and
 * returns how many pairs there are, or a negative libfdt error.
 */
int devtree_reg(int node, struct dt_reg *out, unsigned int max);

/* The ranges of /memory@0 reg: like devtree_reg(). */
int devtree_memory(struct dt_reg *out, unsigned int max);

/*
 * APIC ids (reg) of the /cpus children with device_type "cpu", up to @max into @ids. Returns how
 * many there are, or a negative libfdt error (also for a cpu node without a one-cell reg).
 */
int devtree_cpus(uint32_t *ids, unsigned int max);

/* True when node @node is compatible with @compat. */
bool devtree_compatible(int node, const char *compat);

/* Read the one-cell property @name of @node into *@v; 0 or a negative libfdt error. */
int devtree_u32(int node, const char *name, uint32_t *v);

/* libfdt's name for error @err. */
const char *devtree_strerror(int err);

#endif
