/* The machine's fw_cfg device (devices/fw_cfg.h) and the items this VM gives it: RAM, vCPUs, the memory map, the boot's kernel, initrd and command line, the --fw-cfg files. */
#ifndef KEEL_VMM_MACHINE_FW_CFG_H
#define KEEL_VMM_MACHINE_FW_CFG_H

struct dev_descs;
struct vm;

/*
 * machine_fw_cfg_create - the device on the VM's ports and guest RAM (into vm->fw_cfg) with
 * RAM_SIZE, NB_CPUS, MAX_CPUS, the file etc/e820 (the memory map the boot protocols hand over)
 * and the --fw-cfg files (a file= item's bytes mapped now, as images are). 0 or -errno, with one
 * line logged for a --fw-cfg file that cannot be read any more.
 */
int machine_fw_cfg_create(struct vm *vm);

/*
 * machine_fw_cfg_booted - once the kernel is loaded, before vm_boot closes the input files:
 * KERNEL_ADDR, _SIZE and _DATA (the kernel file as given, or the bundled guest's ELF: its mapping
 * vm->kernel_img is taken over), INITRD_ADDR, _SIZE and _DATA (the first --initrd, taken over
 * from vm->initrd_img[0], or the joined initrd Linux got)
 * and CMDLINE_SIZE and _DATA (the command line as the kernel received it), CMDLINE_ADDR and
 * KERNEL_CMDLINE (where, when the protocol says: boot_result.cmdline_gpa). 0 or -errno.
 */
int machine_fw_cfg_booted(struct vm *vm);

/* machine_fw_cfg_describe - the device's description (firmware/describe.h). 0 or -ENOSPC. */
int machine_fw_cfg_describe(struct vm *vm, struct dev_descs *out);

/* machine_fw_cfg_destroy - take the device off its ports and release its items; safe when never created. */
void machine_fw_cfg_destroy(struct vm *vm);

#endif
