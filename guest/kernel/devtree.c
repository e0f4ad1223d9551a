/* Reading the device tree with libfdt through a node index: paths, parents, /chosen, /memory, /cpus, reg. */
#include "guest/kernel/devtree.h"

#include <libfdt.h>

#include "firmware/machine.h"
#include "guest/lib/string.h"

#define DEVTREE_MAX_NODES 256		/* keel's tree: about 12 nodes plus one per cpu */
#define DEVTREE_MAX_DEPTH 16

struct dt_node {
	int offset;			/* in the structure block */
	int parent;			/* index in nodes[], -1 for the root */
};

static const void *tree;
static struct dt_node nodes[DEVTREE_MAX_NODES];	/* in tree order, so by increasing offset */
static int nnodes;

/* Walk the whole tree once with fdt_next_node(), recording each node's parent. */
static int build_index(void)
{
	int last_at_depth[DEVTREE_MAX_DEPTH];
	int depth = 0, off = 0;

	nnodes = 0;
	nodes[nnodes++] = (struct dt_node){ .offset = 0, .parent = -1 };
	last_at_depth[0] = 0;
	for (;;) {
		off = fdt_next_node(tree, off, &depth);
		if (off < 0 || depth <= 0)
			break;
		if (depth >= DEVTREE_MAX_DEPTH || nnodes == DEVTREE_MAX_NODES)
			return -FDT_ERR_NOSPACE;
		nodes[nnodes] = (struct dt_node){ .offset = off, .parent = last_at_depth[depth - 1] };
		last_at_depth[depth] = nnodes++;
	}
	return off == -FDT_ERR_NOTFOUND || off >= 0 ? 0 : off;
}

int devtree_open(const void *fdt, uint64_t size)
{
	int err = fdt_check_header(fdt);

	if (err)
		return err;
	if (fdt_totalsize(fdt) > size)
		return -FDT_ERR_TRUNCATED;
	tree = fdt;
	err = build_index();
	if (err)
		tree = NULL;
	return err;
}

