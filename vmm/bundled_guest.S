/* The bundled guest kernel's ELF image, embedded in the keel binary by the build. */
	.section .rodata
	.balign 16
	.globl keel_bundled_guest
	.globl keel_bundled_guest_end
keel_bundled_guest:
	.incbin GUEST_ELF
keel_bundled_guest_end:
	.section .note.GNU-stack,"",@progbits
