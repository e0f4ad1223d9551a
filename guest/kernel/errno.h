/* Error numbers for kernel code: the ones the user ABI defines (guest/user/abi.h). */
#ifndef KEEL_GUEST_KERNEL_ERRNO_H
#define KEEL_GUEST_KERNEL_ERRNO_H

#include "guest/user/abi.h"

#endif
