// SPDX-License-Identifier: MIT
/*
 * The smallest vfsd server: one read-only file, /hello.
 * Usage: hello MOUNTPOINT, or hello --version. Built out of tree:
 *   cc hello.c $(pkg-config --cflags --libs vfsd)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <vfsd/vfsd.h>

#define HELLO_INO 2
static const char hello[] = "Hello, world!\n";

static int fill_stat(vfsd_ino_t ino, struct stat *st)
{
	*st = (struct stat){ .st_ino = ino, .st_nlink = 1 };
	st->st_mode = ino == VFSD_ROOT_INO ? S_IFDIR | 0755 : S_IFREG | 0444;
	st->st_size = ino == HELLO_INO ? sizeof(hello) - 1 : 0;
	return ino == VFSD_ROOT_INO || ino == HELLO_INO ? 0 : ENOENT;
}

static void hello_lookup(struct vfsd_req *req, vfsd_ino_t parent, const char *name)
{
	struct vfsd_entry_param e = { .attr_timeout = 1, .entry_timeout = 1 };

	if (parent == VFSD_ROOT_INO && strcmp(name, "hello") == 0)
		e.ino = HELLO_INO, fill_stat(HELLO_INO, &e.attr);
	vfsd_reply_entry(req, &e);	/* ino 0: a negative entry, cached */
}

static void hello_getattr(struct vfsd_req *req, vfsd_ino_t ino, struct vfsd_file_info *fi)
{
	struct stat st;

	(void)fi;
	if (fill_stat(ino, &st) == 0)
		vfsd_reply_attr(req, &st, 1.0);
	else
		vfsd_reply_err(req, ENOENT);
}

static void hello_readdir(struct vfsd_req *req, vfsd_ino_t ino, size_t size, off_t off,
			  struct vfsd_file_info *fi)
{
	static const char *const names[] = { ".", "..", "hello" };
	static const vfsd_ino_t inos[] = { VFSD_ROOT_INO, VFSD_ROOT_INO, HELLO_INO };
	static const mode_t modes[] = { S_IFDIR, S_IFDIR, S_IFREG };

	(void)ino, (void)size, (void)fi;
	/* The cookie after entry i is i + 1: the next readdir starts there. */
	for (; off >= 0 && off < 3; off++)
		if (!vfsd_dirbuf_add(req, names[off], inos[off], modes[off], off + 1))
			break;	/* full: the kernel asks again from off */
	vfsd_reply_readdir(req);
}

static void hello_open(struct vfsd_req *req, vfsd_ino_t ino, struct vfsd_file_info *fi)
{
	(void)ino;
	fi->keep_cache = 1;	/* the content never changes */
	if ((fi->flags & O_ACCMODE) != O_RDONLY)
		vfsd_reply_err(req, EACCES);
	else
		vfsd_reply_open(req, fi);
}

/* buf is the page cache itself: fill it in place; a short read is EOF. */
static void hello_read(struct vfsd_req *req, vfsd_ino_t ino, void *buf, size_t size,
		       off_t off, struct vfsd_file_info *fi)
{
	size_t len = sizeof(hello) - 1, n = 0;

	(void)ino, (void)fi;
	if ((size_t)off < len) {
		n = len - (size_t)off < size ? len - (size_t)off : size;
		memcpy(buf, hello + off, n);
	}
	vfsd_reply_read(req, n);
}

static const struct vfsd_ops ops = {
	.lookup = hello_lookup, .getattr = hello_getattr, .readdir = hello_readdir,
	.open = hello_open, .read = hello_read,
};

int main(int argc, char **argv)
{
	struct vfsd_session *s;
	int err = 1;

	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		unsigned int v = vfsd_version();

		/* The library may be newer than the header we were built with. */
		printf("hello: built with libvfsd %d.%d.%d, running on %u.%u.%u\n",
		       VFSD_VERSION_MAJOR, VFSD_VERSION_MINOR, VFSD_VERSION_MICRO,
		       v >> 16, (v >> 8) & 0xff, v & 0xff);
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: %s MOUNTPOINT\n", argv[0]);
		return 2;
	}
	s = vfsd_session_new(&ops, sizeof(ops), NULL, NULL);
	if (s && vfsd_session_mount(s, argv[1]) == 0)
		err = vfsd_session_loop(s);
	vfsd_session_destroy(s);
	return err ? 1 : 0;
}
