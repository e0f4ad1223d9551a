# keel's one non-recursive Makefile: the VMM, the bundled guest, unit and integration tests, benchmarks.
#   make            build build/keel            make V=1    show the commands
#   make run        install deps, build, boot the bundled guest
#   make test       the whole suite, plain build and ASan+UBSan build (SAN=1, objects under build/san)
#   make fresh-check  `make run` and `make test` as the README says, in a new Debian 12 root (what CI runs)
#   make fuzz       every libFuzzer target for FUZZ_SECONDS (60; CI: 10); make fuzz-long FUZZ_SECONDS=N [FUZZ_RUNS=M]
#   make soak       500 boot cycles with flat resources, then an hour under load (SOAK_CYCLES=, SOAK_SECONDS=)
#   make check-linux-gpu  Linux drives virtio-gpu and virtio-input (not in make test: ~30 min on kvm_pvm)
#   BUILD=DIR       build somewhere else than build/ (two trees building at once)
#   make install    keel, keel(1), its bash completion and the gdb helper into DESTDIR/PREFIX (/usr/local); make uninstall

SAN ?= 0
V ?= 0
ifeq ($(V),1)
Q :=
else
Q := @
endif
BUILD ?= build
ifeq ($(SAN),1)
O := $(BUILD)/san
else
O := $(BUILD)
endif

CC := gcc
VERSION := $(shell cat VERSION)
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla
CFLAGS := -std=gnu11 -O2 -g $(WARN) -I. -I$(O)/gen -pthread -D_GNU_SOURCE -MMD -MP \
	-DKEEL_VERSION='"$(VERSION)"'
# the optional libraries mk/probe-config.sh found (virglrenderer, libvncserver, libpng), read when linking
OPT_LIBS = $(O)/gen/keel-libs
LDLIBS := -lfdt -luring -ljansson -lmicrohttpd -lseccomp -lz -llzma -llz4 -lzstd -lbz2 -llzo2 -pthread $$(cat $(OPT_LIBS))
ifeq ($(SAN),1)
CFLAGS += -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif
# Check's flags are asked for in the link recipe, not here: on a fresh machine `check` is only
# installed by the deps step, after the Makefile is parsed.
CHECK_LIBS = $$(pkg-config --libs check)

.DEFAULT_GOAL := all
.PHONY: all deps run test check unit integration check-linux-gpu linux-gpu-guest fresh-check readme-gdb bench bench-agree bench-startup bench-api bench-net bench-gpu bench-blk bench-linux bench-linux-io profile-linux fuzz fuzz-build fuzz-long soak clean lint format linux-guest

# --- dependencies and the generated configuration header -------------------------
DEPS_STAMP := $(BUILD)/.deps-ok
$(DEPS_STAMP): mk/deps.sh
	$(Q)bash mk/deps.sh
	$(Q)mkdir -p $(@D) && touch $@
deps: $(DEPS_STAMP)

CONFIG_H := $(O)/gen/keel-config.h
$(CONFIG_H): mk/probe-config.sh $(DEPS_STAMP)
	@echo "  GEN     $@"
	$(Q)mkdir -p $(@D) && CC="$(CC)" bash mk/probe-config.sh --libs $(OPT_LIBS) > $@.tmp && mv $@.tmp $@

# the system-call names of the seccomp report (vmm/sandbox.c), from the kernel's headers: a const table the
# SIGSYS handler reads (libseccomp's name lookup allocates, which a signal handler must not)
UNISTD_64 := /usr/include/x86_64-linux-gnu/asm/unistd_64.h
SYSCALL_NAMES_H := $(O)/gen/syscall_names.h
$(SYSCALL_NAMES_H): $(UNISTD_64)
	@echo "  GEN     $@"
	$(Q)mkdir -p $(@D) && awk 'BEGIN { print "/* Generated from $(UNISTD_64): x86-64 system-call names by number. */"; \
		print "static const char *const syscall_names[] = {" } \
		$$1 == "#define" && $$2 ~ /^__NR_/ && $$3 ~ /^[0-9]+$$/ { sub(/^__NR_/, "", $$2); printf "\t[%s] = \"%s\",\n", $$3, $$2 } \
		END { print "};" }' $< >$@.tmp && mv $@.tmp $@
$(O)/vmm/sandbox.o: $(SYSCALL_NAMES_H)

# --- the bundled guest (always built without sanitizers, into $(BUILD)/guest) -----
include guest/guest.mk

# --- the Multiboot test kernels (tests/multiboot/, into $(BUILD)/multiboot) ---------
include tests/multiboot/multiboot.mk

