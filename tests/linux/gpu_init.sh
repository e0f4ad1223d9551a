#!/bin/sh
# /init of the Linux guest t_linux_gpu.sh boots (busybox sh): loads Linux's virtio-gpu and virtio-input drivers, shows
# text on the virtio-gpu console (tty1), echoes a line typed on keel's VNC keyboard to ttyS0, writes more text, and
# powers off when the host types "done". Its lines on ttyS0 start with "keeltest: " (the test waits for them).
PATH=/bin
export PATH
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "keeltest: /init started"
for m in virtio_pci virtio_input virtio_gpu; do
	modprobe "$m" || echo "keeltest: modprobe $m failed"
done
read -r fb </proc/fb
echo "keeltest: gpu: /proc/fb: ${fb:-none}"
[ -e /sys/class/drm/card0 ] && echo "keeltest: gpu: drm card0"
for d in /sys/class/input/input*; do
	[ -r "$d/name" ] && read -r name <"$d/name" && echo "keeltest: input: $name"
done
echo "hello from Linux on keel (virtio-gpu, fbcon)" >/dev/tty1
echo "keeltest: gpu: console up"
# the host takes a first screenshot, then types a line on the VNC keyboard: tty1 echoes it on the screen
read -r line </dev/tty1
echo "keeltest: gpu: tty1 read: $line"
i=0
while [ $i -lt 20 ]; do
	echo "line $i, written after the keyboard's line" >/dev/tty1
	i=$((i + 1))
done
echo "keeltest: gpu: wrote"
# the host takes its second screenshot and types "done"
while read -r line </dev/tty1; do
	[ "$line" = "done" ] && break
done
echo "keeltest: gpu: done"
# Let fbcon's damage worker draw the echoed "done" first: Linux 6.1.192 breaks the virtqueues when it
# shuts devices down, and a flush still queued then is refused with a WARNING (virtgpu_vq.c WARN_ON).
sleep 10
poweroff -f
