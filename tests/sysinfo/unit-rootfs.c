/* unit-rootfs.c: symlink resolution inside a root, read caps, refusals.
 * Builds its own small tree in a temporary directory and removes it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../helpers/tap.h"
#include "rootfs.h"

/* skip(why): a test point that could not run here. */
#define skip(why) ok(1, "# SKIP %s", why)

static char top[512];

/* at(rel): top/rel, in a static buffer. */
static const char *at(const char *rel)
{
	static char p[PATH_MAX];
	int n = snprintf(p, sizeof p, "%s/%s", top, rel);

	if (n < 0 || (size_t)n >= sizeof p) {
		printf("Bail out! path too long\n");
		exit(1);
	}
	return p;
}

static void put(const char *rel, const char *data)
{
	const char *p = at(rel);
	FILE *f = fopen(p, "w");
	if (f == NULL || fputs(data, f) < 0 || fclose(f) != 0) {
		printf("Bail out! cannot write %s\n", p);
		exit(1);
	}
}

static void dir(const char *rel)
{
	const char *p = at(rel);

	if (mkdir(p, 0755) < 0) {
		printf("Bail out! cannot mkdir %s\n", p);
		exit(1);
	}
}

static void lnk(const char *target, const char *rel)
{
	const char *p = at(rel);

	if (symlink(target, p) < 0) {
		printf("Bail out! cannot symlink %s\n", p);
		exit(1);
	}
}

/* resolved(fs, path, follow): the resolved relative path, or "E<errno>". */
static const char *resolved(const struct rootfs *fs, const char *path, int follow)
{
	static char buf[PATH_MAX];
	char *out;
	int r = rootfs_resolve(fs, path, follow, &out);

	if (r < 0) {
		const char *name = "OTHER";

		if (r == -ENOENT)
			name = "NOENT";
		else if (r == -ELOOP)
			name = "LOOP";
		else if (r == -ENOTDIR)
			name = "NOTDIR";
		snprintf(buf, sizeof buf, "E%s", name);
		return buf;
	}
	snprintf(buf, sizeof buf, "%s", out);
	free(out);
	return buf;
}

static const struct {
	const char *path;
	int follow;
	const char *want;
	const char *what;
} resolve_cases[] = {
	{ "/", 1, "", "the root itself" },
	{ "/etc/real", 1, "etc/real", "a plain file" },
	{ "//etc///real", 1, "etc/real", "repeated slashes" },
	{ "/./etc/./real", 1, "etc/real", "dot components" },
	{ "/etc/rel", 1, "usr/lib/os-release", "relative link" },
	{ "/etc/abs", 1, "usr/lib/os-release", "absolute link re-rooted" },
	{ "/etc/abs", 0, "etc/abs", "last link not followed when asked" },
	{ "/../../../etc/real", 1, "etc/real", ".. at the root stays at the root" },
	{ "/etc/escape", 1, "usr/lib/os-release", "a link climbing out with .. stays in" },
	{ "/etc/escape-abs", 1, "ENOENT", "absolute link to a host path is looked up inside" },
	{ "/lib/os-release", 1, "usr/lib/os-release", "through a directory link" },
	{ "/etc/chain", 1, "usr/lib/os-release", "a chain of links" },
	{ "/etc/loop", 1, "ELOOP", "a loop ends with ELOOP" },
	{ "/etc/self", 1, "ELOOP", "a self link ends with ELOOP" },
	{ "/etc/dangling", 1, "ENOENT", "a dangling link" },
	{ "/etc/dangling", 0, "etc/dangling", "a dangling link, not followed" },
	{ "/etc/real/x", 1, "ENOTDIR", "a file used as a directory" },
	{ "/missing/x", 1, "ENOENT", "a missing directory" },
	{ "/etc/../usr/lib/os-release", 1, "usr/lib/os-release", ".. inside the path" },
	{ "/lib/../lib/os-release", 1, "usr/lib/os-release", ".. after a directory link is its target's parent" },
	{ "/lib/../etc/real", 1, "ENOENT", "so /lib/.. is /usr, not / (as the kernel does it)" },
	{ "/etc/real/", 1, "ENOTDIR", "a file named with a trailing slash" },
	{ "/etc/real/", 0, "ENOTDIR", "a file named with a trailing slash, not following" },
	{ "/etc/slash", 1, "ENOTDIR", "a link whose target ends in '/' names a directory" },
	{ "/etc/slash-dir", 1, "usr/lib", "a link to a directory with a trailing '/'" },
	{ "/lib/", 1, "usr/lib", "a directory link named with a trailing slash" },
	{ "/lib/", 0, "usr/lib", "a trailing slash follows the last link even when not asked" },
	{ "/etc/abs", 1, "usr/lib/os-release", "and a link's target gains no trailing slash" },
};

