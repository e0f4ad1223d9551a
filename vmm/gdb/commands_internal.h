/* Helpers shared by the gdb command handlers in vmm/gdb/commands.c and vmm/gdb/commands_query.c. */
#ifndef KEEL_VMM_GDB_COMMANDS_INTERNAL_H
#define KEEL_VMM_GDB_COMMANDS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "vmm/gdb/commands.h"

/* gdb_reply - send @payload (NUL-terminated) as one packet. */
void gdb_reply(struct gdb_session *s, const char *payload);
/* gdb_reply_error - send "Exx" for the errno @err (either sign). */
void gdb_reply_error(struct gdb_session *s, int err);
/* gdb_parse_addr_len - parse "ADDR,LEN" at *@p, leaving *@p after LEN. 0 or -EINVAL. */
int gdb_parse_addr_len(const char **p, uint64_t *addr, uint64_t *len);
/* gdb_parse_thread - a thread id at *@p: -1 (all), 0 (any) or 1..ncpus, stored as a vCPU index or a negative marker. */
int gdb_parse_thread(struct gdb_session *s, const char **p, int *cpu);
/* gdb_cmd_query - answer one q/Q packet. */
void gdb_cmd_query(struct gdb_session *s, const char *pkt);

/* gdb_prefix - does @pkt start with @what? */
static inline bool gdb_prefix(const char *pkt, const char *what)
{
	return strncmp(pkt, what, strlen(what)) == 0;
}

#endif