# --- the VMM -----------------------------------------------------------------------
VMM_SRCS := $(sort $(wildcard firmware/*.c vmm/*.c vmm/boot/*.c vmm/gdb/*.c vmm/api/*.c vmm/fc/*.c vmm/bench/*.c vcpu/*.c devices/*.c devices/virtio/*.c))
VMM_MAIN := vmm/main.c
LIB_SRCS := $(filter-out $(VMM_MAIN),$(VMM_SRCS))
LIB_OBJS := $(LIB_SRCS:%.c=$(O)/%.o) $(O)/vmm/bundled_guest.o
KEEL := $(O)/keel

$(O)/%.o: %.c $(CONFIG_H)
	@echo "  CC      $@"
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) -c $< -o $@

$(O)/vmm/bundled_guest.o: vmm/bundled_guest.S $(GUEST_ELF)
	@echo "  AS      $@"
	$(Q)mkdir -p $(@D) && $(CC) -c -DGUEST_ELF='"$(GUEST_ELF)"' $< -o $@

$(KEEL): $(O)/$(VMM_MAIN:.c=.o) $(LIB_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

all: $(KEEL)

# --- installing: `make install [PREFIX=/usr] [DESTDIR=DIR]`, `make uninstall` with the same ------
# Four files: the binary (self-contained: the bundled guest is inside it), keel(1) with the version
# filled in, the bash completion, and share/keel/keel-gdb.py (gdb's x/i in 16- and 32-bit code). Neither stripped nor compressed:
# Debian's dh_strip and dh_compress do that. INSTALL_KEEL=PATH installs that binary instead of
# $(KEEL) without building anything (tests/integration/t_install.sh installs the one it tests).
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
SHAREDIR = $(PREFIX)/share/keel
INSTALL_KEEL ?= $(KEEL)

install: $(INSTALL_KEEL) docs/keel.1 docs/keel.bash-completion vmm/gdb/keel-gdb.py
	@echo "  INSTALL $(DESTDIR)$(BINDIR)/keel"
	$(Q)install -D -m 0755 $(INSTALL_KEEL) "$(DESTDIR)$(BINDIR)/keel"
	@echo "  INSTALL $(DESTDIR)$(MANDIR)/man1/keel.1"
	$(Q)install -d "$(DESTDIR)$(MANDIR)/man1"
	$(Q)sed '/^\.TH /s/ "keel" / "keel $(VERSION)" /' docs/keel.1 >"$(DESTDIR)$(MANDIR)/man1/keel.1" && \
		chmod 0644 "$(DESTDIR)$(MANDIR)/man1/keel.1"
	@echo "  INSTALL $(DESTDIR)$(BASHCOMPDIR)/keel"
	$(Q)install -D -m 0644 docs/keel.bash-completion "$(DESTDIR)$(BASHCOMPDIR)/keel"
	@echo "  INSTALL $(DESTDIR)$(SHAREDIR)/keel-gdb.py"
	$(Q)install -D -m 0644 vmm/gdb/keel-gdb.py "$(DESTDIR)$(SHAREDIR)/keel-gdb.py"

uninstall:
	@echo "  RM      $(DESTDIR)$(BINDIR)/keel $(DESTDIR)$(MANDIR)/man1/keel.1 $(DESTDIR)$(BASHCOMPDIR)/keel $(DESTDIR)$(SHAREDIR)/keel-gdb.py"
	$(Q)rm -f "$(DESTDIR)$(BINDIR)/keel" "$(DESTDIR)$(MANDIR)/man1/keel.1" "$(DESTDIR)$(BASHCOMPDIR)/keel" \
		"$(DESTDIR)$(SHAREDIR)/keel-gdb.py"
	$(Q)rmdir "$(DESTDIR)$(SHAREDIR)" 2>/dev/null || true

# --- tests -------------------------------------------------------------------------
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
UNIT_BIN := $(O)/tests/unit/keel-unit
# the fake guest driver (virtqueues in fake guest RAM, transports through the buses): unit tests, bench-blk
TESTLIB_OBJS := $(patsubst %.c,$(O)/%.o,$(sort $(wildcard tests/virtio/*.c)))
$(UNIT_BIN): $(UNIT_SRCS:%.c=$(O)/%.o) $(TESTLIB_OBJS) $(LIB_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS)

unit: $(UNIT_BIN)
	$(Q)$(UNIT_BIN)

ELFPATCH := $(O)/tests/tools/elfpatch
$(ELFPATCH): $(O)/tests/tools/elfpatch.o
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

# acpi_tables: a machine's ACPI tables, one file per table, for iasl (tests/integration/t_acpi.sh)
ACPI_TABLES := $(O)/tests/tools/acpi_tables
$(ACPI_TABLES): $(O)/tests/tools/acpi_tables.o $(LIB_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

integration: $(KEEL) $(ELFPATCH) $(ACPI_TABLES) $(MB_KERNELS)
	$(Q)KEEL=$(KEEL) GUEST_ELF=$(GUEST_ELF) ELFPATCH=$(ELFPATCH) ACPI_TABLES=$(ACPI_TABLES) MB_OUT=$(MB_OUT) ONLY='$(ONLY)' bash tests/integration/run.sh

# one build's whole suite
check: $(KEEL) $(UNIT_BIN) $(ELFPATCH) $(ACPI_TABLES) $(MB_KERNELS)
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory integration

# the whole suite: the plain build, then the ASan+UBSan build. Debian's kernel boots to /init once
# per run, in the plain build (10-20 minutes on kvm_pvm hosts); the sanitizer build runs the Linux
# checks that stop at the kernel's first lines (every format and protocol, the bad kernels).
test: deps
	$(Q)bash mk/deps.sh test
	$(Q)$(MAKE) --no-print-directory check SAN=0
	$(Q)KEEL_LINUX_FULL=0 $(MAKE) --no-print-directory check SAN=1

# --- the Linux guest the integration tests boot (tests/linux/, tests/integration/t_linux*.sh) ------
# Debian 12's cloud kernel and busybox-static by apt-get (cached in LINUX_DIR/debs), then an uncompressed
# initramfs with tests/linux/init.sh as /init, tests/linux/virtio.sh and its static helper keeltest
# (tests/linux/keeltest.c), and the modules LINUX_MODULES names (default: the virtio transports and
# drivers, and qemu_fw_cfg) with what they depend on.
LINUX_DIR ?= $(BUILD)/linux
LINUX_MODULES ?= virtio_pci,virtio_mmio,virtio_blk,virtio_net,virtio_console,virtio_rng,qemu_fw_cfg,vmw_vsock_virtio_transport
linux-guest:
	$(Q)bash tests/linux/fetch.sh $(LINUX_DIR)
	$(Q)$(CC) -static -O2 -s -Wall -Wextra -Werror -pthread -o $(LINUX_DIR)/keeltest tests/linux/keeltest.c
	$(Q)python3 tests/linux/mkinitramfs.py --dir $(LINUX_DIR) --modules '$(LINUX_MODULES)' \
		--add $(LINUX_DIR)/keeltest:bin/keeltest --add tests/linux/virtio.sh:virtio.sh -o $(LINUX_DIR)/initramfs.cpio

# The Linux guest of t_linux_gpu.sh (make check-linux-gpu): Debian 12's generic kernel, whose modules have
# virtio-gpu and DRM (the cloud kernel has neither), with tests/linux/gpu_init.sh as /init.
LINUX_GPU_DIR ?= $(BUILD)/linux-generic
linux-gpu-guest:
	$(Q)bash tests/linux/fetch.sh $(LINUX_GPU_DIR) generic
	$(Q)python3 tests/linux/mkinitramfs.py --dir $(LINUX_GPU_DIR) --modules virtio_pci,virtio_input,virtio-gpu \
		--init tests/linux/gpu_init.sh -o $(LINUX_GPU_DIR)/initramfs.cpio

# check-linux-gpu: Linux drives keel's virtio-gpu and virtio-input (t_linux_gpu.sh). Not part of `make test`:
# about 30 minutes on kvm_pvm hosts, where the generic kernel's boot and its DRM modules run in emulated ring 0.
check-linux-gpu:
	$(Q)KEEL_LINUX_GPU=1 $(MAKE) --no-print-directory integration ONLY=linux_gpu

# --- virtio: the device-side benchmark and the descriptor-chain fuzzer ------------------
BENCH_BLK := $(O)/tests/bench/bench-blk
$(BENCH_BLK): $(O)/tests/bench/bench_blk.o $(TESTLIB_OBJS) $(LIB_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# bench-blk [BENCH_BLK_FILE=PATH] [BENCH_BLK_SECONDS=N]: keel's virtio-blk path next to raw io_uring
BENCH_BLK_FILE ?= /var/tmp/keel-bench-blk.img
BENCH_BLK_SECONDS ?= 5
bench-blk: deps $(BENCH_BLK)
	$(Q)$(BENCH_BLK) $(BENCH_BLK_FILE) $(BENCH_BLK_SECONDS)

# fuzz [FUZZ_SECONDS=N], fuzz-long FUZZ_SECONDS=N [FUZZ_RUNS=M]: libFuzzer (clang) with ASan+UBSan, every target
# for N seconds (mk/fuzz.sh), failing if any fails:
#   virtq       virtq_pop over arbitrary guest memory
#   bzimage     bzimage_probe, bzimage_parse and bzimage_vmlinux over an arbitrary kernel file
#   decompress  kz_decompress over an arbitrary payload
#   multiboot   the Multiboot 1 and 2 protocols' probe, check and load over an arbitrary --kernel file
#   fwcfg       fw_cfg's ports and DMA driven by a hostile guest, against a model of the device
#   gdb         the gdb stub's packet codec, commands and monitor against a fake machine
#   api         Firecracker's API: requests through the core (the document judged by fc_config_apply), raw HTTP through the socket
#   fc-config   Firecracker configuration files into keel's configuration
#   elf-pvh     a --kernel file and its modules through probing, the protocol auto picks, and PVH's check and load
#   options     arbitrary argv through cli_parse (every option's value parser, keel bench, --config-file), freed
#   blk         virtio-blk requests from a hostile driver through blk.c (image in memory, fake I/O loop)
#   net         virtio-net tx headers, rx buffers, control queue, on a backend the input drives
#   console     virtio-console queues and the Ctrl-A escape parser
#   vsock       virtio-vsock packets, ops, credit and ports, with host programs on real Unix sockets
FUZZ_SECONDS ?= 60
FUZZ_CC := clang -std=gnu11 -g -O1 -I. -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_BIN := $(BUILD)/fuzz/fuzz-virtq
FUZZ_SRCS := tests/fuzz/fuzz_virtq.c devices/virtio/virtqueue.c vmm/memory.c
FUZZ_KZ_SRCS := vmm/boot/decompress.c vmm/boot/decompress_frames.c vmm/boot/msg.c
FUZZ_KZ_HDRS := vmm/boot/decompress.h vmm/boot/decompress_frames.h vmm/boot/msg.h vmm/boot/bzimage.h
FUZZ_KZ_LIBS := -lz -llzma -llz4 -lzstd -lbz2 -llzo2
FUZZ_SEEDS := $(BUILD)/fuzz/fuzz-seeds
$(FUZZ_BIN): $(FUZZ_SRCS) $(wildcard devices/virtio/*.h vmm/memory.h firmware/machine.h)
	@echo "  FUZZCC  $@"
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) -o $@ $(FUZZ_SRCS)

$(BUILD)/fuzz/fuzz-bzimage: tests/fuzz/fuzz_bzimage.c vmm/boot/bzimage.c $(FUZZ_KZ_SRCS) $(FUZZ_KZ_HDRS)
	@echo "  FUZZCC  $@"
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) -o $@ $(filter %.c,$^) $(FUZZ_KZ_LIBS)

$(BUILD)/fuzz/fuzz-decompress: tests/fuzz/fuzz_decompress.c $(FUZZ_KZ_SRCS) $(FUZZ_KZ_HDRS)
	@echo "  FUZZCC  $@"
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) -o $@ $(filter %.c,$^) $(FUZZ_KZ_LIBS)

# Multiboot: the protocols' check and load with what they link (ELF, ACPI tables, the memory map, set_regs)
FUZZ_MB_SRCS := tests/fuzz/fuzz_multiboot.c vmm/boot/multiboot.c vmm/boot/multiboot2.c vmm/boot/mb_common.c \
	vmm/boot/elf.c vmm/boot/boot.c vmm/boot/acpi.c vmm/boot/pvh.c vmm/boot/linux.c vmm/boot/fdt.c vmm/boot/msg.c \
	vmm/memory.c vmm/log.c vcpu/regs.c vcpu/state.c firmware/acpi.c firmware/aml.c firmware/acpi_dsdt.c
$(BUILD)/fuzz/fuzz-multiboot: $(FUZZ_MB_SRCS) $(wildcard vmm/boot/*.h firmware/*.h vmm/memory.h vcpu/regs.h vcpu/state.h)
	@echo "  FUZZCC  $@"
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) -Wno-gnu-variable-sized-type-not-at-end -DKEEL_VERSION='"$(VERSION)"' \
		-o $@ $(FUZZ_MB_SRCS) -lfdt

FUZZ_FWCFG_SRCS := tests/fuzz/fuzz_fwcfg.c devices/fw_cfg.c devices/devices.c vmm/bus.c vmm/memory.c
$(BUILD)/fuzz/fuzz-fwcfg: $(FUZZ_FWCFG_SRCS) $(wildcard devices/fw_cfg.h devices/devices.h firmware/fw_cfg.h firmware/le.h vmm/bus.h vmm/memory.h)
	@echo "  FUZZCC  $@"
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) -o $@ $(FUZZ_FWCFG_SRCS) -pthread

FUZZ_GPU_SRCS := tests/fuzz/fuzz_gpu.c $(addprefix devices/virtio/,gpu_cmd.c gpu_res.c gpu_2d.c gpu_format.c gpu_edid.c) \
	vmm/memory.c vmm/log.c
$(BUILD)/fuzz/fuzz-gpu: $(FUZZ_GPU_SRCS) $(wildcard devices/virtio/*.h devices/display.h vmm/memory.h vmm/log.h)
	@echo "  FUZZCC  $@"
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) -o $@ $(FUZZ_GPU_SRCS) -pthread

FUZZ_GDB_SRCS := tests/fuzz/fuzz_gdb.c $(addprefix vmm/gdb/,packet.c commands.c commands_query.c monitor.c \
	x86_decode.c x86_paging.c x86_apic.c textout.c regs.c breakpoints.c image_map.c)
$(BUILD)/fuzz/fuzz-gdb: $(FUZZ_GDB_SRCS) $(wildcard vmm/gdb/*.h)
	@echo "  FUZZCC  $@"
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) -o $@ $(FUZZ_GDB_SRCS) -pthread

FUZZ_API_SRCS := tests/fuzz/fuzz_api.c $(wildcard vmm/api/*.c) vmm/fc/fc_config.c vmm/fc/fc_json.c vmm/image.c \
	$(wildcard vmm/config*.c) vmm/opt.c vmm/log.c vmm/evloop.c vmm/gdb/addr.c
$(BUILD)/fuzz/fuzz-api: $(FUZZ_API_SRCS) $(wildcard vmm/api/*.h vmm/fc/*.h vmm/config.h devices/virtio/config.h)
	@echo "  FUZZCC  $@"
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) -o $@ $(FUZZ_API_SRCS) -ljansson -lmicrohttpd -pthread

FUZZ_FC_SRCS := tests/fuzz/fuzz_fc_config.c vmm/fc/fc_config.c vmm/fc/fc_json.c vmm/image.c $(wildcard vmm/config*.c) vmm/opt.c \
	vmm/log.c vmm/gdb/addr.c
$(BUILD)/fuzz/fuzz-fc-config: $(FUZZ_FC_SRCS) $(wildcard vmm/fc/*.h vmm/config.h devices/virtio/config.h)
	@echo "  FUZZCC  $@"
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) -o $@ $(FUZZ_FC_SRCS) -ljansson -pthread

# ELF/PVH: kernel-file probing (bzImage unpacked or ELF), the protocol auto picks, then PVH's check and load with modules
FUZZ_EP_SRCS := tests/fuzz/fuzz_elf_pvh.c vmm/boot/kernel.c vmm/boot/bzimage.c $(FUZZ_KZ_SRCS) vmm/boot/multiboot.c \
	vmm/boot/multiboot2.c vmm/boot/mb_common.c vmm/boot/elf.c vmm/boot/boot.c vmm/boot/acpi.c vmm/boot/pvh.c \
	vmm/boot/linux.c vmm/boot/fdt.c vmm/memory.c vmm/log.c vcpu/regs.c vcpu/state.c firmware/acpi.c firmware/aml.c \
	firmware/acpi_dsdt.c
$(BUILD)/fuzz/fuzz-elf-pvh: $(FUZZ_EP_SRCS) $(wildcard vmm/boot/*.h firmware/*.h vmm/memory.h vcpu/regs.h vcpu/state.h)
	@echo "  FUZZCC  $@"
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) -Wno-gnu-variable-sized-type-not-at-end -DKEEL_VERSION='"$(VERSION)"' \
		-o $@ $(FUZZ_EP_SRCS) -lfdt $(FUZZ_KZ_LIBS)

# keel's command line: cli_parse with every option's adder, `keel bench`'s options and --config-file
FUZZ_OPT_SRCS := tests/fuzz/fuzz_options.c vmm/cli.c vmm/opt.c vmm/device_types.c $(wildcard vmm/config*.c) \
	vmm/bench/cli.c vmm/bench/paths.c vmm/fc/fc_config.c vmm/fc/fc_json.c vmm/image.c vmm/log.c vmm/gdb/addr.c
$(BUILD)/fuzz/fuzz-options: $(FUZZ_OPT_SRCS) $(wildcard vmm/*.h vmm/bench/*.h vmm/fc/*.h vmm/gdb/addr.h devices/virtio/*.h)
	@echo "  FUZZCC  $@"
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) -o $@ $(FUZZ_OPT_SRCS) -ljansson -pthread

# the virtio devices' guest-facing request parsing: each real device over the fake I/O loop of tests/fuzz/fuzz_ioloop.c
FUZZ_VDEV_SRCS := tests/fuzz/fuzz_vdev.c tests/fuzz/fuzz_ioloop.c $(addprefix devices/virtio/,virtio.c virtqueue.c iov.c) \
	vmm/memory.c vmm/log.c
FUZZ_VDEV_HDRS := $(wildcard tests/fuzz/fuzz_vdev.h tests/fuzz/fuzz_ioloop.h devices/virtio/*.h vmm/memory.h vmm/log.h \
	vmm/ioloop.h vmm/term.h vmm/stop.h vmm/image.h)
FUZZ_VDEVS := $(addprefix $(BUILD)/fuzz/fuzz-,blk net console vsock)
$(BUILD)/fuzz/fuzz-blk: tests/fuzz/fuzz_blk.c devices/virtio/blk.c devices/virtio/backend_disk.c
$(BUILD)/fuzz/fuzz-net: tests/fuzz/fuzz_net.c $(addprefix devices/virtio/,net.c net_ctrl.c backend_tap.c backend_socket.c)
$(BUILD)/fuzz/fuzz-console: tests/fuzz/fuzz_console.c devices/virtio/console.c devices/virtio/backend_chardev.c \
	vmm/term.c vmm/stop.c vmm/image.c
$(BUILD)/fuzz/fuzz-vsock: tests/fuzz/fuzz_vsock.c $(addprefix devices/virtio/,vsock.c vsock_tx.c vsock_uds.c)
$(FUZZ_VDEVS): %: $(FUZZ_VDEV_SRCS) $(FUZZ_VDEV_HDRS)
	@echo "  FUZZCC  $@"
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) -o $@ $(filter %.c,$^) -pthread

# the seeds of bzimage and decompress: a small fake vmlinux in every format, alone and inside a bzImage
$(FUZZ_SEEDS): tests/fuzz/fuzz_seeds.c tests/unit/bzimage_fixture.c tests/unit/bzimage_fixture.h
	@echo "  CC      $@"
	$(Q)mkdir -p $(@D) && $(CC) -std=gnu11 -O1 $(WARN) -I. -D_GNU_SOURCE -o $@ $(filter %.c,$^) $(FUZZ_KZ_LIBS)

# the targets as mk/fuzz.sh takes them: name, corpus directory under $(BUILD)/fuzz, what it feeds
FUZZ_TARGETS := "virtq corpus virtq_pop over arbitrary guest memory" \
	"bzimage corpus-bzimage bzImage parsing and unpacking" \
	"decompress corpus-decompress kz_decompress" \
	"multiboot corpus-multiboot Multiboot 1 and 2 probe, check and load" \
	"fwcfg corpus-fwcfg fw_cfg ports and DMA from a hostile guest" \
	"gdb corpus-gdb gdb packets and monitor commands" \
	"gpu corpus-gpu virtio-gpu requests through the front end and the 2D renderer" \
	"api corpus-api Firecracker API requests through the core and raw HTTP through the socket" \
	"fc-config corpus-fc-config Firecracker configuration files into keel's configuration" \
	"elf-pvh corpus-elf-pvh kernel-file probing and the PVH ELF64 loader's check and load, with modules" \
	"options corpus-options keel's command line split on NUL through cli_parse into the configuration" \
	"blk corpus-blk virtio-blk requests from a hostile driver, the image in memory behind a fake I/O loop" \
	"net corpus-net virtio-net transmit headers, receive buffers and control commands, frames and results from the input" \
	"console corpus-console virtio-console receive and transmit queues, host input through the Ctrl-A escapes" \
	"vsock corpus-vsock virtio-vsock packets from a hostile driver, host programs on real Unix sockets"
FUZZ_ALL := $(FUZZ_BIN) $(BUILD)/fuzz/fuzz-bzimage $(BUILD)/fuzz/fuzz-decompress $(FUZZ_SEEDS) \
	$(BUILD)/fuzz/fuzz-multiboot $(BUILD)/fuzz/fuzz-fwcfg $(BUILD)/fuzz/fuzz-gdb $(BUILD)/fuzz/fuzz-gpu \
	$(BUILD)/fuzz/fuzz-api $(BUILD)/fuzz/fuzz-fc-config $(BUILD)/fuzz/fuzz-elf-pvh $(BUILD)/fuzz/fuzz-options \
	$(FUZZ_VDEVS) $(MB_KERNELS)

# every target built, and its corpus: the committed seeds (tests/fuzz/seeds/NAME), plus generated ones
fuzz-build:
	$(Q)bash mk/deps.sh build fuzz
	$(Q)$(MAKE) --no-print-directory $(FUZZ_ALL)
	$(Q)mkdir -p $(BUILD)/fuzz/corpus $(BUILD)/fuzz/corpus-bzimage $(BUILD)/fuzz/corpus-decompress \
		$(BUILD)/fuzz/corpus-multiboot $(BUILD)/fuzz/corpus-fwcfg $(BUILD)/fuzz/corpus-gdb $(BUILD)/fuzz/corpus-gpu \
		$(BUILD)/fuzz/corpus-api $(BUILD)/fuzz/corpus-fc-config $(BUILD)/fuzz/corpus-elf-pvh $(BUILD)/fuzz/corpus-options \
		$(BUILD)/fuzz/corpus-blk $(BUILD)/fuzz/corpus-net $(BUILD)/fuzz/corpus-console $(BUILD)/fuzz/corpus-vsock
	$(Q)cp -f $(MB_KERNELS) tests/fuzz/seeds/multiboot/* $(BUILD)/fuzz/corpus-multiboot/
	$(Q)cp -f tests/fuzz/seeds/fwcfg/* $(BUILD)/fuzz/corpus-fwcfg/
	$(Q)cp -f tests/fuzz/seeds/gdb/* $(BUILD)/fuzz/corpus-gdb/
	$(Q)cp -f tests/fuzz/seeds/gpu/* $(BUILD)/fuzz/corpus-gpu/
	$(Q)cp -f tests/fuzz/seeds/api/* $(BUILD)/fuzz/corpus-api/
	$(Q)cp -f configs/*.json $(BUILD)/fuzz/corpus-fc-config/
	$(Q)cp -f tests/fuzz/seeds/elf-pvh/* $(BUILD)/fuzz/corpus-elf-pvh/
	$(Q)cp -f tests/fuzz/seeds/options/* $(BUILD)/fuzz/corpus-options/
	$(Q)for t in blk net console vsock; do cp -f tests/fuzz/seeds/$$t/* $(BUILD)/fuzz/corpus-$$t/; done
	$(Q)printf '\003\003\000\000\100\000\200\000\000\020\000\000\000\000\000\000\020\000\000\000\001\000\001\000\000\040\000\000\000\000\000\000\010\000\000\000\002\000\000\000' \
		>$(BUILD)/fuzz/corpus/seed-chain
	$(Q)$(FUZZ_SEEDS) $(BUILD)/fuzz/corpus-decompress $(BUILD)/fuzz/corpus-bzimage

# fuzz [FUZZ_SECONDS=N]: every target for N seconds (CI: .ci/run), failing if any fails
fuzz: fuzz-build
	$(Q)bash mk/fuzz.sh $(BUILD)/fuzz $(FUZZ_SECONDS) 0 $(FUZZ_TARGETS)

# fuzz-long FUZZ_SECONDS=N [FUZZ_RUNS=M]: every target for N seconds or M executions, whichever comes first;
# the corpora grow in $(BUILD)/fuzz and are kept; $(BUILD)/fuzz/summary.txt has the figures the README quotes
FUZZ_RUNS ?= 0
fuzz-long: fuzz-build
	$(Q)bash mk/fuzz.sh $(BUILD)/fuzz $(FUZZ_SECONDS) $(FUZZ_RUNS) $(FUZZ_TARGETS)

# soak [SOAK_CYCLES=N] [SOAK_SECONDS=S]: N boot/power-off cycles of the bundled guest with a disk, a NIC and a console
# socket, resources flat and every status right, then one VM for S seconds under console, disk and network load
# with flat RSS (default 500 cycles and an hour); figures in $(BUILD)/soak/summary.txt
soak: deps $(KEEL)
	$(Q)bash mk/deps.sh soak
	$(Q)KEEL=$(KEEL) GUEST_ELF=$(GUEST_ELF) SOAK_OUT=$(BUILD)/soak bash tests/soak/soak.sh

run: deps $(KEEL)
	$(Q)./$(KEEL) run $(RUN_ARGS); s=$$?; \
	if [ $$s -eq 0 ]; then echo "keel: the bundled guest passed every check (status 0)"; \
	else echo "keel: exit status $$s (see 'keel --help')"; exit $$s; fi

bench-startup: deps $(KEEL)
	$(Q)KEEL=$(KEEL) GUEST_ELF=$(GUEST_ELF) bash tests/bench/startup.sh

# bench-api: execve to the API answering, InstanceStart to the first guest instruction (Firecracker's figures quoted)
bench-api: deps $(KEEL)
	$(Q)bash mk/deps.sh bench && KEEL=$(KEEL) GUEST_ELF=$(GUEST_ELF) python3 tests/bench/api.py

# bench-net [BENCH_NET_SECONDS=N]: UDP echo through a tap, keel against QEMU on the bundled guest (root)
bench-net: deps $(KEEL)
	$(Q)KEEL=$(KEEL) GUEST_ELF=$(GUEST_ELF) bash tests/bench/net.sh

# bench-gpu [BENCH_GPU_FRAMES=N] [BENCH_GPU_CLEARS=N]: 2D frames/s at 1280x800 and virgl clears/s, keel beside QEMU's
# virtio-gpu-pci / virtio-gpu-gl-pci on the bundled guest; a markdown table on stdout and in $(BUILD)/bench-gpu.md
bench-gpu: deps $(KEEL)
	$(Q)KEEL=$(KEEL) GUEST_ELF=$(GUEST_ELF) BENCH_GPU_MD=$(BUILD)/bench-gpu.md bash tests/bench/gpu.sh

# bench-linux [BENCH_LINUX_RUNS=N]: Debian's kernel from execve to /init and power-off, keel beside QEMU
# (TCG on kvm_pvm hosts), phases by printk timestamps; $(BUILD)/bench/linux.json. 10-20 min on kvm_pvm hosts.
bench-linux: deps $(KEEL)
	$(Q)KEEL=$(abspath $(KEEL)) LINUX_DIR=$(LINUX_DIR) BENCH_LINUX_JSON=$(BUILD)/bench/linux.json bash tests/bench/linux.sh

# bench-linux-io [BENCH_LINUX_IO_SECONDS=S]: inside Debian's kernel on keel, disk (1 MiB sequential, 4 KiB random
# at depth 1 and 32) and TCP through virtio, beside the same work on the host; $(BUILD)/bench/linux-io.json (root)
bench-linux-io: deps $(KEEL)
	$(Q)KEEL=$(abspath $(KEEL)) LINUX_DIR=$(LINUX_DIR) BENCH_LINUX_IO_JSON=$(BUILD)/bench/linux-io.json bash tests/bench/linux_io.sh

# profile-linux [PROFILE_LINUX_STOP=REGEX]: bench-linux's boot under keel with bpftrace counting emulated instructions
# by guest function and exits by reason (root); $(BUILD)/bench/linux-profile/report.txt
profile-linux: deps $(KEEL)
	$(Q)KEEL=$(abspath $(KEEL)) LINUX_DIR=$(LINUX_DIR) PROFILE_LINUX_OUT=$(BUILD)/bench/linux-profile bash tests/bench/linux_profile.sh

# bench [BENCH_ARGS=...]: `keel bench` with the full iteration count: the table, $(BUILD)/bench.json, $(BUILD)/bench.svg
bench: deps $(KEEL)
	$(Q)bash mk/deps.sh bench
	$(Q)$(abspath $(KEEL)) bench --json $(BUILD)/bench.json --plot $(BUILD)/bench.svg $(BENCH_ARGS)

# bench-agree [BENCH_ARGS=...]: two full `keel bench` runs compared path by path; fails when a min differs by over 10 %
bench-agree: deps $(KEEL)
	$(Q)bash mk/deps.sh bench
	$(Q)KEEL=$(abspath $(KEEL)) OUT=$(BUILD)/bench-agree bash tests/bench/agree.sh

# fresh-check: the README's quick-start commands in a brand-new Debian 12 root (mmdebstrap), on a
# clone of the committed HEAD; CI runs this (root; the root's .deb downloads are kept in $(BUILD)/fresh/debs)
fresh-check:
	$(Q)bash mk/fresh-check.sh $(BUILD)

# readme-gdb: rewrite README.md's gdb transcript from a real session (the gdb tests check it)
readme-gdb: $(KEEL)
	$(Q)python3 tests/tools/readme_gdb.py --update README.md $(KEEL) $(GUEST_ELF)

lint: $(CONFIG_H)
	$(Q)cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr -I. -I$(O)/gen -D_GNU_SOURCE $(VMM_SRCS)

format:
	$(Q)clang-format -i $(VMM_SRCS) $(wildcard vmm/*.h vmm/boot/*.h vmm/gdb/*.h vcpu/*.h devices/*.h tests/unit/*.c)

clean:
	rm -rf $(BUILD)

-include $(shell find $(O) -path $(O)/san -prune -o -path $(O)/guest -prune -o -path $(O)/fresh -prune -o -type f -name '*.d' -print 2>/dev/null)