/* ---- random trees against the kernel's own in-root resolution ---------- */

/* remove_tree(parent, name): rm -r, by hand (no child process). */
static void remove_tree(int parent, const char *name)
{
	struct stat st;
	int fd;
	DIR *d;
	struct dirent *de;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlinkat(parent, name, 0);
		return;
	}
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	if (fd >= 0 && (d = fdopendir(fd)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
				remove_tree(dirfd(d), de->d_name);
		closedir(d);
	} else if (fd >= 0) {
		close(fd);
	}
	unlinkat(parent, name, AT_REMOVEDIR);
}

#ifdef SYS_openat2
struct in_root_how { /* struct open_how of openat2(2) */
	uint64_t flags, mode, resolve;
};
#define IN_ROOT 0x10 /* RESOLVE_IN_ROOT */

static uint64_t rng = 20261125;

static unsigned rnd(unsigned n)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (unsigned)(rng >> 33) % n;
}

/* rand_path(buf, size): 1-4 components from a small alphabet, with "." and
 * "..", sometimes absolute, sometimes with a trailing slash. */
static void rand_path(char *buf, size_t size, int may_be_relative)
{
	static const char *const names[] = { "a", "b", "c", "d", "..", ".", "x" };
	unsigned n = 1 + rnd(4);

	buf[0] = '\0';
	if (!may_be_relative || rnd(10) < 6)
		strcat(buf, "/");
	for (unsigned i = 0; i < n && strlen(buf) + 8 < size; i++) {
		if (i)
			strcat(buf, "/");
		strcat(buf, names[rnd(sizeof names / sizeof names[0])]);
	}
	if (rnd(7) == 0)
		strcat(buf, "/");
}

/* kernel_vs_ours(): in 300 random trees of directories, files and links
 * (relative, absolute, climbing, looping, with trailing slashes), every
 * path resolves to the same inode, or fails with the same errno, as
 * openat2(RESOLVE_IN_ROOT).  Skipped where the kernel lacks openat2. */
