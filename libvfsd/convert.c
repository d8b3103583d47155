// SPDX-License-Identifier: MIT
/* Conversions from libc structures to the ABI's reply structures. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "vfsd_i.h"

/* Seconds to nanoseconds; negative or NaN is 0, huge saturates. */
uint64_t vfsd_timeout_ns(double seconds)
{
	if (!(seconds > 0))
		return 0;
	if (seconds >= (double)UINT64_MAX / 1e9)
		return UINT64_MAX;
	return (uint64_t)(seconds * 1e9);
}

static int mode_valid(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: case S_IFDIR: case S_IFLNK: case S_IFCHR:
	case S_IFBLK: case S_IFIFO: case S_IFSOCK:
		return !(mode & ~(mode_t)(S_IFMT | 07777));
	}
	return 0;
}

/*
 * The kernel rejects what no local filesystem could report; catching it
 * here gives the server writer an error instead of a mysterious EIO.
 */
int vfsd_attr_from_stat(struct vfsd_attr *a, const struct stat *st)
{
	if (!mode_valid(st->st_mode) ||
	    st->st_atim.tv_nsec < 0 || st->st_atim.tv_nsec >= 1000000000 ||
	    st->st_mtim.tv_nsec < 0 || st->st_mtim.tv_nsec >= 1000000000 ||
	    st->st_ctim.tv_nsec < 0 || st->st_ctim.tv_nsec >= 1000000000 ||
	    st->st_size < 0 || st->st_blocks < 0)
		return -EINVAL;

	memset(a, 0, sizeof(*a));
	a->ino = st->st_ino;
	a->size = st->st_size;
	a->blocks = st->st_blocks;	/* already 512-byte units on Linux */
	a->atime = st->st_atim.tv_sec;
	a->mtime = st->st_mtim.tv_sec;
	a->ctime = st->st_ctim.tv_sec;
	a->atime_nsec = st->st_atim.tv_nsec;
	a->mtime_nsec = st->st_mtim.tv_nsec;
	a->ctime_nsec = st->st_ctim.tv_nsec;
	a->mode = st->st_mode;
	a->nlink = st->st_nlink;
	a->uid = st->st_uid;
	a->gid = st->st_gid;
	/* glibc's dev_t truncated to 32 bits is the kernel's new_encode_dev. */
	a->rdev = (uint32_t)st->st_rdev;
	a->blksize = st->st_blksize;
	return 0;
}

void vfsd_statfs_from_statvfs(struct vfsd_statfs_out *o,
			      const struct statvfs *st)
{
	memset(o, 0, sizeof(*o));
	o->blocks = st->f_blocks;
	o->bfree = st->f_bfree;
	o->bavail = st->f_bavail;
	o->files = st->f_files;
	o->ffree = st->f_ffree;
	o->bsize = st->f_bsize;
	o->namelen = st->f_namemax;
	o->frsize = st->f_frsize;
}

unsigned int vfsd_open_flags(const struct vfsd_file_info *fi)
{
	return (fi->keep_cache ? VFSD_FOPEN_KEEP_CACHE : 0) |
	       (fi->direct_io ? VFSD_FOPEN_DIRECT_IO : 0) |
	       (fi->nonseekable ? VFSD_FOPEN_NONSEEKABLE : 0) |
	       (fi->direct_map ? VFSD_FOPEN_DIRECT_MAP : 0);
}
