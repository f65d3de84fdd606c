/* virt.h: virtualization and container detection, in systemd-detect-virt's
 * vocabulary and order. */
#ifndef HELPERS_VIRT_H
#define HELPERS_VIRT_H

#include "rootfs.h"

/* What detection answers: systemd-detect-virt's ids, one enum so that a
 * misspelt id is a compile error; virt_id_name() gives the printed name. */
enum virt_id {
	VIRT_NO_ANSWER = -1, /* no table row matched, or a check had no answer */
	VIRT_NONE,
	/* virtual machines */
	VIRT_KVM,
	VIRT_AMAZON,
	VIRT_QEMU,
	VIRT_BOCHS,
	VIRT_XEN,
	VIRT_UML,
	VIRT_VMWARE,
	VIRT_ORACLE,
	VIRT_MICROSOFT,
	VIRT_ZVM,
	VIRT_PARALLELS,
	VIRT_BHYVE,
	VIRT_QNX,
	VIRT_ACRN,
	VIRT_POWERVM,
	VIRT_APPLE,
	VIRT_SRE,
	VIRT_GOOGLE,
	VIRT_VM_OTHER, /* a hypervisor no check can name */
	/* containers */
	VIRT_SYSTEMD_NSPAWN,
	VIRT_LXC_LIBVIRT,
	VIRT_LXC,
	VIRT_OPENVZ,
	VIRT_DOCKER,
	VIRT_PODMAN,
	VIRT_RKT,
	VIRT_WSL,
	VIRT_PROOT,
	VIRT_POUCH,
	VIRT_CONTAINER_OTHER, /* a container no check can name */
	N_VIRT_IDS
};

/* "none", "kvm", "docker", ...; NULL for VIRT_NO_ANSWER or out of range. */
const char *virt_id_name(enum virt_id id);

struct virt_env {
	const struct rootfs *fs; /* where every file is read */
	int real_system;         /* 0 under --root: no CPUID, no getpid(), no getenv() */
	const char *cpuid_sig;   /* under --root: a pretend CPUID signature, or NULL */
};

struct virt_result {
	enum virt_id id;
	const char *method; /* what decided: "dmi", "cpuid", "/.dockerenv", ... or "none" */
};

void virt_detect_vm(const struct virt_env *env, struct virt_result *out);
void virt_detect_container(const struct virt_env *env, struct virt_result *out);

/* 1 when KUBERNETES_SERVICE_HOST and _PORT are both set and non-empty in the
 * environment of PID 1 (or, on the real system, in ours). */
int virt_is_k8s(const struct virt_env *env);

/* The tables, for the unit tests; VIRT_NO_ANSWER when nothing matches. */
enum virt_id virt_dmi_vendor(const char *line);
enum virt_id virt_cpuid_vendor(const char *sig);
enum virt_id virt_container_name(const char *name);
int virt_xen_features_dom0(const char *features); /* 1, 0, or -1 unparsable */

#endif
