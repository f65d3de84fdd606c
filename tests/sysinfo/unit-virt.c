/* unit-virt.c: the detection tables (systemd's vocabulary). */
#include <stdlib.h>
#include <string.h>

#include "../helpers/tap.h"
#include "virt.h"

/* Every id's printed name: systemd-detect-virt's, spelt out once more here
 * because the name table is the one place a typo is no compile error. */
static const struct {
	enum virt_id id;
	const char *name;
} names[] = {
	{ VIRT_NONE, "none" },
	{ VIRT_KVM, "kvm" },
	{ VIRT_AMAZON, "amazon" },
	{ VIRT_QEMU, "qemu" },
	{ VIRT_BOCHS, "bochs" },
	{ VIRT_XEN, "xen" },
	{ VIRT_UML, "uml" },
	{ VIRT_VMWARE, "vmware" },
	{ VIRT_ORACLE, "oracle" },
	{ VIRT_MICROSOFT, "microsoft" },
	{ VIRT_ZVM, "zvm" },
	{ VIRT_PARALLELS, "parallels" },
	{ VIRT_BHYVE, "bhyve" },
	{ VIRT_QNX, "qnx" },
	{ VIRT_ACRN, "acrn" },
	{ VIRT_POWERVM, "powervm" },
	{ VIRT_APPLE, "apple" },
	{ VIRT_SRE, "sre" },
	{ VIRT_GOOGLE, "google" },
	{ VIRT_VM_OTHER, "vm-other" },
	{ VIRT_SYSTEMD_NSPAWN, "systemd-nspawn" },
	{ VIRT_LXC_LIBVIRT, "lxc-libvirt" },
	{ VIRT_LXC, "lxc" },
	{ VIRT_OPENVZ, "openvz" },
	{ VIRT_DOCKER, "docker" },
	{ VIRT_PODMAN, "podman" },
	{ VIRT_RKT, "rkt" },
	{ VIRT_WSL, "wsl" },
	{ VIRT_PROOT, "proot" },
	{ VIRT_POUCH, "pouch" },
	{ VIRT_CONTAINER_OTHER, "container-other" },
	{ VIRT_NO_ANSWER, NULL },
	{ N_VIRT_IDS, NULL },
};

static const struct {
	const char *line;
	enum virt_id want;
} dmi_cases[] = {
	{ "KVM", VIRT_KVM },
	{ "OpenStack Nova", VIRT_KVM },
	{ "KubeVirt", VIRT_KVM },
	{ "Amazon EC2", VIRT_AMAZON },
	{ "QEMU", VIRT_QEMU },
	{ "Standard PC (Q35 + ICH9, 2009)", VIRT_NO_ANSWER },
	{ "VMware Virtual Platform", VIRT_VMWARE },
	{ "VMware7,1", VIRT_VMWARE },
	{ "VMW", VIRT_VMWARE },
	{ "innotek GmbH", VIRT_ORACLE },
	{ "VirtualBox", VIRT_ORACLE },
	{ "Oracle Corporation", VIRT_ORACLE },
	{ "Xen", VIRT_XEN },
	{ "HVM domU", VIRT_NO_ANSWER },
	{ "Bochs", VIRT_BOCHS },
	{ "Parallels Software International Inc.", VIRT_PARALLELS },
	{ "BHYVE", VIRT_BHYVE },
	{ "Hyper-V UEFI Release v4.1", VIRT_MICROSOFT },
	{ "Apple Virtualization Generic Platform", VIRT_APPLE },
	{ "Google Compute Engine", VIRT_GOOGLE },
	{ "Google", VIRT_NO_ANSWER },
	{ "Microsoft Corporation", VIRT_NO_ANSWER }, /* Surface laptops */
	{ "Dell Inc.", VIRT_NO_ANSWER },
	{ "kvm", VIRT_NO_ANSWER },  /* prefixes are case-sensitive */
	{ " KVM", VIRT_NO_ANSWER }, /* and anchored */
	{ "", VIRT_NO_ANSWER },
};

