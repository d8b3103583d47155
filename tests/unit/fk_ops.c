// SPDX-License-Identifier: MIT
/* Filesystem operations through the fake kernel; see fk_ops.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "fk_ops.h"

int32_t fko_lookup(struct fake_kernel *k, uint64_t parent, const char *name,
		   struct vfsd_entry_out *e)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_LOOKUP, parent);

	memset(e, 0, sizeof(*e));
	return fk_call(k, &sqe, name, strlen(name) + 1, e, sizeof(*e));
}

int32_t fko_simple(struct fake_kernel *k, uint8_t op, uint64_t ino,
		   uint64_t fh, void *out, size_t outsz)
{
	struct vfsd_sqe sqe = fk_sqe(op, ino);

	sqe.fh = fh;
	return fk_call(k, &sqe, NULL, 0, out, outsz);
}

void fko_noreply(struct fake_kernel *k, uint8_t op, uint64_t ino,
		 uint64_t fh, uint64_t off)
{
	struct vfsd_sqe sqe = fk_sqe(op, ino);

	sqe.fh = fh;
	sqe.offset = off;
	fk_call_noreply(k, &sqe);
}

int32_t fko_getattr(struct fake_kernel *k, uint64_t ino, struct vfsd_attr *a)
{
	struct vfsd_attr_out o;
	int32_t r = fko_simple(k, VFSD_OP_GETATTR, ino, 0, &o, sizeof(o));

	*a = o.attr;
	return r;
}

uint64_t fko_open(struct fake_kernel *k, uint8_t op, uint64_t ino, int flags,
		  int32_t *res)
{
	struct vfsd_sqe sqe = fk_sqe(op, ino);
	struct vfsd_open_out o = { 0 };

	sqe.arg = (uint32_t)flags;
	*res = fk_call(k, &sqe, NULL, 0, &o, sizeof(o));
	return o.fh;
}

int32_t fko_create(struct fake_kernel *k, uint64_t parent, const char *name,
		   mode_t mode, int flags, struct vfsd_create_out *out)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_CREATE, parent);

	sqe.arg = mode;
	sqe.flags = (uint32_t)flags;
	memset(out, 0, sizeof(*out));
	return fk_call(k, &sqe, name, strlen(name) + 1, out, sizeof(*out));
}

int32_t fko_mkdir(struct fake_kernel *k, uint64_t parent, const char *name,
		  mode_t mode, struct vfsd_entry_out *e)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_MKDIR, parent);

	sqe.arg = mode;
	memset(e, 0, sizeof(*e));
	return fk_call(k, &sqe, name, strlen(name) + 1, e, sizeof(*e));
}

int32_t fko_mknod(struct fake_kernel *k, uint64_t parent, const char *name,
		  mode_t mode, uint64_t rdev, struct vfsd_entry_out *e)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_MKNOD, parent);

	sqe.arg = mode;
	sqe.offset = rdev;
	memset(e, 0, sizeof(*e));
	return fk_call(k, &sqe, name, strlen(name) + 1, e, sizeof(*e));
}

int32_t fko_symlink(struct fake_kernel *k, uint64_t parent, const char *name,
		    const char *target, struct vfsd_entry_out *e)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_SYMLINK, parent);
	char in[512];
	size_t n = strlen(name) + 1, t = strlen(target) + 1;

	assert_true(n + t <= sizeof(in));
	memcpy(in, name, n);
	memcpy(in + n, target, t);
	memset(e, 0, sizeof(*e));
	return fk_call(k, &sqe, in, (uint32_t)(n + t), e, sizeof(*e));
}

int32_t fko_link(struct fake_kernel *k, uint64_t ino, uint64_t newparent,
		 const char *newname, struct vfsd_entry_out *e)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_LINK, newparent);

	sqe.fh = ino;
	memset(e, 0, sizeof(*e));
	return fk_call(k, &sqe, newname, strlen(newname) + 1, e, sizeof(*e));
}

int32_t fko_unlink(struct fake_kernel *k, uint8_t op, uint64_t parent,
		   const char *name)
{
	struct vfsd_sqe sqe = fk_sqe(op, parent);

	return fk_call(k, &sqe, name, strlen(name) + 1, NULL, 0);
}

int32_t fko_rename(struct fake_kernel *k, uint64_t parent, const char *name,
		   uint64_t newparent, const char *newname, uint32_t flags)
{
	struct vfsd_rename_in r = { .newdir = newparent, .flags = flags };
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_RENAME, parent);
	char in[sizeof(r) + 2 * 256];
	size_t n = strlen(name) + 1, m = strlen(newname) + 1;

	memcpy(in, &r, sizeof(r));
	memcpy(in + sizeof(r), name, n);
	memcpy(in + sizeof(r) + n, newname, m);
	return fk_call(k, &sqe, in, (uint32_t)(sizeof(r) + n + m), NULL, 0);
}

int32_t fko_write(struct fake_kernel *k, uint64_t ino, uint64_t fh,
		  const void *buf, uint32_t len, uint64_t off)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_WRITE, ino);

	fk_window_poke(k, 0, buf, len);
	sqe.fh = fh;
	sqe.offset = off;
	sqe.len = len;
	return fk_call(k, &sqe, NULL, 0, NULL, 0);
}

int32_t fko_read(struct fake_kernel *k, uint64_t ino, uint64_t fh, void *buf,
		 uint32_t len, uint64_t off)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_READ, ino);
	int32_t r;

	/* Garbage first: a hole must come back as zeros, not old bytes. */
	memset(buf, 0xee, len);
	fk_window_poke(k, 0, buf, len);
	sqe.fh = fh;
	sqe.offset = off;
	sqe.len = len;
	r = fk_call(k, &sqe, NULL, 0, NULL, 0);
	if (r > 0)
		fk_window_peek(k, 0, buf, (uint32_t)r);
	return r;
}

