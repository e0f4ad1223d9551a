# The bundled guest kernel (see guest/README.md), included by the top-level Makefile.
# Always built with its own freestanding flags into $(BUILD)/guest, whatever SAN says.

GUEST_OUT := $(BUILD)/guest
GUEST_ELF := $(GUEST_OUT)/keel-guest.elf
GUEST_CC := gcc
GUEST_LDS := guest/arch/x86/kernel.ld

GUEST_SRCS := $(sort $(wildcard guest/arch/x86/*.c guest/arch/x86/*.S guest/drivers/*.c \
	guest/kernel/*.c guest/lib/*.c))
GUEST_C_OBJS := $(patsubst guest/%.c,$(GUEST_OUT)/%.o,$(filter %.c,$(GUEST_SRCS)))
GUEST_S_OBJS := $(patsubst guest/%.S,$(GUEST_OUT)/%.o,$(filter %.S,$(GUEST_SRCS)))
GUEST_OBJS := $(GUEST_C_OBJS) $(GUEST_S_OBJS)

# Debian's static libfdt (package libfdt-dev); built for user space with the stack protector,
# which the guest supports (canary at %fs:0x28, __stack_chk_fail).
GUEST_LIBFDT := $(shell $(GUEST_CC) -print-file-name=libfdt.a)

# guest/lib/fdt comes first so that <libfdt.h> takes the guest's libfdt_env.h.
# --param=min-pagesize=0: GCC 12 would warn about reading low fixed addresses (the BIOS data area).
GUEST_CPPFLAGS := -I. -Iguest/lib/fdt -MMD -MP
GUEST_CFLAGS := -std=gnu11 -ffreestanding -fno-pic -fno-pie -fno-stack-protector -mno-red-zone \
	-mgeneral-regs-only -mcmodel=small -fcf-protection=none -fno-asynchronous-unwind-tables \
	-fno-omit-frame-pointer --param=min-pagesize=0 -O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wvla
GUEST_ASFLAGS := -g -Wa,--noexecstack
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=4096 \
	-Wl,-z,noexecstack -T $(GUEST_LDS)

$(GUEST_C_OBJS): $(GUEST_OUT)/%.o: guest/%.c guest/guest.mk
	@echo "  CC      $@"
	$(Q)mkdir -p $(@D) && $(GUEST_CC) $(GUEST_CPPFLAGS) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_S_OBJS): $(GUEST_OUT)/%.o: guest/%.S guest/guest.mk
	@echo "  AS      $@"
	$(Q)mkdir -p $(@D) && $(GUEST_CC) $(GUEST_CPPFLAGS) $(GUEST_ASFLAGS) -c $< -o $@

$(GUEST_ELF): $(GUEST_OBJS) $(GUEST_LDS) $(GUEST_LIBFDT)
	@echo "  LD      $@"
	$(Q)$(GUEST_CC) $(GUEST_LDFLAGS) -o $@ $(GUEST_OBJS) $(GUEST_LIBFDT)

.PHONY: guest
guest: $(GUEST_ELF)

# The top Makefile includes build/*.d only for its own output directory (build/san with SAN=1).
-include $(GUEST_OBJS:.o=.d)
