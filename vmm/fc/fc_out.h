/* Where Firecracker's logger and metrics write: a regular file or a FIFO, opened and written so that keel never blocks on it. */
#ifndef KEEL_VMM_FC_FC_OUT_H
#define KEEL_VMM_FC_FC_OUT_H

#include <stddef.h>

/*
 * fc_out_open - open @path for lines: a FIFO read-write and non-blocking (no reader needed; a
 * warning says when none is there yet), anything else created mode 0600 when absent and
 * appended to. @what names it in messages ("metrics"). 0 and *@fd, or -errno with one line in @err.
 */
int fc_out_open(const char *path, const char *what, int *fd, char *err, size_t errlen);

/*
 * fc_out_write - write the @len bytes of one line to @fd. A full pipe takes a line up to
 * PIPE_BUF whole or not at all; a longer line cut by a full pipe waits a moment for the rest.
 * 0, or -errno (-EAGAIN: the pipe is full and nothing was written).
 */
int fc_out_write(int fd, const char *buf, size_t len);

#endif
