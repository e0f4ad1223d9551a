/* gdb's 'monitor' commands (the qRcmd packet): machine state a kernel developer asks a VMM for, answered in 'O' packets. */
#ifndef KEEL_VMM_GDB_MONITOR_H
#define KEEL_VMM_GDB_MONITOR_H

#include "vmm/gdb/commands.h"

#define GDB_MONITOR_OUT_MAX (320u * 1024)	/* text one command may print */
#define GDB_MONITOR_PHYS_MAX 4096u		/* bytes one 'phys read' or 'phys write' covers */
#define GDB_MONITOR_MEM_RANGES 4096ul		/* ranges 'mem' prints */
#define GDB_MONITOR_MEM_TABLES 16384ul		/* page tables 'mem' reads */

/*
 * gdb_monitor - serve "qRcmd,HEX": run the hex-encoded command in the thread gdb selected (Hg),
 * send its output as 'O' packets, then "OK"; "E16" when HEX is not hex. A command's own errors
 * (bad arguments, memory outside RAM) are output lines followed by "OK".
 */
void gdb_monitor(struct gdb_session *s, const char *hex);

#endif
