/* `keel firecracker`: the process's life under Firecracker's command line, API and configuration file. */
#ifndef KEEL_VMM_FC_MAIN_H
#define KEEL_VMM_FC_MAIN_H

#include <stdbool.h>

/* fc_invoked - whether keel runs as Firecracker: started under the name "firecracker", or `keel firecracker`. */
bool fc_invoked(int argc, char *const argv[]);

/* fc_main - run as Firecracker; returns Firecracker's exit status (vmm/fc/cli.h). */
int fc_main(int argc, char *argv[]);

#endif
