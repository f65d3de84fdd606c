/* fuzz-rootfs.c: libFuzzer target for --root path resolution
 * (rootfs_resolve), checked against a model.
 *
 * The input is lines that build a tree in a scratch directory, then ask:
 *   d PATH          a directory        f PATH   a regular file
 *   l PATH TARGET   a symlink (TARGET: the rest of the line, any bytes,
 *                   not empty)
 *   r QUERY         resolve QUERY, following the last component
 *   n QUERY         resolve QUERY, not following it
 * PATH is relative, of names in [A-Za-z0-9._-] (not "." or ".."), under a
 * directory made before; other lines are ignored.
 *
 * The model resolves in memory, recursively (each link's target walked as
 * a path of its own), where rootfs.c rewrites one string: an absolute
 * target starts again at the root, ".." stops at the root, at most 40
 * links, a name followed by '/' must be a directory.  Whatever the tree,
 * the answer must be the model's, and a resolved path must stay inside the
 * root: no ".", ".." or empty name in it, and every directory on the way a
 * real directory of the tree (lstat), never a link.  Where the kernel has
 * openat2(RESOLVE_IN_ROOT), it is asked the same followed questions and
 * must reach the same file or fail alike. */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fuzz-check.h"
#include "fuzz-tree.h"
#include "rootfs.h"

#define MAX_ENTRIES 64
#define MAX_PATH 256 /* an entry's path */
#define MAX_QUERY 1024
#define MAX_LINKS 40

enum kind {
	DIR_,
	FILE_,
	LINK_
};

struct entry {
	enum kind kind;
	char path[MAX_PATH];
	char *target;
};

struct model {
	struct entry e[MAX_ENTRIES];
	int n;
};

static const struct entry *lookup(const struct model *m, const char *path)
{
	for (int i = 0; i < m->n; i++)
		if (strcmp(m->e[i].path, path) == 0)
			return &m->e[i];
	return NULL;
}

/* valid_path(m, path): a new entry may be made at path. */
static int valid_path(const struct model *m, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	char parent[MAX_PATH];
	const struct entry *p;

	if (strlen(path) >= MAX_PATH || *name == '\0' || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0 || strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
						    "0123456789._-") != strlen(name) ||
	    lookup(m, path))
		return 0;
	if (!slash)
		return 1;
	snprintf(parent, sizeof parent, "%.*s", (int)(slash - path), path);
	p = lookup(m, parent);
	return p != NULL && p->kind == DIR_;
}

/* model_walk(m, cur, path, follow, want_dir, &links): resolve path from
 * the directory cur (a model path, "" the root), which becomes the answer.
 * follow: the last name is followed when it is a link; want_dir: the last
 * name must end at a directory.  0 or -errno. */
static int model_walk(const struct model *m, char *cur, const char *path, int follow, int want_dir,
		      int *links)
{
	const char *p = path;

	if (*p == '/')
		cur[0] = '\0';
	for (;;) {
		const char *name, *after;
		size_t len;
		int last, slash, dir_needed;
		char cand[2 * PATH_MAX];
		const struct entry *e;

		while (*p == '/')
			p++;
		if (*p == '\0')
			return 0;
		name = p;
		len = strcspn(p, "/");
		p += len;
		slash = *p == '/';
		after = p + strspn(p, "/");
		last = *after == '\0';
		dir_needed = !last || slash || want_dir;
		if (len == 1 && name[0] == '.')
			continue;
		if (len == 2 && name[0] == '.' && name[1] == '.') {
			char *up = strrchr(cur, '/');

			*(up ? up : cur) = '\0';
			continue;
		}
		snprintf(cand, sizeof cand, "%s%s%.*s", cur, *cur ? "/" : "", (int)len, name);
		if (last && !slash && !follow) {
			strcpy(cur, cand); /* not looked at: it need not exist */
			return 0;
		}
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		e = lookup(m, cand);
		if (e == NULL)
			return -ENOENT;
		if (e->kind == LINK_) {
			int r;

			if (++*links > MAX_LINKS)
				return -ELOOP;
			if (e->target[0] == '\0')
				return -ENOENT;
			r = model_walk(m, cur, e->target, 1, dir_needed, links);
			if (r < 0)
				return r;
			continue;
		}
		if (dir_needed && e->kind != DIR_)
			return -ENOTDIR;
		strcpy(cur, cand);
	}
}

