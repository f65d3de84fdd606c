/* sysinfo: print normalized OS, kernel, virtualization and container facts,
 * as KEY=VALUE lines (the keys of Netdata's system-info.sh) or one flat JSON
 * object.  Reads a few files; runs nothing, writes nothing but stdout. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "envfile.h"
#include "json.h"
#include "rootfs.h"
#include "text.h"
#include "virt.h"
#include "xalloc.h"

#define OS_RELEASE_CAP (64 * 1024) /* real files are under 1 KiB */
#define EXIT_USAGE 2

enum os_format {
	OS_RELEASE,
	LSB_RELEASE
};

struct os_source {
	const char *path;
	enum os_format format;
};

/* os-release(5): /etc first, /usr/lib only when /etc has none (never mixed);
 * the older lsb-release only when neither exists. */
static const struct os_source own_os[] = {
	{ "/etc/os-release", OS_RELEASE },
	{ "/usr/lib/os-release", OS_RELEASE },
	{ "/etc/lsb-release", LSB_RELEASE },
};

/* Inside a container: the host's os-release, when the host bind-mounts its
 * root at /host (Netdata's documented docker run), or when the manager
 * publishes it in /run/host (systemd-nspawn, os-release(5)). */
static const struct os_source host_os[] = {
	{ "/host/etc/os-release", OS_RELEASE },
	{ "/host/usr/lib/os-release", OS_RELEASE },
	{ "/run/host/os-release", OS_RELEASE },
};

/* One row per group of facts, formatted by hand. */
/* clang-format off */
/* The output, in order: the contract with the script, the daemon, packagers. */
enum field {
	C_NAME, C_ID, C_ID_LIKE, C_VERSION, C_VERSION_ID, C_DETECTION,
	H_NAME, H_ID, H_ID_LIKE, H_VERSION, H_VERSION_ID, H_DETECTION,
	K8S, K_NAME, K_VERSION, ARCH, VIRT, VIRT_DETECTION, CONT, CONT_DETECTION,
	N_FIELDS
};

/* Designated: a key can never drift onto another field's value. */
static const char *const keys[N_FIELDS] = {
	[C_NAME]          = "NETDATA_CONTAINER_OS_NAME",
	[C_ID]            = "NETDATA_CONTAINER_OS_ID",
	[C_ID_LIKE]       = "NETDATA_CONTAINER_OS_ID_LIKE",
	[C_VERSION]       = "NETDATA_CONTAINER_OS_VERSION",
	[C_VERSION_ID]    = "NETDATA_CONTAINER_OS_VERSION_ID",
	[C_DETECTION]     = "NETDATA_CONTAINER_OS_DETECTION",
	[H_NAME]          = "NETDATA_HOST_OS_NAME",
	[H_ID]            = "NETDATA_HOST_OS_ID",
	[H_ID_LIKE]       = "NETDATA_HOST_OS_ID_LIKE",
	[H_VERSION]       = "NETDATA_HOST_OS_VERSION",
	[H_VERSION_ID]    = "NETDATA_HOST_OS_VERSION_ID",
	[H_DETECTION]     = "NETDATA_HOST_OS_DETECTION",
	[K8S]             = "NETDATA_HOST_IS_K8S_NODE",
	[K_NAME]          = "NETDATA_SYSTEM_KERNEL_NAME",
	[K_VERSION]       = "NETDATA_SYSTEM_KERNEL_VERSION",
	[ARCH]            = "NETDATA_SYSTEM_ARCHITECTURE",
	[VIRT]            = "NETDATA_SYSTEM_VIRTUALIZATION",
	[VIRT_DETECTION]  = "NETDATA_SYSTEM_VIRT_DETECTION",
	[CONT]            = "NETDATA_SYSTEM_CONTAINER",
	[CONT_DETECTION]  = "NETDATA_SYSTEM_CONTAINER_DETECTION",
};
/* clang-format on */

static char *values[N_FIELDS];

/* put(f, s, n): values[f] = s normalized, or "unknown" if nothing is left. */
static void put(enum field f, const char *s, size_t n)
{
	free(values[f]);
	values[f] = s ? text_normalize(s, n) : NULL;
	if (values[f] == NULL || values[f][0] == '\0') {
		free(values[f]);
		values[f] = xstrdup("unknown");
	}
}

static void put_str(enum field f, const char *s)
{
	put(f, s, s ? strlen(s) : 0);
}

/* read_os(fs, sources, n, &info): parse the first source that exists; its
 * path, or NULL when none exists or the first existing one is unreadable. */
static const char *read_os(const struct rootfs *fs, const struct os_source *src, size_t n,
			   struct os_info *info)
{
	for (size_t i = 0; i < n; i++) {
		char *buf;
		size_t len;
		int r = rootfs_read(fs, src[i].path, OS_RELEASE_CAP, &buf, &len);

		if (r == -ENOENT || r == -ENOTDIR)
			continue; /* missing: the next source may have it */
		if (r < 0)
			return NULL; /* there but unreadable: never mix sources */
		if (src[i].format == OS_RELEASE)
			osrelease_parse(buf, len, info);
		else
			lsbrelease_parse(buf, len, info);
		free(buf);
		return src[i].path;
	}
	return NULL;
}