static void kernel_vs_ours(void)
{
	static const char *const names[] = { "a", "b", "c", "d" };
	int rootfd, diffs = 0, compared = 0;
	char rootpath[PATH_MAX];

	snprintf(rootpath, sizeof rootpath, "%s", at("k"));
	for (int tree = 0; tree < 300; tree++) {
		struct rootfs fs;
		char dirs[16][64];
		int ndirs = 1;

		remove_tree(AT_FDCWD, rootpath);
		if (mkdir(rootpath, 0755) < 0 || (rootfd = open(rootpath, O_RDONLY | O_DIRECTORY)) < 0) {
			printf("Bail out! cannot make %s\n", rootpath);
			exit(1);
		}
		dirs[0][0] = '\0';
		for (unsigned i = 0, n = 1 + rnd(12); i < n; i++) {
			char rel[160], target[64];
			unsigned kind = rnd(20);

			snprintf(rel, sizeof rel, "%s%s", dirs[rnd((unsigned)ndirs)], names[rnd(4)]);
			if (kind < 7 && ndirs < 16 && mkdirat(rootfd, rel, 0755) == 0) {
				snprintf(dirs[ndirs++], sizeof dirs[0], "%.60s/", rel);
			} else if (kind < 11) {
				int fd = openat(rootfd, rel, O_WRONLY | O_CREAT | O_EXCL, 0644);

				if (fd >= 0)
					close(fd);
			} else {
				rand_path(target, sizeof target, 1);
				(void)symlinkat(target, rootfd, rel);
			}
		}
		if (rootfs_init(&fs, rootpath) < 0) {
			printf("Bail out! rootfs_init %s\n", rootpath);
			exit(1);
		}
		for (int i = 0; i < 30; i++) {
			struct in_root_how how = { O_PATH | O_CLOEXEC, 0, IN_ROOT };
			struct stat kst, ost;
			char path[64], *rel;
			long kernel, ours;
			int fd, tries = 0;

			rand_path(path, sizeof path, 0);
			/* RESOLVE_IN_ROOT fails with EAGAIN when a rename anywhere on
			 * the machine races the lookup (a busy CI host): ask again. */
			do
				fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
			while (fd < 0 && errno == EAGAIN && ++tries < 100);

			if (fd < 0 && errno == ENOSYS) {
				rootfs_close(&fs);
				close(rootfd);
				remove_tree(AT_FDCWD, rootpath);
				skip("openat2(2) is not available here");
				return;
			}
			kernel = fd < 0 ? -errno : (fstat(fd, &kst) == 0 ? (long)kst.st_ino : -9999);
			if (fd >= 0)
				close(fd);
			if ((ours = rootfs_resolve(&fs, path, 1, &rel)) == 0) {
				if (fstatat(fs.dirfd, rel[0] ? rel : ".", &ost, AT_SYMLINK_NOFOLLOW) == 0)
					ours = (long)ost.st_ino;
				else
					ours = -errno;
				free(rel);
			}
			compared++;
			if (kernel != ours && diffs++ < 5)
				printf("# tree %d, %s: kernel %ld, ours %ld\n", tree, path, kernel, ours);
		}
		rootfs_close(&fs);
		close(rootfd);
	}
	remove_tree(AT_FDCWD, rootpath);
	ok(diffs == 0, "%d random paths in 300 random trees resolve as openat2(RESOLVE_IN_ROOT) does (%d differ)",
	   compared, diffs);
}
#else
static void kernel_vs_ours(void)
{
	skip("no openat2(2) on this system");
}
#endif

