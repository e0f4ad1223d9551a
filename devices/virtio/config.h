/* What the user asked of virtio (--disk, --console, --rng, --net, --gpu, --input, --vsock, --virtio-transport): part of struct vm_config (vmm/config.h builds it). */
#ifndef KEEL_DEVICES_VIRTIO_CONFIG_H
#define KEEL_DEVICES_VIRTIO_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "devices/virtio/spec.h"

#define VIRTIO_MAX_DISKS 32u		/* --disk at most this often */
#define VIRTIO_MAX_NICS 16u		/* --net at most this often */
#define VIRTIO_MAX_DEVICES 32u		/* disks, console, rng and NICs together (IOAPIC inputs shared beyond 8) */
#define VIRTIO_NET_IFNAME_MAX 15u	/* IFNAMSIZ - 1 */

enum virtio_transport_kind {
	VIRTIO_TRANSPORT_PCI = 0,	/* the default */
	VIRTIO_TRANSPORT_MMIO,
};

/*
 * Where one device sits: its option's transport= and msix= items. Unset, the device follows
 * --virtio-transport, and a PCI function offers MSI-X.
 */
struct virtio_place {
	enum virtio_transport_kind transport;	/* when transport_given */
	bool transport_given;
	bool msix_given;
	bool no_msix;			/* msix=off: a PCI function without the MSI-X capability (INTA# only) */
};

enum virtio_console_kind {
	VIRTIO_CONSOLE_NONE = 0,	/* --console uart (the default): no virtio console */
	VIRTIO_CONSOLE_TERMINAL,	/* --console virtio: keel's stdin and stdout */
	VIRTIO_CONSOLE_FILE,		/* --console file:PATH[,in=PATH]: output to a file, input from one */
	VIRTIO_CONSOLE_SOCKET,		/* --console socket:PATH: a Unix stream socket keel connects to */
};

/* One --disk PATH[,readonly][,id=NAME]. The strings are owned by the configuration (vmm/config.h). */
struct virtio_disk_opts {
	char *spec;			/* the whole value, as messages name it */
	char *path;			/* the image */
	bool readonly;
	char id[VIRTIO_BLK_ID_BYTES + 1]; /* "" when not given */
	struct virtio_place place;
};

/* --console. The strings are owned by the configuration. */
struct virtio_console_opts {
	enum virtio_console_kind kind;
	char *spec;			/* the whole value, NULL when not given */
	char *path;			/* FILE: output file; SOCKET: the socket; else NULL */
	char *in_path;			/* FILE: input file, NULL when none */
	struct virtio_place place;
};

enum virtio_net_kind {
	VIRTIO_NET_TAP = 0,		/* --net tap:IFNAME: a tap device, created when it does not exist */
	VIRTIO_NET_SOCKET,		/* --net socket:PATH[,peer=PATH]: datagrams on a Unix socket bound at PATH */
};

/* One --net value. The strings are owned by the configuration (vmm/config.h). */
struct virtio_net_opts {
	enum virtio_net_kind kind;
	char *spec;			/* the whole value, as messages name it */
	char ifname[VIRTIO_NET_IFNAME_MAX + 1];	/* TAP */
	char *path;			/* SOCKET: the path keel binds (shorter than sun_path) */
	char *peer;			/* SOCKET: where frames go, NULL: the last sender */
	unsigned char mac[6];		/* given with mac=, or derived from the index and the backend */
	bool mac_given;
	struct virtio_place place;
};

enum virtio_gpu_kind {
	VIRTIO_GPU_NONE = 0,		/* no --gpu */
	VIRTIO_GPU_2D,			/* --gpu 2d: the 2D command set, rendered in host memory */
	VIRTIO_GPU_VIRGL,		/* --gpu virgl: 2D and 3D through virglrenderer */
};

#define VIRTIO_GPU_DEFAULT_WIDTH 1280u
#define VIRTIO_GPU_DEFAULT_HEIGHT 800u

/* --gpu 2d|virgl[,width=W][,height=H][,outputs=N][,transport=..][,msix=off]. The string is owned by the configuration. */
struct virtio_gpu_opts {
	enum virtio_gpu_kind kind;
	char *spec;			/* the whole value, NULL when not given */
	uint32_t width, height;		/* each output's preferred mode */
	unsigned int outputs;		/* scanouts, 1..DISPLAY_MAX_OUTPUTS */
	struct virtio_place place;
};

#define VIRTIO_MAX_INPUTS 4u		/* --input at most this often (DISPLAY_MAX_INPUTS) */

enum virtio_input_kind {
	VIRTIO_INPUT_KEYBOARD = 0,	/* --input keyboard: evdev keys */
	VIRTIO_INPUT_TABLET,		/* --input tablet: an absolute pointer with three buttons and a wheel */
};

/* One --input keyboard|tablet[,transport=..][,msix=off]. The string is owned by the configuration. */
struct virtio_input_opts {
	enum virtio_input_kind kind;
	char *spec;
	struct virtio_place place;
};

/*
 * --vsock cid=N,uds=PATH (Firecracker's "vsock" section): a virtio-vsock device whose host side is
 * Firecracker's hybrid Unix-socket backend. A host program connects to PATH and writes
 * "CONNECT <port>\n" to reach a guest listener on that port; a guest connecting to host port P
 * reaches the Unix socket "PATH_P". The string is owned by the configuration (vmm/config.h).
 */
struct virtio_vsock_opts {
	bool on;
	char *spec;			/* the whole value, NULL when not given */
	unsigned long long guest_cid;	/* 3 .. 2^32 - 2 (0-2 and U32_MAX are reserved) */
	char *uds_path;			/* the backend's listening socket (shorter than sun_path less "_4294967295") */
	struct virtio_place place;
};

struct virtio_config {
	enum virtio_transport_kind transport;
	bool transport_given;
	unsigned int ndisks;
	struct virtio_disk_opts disks[VIRTIO_MAX_DISKS];
	struct virtio_console_opts console;
	bool rng;			/* --rng */
	struct virtio_place rng_place;	/* --rng=transport=...,msix=... */
	unsigned int nnets;
	struct virtio_net_opts nets[VIRTIO_MAX_NICS];
	struct virtio_gpu_opts gpu;	/* --gpu */
	unsigned int ninputs;
	struct virtio_input_opts inputs[VIRTIO_MAX_INPUTS];	/* --input, in the order given */
	struct virtio_vsock_opts vsock;	/* --vsock */
};

/* virtio_config_ndevices - how many virtio devices @c asks for (0: keel runs without virtio). */
static inline unsigned int virtio_config_ndevices(const struct virtio_config *c)
{
	return c->ndisks + (c->console.kind != VIRTIO_CONSOLE_NONE) + c->rng + c->nnets + (c->gpu.kind != VIRTIO_GPU_NONE) +
	       c->ninputs + c->vsock.on;
}

/* virtio_place_transport - the transport a device placed by @p uses in @c. */
static inline enum virtio_transport_kind virtio_place_transport(const struct virtio_config *c,
								 const struct virtio_place *p)
{
	return p->transport_given ? p->transport : c->transport;
}

#endif