/* put_os(first, info, detection): the six OS fields starting at first. */
static void put_os(enum field first, const struct os_info *info, const char *detection)
{
	put_str(first + 0, info->name);
	put_str(first + 1, info->id);
	put_str(first + 2, info->id_like);
	put_str(first + 3, info->version);
	put_str(first + 4, info->version_id);
	put_str(first + 5, detection);
}

static void put_none(enum field first)
{
	for (int i = 0; i < 6; i++)
		put_str(first + i, "none");
}

/* Kernel facts: uname(2), or the proc files that mirror it under --root. */
static void put_kernel(const struct rootfs *fs, int real_system)
{
	static const struct {
		enum field field;
		const char *path;
	} files[] = {
		{ K_NAME, "/proc/sys/kernel/ostype" },
		{ K_VERSION, "/proc/sys/kernel/osrelease" },
		{ ARCH, "/proc/sys/kernel/arch" },
	};
	struct utsname u;

	if (real_system) {
		if (uname(&u) == 0) {
			put_str(K_NAME, u.sysname);
			put_str(K_VERSION, u.release);
			put_str(ARCH, u.machine);
		} else {
			put_str(K_NAME, NULL);
			put_str(K_VERSION, NULL);
			put_str(ARCH, NULL);
		}
		return;
	}
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char *line = NULL;

		if (rootfs_read_line(fs, files[i].path, 4096, &line) < 0)
			line = NULL;
		put_str(files[i].field, line);
		free(line);
	}
}

static void print_output(int json)
{
	if (!json) {
		for (int i = 0; i < N_FIELDS; i++)
			printf("%s=%s\n", keys[i], values[i]);
		return;
	}
	/* One flat object, each string by common/json.h's writer: the values
	 * are normalized (text.h), so only '"' and '\\' are ever escaped. */
	struct json_buf b;

	json_init(&b);
	json_raw(&b, "{");
	for (int i = 0; i < N_FIELDS; i++) {
		json_raw(&b, i ? "," : "");
		json_string(&b, keys[i], strlen(keys[i]), JSON_UNCUT, 0);
		json_raw(&b, ":");
		json_string(&b, values[i], strlen(values[i]), JSON_UNCUT, 0);
	}
	if (json_raw(&b, "}\n") < 0)
		fatal("out of memory");
	fwrite(b.data, 1, b.len, stdout);
	json_free(&b);
}

static void usage(FILE *f)
{
	fputs("usage: sysinfo [--json] [--root DIR [--cpuid=SIGNATURE]]\n"
	      "  --json             print one flat JSON object instead of KEY=VALUE lines\n"
	      "  --root DIR         read every file under DIR instead of the real system\n"
	      "  --cpuid=SIGNATURE  with --root: pretend CPUID reports this hypervisor\n",
	      f);
}

static _Noreturn void usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "sysinfo: %s%s\n", what, arg);
	usage(stderr);
	exit(EXIT_USAGE);
}

int main(int argc, char **argv)
{
	const char *root = NULL, *cpuid = NULL;
	int json = 0, r;
	struct rootfs fs;
	struct virt_env env;
	struct virt_result vm, ct;
	struct os_info own = { 0 }, host = { 0 };
	const char *own_src, *host_src;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--json") == 0) {
			json = 1;
		} else if (strcmp(a, "--root") == 0) {
			if (++i == argc)
				usage_error("--root needs a directory", "");
			root = argv[i];
		} else if (strncmp(a, "--root=", 7) == 0) {
			root = a + 7;
		} else if (strncmp(a, "--cpuid=", 8) == 0) {
			cpuid = a + 8;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return fflush(stdout) == 0 ? 0 : 1;
		} else {
			usage_error("unknown argument: ", a);
		}
	}
	if (root != NULL && root[0] == '\0')
		usage_error("--root needs a directory", "");
	if (cpuid != NULL && root == NULL)
		usage_error("--cpuid is only allowed with --root", "");
	if (cpuid != NULL && cpuid[0] == '\0')
		usage_error("--cpuid needs a signature", "");

	r = rootfs_init(&fs, root);
	if (r < 0)
		usage_error("cannot open the --root directory: ", strerror(-r));
	env.fs = &fs;
	env.real_system = root == NULL;
	env.cpuid_sig = cpuid;

	virt_detect_vm(&env, &vm);
	virt_detect_container(&env, &ct);

	own_src = read_os(&fs, own_os, sizeof own_os / sizeof own_os[0], &own);
	if (ct.id == VIRT_NONE) {
		put_none(C_NAME);
		put_os(H_NAME, &own, own_src);
	} else {
		put_os(C_NAME, &own, own_src);
		host_src = read_os(&fs, host_os, sizeof host_os / sizeof host_os[0], &host);
		put_os(H_NAME, &host, host_src);
	}
	put_str(K8S, virt_is_k8s(&env) ? "true" : "false");
	put_kernel(&fs, env.real_system);
	put_str(VIRT, virt_id_name(vm.id));
	put_str(VIRT_DETECTION, vm.method);
	put_str(CONT, virt_id_name(ct.id));
	put_str(CONT_DETECTION, ct.method);

	print_output(json);

	os_info_free(&own);
	os_info_free(&host);
	for (int i = 0; i < N_FIELDS; i++)
		free(values[i]);
	rootfs_close(&fs);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("sysinfo: write error");
		return 1;
	}
	return 0;
}
