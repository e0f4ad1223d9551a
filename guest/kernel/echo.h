/* exit=echo: print back each line received on the UART until "quit". */
#ifndef KEEL_GUEST_KERNEL_ECHO_H
#define KEEL_GUEST_KERNEL_ECHO_H

/* Print "guest: echo ready", then "echo: <line>" per line; returns when the line "quit" arrives. */
void echo_loop(void);

#endif