int32_t fko_setattr(struct fake_kernel *k, uint64_t ino,
		    const struct vfsd_setattr_in *in, struct vfsd_attr *a)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_SETATTR, ino);
	struct vfsd_attr_out o;
	int32_t r;

	memset(&o, 0, sizeof(o));
	r = fk_call(k, &sqe, in, sizeof(*in), &o, sizeof(o));
	if (a)
		*a = o.attr;
	return r;
}

int32_t fko_truncate(struct fake_kernel *k, uint64_t ino, uint64_t size)
{
	struct vfsd_setattr_in in = { .valid = VFSD_SETATTR_SIZE,
				      .size = size };

	return fko_setattr(k, ino, &in, NULL);
}

int32_t fko_fallocate(struct fake_kernel *k, uint64_t ino, uint64_t fh,
		      uint32_t mode, uint64_t off, uint64_t len)
{
	struct vfsd_fallocate_in in = { .offset = off, .length = len,
					.mode = mode };
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_FALLOCATE, ino);

	sqe.fh = fh;
	return fk_call(k, &sqe, &in, sizeof(in), NULL, 0);
}

int64_t fko_lseek(struct fake_kernel *k, uint64_t ino, uint64_t fh,
		  uint64_t off, int whence)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_LSEEK, ino);
	struct vfsd_lseek_out o = { 0 };
	int32_t r;

	sqe.fh = fh;
	sqe.offset = off;
	sqe.arg = (uint32_t)whence;
	r = fk_call(k, &sqe, NULL, 0, &o, sizeof(o));
	return r < 0 ? r : (int64_t)o.offset;
}

int32_t fko_setxattr(struct fake_kernel *k, uint64_t ino, const char *name,
		     const void *value, uint32_t size, uint32_t flags)
{
	struct vfsd_xattr_in x = { .size = size,
				   .namelen = (uint32_t)strlen(name) };
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_SETXATTR, ino);
	char in[VFSD_INLINE_SIZE];
	size_t n = strlen(name) + 1;

	assert_true(sizeof(x) + n + size <= sizeof(in));
	memcpy(in, &x, sizeof(x));
	memcpy(in + sizeof(x), name, n);
	memcpy(in + sizeof(x) + n, value, size);
	sqe.arg = flags;
	return fk_call(k, &sqe, in, (uint32_t)(sizeof(x) + n + size), NULL, 0);
}

int32_t fko_getxattr(struct fake_kernel *k, uint64_t ino, const char *name,
		     void *buf, uint32_t size)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_GETXATTR, ino);

	sqe.arg = size;
	return fk_call(k, &sqe, name, strlen(name) + 1, buf, size);
}

int32_t fko_listxattr(struct fake_kernel *k, uint64_t ino, void *buf,
		      uint32_t size)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_LISTXATTR, ino);

	sqe.arg = size;
	return fk_call(k, &sqe, NULL, 0, buf, size);
}

int32_t fko_removexattr(struct fake_kernel *k, uint64_t ino,
			const char *name)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_REMOVEXATTR, ino);

	return fk_call(k, &sqe, name, strlen(name) + 1, NULL, 0);
}

int fko_list(struct fake_kernel *k, uint64_t ino, char names[][256], int max)
{
	int32_t res, used, at;
	uint64_t fh = fko_open(k, VFSD_OP_OPENDIR, ino, 0, &res), cookie = 0;
	unsigned char buf[VFSD_INLINE_SIZE];
	int n = 0;

	assert_int_equal(res, 0);
	do {
		struct vfsd_sqe sqe = fk_sqe(VFSD_OP_READDIR, ino);

		sqe.fh = fh;
		sqe.offset = cookie;
		sqe.len = sizeof(buf);
		used = fk_call(k, &sqe, NULL, 0, buf, sizeof(buf));
		assert_true(used >= 0);
		for (at = 0; at < used; ) {
			struct vfsd_dirent d;

			memcpy(&d, buf + at, sizeof(d));
			assert_true(n < max);
			memcpy(names[n], buf + at + sizeof(d), d.namelen);
			names[n++][d.namelen] = '\0';
			assert_true(d.off != cookie);
			cookie = d.off;
			at += (int32_t)VFSD_DIRENT_SIZE(d.namelen);
		}
	} while (used > 0);
	fko_noreply(k, VFSD_OP_RELEASEDIR, ino, fh, 0);
	return n;
}
