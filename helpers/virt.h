/* virt.h: virtualization and container detection, in systemd-detect-virt's
 * vocabulary and order. */
#ifndef HELPERS_VIRT_H
#define HELPERS_VIRT_H

#include "rootfs.h"

struct virt_env {
	const struct rootfs *fs;	/* where every file is read */
	int real_system;	/* 0 under --root: no CPUID, no getpid(), no getenv() */
	const char *cpuid_sig;	/* under --root: a pretend CPUID signature, or NULL */
};

struct virt_result {
	const char *id;		/* "none", "kvm", "docker", ... */
	const char *method;	/* what decided: "dmi", "cpuid", "/.dockerenv", ... or "none" */
};

void virt_detect_vm(const struct virt_env *env, struct virt_result *out);
void virt_detect_container(const struct virt_env *env, struct virt_result *out);

/* 1 when KUBERNETES_SERVICE_HOST and _PORT are both set and non-empty in the
 * environment of PID 1 (or, on the real system, in ours). */
int virt_is_k8s(const struct virt_env *env);

/* The tables, for the unit tests. */
const char *virt_dmi_vendor(const char *line);	/* NULL: no match */
const char *virt_cpuid_vendor(const char *sig);	/* NULL: unknown signature */
const char *virt_container_name(const char *name);	/* NULL: not a known name */
int virt_xen_features_dom0(const char *features);	/* 1, 0, or -1 unparsable */

#endif
