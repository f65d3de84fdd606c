/* unit-virt.c: the detection tables (systemd's vocabulary). */
#include <stdlib.h>
#include <string.h>

#include "../helpers/tap.h"
#include "virt.h"

static const struct {
	const char *line, *want;
} dmi_cases[] = {
	{ "KVM", "kvm" },
	{ "OpenStack Nova", "kvm" },
	{ "KubeVirt", "kvm" },
	{ "Amazon EC2", "amazon" },
	{ "QEMU", "qemu" },
	{ "Standard PC (Q35 + ICH9, 2009)", NULL },
	{ "VMware Virtual Platform", "vmware" },
	{ "VMware7,1", "vmware" },
	{ "VMW", "vmware" },
	{ "innotek GmbH", "oracle" },
	{ "VirtualBox", "oracle" },
	{ "Oracle Corporation", "oracle" },
	{ "Xen", "xen" },
	{ "HVM domU", NULL },
	{ "Bochs", "bochs" },
	{ "Parallels Software International Inc.", "parallels" },
	{ "BHYVE", "bhyve" },
	{ "Hyper-V UEFI Release v4.1", "microsoft" },
	{ "Apple Virtualization Generic Platform", "apple" },
	{ "Google Compute Engine", "google" },
	{ "Google", NULL },
	{ "Microsoft Corporation", NULL },	/* Surface laptops */
	{ "Dell Inc.", NULL },
	{ "kvm", NULL },			/* prefixes are case-sensitive */
	{ " KVM", NULL },			/* and anchored */
	{ "", NULL },
};

static const struct {
	const char *sig, *want;
} cpuid_cases[] = {
	{ "XenVMMXenVMM", "xen" },
	{ "KVMKVMKVM", "kvm" },
	{ "Linux KVM Hv", "kvm" },
	{ "TCGTCGTCGTCG", "qemu" },
	{ "VMwareVMware", "vmware" },
	{ "Microsoft Hv", "microsoft" },
	{ "bhyve bhyve ", "bhyve" },
	{ "QNXQVMBSQG", "qnx" },
	{ "ACRNACRNACRN", "acrn" },
	{ "SRESRESRESRE", "sre" },
	{ "Apple VZ", "apple" },
	{ "KVMKVMKV", NULL },
	{ "KVMKVMKVMX", NULL },
	{ "bhyve bhyve", NULL },
	{ "", NULL },
};

static const struct {
	const char *name, *want;
} container_cases[] = {
	{ "lxc", "lxc" },
	{ "lxc-libvirt", "lxc-libvirt" },
	{ "systemd-nspawn", "systemd-nspawn" },
	{ "docker", "docker" },
	{ "podman", "podman" },
	{ "rkt", "rkt" },
	{ "wsl", "wsl" },
	{ "proot", "proot" },
	{ "pouch", "pouch" },
	{ "crio", NULL },
	{ "oci", NULL },
	{ "Docker", NULL },
	{ "", NULL },
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

int main(void)
{
	for (size_t i = 0; i < sizeof dmi_cases / sizeof dmi_cases[0]; i++)
		is_str(virt_dmi_vendor(dmi_cases[i].line), dmi_cases[i].want, "dmi '%s'", dmi_cases[i].line);
	for (size_t i = 0; i < sizeof cpuid_cases / sizeof cpuid_cases[0]; i++)
		is_str(virt_cpuid_vendor(cpuid_cases[i].sig), cpuid_cases[i].want, "cpuid '%s'", cpuid_cases[i].sig);
	for (size_t i = 0; i < sizeof container_cases / sizeof container_cases[0]; i++)
		is_str(virt_container_name(container_cases[i].name), container_cases[i].want,
		       "container name '%s'", container_cases[i].name);
	for (size_t i = 0; i < sizeof xen_cases / sizeof xen_cases[0]; i++)
		ok(virt_xen_features_dom0(xen_cases[i].features) == xen_cases[i].want,
		   "xen features '%s' -> %d", xen_cases[i].features, xen_cases[i].want);
	return done_testing();
}
