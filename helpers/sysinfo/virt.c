/* virt.c: virtualization and container detection.
 *
 * The order and the rules are systemd's (src/basic/virt.c, detect_vm() and
 * detect_container(), 2024), so that sysinfo answers what
 * `systemd-detect-virt --vm` and `--container` answer on the same machine.
 * Own implementation: the tables and the order are the shared facts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(HAVE_CPUID_H) && (defined(__i386__) || defined(__x86_64__))
#include <cpuid.h>
#define HAVE_X86_CPUID 1
#endif

#include "procfile.h"
#include "virt.h"
#include "xalloc.h"

#define SMALL_CAP 4096           /* one-line sysfs and proc files */
#define PROC_CAP (64 * 1024)     /* /proc/cpuinfo, /proc/sysinfo, status */
#define ENVIRON_CAP (256 * 1024) /* /proc/1/environ */

/* SMBIOS type 0 (BIOS Information) structure: byte 1 is its length; byte 19,
 * BIOS Characteristics Extension Byte 2, has bit 4 "this is a VM". */
#define SMBIOS_LENGTH_BYTE 1
#define SMBIOS_BIOS_EXT2_BYTE 19
#define SMBIOS_BIOS_EXT2_VM (1u << 4)

/* Xen's feature bitmap (public/features.h): XENFEAT_dom0 is bit 11. */
#define XENFEAT_DOM0 (1ul << 11)

/* CPUID: leaf 1 ECX bit 31 says a hypervisor is present; leaf 0x40000000
 * holds its 12-byte vendor signature in EBX, ECX, EDX. */
#define CPUID_LEAF_FEATURES 1u
#define CPUID_ECX_HYPERVISOR (1u << 31)
#define CPUID_LEAF_HYPERVISOR 0x40000000u
#define CPUID_SIG_LEN 12

/* The method of a "none" answer: nothing decided. */
#define NO_METHOD "none"

/* A decimal pid in /proc/self/status: at most 10 digits (31 bits). */
#define PID_DIGITS_MAX 10

/* ---- the tables -------------------------------------------------------- */

/* The printed name of every id: systemd-detect-virt's vocabulary. */
static const char *const virt_names[N_VIRT_IDS] = {
	[VIRT_NONE] = "none",
	[VIRT_KVM] = "kvm",
	[VIRT_AMAZON] = "amazon",
	[VIRT_QEMU] = "qemu",
	[VIRT_BOCHS] = "bochs",
	[VIRT_XEN] = "xen",
	[VIRT_UML] = "uml",
	[VIRT_VMWARE] = "vmware",
	[VIRT_ORACLE] = "oracle",
	[VIRT_MICROSOFT] = "microsoft",
	[VIRT_ZVM] = "zvm",
	[VIRT_PARALLELS] = "parallels",
	[VIRT_BHYVE] = "bhyve",
	[VIRT_QNX] = "qnx",
	[VIRT_ACRN] = "acrn",
	[VIRT_POWERVM] = "powervm",
	[VIRT_APPLE] = "apple",
	[VIRT_SRE] = "sre",
	[VIRT_GOOGLE] = "google",
	[VIRT_VM_OTHER] = "vm-other",
	[VIRT_SYSTEMD_NSPAWN] = "systemd-nspawn",
	[VIRT_LXC_LIBVIRT] = "lxc-libvirt",
	[VIRT_LXC] = "lxc",
	[VIRT_OPENVZ] = "openvz",
	[VIRT_DOCKER] = "docker",
	[VIRT_PODMAN] = "podman",
	[VIRT_RKT] = "rkt",
	[VIRT_WSL] = "wsl",
	[VIRT_PROOT] = "proot",
	[VIRT_POUCH] = "pouch",
	[VIRT_CONTAINER_OTHER] = "container-other",
};

/* DMI vendor strings, matched as prefixes of each DMI file's first line.
 * Source: systemd detect_vm_dmi_vendor().  Order matters only where one
 * prefix could shadow another; the file order (below) matters more. */