/* check_inside(dirfd, rel, followed): no step of rel leaves the root. */
static void check_inside(int dirfd, const char *rel, int followed)
{
	char prefix[2 * PATH_MAX];
	struct stat st;
	const char *p = rel;

	if (*rel == '\0')
		return;
	require(rel[0] != '/' && rel[strlen(rel) - 1] != '/' && strstr(rel, "//") == NULL);
	for (;;) {
		size_t len = strcspn(p, "/");

		require(!(len == 1 && p[0] == '.') && !(len == 2 && p[0] == '.' && p[1] == '.'));
		if (p[len] == '\0')
			break;
		snprintf(prefix, sizeof prefix, "%.*s", (int)(p + len - rel), rel);
		require(fstatat(dirfd, prefix, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode));
		p += len + 1;
	}
	if (followed)
		require(fstatat(dirfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISLNK(st.st_mode));
}

#ifdef SYS_openat2
struct open_how_ {
	uint64_t flags, mode, resolve;
};
#define RESOLVE_IN_ROOT_ 0x10

static int kernel_says = 1; /* 0 once openat2 proved missing or forbidden */

/* check_kernel(dirfd, query, r, rel): openat2(RESOLVE_IN_ROOT) reaches the
 * same file as the followed resolution, or fails with the same error. */
static void check_kernel(int dirfd, const char *query, int r, const char *rel)
{
	struct open_how_ how = { O_PATH | O_CLOEXEC, 0, RESOLVE_IN_ROOT_ };
	struct stat a, b;
	long fd;

	if (!kernel_says || *query == '\0')
		return;
	fd = syscall(SYS_openat2, dirfd, query, &how, sizeof how);
	if (fd < 0 && (errno == ENOSYS || errno == EPERM)) {
		kernel_says = 0;
		return;
	}
	if (r < 0) {
		require(fd < 0 && -errno == r);
		return;
	}
	require(fd >= 0);
	require(fstat((int)fd, &a) == 0);
	require(fstatat(dirfd, *rel ? rel : ".", &b, AT_SYMLINK_NOFOLLOW) == 0);
	require(a.st_dev == b.st_dev && a.st_ino == b.st_ino);
	close((int)fd);
}
#else
static void check_kernel(int dirfd, const char *query, int r, const char *rel)
{
	(void)dirfd, (void)query, (void)r, (void)rel;
}
#endif

static void make_entry(struct model *m, int dirfd, char kind, char *arg)
{
	struct entry *e;
	char *target = NULL;

	if (m->n == MAX_ENTRIES)
		return;
	if (kind == 'l') {
		char *sp = strchr(arg, ' ');

		if (sp == NULL)
			return;
		*sp = '\0';
		target = sp + 1;
		if (*target == '\0' || strlen(target) > MAX_QUERY)
			return; /* symlink(2) makes no empty or overlong link */
	}
	if (!valid_path(m, arg))
		return;
	e = &m->e[m->n];
	strcpy(e->path, arg);
	e->target = target;
	if (kind == 'd') {
		e->kind = DIR_;
		require(mkdirat(dirfd, arg, 0700) == 0);
	} else if (kind == 'f') {
		e->kind = FILE_;
		tree_write(dirfd, arg, "", 0);
	} else {
		e->kind = LINK_;
		require(symlinkat(target, dirfd, arg) == 0);
	}
	m->n++;
}

static void ask(const struct model *m, const struct rootfs *fs, const char *query, int follow)
{
	char want[2 * PATH_MAX] = "";
	char *got = NULL;
	int links = 0;
	int r = rootfs_resolve(fs, query, follow, &got);
	int w = model_walk(m, want, query, follow, 0, &links);

	require(r == w);
	if (r == 0) {
		require(strcmp(got, want) == 0);
		check_inside(fs->dirfd, got, follow);
	}
	if (follow)
		check_kernel(fs->dirfd, query, r, got);
	free(got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct model m;
	char *text = malloc(size + 1), *line, *next;
	struct rootfs fs;
	int dirfd;

	require(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0'; /* an inner NUL ends the input there */
	m.n = 0;
	dirfd = tree_open();
	fs.dirfd = dirfd;
	for (line = text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == '\0' || line[1] != ' ')
			continue;
		if (line[0] == 'd' || line[0] == 'f' || line[0] == 'l')
			make_entry(&m, dirfd, line[0], line + 2);
		else if ((line[0] == 'r' || line[0] == 'n') && strlen(line + 2) <= MAX_QUERY)
			ask(&m, &fs, line + 2, line[0] == 'r');
	}
	require(close(dirfd) == 0);
	free(text);
	return 0;
}
