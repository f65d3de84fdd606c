/* fuzz-dmi.c: libFuzzer target for the DMI part of VM detection, through
 * virt_detect_vm() on a root tree that holds only what the input says.
 *
 * The input is up to six pieces split at the byte 0x1e: the DMI files
 * product_name, sys_vendor, board_vendor, bios_vendor, product_version (in
 * /sys/class/dmi/id), then the SMBIOS type 0 structure
 * (/sys/firmware/dmi/entries/0-0/raw, binary: it is the rest of the input).
 * An empty or missing piece is a missing file.
 *
 * The oracle is a model of the DMI rules: the first of the files, in that
 * order, whose first line (of the first 4 KiB) virt_dmi_vendor() names; an
 * Amazon answer is bare metal ("none") when the SMBIOS "VM" bit is clear,
 * or when the structure cannot say and product_name's first ".metal" ends
 * it or is followed by '-'; no name, but the VM bit set, is "vm-other".
 * With no other file in the tree, that answer is virt_detect_vm()'s, by
 * method "dmi", and no container is seen. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-check.h"
#include "fuzz-tree.h"
#include "rootfs.h"
#include "virt.h"

#define SEPARATOR '\x1e'
#define READ_CAP 4096 /* what virt.c reads of each of these files */
#define N_DMI 5

static const char *const files[N_DMI + 1] = {
	"sys/class/dmi/id/product_name",
	"sys/class/dmi/id/sys_vendor",
	"sys/class/dmi/id/board_vendor",
	"sys/class/dmi/id/bios_vendor",
	"sys/class/dmi/id/product_version",
	"sys/firmware/dmi/entries/0-0/raw",
};

struct piece {
	const char *data;
	size_t len;
};

/* first_line(p): the first line of the capped piece as a C string (free
 * it): it ends at "\n", "\r" or NUL. */
static char *first_line(const struct piece *p)
{
	size_t n = p->len < READ_CAP ? p->len : READ_CAP, end = 0;
	char *s;

	while (end < n && p->data[end] != '\n' && p->data[end] != '\r' && p->data[end] != '\0')
		end++;
	s = malloc(end + 1);
	require(s != NULL);
	memcpy(s, p->data, end);
	s[end] = '\0';
	return s;
}

/* vm_bit(raw): the SMBIOS "is a VM" bit (byte 19, bit 4), or -1 when the
 * structure is shorter than 20 bytes or says its length is. */
static int vm_bit(const struct piece *raw)
{
	size_t n = raw->len < READ_CAP ? raw->len : READ_CAP;
	const unsigned char *b = (const unsigned char *)raw->data;

	if (n < 20 || b[1] < 20)
		return -1;
	return (b[19] >> 4) & 1;
}

static const char *model_amazon(const struct piece *pieces)
{
	int bit = vm_bit(&pieces[N_DMI]);
	const char *id = "amazon";
	char *name, tail;

	if (bit >= 0)
		return bit ? "amazon" : "none";
	if (pieces[0].len == 0)
		return "amazon";
	name = first_line(&pieces[0]);
	/* only the first ".metal" counts: find its end by hand */
	for (size_t at = 0, n = strlen(name); at + 6 <= n; at++) {
		if (memcmp(name + at, ".metal", 6) != 0)
			continue;
		tail = name[at + 6];
		if (tail == '\0' || tail == '-')
			id = "none";
		break;
	}
	free(name);
	return id;
}

static const char *model_dmi(const struct piece *pieces)
{
	for (int i = 0; i < N_DMI; i++) {
		char *line;
		const char *id;

		if (pieces[i].len == 0)
			continue;
		line = first_line(&pieces[i]);
		id = virt_id_name(virt_dmi_vendor(line));
		free(line);
		if (id != NULL)
			return strcmp(id, "amazon") == 0 ? model_amazon(pieces) : id;
	}
	return vm_bit(&pieces[N_DMI]) == 1 ? "vm-other" : "none";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct piece pieces[N_DMI + 1] = { { NULL, 0 } };
	const char *p = (const char *)data, *end = p + size, *want;
	struct virt_result vm, ct;
	struct virt_env env;
	struct rootfs fs;
	int i, dirfd;

	for (i = 0; i <= N_DMI && p < end; i++) {
		const char *sep = i < N_DMI ? memchr(p, SEPARATOR, (size_t)(end - p)) : NULL;
		const char *stop = sep ? sep : end;

		pieces[i].data = p;
		pieces[i].len = (size_t)(stop - p);
		p = sep ? sep + 1 : end;
	}
	dirfd = tree_open();
	for (i = 0; i <= N_DMI; i++)
		if (pieces[i].len > 0)
			tree_write(dirfd, files[i], pieces[i].data, pieces[i].len);
	require(close(dirfd) == 0);

	require(rootfs_init(&fs, tree_dir) == 0);
	env.fs = &fs;
	env.real_system = 0;
	env.cpuid_sig = NULL;
	virt_detect_vm(&env, &vm);
	virt_detect_container(&env, &ct);
	rootfs_close(&fs);

	want = model_dmi(pieces);
	if (strcmp(want, "none") == 0)
		require(strcmp(virt_id_name(vm.id), "none") == 0 && strcmp(vm.method, "none") == 0);
	else
		require(strcmp(virt_id_name(vm.id), want) == 0 && strcmp(vm.method, "dmi") == 0);
	require(strcmp(virt_id_name(ct.id), "none") == 0);
	return 0;
}