static const struct {
	const char *prefix;
	enum virt_id id;
} dmi_vendor_table[] = {
	{ "KVM", VIRT_KVM },
	{ "OpenStack", VIRT_KVM },     /* OpenStack on non-x86 */
	{ "KubeVirt", VIRT_KVM },      /* KubeVirt on non-x86 */
	{ "Amazon EC2", VIRT_AMAZON }, /* bare metal told apart below */
	{ "QEMU", VIRT_QEMU },
	{ "VMware", VIRT_VMWARE },
	{ "VMW", VIRT_VMWARE },
	{ "innotek GmbH", VIRT_ORACLE },
	{ "VirtualBox", VIRT_ORACLE },
	{ "Oracle Corporation", VIRT_ORACLE }, /* VirtualBox via board_vendor */
	{ "Xen", VIRT_XEN },
	{ "Bochs", VIRT_BOCHS },
	{ "Parallels", VIRT_PARALLELS },
	{ "BHYVE", VIRT_BHYVE },
	{ "Hyper-V", VIRT_MICROSOFT },
	{ "Apple Virtualization", VIRT_APPLE },
	{ "Google Compute Engine", VIRT_GOOGLE },
	/* "Microsoft Corporation" is deliberately absent: Surface laptops. */
};

/* The DMI files, in systemd's order: product_name first, so that a QEMU
 * machine that says "KVM" in product_name is kvm, not qemu. */
static const char *const dmi_files[] = {
	"/sys/class/dmi/id/product_name",
	"/sys/class/dmi/id/sys_vendor",
	"/sys/class/dmi/id/board_vendor",
	"/sys/class/dmi/id/bios_vendor",
	"/sys/class/dmi/id/product_version",
};

/* DMI answers that are final at once, before CPUID: these hypervisors show
 * KVM's (or Hyper-V's) CPUID signature but are known better by DMI. */
static const enum virt_id dmi_final[] = {
	VIRT_ORACLE,
	VIRT_XEN,
	VIRT_AMAZON,
	VIRT_PARALLELS,
	VIRT_GOOGLE,
};

/* CPUID leaf 0x40000000 signatures (EBX ECX EDX).  Source: systemd
 * detect_vm_cpuid().  "Microsoft Hv" is listed but only remembered by the
 * caller: QEMU with Hyper-V enlightenments shows it too. */
static const struct {
	const char *sig;
	enum virt_id id;
} cpuid_table[] = {
	{ "XenVMMXenVMM", VIRT_XEN },
	{ "KVMKVMKVM", VIRT_KVM },     /* QEMU with KVM */
	{ "Linux KVM Hv", VIRT_KVM },  /* QEMU with KVM and Hyper-V enlightenments */
	{ "TCGTCGTCGTCG", VIRT_QEMU }, /* QEMU without KVM */
	{ "VMwareVMware", VIRT_VMWARE },
	{ "Microsoft Hv", VIRT_MICROSOFT },
	{ "bhyve bhyve ", VIRT_BHYVE },
	{ "QNXQVMBSQG", VIRT_QNX },
	{ "ACRNACRNACRN", VIRT_ACRN },
	{ "SRESRESRESRE", VIRT_SRE },
	{ "Apple VZ", VIRT_APPLE },
};

/* Container manager names that map to themselves ($container, the
 * /run/host/container-manager and /run/systemd/container files).  Source:
 * systemd's container name table; anything else is container-other. */
