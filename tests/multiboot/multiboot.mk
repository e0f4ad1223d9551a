# The Multiboot test kernels (tests/multiboot/), included by the top-level Makefile: four tiny
# freestanding kernels that print on COM1 what their loader handed over. Built with gcc -m32 and
# ld -m elf_i386 (no multilib, no libgcc), always without sanitizers, into $(BUILD)/multiboot:
#   mb1-elf.elf      Multiboot 1, ELF32, identity-linked at 1 MiB
#   mb1-aout.bin     Multiboot 1, a flat binary located by the header's address fields (flag 16)
#   mb2-elf32.elf    Multiboot 2, ELF32 linked at 0xc0100000 and loaded at 1 MiB (pages itself in)
#   mb2-elf64.elf    Multiboot 2, ELF64 whose 32-bit entry is in the entry address tag

MB_OUT := $(BUILD)/multiboot
MB_CFLAGS := -m32 -march=i686 -ffreestanding -nostdlib -fno-pic -fno-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -mgeneral-regs-only -O2 -std=gnu11 -Wall -Wextra -Werror -I.
MB_LDFLAGS := -m elf_i386 -nostdlib -static -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments
MB_HDRS := tests/multiboot/mbtest.h firmware/multiboot.h
MB_KERNELS := $(MB_OUT)/mb1-elf.elf $(MB_OUT)/mb1-aout.bin $(MB_OUT)/mb2-elf32.elf $(MB_OUT)/mb2-elf64.elf

$(MB_OUT)/kernel.o: tests/multiboot/kernel.c $(MB_HDRS)
	@echo "  CC      $@"
	$(Q)mkdir -p $(@D) && gcc $(MB_CFLAGS) -c $< -o $@

# entry.o (identity) and entry-high.o (the higher-half kernel's, which turns paging on)
$(MB_OUT)/entry.o: tests/multiboot/entry.S $(MB_HDRS)
	@echo "  AS      $@"
	$(Q)mkdir -p $(@D) && gcc $(MB_CFLAGS) -c $< -o $@
$(MB_OUT)/entry-high.o: tests/multiboot/entry.S $(MB_HDRS)
	@echo "  AS      $@"
	$(Q)mkdir -p $(@D) && gcc $(MB_CFLAGS) -DMBTEST_HIGH_HALF -c $< -o $@

$(MB_OUT)/mb1-hdr.o: tests/multiboot/mb1_header.S $(MB_HDRS)
	@echo "  AS      $@"
	$(Q)mkdir -p $(@D) && gcc $(MB_CFLAGS) -c $< -o $@
$(MB_OUT)/mb1-aout-hdr.o: tests/multiboot/mb1_header.S $(MB_HDRS)
	@echo "  AS      $@"
	$(Q)mkdir -p $(@D) && gcc $(MB_CFLAGS) -DMBTEST_AOUT -c $< -o $@
$(MB_OUT)/mb2-hdr.o: tests/multiboot/mb2_header.S $(MB_HDRS)
	@echo "  AS      $@"
	$(Q)mkdir -p $(@D) && gcc $(MB_CFLAGS) -c $< -o $@
$(MB_OUT)/mb2-elf64-hdr.o: tests/multiboot/mb2_header.S $(MB_HDRS)
	@echo "  AS      $@"
	$(Q)mkdir -p $(@D) && gcc $(MB_CFLAGS) -DMBTEST_ELF64 -c $< -o $@

$(MB_OUT)/mb1-elf.elf: $(MB_OUT)/mb1-hdr.o $(MB_OUT)/entry.o $(MB_OUT)/kernel.o tests/multiboot/identity.ld
	@echo "  LD      $@"
	$(Q)ld $(MB_LDFLAGS) -T tests/multiboot/identity.ld -o $@ $(filter %.o,$^)

# linked as an ELF at 1 MiB, then flattened: the file's first byte lands at load_addr
$(MB_OUT)/mb1-aout.elf: $(MB_OUT)/mb1-aout-hdr.o $(MB_OUT)/entry.o $(MB_OUT)/kernel.o tests/multiboot/identity.ld
	@echo "  LD      $@"
	$(Q)ld $(MB_LDFLAGS) -T tests/multiboot/identity.ld -o $@ $(filter %.o,$^)
$(MB_OUT)/mb1-aout.bin: $(MB_OUT)/mb1-aout.elf
	@echo "  OBJCOPY $@"
	$(Q)objcopy -O binary -j .text -j .rodata -j .data \
		--pad-to 0x$$(nm $< | awk '$$3 == "_load_end" { print $$1 }') $< $@

$(MB_OUT)/mb2-elf32.elf: $(MB_OUT)/mb2-hdr.o $(MB_OUT)/entry-high.o $(MB_OUT)/kernel.o tests/multiboot/high.ld
	@echo "  LD      $@"
	$(Q)ld $(MB_LDFLAGS) -T tests/multiboot/high.ld -o $@ $(filter %.o,$^)

# linked as ELF32 (the code is 32-bit), its ELF entry the trap, then rewritten as an ELF64 file
$(MB_OUT)/mb2-elf64.elf32: $(MB_OUT)/mb2-elf64-hdr.o $(MB_OUT)/entry.o $(MB_OUT)/kernel.o tests/multiboot/identity.ld
	@echo "  LD      $@"
	$(Q)ld $(MB_LDFLAGS) -T tests/multiboot/identity.ld -e elf_entry_trap -o $@ $(filter %.o,$^)
$(MB_OUT)/mb2-elf64.elf: $(MB_OUT)/mb2-elf64.elf32
	@echo "  OBJCOPY $@"
	$(Q)objcopy -O elf64-x86-64 $< $@

multiboot-kernels: $(MB_KERNELS)
.PHONY: multiboot-kernels
