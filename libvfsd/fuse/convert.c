// SPDX-License-Identifier: MIT
/*
 * Conversions between libfuse's structures and the ABI's reply structures
 * that reply.c encodes: the FUSE transport decodes them back.
 */
#include <string.h>

#include "fuse_i.h"

/* The setattr bits both know; the rest (KILL_SUID, FORCE, ...) are FUSE's. */
static const struct {
	int fuse, vfsd;
} set_attr_bits[] = {
	{ FUSE_SET_ATTR_MODE, VFSD_SET_ATTR_MODE },
	{ FUSE_SET_ATTR_UID, VFSD_SET_ATTR_UID },
	{ FUSE_SET_ATTR_GID, VFSD_SET_ATTR_GID },
	{ FUSE_SET_ATTR_SIZE, VFSD_SET_ATTR_SIZE },
	{ FUSE_SET_ATTR_ATIME, VFSD_SET_ATTR_ATIME },
	{ FUSE_SET_ATTR_MTIME, VFSD_SET_ATTR_MTIME },
	{ FUSE_SET_ATTR_ATIME_NOW, VFSD_SET_ATTR_ATIME_NOW },
	{ FUSE_SET_ATTR_MTIME_NOW, VFSD_SET_ATTR_MTIME_NOW },
	{ FUSE_SET_ATTR_CTIME, VFSD_SET_ATTR_CTIME },
};

int vfsd_set_attr_from_fuse(int fuse_valid)
{
	int to_set = 0;
	size_t i;

	for (i = 0; i < sizeof(set_attr_bits) / sizeof(set_attr_bits[0]); i++)
		if (fuse_valid & set_attr_bits[i].fuse)
			to_set |= set_attr_bits[i].vfsd;
	/*
	 * FUSE sends "now" as ATIME | ATIME_NOW, the module either ATIME (a
	 * given time) or ATIME_NOW: servers see what the module sends.
	 */
	if (to_set & VFSD_SET_ATTR_ATIME_NOW)
		to_set &= ~VFSD_SET_ATTR_ATIME;
	if (to_set & VFSD_SET_ATTR_MTIME_NOW)
		to_set &= ~VFSD_SET_ATTR_MTIME;
	return to_set;
}

void vfsd_stat_from_attr(struct stat *st, const struct vfsd_attr *a)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = a->ino;
	st->st_size = (off_t)a->size;
	st->st_blocks = (blkcnt_t)a->blocks;
	st->st_atim.tv_sec = a->atime;
	st->st_mtim.tv_sec = a->mtime;
	st->st_ctim.tv_sec = a->ctime;
	st->st_atim.tv_nsec = a->atime_nsec;
	st->st_mtim.tv_nsec = a->mtime_nsec;
	st->st_ctim.tv_nsec = a->ctime_nsec;
	st->st_mode = a->mode;
	st->st_nlink = a->nlink;
	st->st_uid = a->uid;
	st->st_gid = a->gid;
	st->st_rdev = a->rdev;
	st->st_blksize = a->blksize;
}

double vfsd_timeout_sec(uint64_t ns)
{
	return (double)ns / 1e9;
}

void vfsd_statvfs_from_out(struct statvfs *st, const struct vfsd_statfs_out *o)
{
	memset(st, 0, sizeof(*st));
	st->f_blocks = o->blocks;
	st->f_bfree = o->bfree;
	st->f_bavail = o->bavail;
	st->f_files = o->files;
	st->f_ffree = o->ffree;
	st->f_bsize = o->bsize;
	st->f_namemax = o->namelen;
	st->f_frsize = o->frsize;
}