static const enum virt_id container_names[] = {
	VIRT_LXC,
	VIRT_LXC_LIBVIRT,
	VIRT_SYSTEMD_NSPAWN,
	VIRT_DOCKER,
	VIRT_PODMAN,
	VIRT_RKT,
	VIRT_WSL,
	VIRT_PROOT,
	VIRT_POUCH,
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

const char *virt_id_name(enum virt_id id)
{
	return id >= 0 && id < N_VIRT_IDS ? virt_names[id] : NULL;
}

enum virt_id virt_dmi_vendor(const char *line)
{
	for (size_t i = 0; i < N_ELEMS(dmi_vendor_table); i++)
		if (strncmp(line, dmi_vendor_table[i].prefix, strlen(dmi_vendor_table[i].prefix)) == 0)
			return dmi_vendor_table[i].id;
	return VIRT_NO_ANSWER;
}

enum virt_id virt_cpuid_vendor(const char *sig)
{
	for (size_t i = 0; i < N_ELEMS(cpuid_table); i++)
		if (strcmp(sig, cpuid_table[i].sig) == 0)
			return cpuid_table[i].id;
	return VIRT_NO_ANSWER;
}

enum virt_id virt_container_name(const char *name)
{
	for (size_t i = 0; i < N_ELEMS(container_names); i++)
		if (strcmp(name, virt_id_name(container_names[i])) == 0)
			return container_names[i];
	return VIRT_NO_ANSWER;
}

static int is_in(enum virt_id id, const enum virt_id *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (id == set[i])
			return 1;
	return 0;
}

static int is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* span_starts_with(s, n, prefix): the n bytes at s (no NUL) begin with prefix. */
static int span_starts_with(const char *s, size_t n, const char *prefix)
{
	size_t plen = strlen(prefix);

	return n >= plen && memcmp(s, prefix, plen) == 0;
}

/* ---- VM checks --------------------------------------------------------- */

/* The SMBIOS "is a virtual machine" bit.  1 set, 0 unset, -1 when the
 * structure cannot be read or is too short to say. */
static int smbios_vm_bit(const struct virt_env *env)
{
	char *raw;
	size_t len;
	int r;

	if (rootfs_read(env->fs, "/sys/firmware/dmi/entries/0-0/raw", SMALL_CAP, &raw, &len) < 0)
		return -1;
	if (len <= SMBIOS_BIOS_EXT2_BYTE ||
	    (unsigned char)raw[SMBIOS_LENGTH_BYTE] <= SMBIOS_BIOS_EXT2_BYTE)
		r = -1;
	else
		r = ((unsigned char)raw[SMBIOS_BIOS_EXT2_BYTE] & SMBIOS_BIOS_EXT2_VM) != 0;
	free(raw);
	return r;
}

/* Amazon: EC2 VMs and bare-metal instances share their DMI vendor. */
static enum virt_id amazon_or_metal(const struct virt_env *env)
{
	static const char metal[] = ".metal";
	char *name;
	const char *m;
	enum virt_id id = VIRT_AMAZON;

	switch (smbios_vm_bit(env)) {
	case 1:
		return VIRT_AMAZON;
	case 0:
		return VIRT_NONE;
	default:
		break;
	}
	/* Without the SMBIOS table, a first ".metal" that ends the name or is
	 * followed by '-' ("m5.metal", "m7i.metal-24xl") names bare metal, as
	 * systemd reads it (nothing trimmed); if even the name is unreadable,
	 * the common case (a VM) wins. */
	if (rootfs_read_line(env->fs, "/sys/class/dmi/id/product_name", SMALL_CAP, &name) < 0)
		return VIRT_AMAZON;
	m = strstr(name, metal);
	if (m) {
		char after = m[sizeof metal - 1];

		if (after == '\0' || after == '-')
			id = VIRT_NONE;
	}
	free(name);
	return id;
}

static enum virt_id detect_dmi(const struct virt_env *env)
{
	for (size_t i = 0; i < N_ELEMS(dmi_files); i++) {
		char *line;
		enum virt_id id;

		if (rootfs_read_line(env->fs, dmi_files[i], SMALL_CAP, &line) < 0)
			continue;
		id = virt_dmi_vendor(line);
		free(line);
		if (id != VIRT_NO_ANSWER)
			return id == VIRT_AMAZON ? amazon_or_metal(env) : id;
	}
	/* No vendor, but the firmware says "VM": some VM we cannot name. */
	return smbios_vm_bit(env) == 1 ? VIRT_VM_OTHER : VIRT_NONE;
}

static enum virt_id detect_uml(const struct virt_env *env)
{
	char *buf;
	size_t len, vlen;
	const char *v;
	enum virt_id id = VIRT_NONE;

	if (rootfs_read(env->fs, "/proc/cpuinfo", PROC_CAP, &buf, &len) < 0)
		return VIRT_NONE;
	v = procfile_field(buf, len, "vendor_id", &vlen);
	if (v && span_starts_with(v, vlen, "User Mode Linux"))
		id = VIRT_UML;
	free(buf);
	return id;
}

int virt_xen_features_dom0(const char *features)
{
	char *end;
	unsigned long f;

	errno = 0;
	f = strtoul(features, &end, 16);
	if (end == features || errno != 0)
		return -1;
	return (f & XENFEAT_DOM0) != 0;
}

/* 1 when this Xen guest is dom0 (the hardware domain). */
static int xen_is_dom0(const struct virt_env *env)
{
	char *line, *save = NULL, *tok;
	int r;

	if (rootfs_read_line(env->fs, "/sys/hypervisor/properties/features", SMALL_CAP, &line) == 0) {
		r = virt_xen_features_dom0(line);
		free(line);
		if (r >= 0)
			return r;
	}
	if (rootfs_read_line(env->fs, "/proc/xen/capabilities", SMALL_CAP, &line) < 0)
		return 0;
	r = 0;
	for (tok = strtok_r(line, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (is(tok, "control_d"))
			r = 1;
	free(line);
	return r;
}

/* cpuid_signature(env, sig): 1 with the hypervisor's signature in sig when
 * the CPU says a hypervisor is present, else 0. */
static int cpuid_signature(const struct virt_env *env, char sig[CPUID_SIG_LEN + 1])
{
	if (!env->real_system) {
		if (env->cpuid_sig == NULL)
			return 0;
		strncpy(sig, env->cpuid_sig, CPUID_SIG_LEN);
		sig[CPUID_SIG_LEN] = '\0';
		return 1;
	}
#ifdef HAVE_X86_CPUID
	{
		unsigned int eax, ebx, ecx, edx;

		if (__get_cpuid(CPUID_LEAF_FEATURES, &eax, &ebx, &ecx, &edx) == 0 ||
		    !(ecx & CPUID_ECX_HYPERVISOR))
			return 0;
		__cpuid(CPUID_LEAF_HYPERVISOR, eax, ebx, ecx, edx);
		memcpy(sig, &ebx, 4);
		memcpy(sig + 4, &ecx, 4);
		memcpy(sig + 8, &edx, 4);
		sig[CPUID_SIG_LEN] = '\0';
		return 1;
	}
#else
	(void)sig;
	return 0;
#endif
}

/* VIRT_NONE, an id, or VIRT_VM_OTHER for a hypervisor we cannot name. */
static enum virt_id detect_cpuid(const struct virt_env *env)
{
	char sig[CPUID_SIG_LEN + 1];
	enum virt_id id;

	if (!cpuid_signature(env, sig))
		return VIRT_NONE;
	id = virt_cpuid_vendor(sig);
	return id != VIRT_NO_ANSWER ? id : VIRT_VM_OTHER;
}

/* What steps 5-8 see: the environment and step 1's DMI answer (read once,
 * used again by step 5). */
struct vm_scan {
	const struct virt_env *env;
	enum virt_id dmi;
};

static enum virt_id dmi_answer(const struct vm_scan *scan)
{
	return scan->dmi;
}

static enum virt_id detect_hypervisor_type(const struct vm_scan *scan)
{
	char *line;
	enum virt_id id;

	if (rootfs_read_line(scan->env->fs, "/sys/hypervisor/type", SMALL_CAP, &line) < 0)
		return VIRT_NONE;
	id = is(line, "xen") ? VIRT_XEN : VIRT_VM_OTHER;
	free(line);
	return id;
}

static enum virt_id detect_device_tree(const struct vm_scan *scan)
{
	const struct rootfs *fs = scan->env->fs;
	char *line;
	enum virt_id id = VIRT_NONE;
	DIR *d;
	struct dirent *de;
	int r = rootfs_read_line(fs, "/proc/device-tree/hypervisor/compatible", SMALL_CAP, &line);

	if (r == 0) {
		if (is(line, "linux,kvm"))
			id = VIRT_KVM;
		else if (strstr(line, "xen"))
			id = VIRT_XEN;
		else if (strstr(line, "vmware"))
			id = VIRT_VMWARE;
		else
			id = VIRT_VM_OTHER;
		free(line);
		return id;
	}
	if (r != -ENOENT)
		return VIRT_NONE;
	/* PowerVM LPARs: a partition name and an HMC, and not QEMU's pseries. */
	if (rootfs_exists(fs, "/proc/device-tree/ibm,partition-name") == 1 &&
	    rootfs_exists(fs, "/proc/device-tree/hmc-managed?") == 1 &&
	    rootfs_exists(fs, "/proc/device-tree/chosen/qemu,graphic-width") != 1)
		return VIRT_POWERVM;
	d = rootfs_opendir(fs, "/proc/device-tree");
	if (d == NULL)
		return VIRT_NONE;
	while ((de = readdir(d)) != NULL)
		if (strstr(de->d_name, "fw-cfg")) {
			id = VIRT_QEMU;
			break;
		}
	closedir(d);
	if (id != VIRT_NONE)
		return id;
	/* QEMU's pseries machine without KVM (no hypervisor node): its first
	 * "compatible" string (the list is NUL-separated; the line ends there). */
	if (rootfs_read_line(fs, "/proc/device-tree/compatible", SMALL_CAP, &line) == 0) {
		if (is(line, "qemu,pseries"))
			id = VIRT_QEMU;
		free(line);
	}
	return id;
}

/* s390: the first word of the "VM00 Control Program" line is z/VM's name,
 * or another hypervisor's (KVM). */
static enum virt_id detect_zvm(const struct vm_scan *scan)
{
	static const char zvm[] = "z/VM";
	char *buf;
	size_t len, vlen, w = 0;
	const char *v;
	enum virt_id id = VIRT_NONE;

	if (rootfs_read(scan->env->fs, "/proc/sysinfo", PROC_CAP, &buf, &len) < 0)
		return VIRT_NONE;
	v = procfile_field(buf, len, "VM00 Control Program", &vlen);
	if (v) {
		while (w < vlen && v[w] != ' ' && v[w] != '\t')
			w++;
		id = w == sizeof zvm - 1 && memcmp(v, zvm, w) == 0 ? VIRT_ZVM : VIRT_KVM;
	}
	free(buf);
	return id;
}

/* Steps 5-8 of systemd's detect_vm(), in order.  Each answers VIRT_NONE
 * (nothing here), VIRT_VM_OTHER (a hypervisor it cannot name) or an id. */
static const struct {
	const char *method;
	enum virt_id (*detect)(const struct vm_scan *scan);
} late_vm_steps[] = {
	{ "dmi", dmi_answer },                              /* 5. the other DMI answers */
	{ "/sys/hypervisor/type", detect_hypervisor_type }, /* 6. */
	{ "device-tree", detect_device_tree },              /* 7. arm, ppc, riscv; absent elsewhere */
	{ "/proc/sysinfo", detect_zvm },                    /* 8. s390: z/VM or KVM */
};

static void set(struct virt_result *out, enum virt_id id, const char *method)
{
	out->id = id;
	out->method = method;
}

/* settle(out, id, method, &other): the rule of every step from CPUID on.
 * An id settles the answer (1).  VIRT_VM_OTHER is no answer: the first
 * method to see one is remembered in *other and the search goes on (0), as
 * it does on VIRT_NONE. */
static int settle(struct virt_result *out, enum virt_id id, const char *method, const char **other)
{
	if (id == VIRT_VM_OTHER) {
		if (*other == NULL)
			*other = method;
		return 0;
	}
	if (id == VIRT_NONE)
		return 0;
	set(out, id, method);
	return 1;
}

/* systemd's detect_vm(), step by step; each step may settle the answer. */
void virt_detect_vm(const struct virt_env *env, struct virt_result *out)
{
	const struct vm_scan scan = { env, detect_dmi(env) };
	const char *other = NULL; /* the method that saw a hypervisor it cannot name */
	enum virt_id v;
	int hyperv = 0, dom0 = 0;

	/* 1. DMI answers that beat CPUID (see dmi_final). */
	if (is_in(scan.dmi, dmi_final, N_ELEMS(dmi_final))) {
		set(out, scan.dmi, "dmi");
		return;
	}
	/* 2. User Mode Linux runs as a process, possibly inside another VM. */
	v = detect_uml(env);
	if (v != VIRT_NONE) {
		set(out, v, "/proc/cpuinfo");
		return;
	}
	/* 3. Xen: a domU is final; dom0 is no VM itself but may sit in one,
	 *    which only CPUID can tell. */
	if (rootfs_exists(env->fs, "/proc/xen") == 1) {
		if (!xen_is_dom0(env)) {
			set(out, VIRT_XEN, "/proc/xen");
			return;
		}
		dom0 = 1;
	}
	/* 4. CPUID; "Microsoft Hv" waits for something better. */
	v = detect_cpuid(env);
	if (v == VIRT_MICROSOFT)
		hyperv = 1;
	else if (settle(out, v, "cpuid", &other))
		return;
	/* 5-8. The table; dom0 skips them. */
	for (size_t i = 0; !dom0 && i < N_ELEMS(late_vm_steps); i++)
		if (settle(out, late_vm_steps[i].detect(&scan), late_vm_steps[i].method, &other))
			return;
	/* 9. Nothing decisive: the remembered hints, else none. */
	if (hyperv)
		set(out, VIRT_MICROSOFT, "cpuid");
	else if (other)
		set(out, VIRT_VM_OTHER, other);
	else
		set(out, VIRT_NONE, NO_METHOD);
}

/* ---- container checks -------------------------------------------------- */

static int we_are_pid1(const struct virt_env *env)
{
	return env->real_system && getpid() == 1;
}

/* Defined after the table of checks, whose marker-file rows it reads. */
static enum virt_id translate(const struct virt_env *env, const char *name);

/* Each check returns an id, or VIRT_NO_ANSWER for "no answer, go on". */

/* /proc/vz exists inside and outside OpenVZ containers, /proc/bc only outside. */
static enum virt_id check_openvz(const struct virt_env *env)
{
	if (rootfs_exists(env->fs, "/proc/vz") == 1 && rootfs_exists(env->fs, "/proc/bc") == 0)
		return VIRT_OPENVZ;
	return VIRT_NO_ANSWER;
}

/* WSL's kernel release says so ("...-Microsoft" for WSL1, "...-WSL2"). */
static enum virt_id check_wsl(const struct virt_env *env)
{
	char *line;
	enum virt_id id = VIRT_NO_ANSWER;

	if (rootfs_read_line(env->fs, "/proc/sys/kernel/osrelease", SMALL_CAP, &line) < 0)
		return VIRT_NO_ANSWER;
	if (strstr(line, "Microsoft") || strstr(line, "WSL"))
		id = VIRT_WSL;
	free(line);
	return id;
}

/* proot traces us: our tracer's name starts with "proot". */
static enum virt_id check_proot(const struct virt_env *env)
{
	char *buf, *comm, *end, path[sizeof "/proc//comm" + PID_DIGITS_MAX];
	const char *v;
	enum virt_id id = VIRT_NO_ANSWER;
	size_t len, vlen;
	long pid;
	int n;

	if (rootfs_read(env->fs, "/proc/self/status", PROC_CAP, &buf, &len) < 0)
		return VIRT_NO_ANSWER;
	v = procfile_field(buf, len, "TracerPid", &vlen);
	if (v == NULL || vlen == 0 || vlen > PID_DIGITS_MAX) {
		free(buf);
		return VIRT_NO_ANSWER;
	}
	errno = 0;
	pid = strtol(v, &end, 10);
	if (errno != 0 || end != v + vlen || pid <= 0) {
		free(buf);
		return VIRT_NO_ANSWER;
	}
	free(buf);
	n = snprintf(path, sizeof path, "/proc/%ld/comm", pid);
	if (n < 0 || (size_t)n >= sizeof path)
		return VIRT_NO_ANSWER;
	if (rootfs_read_line(env->fs, path, SMALL_CAP, &comm) < 0)
		return VIRT_NO_ANSWER;
	if (starts_with(comm, "proot"))
		id = VIRT_PROOT;
	free(comm);
	return id;
}

/* read_manager(env, path): the manager named by the first line of path.  As
 * in systemd, an empty file is no answer, but a file whose first line is
 * empty ("\n") names an unknown manager: container-other. */
static enum virt_id read_manager(const struct virt_env *env, const char *path)
{
	char *buf;
	size_t len;
	enum virt_id id = VIRT_NO_ANSWER;

	if (rootfs_read(env->fs, path, SMALL_CAP, &buf, &len) < 0)
		return VIRT_NO_ANSWER;
	if (len > 0) {
		buf[strcspn(buf, "\n\r")] = '\0';
		id = translate(env, buf);
	}
	free(buf);
	return id;
}

static enum virt_id check_host_manager(const struct virt_env *env)
{
	return read_manager(env, "/run/host/container-manager");
}

/* As PID 1 our own $container is authoritative: set and empty means none. */
static enum virt_id check_own_env(const struct virt_env *env)
{
	const char *e;

	if (!we_are_pid1(env))
		return VIRT_NO_ANSWER;
	e = getenv("container");
	if (e == NULL)
		return VIRT_NO_ANSWER;
	return e[0] ? translate(env, e) : VIRT_NONE;
}

static enum virt_id check_run_systemd(const struct virt_env *env)
{
	if (we_are_pid1(env))
		return VIRT_NO_ANSWER;
	return read_manager(env, "/run/systemd/container");
}

/* PID 1's $container (readable with privileges only; failures are no answer).
 * Set but empty is an unknown manager, as in systemd: container-other. */
static enum virt_id check_pid1_environ(const struct virt_env *env)
{
	char *buf, *name;
	const char *v;
	enum virt_id id = VIRT_NO_ANSWER;
	size_t len, vlen;

	if (we_are_pid1(env))
		return VIRT_NO_ANSWER;
	if (rootfs_read(env->fs, "/proc/1/environ", ENVIRON_CAP, &buf, &len) < 0)
		return VIRT_NO_ANSWER;
	v = environ_get(buf, len, "container", &vlen);
	if (v) {
		name = xstrndup(v, vlen);
		id = translate(env, name);
		free(name);
	}
	free(buf);
	return id;
}

/* A cgroup namespace (systemd running_in_cgroupns()): with cgroup v2, the
 * root cgroup has no cgroup.events, a nested one has, and cgroup.type exists
 * only in nested ones; with cgroup v1, release_agent only in the root. */
static enum virt_id check_cgroupns(const struct virt_env *env)
{
	const struct rootfs *fs = env->fs;

	if (rootfs_lexists(fs, "/proc/self/ns/cgroup") != 1)
		return VIRT_NO_ANSWER;
	if (rootfs_exists(fs, "/sys/fs/cgroup/cgroup.controllers") == 1) {
		if (rootfs_exists(fs, "/sys/fs/cgroup/cgroup.events") != 1)
			return VIRT_NO_ANSWER;
		if (rootfs_exists(fs, "/sys/fs/cgroup/cgroup.type") == 1)
			return VIRT_CONTAINER_OTHER;
		if (rootfs_exists(fs, "/sys/kernel/cgroup/features") == 0)
			return VIRT_CONTAINER_OTHER;
		return VIRT_NO_ANSWER;
	}
	if (rootfs_exists(fs, "/sys/fs/cgroup/systemd") != 1)
		return VIRT_NO_ANSWER;
	return rootfs_exists(fs, "/sys/fs/cgroup/systemd/release_agent") == 0 ? VIRT_CONTAINER_OTHER
									      : VIRT_NO_ANSWER;
}

/* systemd's detect_container() order: the specific and cheap signs first;
 * the marker files late (Docker last: /.dockerenv can leak into images that
 * then run under another manager); the namespace heuristic last.  The first
 * answer wins.  A row without a check is a marker file: its method is the
 * path, and the file's existence names marker. */
static const struct container_check {
	const char *method;
	enum virt_id (*check)(const struct virt_env *env);
	enum virt_id marker;
} container_checks[] = {
	{ "/proc/vz", check_openvz, VIRT_NO_ANSWER },
	{ "/proc/sys/kernel/osrelease", check_wsl, VIRT_NO_ANSWER },
	{ "/proc/self/status", check_proot, VIRT_NO_ANSWER },
	{ "/run/host/container-manager", check_host_manager, VIRT_NO_ANSWER },
	{ "environment", check_own_env, VIRT_NO_ANSWER },                /* only as PID 1 */
	{ "/run/systemd/container", check_run_systemd, VIRT_NO_ANSWER }, /* not as PID 1 */
	{ "/proc/1/environ", check_pid1_environ, VIRT_NO_ANSWER },       /* not as PID 1 */
	{ "/run/.containerenv", NULL, VIRT_PODMAN },
	{ "/.dockerenv", NULL, VIRT_DOCKER },
	{ "cgroup-namespace", check_cgroupns, VIRT_NO_ANSWER },
};

static enum virt_id run_check(const struct virt_env *env, const struct container_check *c)
{
	if (c->check != NULL)
		return c->check(env);
	return rootfs_exists(env->fs, c->method) == 1 ? c->marker : VIRT_NO_ANSWER;
}

/* translate(name): a container manager's name in systemd's vocabulary. */
static enum virt_id translate(const struct virt_env *env, const char *name)
{
	enum virt_id id;

	if (is(name, "oci")) {
		/* "oci" names no manager: the marker files may. */
		for (size_t i = 0; i < N_ELEMS(container_checks); i++)
			if (container_checks[i].check == NULL &&
			    (id = run_check(env, &container_checks[i])) != VIRT_NO_ANSWER)
				return id;
		return VIRT_CONTAINER_OTHER;
	}
	id = virt_container_name(name);
	return id != VIRT_NO_ANSWER ? id : VIRT_CONTAINER_OTHER;
}

void virt_detect_container(const struct virt_env *env, struct virt_result *out)
{
	for (size_t i = 0; i < N_ELEMS(container_checks); i++) {
		enum virt_id id = run_check(env, &container_checks[i]);

		if (id == VIRT_NO_ANSWER)
			continue;
		set(out, id, id == VIRT_NONE ? NO_METHOD : container_checks[i].method);
		return;
	}
	set(out, VIRT_NONE, NO_METHOD);
}

/* ---- Kubernetes -------------------------------------------------------- */

static int nonempty(const char *buf, size_t len, const char *key)
{
	size_t vlen;
	const char *v = environ_get(buf, len, key, &vlen);

	return v != NULL && vlen > 0;
}

int virt_is_k8s(const struct virt_env *env)
{
	char *buf;
	size_t len;
	int r = 0;

	if (rootfs_read(env->fs, "/proc/1/environ", ENVIRON_CAP, &buf, &len) == 0) {
		r = nonempty(buf, len, "KUBERNETES_SERVICE_HOST") &&
		    nonempty(buf, len, "KUBERNETES_SERVICE_PORT");
		free(buf);
	}
	if (!r && env->real_system) {
		const char *h = getenv("KUBERNETES_SERVICE_HOST");
		const char *p = getenv("KUBERNETES_SERVICE_PORT");

		r = h && *h && p && *p;
	}
	return r;
}