/* Index of the node at @offset (binary search), or -1. */
static int node_index(int offset)
{
	int lo = 0, hi = nnodes;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (nodes[mid].offset == offset)
			return mid;
		if (nodes[mid].offset < offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* True when node name @name matches path component @c (@clen bytes); "cpus" also matches "cpus@0". */
static bool name_matches(const char *name, int len, const char *c, size_t clen)
{
	if ((size_t)len == clen)
		return !memcmp(name, c, clen);
	return (size_t)len > clen && !memchr(c, '@', clen) && name[clen] == '@' && !memcmp(name, c, clen);
}

int devtree_path(const char *path, size_t len)
{
	const char *end = path + len;
	int cur = 0;

	if (!tree)
		return -FDT_ERR_BADSTATE;
	if (!len || *path != '/')
		return -FDT_ERR_BADPATH;
	while (path < end) {
		const char *c, *slash;
		size_t clen;
		int child = -1;

		while (path < end && *path == '/')
			path++;
		if (path == end)
			break;
		c = path;
		slash = memchr(c, '/', (size_t)(end - c));
		path = slash ? slash : end;
		clen = (size_t)(path - c);
		for (int i = cur + 1; i < nnodes && child < 0; i++) {
			int nlen;
			const char *name;

			if (nodes[i].parent != cur)
				continue;
			name = fdt_get_name(tree, nodes[i].offset, &nlen);
			if (name && name_matches(name, nlen, c, clen))
				child = i;
		}
		if (child < 0)
			return -FDT_ERR_NOTFOUND;
		cur = child;
	}
	return nodes[cur].offset;
}

static int path_offset(const char *path)
{
	return devtree_path(path, strlen(path));
}

bool devtree_compatible(int node, const char *compat)
{
	return tree && fdt_node_check_compatible(tree, node, compat) == 0;
}

bool devtree_is_keel(void)
{
	return devtree_compatible(0, KEEL_FDT_COMPATIBLE);
}

int devtree_u32(int node, const char *name, uint32_t *v)
{
	int len;
	const fdt32_t *p;

	if (!tree)
		return -FDT_ERR_BADSTATE;
	p = fdt_getprop(tree, node, name, &len);
	if (!p)
		return len;
	if (len != sizeof(*p))
		return -FDT_ERR_BADVALUE;
	*v = fdt32_to_cpu(*p);
	return 0;
}

const char *devtree_bootargs(void)
{
	int chosen = path_offset("/chosen");
	const char *s;
	int len;

	if (chosen < 0)
		return NULL;
	s = fdt_getprop(tree, chosen, "bootargs", &len);
	return s && len > 0 && s[len - 1] == '\0' ? s : NULL;
}

/* The value of @n (at most 2) big-endian cells at @p. */
static uint64_t read_cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = (v << 32) | fdt32_to_cpu(p[i]);
	return v;
}

int devtree_reg(int node, struct dt_reg *out, unsigned int max)
{
	int i = tree ? node_index(node) : -1;
	int parent, ac, sc, len;
	unsigned int n, cells;
	const fdt32_t *reg;

	if (i <= 0)
		return -FDT_ERR_BADOFFSET;	/* unknown, or the root (which has no parent) */
	parent = nodes[nodes[i].parent].offset;
	ac = fdt_address_cells(tree, parent);
	sc = fdt_size_cells(tree, parent);
	if (ac < 0 || sc < 0)
		return ac < 0 ? ac : sc;
	if (ac > 2 || sc > 2)
		return -FDT_ERR_BADNCELLS;
	reg = fdt_getprop(tree, node, "reg", &len);
	if (!reg)
		return len;
	cells = (unsigned int)(ac + sc);
	if (!cells || (unsigned int)len % (cells * sizeof(*reg)))
		return -FDT_ERR_BADVALUE;
	n = (unsigned int)len / (cells * sizeof(*reg));
	for (unsigned int k = 0; k < n && k < max; k++, reg += cells)
		out[k] = (struct dt_reg){ read_cells(reg, ac), read_cells(reg + ac, sc) };
	return (int)n;
}

int devtree_memory(struct dt_reg *out, unsigned int max)
{
	int node = path_offset("/memory@0");

	return node < 0 ? node : devtree_reg(node, out, max);
}

int devtree_cpus(uint32_t *ids, unsigned int max)
{
	int cpus = path_offset("/cpus");
	int ci = cpus < 0 ? -1 : node_index(cpus);
	unsigned int n = 0;

	if (cpus < 0)
		return cpus;
	if (fdt_address_cells(tree, cpus) != 1)
		return -FDT_ERR_BADNCELLS;
	for (int i = ci + 1; i < nnodes; i++) {
		int len, err;
		const char *type;
		uint32_t id = 0;

		if (nodes[i].parent != ci)
			continue;
		type = fdt_getprop(tree, nodes[i].offset, "device_type", &len);
		if (!type || len != sizeof("cpu") || memcmp(type, "cpu", sizeof("cpu")))
			continue;	/* e.g. cpu-map: not a processor */
		err = devtree_u32(nodes[i].offset, "reg", &id);
		if (err)
			return err;
		if (n < max)
			ids[n] = id;
		n++;
	}
	return (int)n;
}

int devtree_stdout_node(void)
{
	int chosen = path_offset("/chosen");
	const char *path, *colon;
	int len;

	if (chosen < 0)
		return chosen;
	path = fdt_getprop(tree, chosen, "stdout-path", &len);
	if (!path)
		return len;
	colon = memchr(path, ':', (size_t)len);
	return devtree_path(path, colon ? (size_t)(colon - path) : strnlen(path, (size_t)len));
}

const char *devtree_strerror(int err)
{
	return fdt_strerror(err);
}
