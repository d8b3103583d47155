/* SPDX-License-Identifier: MIT */
/*
 * Filesystem operations through the fake kernel, encoded as the module
 * encodes them: what the backend tests use to drive a server like an
 * application would. Each returns the completion's result (>= 0 or
 * -errno) and fills the reply where there is one.
 */
#ifndef VFSD_TESTS_FK_OPS_H
#define VFSD_TESTS_FK_OPS_H

#include <stdint.h>
#include <sys/stat.h>

#include "fake_kernel.h"

int32_t fko_lookup(struct fake_kernel *k, uint64_t parent, const char *name,
		   struct vfsd_entry_out *e);
/* Any opcode without payload: GETATTR, STATFS, FLUSH, ... */
int32_t fko_simple(struct fake_kernel *k, uint8_t op, uint64_t ino,
		   uint64_t fh, void *out, size_t outsz);
void fko_noreply(struct fake_kernel *k, uint8_t op, uint64_t ino,
		 uint64_t fh, uint64_t off);
int32_t fko_getattr(struct fake_kernel *k, uint64_t ino, struct vfsd_attr *a);
/* OPEN or OPENDIR: the fh, result in *res. */
uint64_t fko_open(struct fake_kernel *k, uint8_t op, uint64_t ino, int flags,
		  int32_t *res);
int32_t fko_create(struct fake_kernel *k, uint64_t parent, const char *name,
		   mode_t mode, int flags, struct vfsd_create_out *out);
int32_t fko_mkdir(struct fake_kernel *k, uint64_t parent, const char *name,
		  mode_t mode, struct vfsd_entry_out *e);
int32_t fko_mknod(struct fake_kernel *k, uint64_t parent, const char *name,
		  mode_t mode, uint64_t rdev, struct vfsd_entry_out *e);
int32_t fko_symlink(struct fake_kernel *k, uint64_t parent, const char *name,
		    const char *target, struct vfsd_entry_out *e);
int32_t fko_link(struct fake_kernel *k, uint64_t ino, uint64_t newparent,
		 const char *newname, struct vfsd_entry_out *e);
int32_t fko_unlink(struct fake_kernel *k, uint8_t op, uint64_t parent,
		   const char *name);
int32_t fko_rename(struct fake_kernel *k, uint64_t parent, const char *name,
		   uint64_t newparent, const char *newname, uint32_t flags);
/* Through the window at offset 0. */
int32_t fko_write(struct fake_kernel *k, uint64_t ino, uint64_t fh,
		  const void *buf, uint32_t len, uint64_t off);
int32_t fko_read(struct fake_kernel *k, uint64_t ino, uint64_t fh, void *buf,
		 uint32_t len, uint64_t off);
int32_t fko_setattr(struct fake_kernel *k, uint64_t ino,
		    const struct vfsd_setattr_in *in, struct vfsd_attr *a);
int32_t fko_truncate(struct fake_kernel *k, uint64_t ino, uint64_t size);
int32_t fko_fallocate(struct fake_kernel *k, uint64_t ino, uint64_t fh,
		      uint32_t mode, uint64_t off, uint64_t len);
/* SEEK_DATA / SEEK_HOLE: the offset, or -errno. */
int64_t fko_lseek(struct fake_kernel *k, uint64_t ino, uint64_t fh,
		  uint64_t off, int whence);
int32_t fko_setxattr(struct fake_kernel *k, uint64_t ino, const char *name,
		     const void *value, uint32_t size, uint32_t flags);
int32_t fko_getxattr(struct fake_kernel *k, uint64_t ino, const char *name,
		     void *buf, uint32_t size);
int32_t fko_listxattr(struct fake_kernel *k, uint64_t ino, void *buf,
		      uint32_t size);
int32_t fko_removexattr(struct fake_kernel *k, uint64_t ino,
			const char *name);
/* All READDIR rounds from cookie 0: the names, "." and ".." included. */
int fko_list(struct fake_kernel *k, uint64_t ino, char names[][256], int max);

#endif /* VFSD_TESTS_FK_OPS_H */
