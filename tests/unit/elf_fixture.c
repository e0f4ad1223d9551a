/* A hand-made PVH ELF kernel and the boot_setup() checks shared by the ELF loader and PVH tests. */
#include "tests/unit/elf_fixture.h"

#include <check.h>
#include <errno.h>
#include <string.h>

#include "firmware/pvh.h"

Elf64_Ehdr get_eh(const struct kimg *k)
{
	Elf64_Ehdr eh;

	memcpy(&eh, k->bytes, sizeof(eh));
	return eh;
}

void put_eh(struct kimg *k, const Elf64_Ehdr *eh)
{
	memcpy(k->bytes, eh, sizeof(*eh));
}

Elf64_Phdr get_ph(const struct kimg *k, unsigned int i)
{
	Elf64_Phdr ph;

	memcpy(&ph, k->bytes + sizeof(Elf64_Ehdr) + i * sizeof(ph), sizeof(ph));
	return ph;
}

void put_ph(struct kimg *k, unsigned int i, const Elf64_Phdr *ph)
{
	memcpy(k->bytes + sizeof(Elf64_Ehdr) + i * sizeof(*ph), ph, sizeof(*ph));
}

void put_note(struct kimg *k, const char *name, uint32_t type, uint32_t descsz,
	      uint64_t entry)
{
	struct xen_note n = { .nh = { .n_namesz = 4, .n_descsz = descsz, .n_type = type } };
	Elf64_Phdr ph = get_ph(k, 1);

	memcpy(n.name, name, 4);
	for (unsigned int i = 0; i < 8; i++)
		n.desc[i] = (uint8_t)(entry >> (8 * i));
	memcpy(k->bytes + K_NOTE_OFF, &n, sizeof(n));
	ph.p_filesz = sizeof(n.nh) + 4 + ((descsz + 3) & ~3u);
	put_ph(k, 1, &ph);
}

uint8_t code_byte(unsigned int i)
{
	return (uint8_t)(i * 7 + 3);
}

void make_kernel(struct kimg *k)
{
	Elf64_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_EXEC,
		.e_machine = EM_X86_64,
		.e_version = EV_CURRENT,
		.e_entry = K_VADDR,
		.e_phoff = sizeof(Elf64_Ehdr),
		.e_ehsize = sizeof(Elf64_Ehdr),
		.e_phentsize = sizeof(Elf64_Phdr),
		.e_phnum = 2,
	};
	Elf64_Phdr load = {
		.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = K_CODE_OFF,
		.p_vaddr = K_VADDR, .p_paddr = K_PADDR, .p_filesz = K_CODE_SIZE, .p_memsz = K_MEMSZ,
		.p_align = 0x1000,
	};
	Elf64_Phdr note = { .p_type = PT_NOTE, .p_flags = PF_R, .p_offset = K_NOTE_OFF, .p_align = 4 };

	memset(k, 0, sizeof(*k));
	put_eh(k, &eh);
	put_ph(k, 0, &load);
	put_ph(k, 1, &note);
	put_note(k, XEN_ELFNOTE_NAME, XEN_ELFNOTE_PHYS32_ENTRY, 4, K_ENTRY);
	for (unsigned int i = 0; i < K_CODE_SIZE; i++)
		k->bytes[K_CODE_OFF + i] = code_byte(i);
	k->size = K_CODE_OFF + K_CODE_SIZE;
}

void ram_init(struct guest_mem *mem, uint64_t size)
{
	ck_assert_int_eq(gmem_init(mem, size), 0);
	if (size <= 64 * MiB)
		memset(mem->base, RAM_FILL, size);
}

int ram_untouched(const struct guest_mem *mem)
{
	for (uint64_t i = 0; i < mem->size; i++)
		if (mem->base[i] != RAM_FILL)
			return 0;
	return 1;
}

struct boot_request request(const struct kimg *k)
{
	return (struct boot_request){
		.kernel = k->bytes,
		.kernel_size = k->size,
		.kernel_name = "test-kernel",
		.cmdline = "console=ttyS0",
		.ncpus = 1,
	};
}

/* @req must fail by @proto with -EINVAL and one line starting with @prefix (when given) that contains @want. */
static void expect_failure(const struct boot_protocol *proto, const struct boot_request *req, uint64_t ram,
			   const char *prefix, const char *want)
{
	struct guest_mem mem;
	struct boot_result res;
	char err[512] = "", check_err[512] = "";
	int r;

	ram_init(&mem, ram);
	/* The protocol's check, run before KVM is opened, says the same as the load. */
	r = proto->check(&mem, req, check_err, sizeof(check_err));
	ck_assert_msg(r == -EINVAL, "%s check returned %d, not -EINVAL (%s)", proto->name, r, check_err);
	r = proto->load(&mem, req, &res, err, sizeof(err));
	ck_assert_msg(r == -EINVAL, "%s load returned %d, not -EINVAL (%s)", proto->name, r, err);
	ck_assert_str_eq(check_err, err);
	ck_assert_msg(strstr(err, want) != NULL, "error \"%s\" does not say \"%s\"", err, want);
	ck_assert_msg(!prefix || strncmp(err, prefix, strlen(prefix)) == 0,
		      "error \"%s\" does not start with \"%s\"", err, prefix);
	ck_assert_msg(strchr(err, '\n') == NULL, "error \"%s\" is more than one line", err);
	ck_assert_msg(ram_untouched(&mem), "a rejected boot wrote guest RAM");
	gmem_destroy(&mem);
}

void expect_request_rejected(const struct boot_request *req, uint64_t ram, const char *want)
{
	expect_failure(&boot_pvh, req, ram, NULL, want);
}

void expect_protocol_rejected(const struct boot_protocol *proto, const struct boot_request *req, uint64_t ram,
			      const char *prefix, const char *want)
{
	expect_failure(proto, req, ram, prefix, want);
}

void expect_rejected(const struct kimg *k, const char *want)
{
	struct boot_request req = request(k);

	expect_failure(&boot_pvh, &req, 4 * MiB, "test-kernel: ", want);
}

void boot_ok(struct guest_mem *mem, uint64_t ram, const struct boot_request *req,
	     struct boot_result *res)
{
	char err[512] = "";
	int r;

	ram_init(mem, ram);
	r = boot_setup(mem, req, res, err, sizeof(err));
	ck_assert_msg(r == 0, "boot_setup failed: %d (%s)", r, err);
}

void read_gpa(const struct guest_mem *mem, uint64_t gpa, void *dst, size_t len)
{
	ck_assert_int_eq(gmem_read(mem, gpa, dst, len), 0);
}