static const struct {
	const char *sig;
	enum virt_id want;
} cpuid_cases[] = {
	{ "XenVMMXenVMM", VIRT_XEN },
	{ "KVMKVMKVM", VIRT_KVM },
	{ "Linux KVM Hv", VIRT_KVM },
	{ "TCGTCGTCGTCG", VIRT_QEMU },
	{ "VMwareVMware", VIRT_VMWARE },
	{ "Microsoft Hv", VIRT_MICROSOFT },
	{ "bhyve bhyve ", VIRT_BHYVE },
	{ "QNXQVMBSQG", VIRT_QNX },
	{ "ACRNACRNACRN", VIRT_ACRN },
	{ "SRESRESRESRE", VIRT_SRE },
	{ "Apple VZ", VIRT_APPLE },
	{ "KVMKVMKV", VIRT_NO_ANSWER },
	{ "KVMKVMKVMX", VIRT_NO_ANSWER },
	{ "bhyve bhyve", VIRT_NO_ANSWER },
	{ "", VIRT_NO_ANSWER },
};

static const struct {
	const char *name;
	enum virt_id want;
} container_cases[] = {
	{ "lxc", VIRT_LXC },
	{ "lxc-libvirt", VIRT_LXC_LIBVIRT },
	{ "systemd-nspawn", VIRT_SYSTEMD_NSPAWN },
	{ "docker", VIRT_DOCKER },
	{ "podman", VIRT_PODMAN },
	{ "rkt", VIRT_RKT },
	{ "wsl", VIRT_WSL },
	{ "proot", VIRT_PROOT },
	{ "pouch", VIRT_POUCH },
	{ "crio", VIRT_NO_ANSWER },
	{ "oci", VIRT_NO_ANSWER },
	{ "Docker", VIRT_NO_ANSWER },
	{ "", VIRT_NO_ANSWER },
};

static const struct {
	const char *features;
	int want;
} xen_cases[] = {
	{ "00000705", 0 },
	{ "00000f05", 1 },
	{ "00002f05", 1 },
	{ "0x800", 1 },
	{ "800", 1 },
	{ "7ff", 0 },
	{ "", -1 },
	{ "zz", -1 },
	{ "ffffffffffffffffffffffff", -1 },
};

/* For test names: VIRT_NO_ANSWER has no name. */
static const char *shown(enum virt_id id)
{
	const char *name = virt_id_name(id);

	return name ? name : "no answer";
}

int main(void)
{
	/* names[] lists the ids in enum order, each once, and the two beyond. */
	ok(sizeof names / sizeof names[0] == N_VIRT_IDS + 2, "names[] has every id");
	for (int i = 0; i < N_VIRT_IDS; i++)
		ok(names[i].id == (enum virt_id)i, "names[%d] is id %d", i, i);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		is_str(virt_id_name(names[i].id), names[i].name, "name of id %d", (int)names[i].id);
	for (size_t i = 0; i < sizeof dmi_cases / sizeof dmi_cases[0]; i++) {
		enum virt_id got = virt_dmi_vendor(dmi_cases[i].line);

		ok(got == dmi_cases[i].want, "dmi '%s' -> %s", dmi_cases[i].line,
		   shown(dmi_cases[i].want));
	}
	for (size_t i = 0; i < sizeof cpuid_cases / sizeof cpuid_cases[0]; i++) {
		enum virt_id got = virt_cpuid_vendor(cpuid_cases[i].sig);

		ok(got == cpuid_cases[i].want, "cpuid '%s' -> %s", cpuid_cases[i].sig,
		   shown(cpuid_cases[i].want));
	}
	for (size_t i = 0; i < sizeof container_cases / sizeof container_cases[0]; i++) {
		enum virt_id got = virt_container_name(container_cases[i].name);

		ok(got == container_cases[i].want, "container name '%s' -> %s", container_cases[i].name,
		   shown(container_cases[i].want));
	}
	for (size_t i = 0; i < sizeof xen_cases / sizeof xen_cases[0]; i++)
		ok(virt_xen_features_dom0(xen_cases[i].features) == xen_cases[i].want,
		   "xen features '%s' -> %d", xen_cases[i].features, xen_cases[i].want);
	return done_testing();
}
