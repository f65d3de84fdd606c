/* unit-procfile.c: /proc/PID/environ and "Key : value" parsers. */
#include <stdlib.h>
#include <string.h>

#include "../helpers/tap.h"
#include "procfile.h"

#define S(lit) lit, sizeof(lit) - 1

/* got(p, n): p[0..n) as a static C string, or NULL. */
static const char *got(const char *p, size_t n)
{
	static char buf[256];

	if (p == NULL)
		return NULL;
	snprintf(buf, sizeof buf, "%.*s", (int)n, p);
	return buf;
}

static const struct {
	const char *what;
	const char *buf;
	size_t len;
	const char *key, *want;
} env_cases[] = {
	{ "first entry", S("container=lxc\0PATH=/bin\0"), "container", "lxc" },
	{ "later entry", S("PATH=/bin\0container=docker\0"), "container", "docker" },
	{ "last entry without NUL", S("PATH=/bin\0container=podman"), "container", "podman" },
	{ "empty value", S("container=\0"), "container", "" },
	{ "first of two wins (getenv)", S("container=a\0container=b\0"), "container", "a" },
	{ "prefix of a longer key is no match", S("containers=x\0"), "container", NULL },
	{ "longer key is no match", S("xcontainer=x\0"), "container", NULL },
	{ "key without = is no match", S("container\0"), "container", NULL },
	{ "missing", S("PATH=/bin\0HOME=/\0"), "container", NULL },
	{ "empty buffer", S(""), "container", NULL },
	{ "only NULs", S("\0\0\0"), "container", NULL },
	{ "value holding =", S("K=a=b\0"), "K", "a=b" },
	{ "k8s host", S("KUBERNETES_SERVICE_HOST=10.96.0.1\0KUBERNETES_SERVICE_PORT=443\0"),
	  "KUBERNETES_SERVICE_PORT", "443" },
};

static const struct {
	const char *what;
	const char *buf;
	size_t len;
	const char *key, *want;
} field_cases[] = {
	{ "cpuinfo tab colon", S("processor\t: 0\nvendor_id\t: GenuineIntel\n"), "vendor_id", "GenuineIntel" },
	{ "uml", S("vendor_id\t: User Mode Linux\n"), "vendor_id", "User Mode Linux" },
	{ "first match wins", S("vendor_id\t: A\nvendor_id\t: B\n"), "vendor_id", "A" },
	{ "status TracerPid", S("Name:\tx\nTracerPid:\t4242\nUid:\t0\n"), "TracerPid", "4242" },
	{ "sysinfo key with spaces", S("VM00 Name:            G\nVM00 Control Program: z/VM    7.3.0\n"),
	  "VM00 Control Program", "z/VM    7.3.0" },
	{ "trailing blanks dropped", S("k : v  \t\n"), "k", "v" },
	{ "no colon", S("vendor_id GenuineIntel\n"), "vendor_id", NULL },
	{ "prefix key is no match", S("vendor_idx\t: A\n"), "vendor_id", NULL },
	{ "key not at line start", S(" vendor_id: A\n"), "vendor_id", NULL },
	{ "empty value", S("k:\n"), "k", "" },
	{ "last line without newline", S("a: 1\nk: last"), "k", "last" },
	{ "empty buffer", S(""), "k", NULL },
	{ "NUL in the line", S("k: a\0b\n"), "k", "a\0b" },
};

int main(void)
{
	for (size_t i = 0; i < sizeof env_cases / sizeof env_cases[0]; i++) {
		size_t n = 0;
		const char *v = environ_get(env_cases[i].buf, env_cases[i].len, env_cases[i].key, &n);

		is_str(got(v, n), env_cases[i].want, "environ: %s", env_cases[i].what);
	}
	for (size_t i = 0; i < sizeof field_cases / sizeof field_cases[0]; i++) {
		size_t n = 0;
		const char *v = procfile_field(field_cases[i].buf, field_cases[i].len, field_cases[i].key, &n);

		is_str(got(v, n), field_cases[i].want, "field: %s", field_cases[i].what);
	}
	return done_testing();
}