int main(void)
{
	struct rootfs fs, real;
	char *buf, *line, *target;
	size_t len;
	int r;
	DIR *d;

	r = snprintf(top, sizeof top, "%s/unit-rootfs.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (r < 0 || (size_t)r >= sizeof top || mkdtemp(top) == NULL) {
		printf("Bail out! mkdtemp failed\n");
		return 1;
	}
	dir("etc");
	dir("usr");
	dir("usr/lib");
	put("usr/lib/os-release", "ID=inside\nNAME=x\n");
	put("etc/real", "first line\nsecond line\n");
	put("etc/crlf", "docker\r\nsecond line\n");
	put("etc/cr", "lxc\rsecond line\n");
	lnk("../usr/lib/os-release", "etc/rel");
	lnk("/usr/lib/os-release", "etc/abs");
	lnk("../../../../../../usr/lib/os-release", "etc/escape");
	lnk("/nonexistent-host-path/os-release", "etc/escape-abs");
	lnk("usr/lib", "lib");
	lnk("rel", "etc/chain");
	lnk("loop2", "etc/loop");
	lnk("/etc/loop", "etc/loop2");
	lnk("self", "etc/self");
	lnk("nowhere", "etc/dangling");
	lnk("real/", "etc/slash");
	lnk("/usr/lib/", "etc/slash-dir");
	if (mkfifo(at("etc/fifo"), 0644) < 0) {
		printf("Bail out! mkfifo failed\n");
		return 1;
	}

	r = rootfs_init(&fs, top);
	ok(r == 0, "rootfs_init on a directory");
	for (size_t i = 0; i < sizeof resolve_cases / sizeof resolve_cases[0]; i++)
		is_str(resolved(&fs, resolve_cases[i].path, resolve_cases[i].follow), resolve_cases[i].want,
		       "resolve %s: %s", resolve_cases[i].path, resolve_cases[i].what);

	r = rootfs_read(&fs, "/etc/abs", 1024, &buf, &len);
	ok(r == 0 && len == 17 && strcmp(buf, "ID=inside\nNAME=x\n") == 0, "read through an absolute link");
	if (r == 0)
		free(buf);
	r = rootfs_read(&fs, "/etc/real", 5, &buf, &len);
	ok(r == 0 && len == 5 && strcmp(buf, "first") == 0, "the read cap cuts the content");
	if (r == 0)
		free(buf);
	r = rootfs_read(&fs, "/etc/fifo", 1024, &buf, &len);
	ok(r == -EINVAL, "a FIFO is refused without blocking (%d)", r);
	r = rootfs_read(&fs, "/etc", 1024, &buf, &len);
	ok(r == -EISDIR, "a directory is refused (%d)", r);
	r = rootfs_read(&fs, "/etc/missing", 1024, &buf, &len);
	ok(r == -ENOENT, "a missing file is ENOENT");
	r = rootfs_read(&fs, "/etc/loop", 1024, &buf, &len);
	ok(r == -ELOOP, "a link loop is ELOOP");

	r = rootfs_read_line(&fs, "/etc/real", 1024, &line);
	ok(r == 0, "read_line");
	if (r == 0) {
		is_str(line, "first line", "read_line gives the first line without its newline");
		free(line);
	}
	r = rootfs_read_line(&fs, "/etc/crlf", 1024, &line);
	ok(r == 0, "read_line of a CRLF file");
	if (r == 0) {
		is_str(line, "docker", "read_line ends a line at \\r\\n (systemd's read_one_line_file)");
		free(line);
	}
	r = rootfs_read_line(&fs, "/etc/cr", 1024, &line);
	ok(r == 0, "read_line of a CR file");
	if (r == 0) {
		is_str(line, "lxc", "read_line ends a line at a lone \\r");
		free(line);
	}

	ok(rootfs_exists(&fs, "/etc/rel") == 1, "exists through a link");
	ok(rootfs_exists(&fs, "/etc/dangling") == 0, "a dangling link does not exist");
	ok(rootfs_lexists(&fs, "/etc/dangling") == 1, "a dangling link lexists");
	ok(rootfs_exists(&fs, "/nope") == 0, "a missing path does not exist");
	ok(rootfs_exists(&fs, "/etc/real/x") == 0, "a path through a file does not exist");

	r = rootfs_readlink(&fs, "/etc/abs", &target);
	ok(r == 0, "readlink");
	if (r == 0) {
		is_str(target, "/usr/lib/os-release", "readlink gives the raw target");
		free(target);
	}
	ok(rootfs_readlink(&fs, "/etc/real", &target) == -EINVAL, "readlink of a file is EINVAL");

	d = rootfs_opendir(&fs, "/lib");
	ok(d != NULL, "opendir through a directory link");
	if (d) {
		struct dirent *de;
		int seen = 0;

		while ((de = readdir(d)) != NULL)
			seen |= strcmp(de->d_name, "os-release") == 0;
		ok(seen, "the directory lists os-release");
		closedir(d);
	}
	ok(rootfs_opendir(&fs, "/etc/real") == NULL && errno == ENOTDIR, "opendir of a file fails");
	rootfs_close(&fs);

	kernel_vs_ours();

	/* The real system: plain paths. */
	ok(rootfs_init(&real, NULL) == 0 && real.dirfd == -1, "rootfs_init(NULL) is the real system");
	{
		r = rootfs_read(&real, at("etc/rel"), 1024, &buf, &len);
		ok(r == 0 && strncmp(buf, "ID=inside", 9) == 0, "real-system read follows links normally");
		if (r == 0)
			free(buf);
	}
	ok(rootfs_init(&fs, "/nonexistent-dir-for-unit-test") == -ENOENT, "rootfs_init on a missing directory");
	ok(rootfs_init(&fs, at("etc/real")) == -ENOTDIR, "rootfs_init on a file");

	{
		/* clean up by hand: no child process, even in a test */
		static const char *const files[] = {
			"usr/lib/os-release",
			"etc/real",
			"etc/crlf",
			"etc/cr",
			"etc/rel",
			"etc/abs",
			"etc/escape",
			"etc/escape-abs",
			"lib",
			"etc/chain",
			"etc/loop",
			"etc/loop2",
			"etc/self",
			"etc/dangling",
			"etc/slash",
			"etc/slash-dir",
			"etc/fifo",
		};
		for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
			ok(unlink(at(files[i])) == 0, "cleanup %s", files[i]);
		ok(rmdir(at("usr/lib")) == 0 && rmdir(at("usr")) == 0 && rmdir(at("etc")) == 0 && rmdir(top) == 0,
		   "cleanup directories");
	}
	return done_testing();
}
