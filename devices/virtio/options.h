/* The virtio command-line options and their help text; vmm/cli.c hands them every argument it does not own. */
#ifndef KEEL_DEVICES_VIRTIO_OPTIONS_H
#define KEEL_DEVICES_VIRTIO_OPTIONS_H

#include <stddef.h>

#include "devices/virtio/config.h"

/* The lines of `keel --help` for these options. */
#define VIRTIO_CLI_HELP \
	"  --disk PATH[,readonly][,id=NAME]   a raw disk image as a virtio-blk device (up to 6);\n" \
	"                    id: what the guest reads as the device ID (at most 20 bytes)\n" \
	"  --console SPEC    uart (default), virtio (the terminal), file:PATH[,in=PATH],\n" \
	"                    socket:PATH (connect to a Unix stream socket): a virtio console;\n" \
	"                    COM1 stays for early output\n" \
	"  --rng             a virtio-rng device fed by getrandom\n" \
	"  --net tap:IFNAME[,mac=MAC]   a virtio-net device on a tap interface (created when\n" \
	"                    missing and keel may: CAP_NET_ADMIN); up to 4 --net in all\n" \
	"  --net socket:PATH[,peer=PATH][,mac=MAC]   a virtio-net device exchanging frames as\n" \
	"                    datagrams on a Unix socket keel binds at PATH; they go to peer\n" \
	"                    (default: whoever sent the last frame)\n" \
	"  --virtio-transport pci|mmio   how the guest finds virtio devices (default pci)\n"

/*
 * virtio_cli_arg - when argv[*@i] is --disk, --console, --net, --virtio-transport or --rng (values as
 * "--opt=VALUE" or in the next argument), parse it into @c, leave *@i on the last argument used
 * and return 1. Return 0 when it is not one of them, or -EINVAL with one line in @err.
 */
int virtio_cli_arg(struct virtio_config *c, int argc, char *const argv[], int *i, char *err, size_t errlen);

#endif
