/* The bundled guest kernel's ELF image, embedded in the keel binary by the build (see vmm/bundled_guest.h). */
	.section .rodata
	.balign 16
	.globl keel_bundled_guest
keel_bundled_guest:
	.incbin GUEST_ELF
keel_bundled_guest_end:
	.balign 8
	.globl keel_bundled_guest_size
keel_bundled_guest_size:
	.quad keel_bundled_guest_end - keel_bundled_guest
	.section .note.GNU-stack,"",@progbits
