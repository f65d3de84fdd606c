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

#define SMALL_CAP 4096		/* one-line sysfs and proc files */
#define PROC_CAP (64 * 1024)	/* /proc/cpuinfo, /proc/sysinfo, status */
#define ENVIRON_CAP (256 * 1024)	/* /proc/1/environ */

/* ---- the tables -------------------------------------------------------- */

/* DMI vendor strings, matched as prefixes of each DMI file's first line.
 * Source: systemd detect_vm_dmi_vendor().  Order matters only where one
 * prefix could shadow another; the file order (below) matters more. */
static const struct {
	const char *prefix;
	const char *id;
} dmi_vendor_table[] = {
	{ "KVM", "kvm" },
	{ "OpenStack", "kvm" },		/* OpenStack on non-x86 */
	{ "KubeVirt", "kvm" },		/* KubeVirt on non-x86 */
	{ "Amazon EC2", "amazon" },	/* bare metal told apart below */
	{ "QEMU", "qemu" },
	{ "VMware", "vmware" },
	{ "VMW", "vmware" },
	{ "innotek GmbH", "oracle" },
	{ "VirtualBox", "oracle" },
	{ "Oracle Corporation", "oracle" },	/* VirtualBox via board_vendor */
	{ "Xen", "xen" },
	{ "Bochs", "bochs" },
	{ "Parallels", "parallels" },
	{ "BHYVE", "bhyve" },
	{ "Hyper-V", "microsoft" },
	{ "Apple Virtualization", "apple" },
	{ "Google Compute Engine", "google" },
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
static const char *const dmi_final[] = { "oracle", "xen", "amazon", "parallels", "google" };

/* CPUID leaf 0x40000000 signatures (EBX ECX EDX).  Source: systemd
 * detect_vm_cpuid().  "Microsoft Hv" is listed but only remembered by the
 * caller: QEMU with Hyper-V enlightenments shows it too. */
static const struct {
	const char *sig;
	const char *id;
} cpuid_table[] = {
	{ "XenVMMXenVMM", "xen" },
	{ "KVMKVMKVM", "kvm" },		/* QEMU with KVM */
	{ "Linux KVM Hv", "kvm" },	/* QEMU with KVM and Hyper-V enlightenments */
	{ "TCGTCGTCGTCG", "qemu" },	/* QEMU without KVM */
	{ "VMwareVMware", "vmware" },
	{ "Microsoft Hv", "microsoft" },
	{ "bhyve bhyve ", "bhyve" },
	{ "QNXQVMBSQG", "qnx" },
	{ "ACRNACRNACRN", "acrn" },
	{ "SRESRESRESRE", "sre" },
	{ "Apple VZ", "apple" },
};

/* Container manager names that map to themselves ($container, the
 * /run/host/container-manager and /run/systemd/container files).  Source:
 * systemd's container name table; anything else is container-other. */
static const char *const container_names[] = {
	"lxc", "lxc-libvirt", "systemd-nspawn", "docker", "podman", "rkt", "wsl", "proot", "pouch",
};

/* Marker files, in systemd's order: Docker last, because /.dockerenv can
 * leak into images that then run under another manager. */
static const struct {
	const char *path;
	const char *id;
} container_files[] = {
	{ "/run/.containerenv", "podman" },
	{ "/.dockerenv", "docker" },
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

const char *virt_dmi_vendor(const char *line)
{
	for (size_t i = 0; i < N_ELEMS(dmi_vendor_table); i++)
		if (strncmp(line, dmi_vendor_table[i].prefix, strlen(dmi_vendor_table[i].prefix)) == 0)
			return dmi_vendor_table[i].id;
	return NULL;
}

const char *virt_cpuid_vendor(const char *sig)
{
	for (size_t i = 0; i < N_ELEMS(cpuid_table); i++)
		if (strcmp(sig, cpuid_table[i].sig) == 0)
			return cpuid_table[i].id;
	return NULL;
}

const char *virt_container_name(const char *name)
{
	for (size_t i = 0; i < N_ELEMS(container_names); i++)
		if (strcmp(name, container_names[i]) == 0)
			return container_names[i];
	return NULL;
}

static int is_in(const char *id, const char *const *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(id, set[i]) == 0)
			return 1;
	return 0;
}

static int is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* ---- VM checks --------------------------------------------------------- */

/* The SMBIOS "is a virtual machine" bit: BIOS Characteristics Extension
 * Byte 2 (byte 19 of the type 0 structure), bit 4.  1 set, 0 unset, -1 when
 * the structure cannot be read or is too short to say. */
static int smbios_vm_bit(const struct virt_env *env)
{
	char *raw;
	size_t len;
	int r;

	if (rootfs_read(env->fs, "/sys/firmware/dmi/entries/0-0/raw", SMALL_CAP, &raw, &len) < 0)
		return -1;
	if (len < 20 || (unsigned char)raw[1] < 20)
		r = -1;
	else
		r = ((unsigned char)raw[19] & (1u << 4)) != 0;
	free(raw);
	return r;
}

/* Amazon: EC2 VMs and bare-metal instances share their DMI vendor. */
static const char *amazon_or_metal(const struct virt_env *env)
{
	char *name;
	const char *metal, *id = "amazon";

	switch (smbios_vm_bit(env)) {
	case 1:
		return "amazon";
	case 0:
		return "none";
	default:
		break;
	}
	/* Without the SMBIOS table, a first ".metal" that ends the name or is
	 * followed by '-' ("m5.metal", "m7i.metal-24xl") names bare metal, as
	 * systemd reads it (nothing trimmed); if even the name is unreadable,
	 * the common case (a VM) wins. */
	if (rootfs_read_line(env->fs, "/sys/class/dmi/id/product_name", SMALL_CAP, &name) < 0)
		return "amazon";
	metal = strstr(name, ".metal");
	if (metal && (metal[6] == '\0' || metal[6] == '-'))
		id = "none";
	free(name);
	return id;
}

static const char *detect_dmi(const struct virt_env *env)
{
	for (size_t i = 0; i < N_ELEMS(dmi_files); i++) {
		char *line;
		const char *id;

		if (rootfs_read_line(env->fs, dmi_files[i], SMALL_CAP, &line) < 0)
			continue;
		id = virt_dmi_vendor(line);
		free(line);
		if (id != NULL)
			return is(id, "amazon") ? amazon_or_metal(env) : id;
	}
	/* No vendor, but the firmware says "VM": some VM we cannot name. */
	return smbios_vm_bit(env) == 1 ? "vm-other" : "none";
}

static const char *detect_uml(const struct virt_env *env)
{
	char *buf;
	size_t len, vlen;
	const char *v, *id = "none";

	if (rootfs_read(env->fs, "/proc/cpuinfo", PROC_CAP, &buf, &len) < 0)
		return "none";
	v = procfile_field(buf, len, "vendor_id", &vlen);
	if (v && vlen >= 15 && memcmp(v, "User Mode Linux", 15) == 0)
		id = "uml";
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
	return (f & (1ul << 11)) != 0;	/* XENFEAT_dom0 */
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

/* cpuid_signature(env, sig): 1 with the hypervisor's 12-byte signature in
 * sig when the CPU says a hypervisor is present, else 0. */
static int cpuid_signature(const struct virt_env *env, char sig[13])
{
	if (!env->real_system) {
		if (env->cpuid_sig == NULL)
			return 0;
		strncpy(sig, env->cpuid_sig, 12);
		sig[12] = '\0';
		return 1;
	}
#ifdef HAVE_X86_CPUID
	{
		unsigned int eax, ebx, ecx, edx;

		if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0 || !(ecx & 0x80000000u))
			return 0;
		__cpuid(0x40000000, eax, ebx, ecx, edx);
		memcpy(sig, &ebx, 4);
		memcpy(sig + 4, &ecx, 4);
		memcpy(sig + 8, &edx, 4);
		sig[12] = '\0';
		return 1;
	}
#else
	(void)sig;
	return 0;
#endif
}

/* "none", an id, or "vm-other" for a hypervisor we cannot name. */
static const char *detect_cpuid(const struct virt_env *env)
{
	char sig[13];
	const char *id;

	if (!cpuid_signature(env, sig))
		return "none";
	id = virt_cpuid_vendor(sig);
	return id ? id : "vm-other";
}

static const char *detect_hypervisor_type(const struct virt_env *env)
{
	char *line;
	const char *id;

	if (rootfs_read_line(env->fs, "/sys/hypervisor/type", SMALL_CAP, &line) < 0)
		return "none";
	id = is(line, "xen") ? "xen" : "vm-other";
	free(line);
	return id;
}

static const char *detect_device_tree(const struct virt_env *env)
{
	char *line;
	const char *id = "none";
	DIR *d;
	struct dirent *de;
	int r = rootfs_read_line(env->fs, "/proc/device-tree/hypervisor/compatible", SMALL_CAP, &line);

	if (r == 0) {
		if (is(line, "linux,kvm"))
			id = "kvm";
		else if (strstr(line, "xen"))
			id = "xen";
		else if (strstr(line, "vmware"))
			id = "vmware";
		else
			id = "vm-other";
		free(line);
		return id;
	}
	if (r != -ENOENT)
		return "none";
	/* PowerVM LPARs: a partition name and an HMC, and not QEMU's pseries. */
	if (rootfs_exists(env->fs, "/proc/device-tree/ibm,partition-name") == 1 &&
	    rootfs_exists(env->fs, "/proc/device-tree/hmc-managed?") == 1 &&
	    rootfs_exists(env->fs, "/proc/device-tree/chosen/qemu,graphic-width") != 1)
		return "powervm";
	d = rootfs_opendir(env->fs, "/proc/device-tree");
	if (d == NULL)
		return "none";
	while ((de = readdir(d)) != NULL)
		if (strstr(de->d_name, "fw-cfg")) {
			id = "qemu";
			break;
		}
	closedir(d);
	if (!is(id, "none"))
		return id;
	/* QEMU's pseries machine without KVM (no hypervisor node): its first
	 * "compatible" string (the list is NUL-separated; the line ends there). */
	if (rootfs_read_line(env->fs, "/proc/device-tree/compatible", SMALL_CAP, &line) == 0) {
		if (is(line, "qemu,pseries"))
			id = "qemu";
		free(line);
	}
	return id;
}

static const char *detect_zvm(const struct virt_env *env)
{
	char *buf;
	size_t len, vlen, w = 0;
	const char *v, *id = "none";

	if (rootfs_read(env->fs, "/proc/sysinfo", PROC_CAP, &buf, &len) < 0)
		return "none";
	v = procfile_field(buf, len, "VM00 Control Program", &vlen);
	if (v) {
		while (w < vlen && v[w] != ' ' && v[w] != '\t')
			w++;
		id = w == 4 && memcmp(v, "z/VM", 4) == 0 ? "zvm" : "kvm";
	}
	free(buf);
	return id;
}

static void set(struct virt_result *out, const char *id, const char *method)
{
	out->id = id;
	out->method = method;
}

/* systemd's detect_vm(), step by step; each step may settle the answer. */
void virt_detect_vm(const struct virt_env *env, struct virt_result *out)
{
	const char *dmi = detect_dmi(env), *v;
	const char *other = NULL;	/* the method that saw a hypervisor it cannot name */
	int hyperv = 0, dom0 = 0;

	/* 1. DMI answers that beat CPUID (see dmi_final). */
	if (is_in(dmi, dmi_final, N_ELEMS(dmi_final))) {
		set(out, dmi, "dmi");
		return;
	}
	/* 2. User Mode Linux runs as a process, possibly inside another VM. */
	v = detect_uml(env);
	if (!is(v, "none")) {
		set(out, v, "/proc/cpuinfo");
		return;
	}
	/* 3. Xen: a domU is final; dom0 is no VM itself but may sit in one,
	 *    which only CPUID can tell. */
	if (rootfs_exists(env->fs, "/proc/xen") == 1) {
		if (!xen_is_dom0(env)) {
			set(out, "xen", "/proc/xen");
			return;
		}
		dom0 = 1;
	}
	/* 4. CPUID; "Microsoft Hv" waits for something better. */
	v = detect_cpuid(env);
	if (is(v, "microsoft"))
		hyperv = 1;
	else if (is(v, "vm-other"))
		other = "cpuid";
	else if (!is(v, "none")) {
		set(out, v, "cpuid");
		return;
	}
	if (!dom0) {
		/* 5. The other DMI answers. */
		if (is(dmi, "vm-other")) {
			if (!other)
				other = "dmi";
		} else if (!is(dmi, "none")) {
			set(out, dmi, "dmi");
			return;
		}
		/* 6. /sys/hypervisor/type */
		v = detect_hypervisor_type(env);
		if (is(v, "vm-other")) {
			if (!other)
				other = "/sys/hypervisor/type";
		} else if (!is(v, "none")) {
			set(out, v, "/sys/hypervisor/type");
			return;
		}
		/* 7. The device tree (arm, ppc, riscv; absent elsewhere). */
		v = detect_device_tree(env);
		if (is(v, "vm-other")) {
			if (!other)
				other = "device-tree";
		} else if (!is(v, "none")) {
			set(out, v, "device-tree");
			return;
		}
		/* 8. s390: z/VM or KVM. */
		v = detect_zvm(env);
		if (!is(v, "none")) {
			set(out, v, "/proc/sysinfo");
			return;
		}
	}
	/* 9. Nothing decisive: the remembered hints, else none. */
	if (hyperv)
		set(out, "microsoft", "cpuid");
	else if (other)
		set(out, "vm-other", other);
	else
		set(out, "none", "none");
}

/* ---- container checks -------------------------------------------------- */

static int we_are_pid1(const struct virt_env *env)
{
	return env->real_system && getpid() == 1;
}

/* translate(name): a container manager's name in systemd's vocabulary. */
static const char *translate(const struct virt_env *env, const char *name)
{
	const char *id;

	if (is(name, "oci")) {
		/* "oci" names no manager: the marker files may. */
		for (size_t i = 0; i < N_ELEMS(container_files); i++)
			if (rootfs_exists(env->fs, container_files[i].path) == 1)
				return container_files[i].id;
		return "container-other";
	}
	id = virt_container_name(name);
	return id ? id : "container-other";
}

/* Each check returns an id, or NULL for "no answer, go on". */

/* /proc/vz exists inside and outside OpenVZ containers, /proc/bc only outside. */
static const char *check_openvz(const struct virt_env *env)
{
	if (rootfs_exists(env->fs, "/proc/vz") == 1 && rootfs_exists(env->fs, "/proc/bc") == 0)
		return "openvz";
	return NULL;
}

/* WSL's kernel release says so ("...-Microsoft" for WSL1, "...-WSL2"). */
static const char *check_wsl(const struct virt_env *env)
{
	char *line;
	const char *id = NULL;

	if (rootfs_read_line(env->fs, "/proc/sys/kernel/osrelease", SMALL_CAP, &line) < 0)
		return NULL;
	if (strstr(line, "Microsoft") || strstr(line, "WSL"))
		id = "wsl";
	free(line);
	return id;
}

/* proot traces us: our tracer's name starts with "proot". */
static const char *check_proot(const struct virt_env *env)
{
	char *buf, *comm, *end, path[64];
	const char *v, *id = NULL;
	size_t len, vlen;
	long pid;

	if (rootfs_read(env->fs, "/proc/self/status", PROC_CAP, &buf, &len) < 0)
		return NULL;
	v = procfile_field(buf, len, "TracerPid", &vlen);
	if (v == NULL || vlen == 0 || vlen > 10) {
		free(buf);
		return NULL;
	}
	errno = 0;
	pid = strtol(v, &end, 10);
	if (errno != 0 || end != v + vlen || pid <= 0) {
		free(buf);
		return NULL;
	}
	free(buf);
	snprintf(path, sizeof path, "/proc/%ld/comm", pid);
	if (rootfs_read_line(env->fs, path, SMALL_CAP, &comm) < 0)
		return NULL;
	if (strncmp(comm, "proot", 5) == 0)
		id = "proot";
	free(comm);
	return id;
}

/* read_manager(env, path): the manager named by the first line of path.  As
 * in systemd, an empty file is no answer, but a file whose first line is
 * empty ("\n") names an unknown manager: container-other. */
static const char *read_manager(const struct virt_env *env, const char *path)
{
	char *buf;
	size_t len;
	const char *id = NULL;

	if (rootfs_read(env->fs, path, SMALL_CAP, &buf, &len) < 0)
		return NULL;
	if (len > 0) {
		buf[strcspn(buf, "\n\r")] = '\0';
		id = translate(env, buf);
	}
	free(buf);
	return id;
}

static const char *check_host_manager(const struct virt_env *env)
{
	return read_manager(env, "/run/host/container-manager");
}

/* As PID 1 our own $container is authoritative: set and empty means none. */
static const char *check_own_env(const struct virt_env *env)
{
	const char *e;

	if (!we_are_pid1(env))
		return NULL;
	e = getenv("container");
	if (e == NULL)
		return NULL;
	return e[0] ? translate(env, e) : "none";
}

static const char *check_run_systemd(const struct virt_env *env)
{
	if (we_are_pid1(env))
		return NULL;
	return read_manager(env, "/run/systemd/container");
}

/* PID 1's $container (readable with privileges only; failures are no answer).
 * Set but empty is an unknown manager, as in systemd: container-other. */
static const char *check_pid1_environ(const struct virt_env *env)
{
	char *buf, *name;
	const char *v, *id = NULL;
	size_t len, vlen;

	if (we_are_pid1(env))
		return NULL;
	if (rootfs_read(env->fs, "/proc/1/environ", ENVIRON_CAP, &buf, &len) < 0)
		return NULL;
	v = environ_get(buf, len, "container", &vlen);
	if (v) {
		name = xstrndup(v, vlen);
		id = translate(env, name);
		free(name);
	}
	free(buf);
	return id;
}

static const char *check_containerenv(const struct virt_env *env)
{
	return rootfs_exists(env->fs, container_files[0].path) == 1 ? container_files[0].id : NULL;
}

static const char *check_dockerenv(const struct virt_env *env)
{
	return rootfs_exists(env->fs, container_files[1].path) == 1 ? container_files[1].id : NULL;
}

/* A cgroup namespace (systemd running_in_cgroupns()): with cgroup v2, the
 * root cgroup has no cgroup.events, a nested one has, and cgroup.type exists
 * only in nested ones; with cgroup v1, release_agent only in the root. */
static const char *check_cgroupns(const struct virt_env *env)
{
	const struct rootfs *fs = env->fs;

	if (rootfs_lexists(fs, "/proc/self/ns/cgroup") != 1)
		return NULL;
	if (rootfs_exists(fs, "/sys/fs/cgroup/cgroup.controllers") == 1) {
		if (rootfs_exists(fs, "/sys/fs/cgroup/cgroup.events") != 1)
			return NULL;
		if (rootfs_exists(fs, "/sys/fs/cgroup/cgroup.type") == 1)
			return "container-other";
		if (rootfs_exists(fs, "/sys/kernel/cgroup/features") == 0)
			return "container-other";
		return NULL;
	}
	if (rootfs_exists(fs, "/sys/fs/cgroup/systemd") != 1)
		return NULL;
	return rootfs_exists(fs, "/sys/fs/cgroup/systemd/release_agent") == 0 ? "container-other" : NULL;
}

/* systemd's detect_container() order: the specific and cheap signs first;
 * the marker files late (they can leak into images); the namespace
 * heuristic last.  The first answer wins. */
static const struct {
	const char *method;
	const char *(*check)(const struct virt_env *env);
} container_checks[] = {
	{ "/proc/vz", check_openvz },
	{ "/proc/sys/kernel/osrelease", check_wsl },
	{ "/proc/self/status", check_proot },
	{ "/run/host/container-manager", check_host_manager },
	{ "environment", check_own_env },		/* only as PID 1 */
	{ "/run/systemd/container", check_run_systemd },	/* not as PID 1 */
	{ "/proc/1/environ", check_pid1_environ },	/* not as PID 1 */
	{ "/run/.containerenv", check_containerenv },
	{ "/.dockerenv", check_dockerenv },
	{ "cgroup-namespace", check_cgroupns },
};

void virt_detect_container(const struct virt_env *env, struct virt_result *out)
{
	for (size_t i = 0; i < N_ELEMS(container_checks); i++) {
		const char *id = container_checks[i].check(env);

		if (id == NULL)
			continue;
		if (is(id, "none"))
			set(out, "none", "none");
		else
			set(out, id, container_checks[i].method);
		return;
	}
	set(out, "none", "none");
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
