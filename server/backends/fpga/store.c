// SPDX-License-Identifier: MIT
/*
 * The fpga backend's mem_store_ops: every change the mem backend's code
 * makes to the tree is written through to the card's tables. Records are
 * rewritten whole; a failed write is logged once and the card is left
 * marked mounted (not clean) at exit, so the next mount checks it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backends/fpga/fpga.h"

#define XATTR_BLOB_MAX	(MEM_XATTR_MAX_TOTAL + 64 * 1024)

static struct fpga_fs *FS(struct mem_fs *m)
{
	return (struct fpga_fs *)m;
}

struct fpga_inode *fpga_inode_alloc(struct fpga_fs *fs, uint32_t slot)
{
	struct fpga_inode *fi = calloc(1, sizeof(*fi));

	if (!fi)
		return NULL;
	fi->slot = slot;
	fpga_stream_init(&fi->data, fs->L, slot, 0);
	fpga_stream_init(&fi->xattrs, fs->L, slot, 1);
	return fi;
}

static void to_disk(const struct mem_inode *in, struct fpga_dinode *d)
{
	const struct fpga_inode *fi = FI(in);

	memset(d, 0, sizeof(*d));
	d->flags = fi->flags;
	d->nodeid = in->nodeid;
	d->mode = in->mode;
	d->uid = in->uid;
	d->gid = in->gid;
	d->nlink = in->nlink;
	d->rdev = in->rdev;
	d->size = in->size;
	d->atime = in->atime.tv_sec;
	d->mtime = in->mtime.tv_sec;
	d->ctime = in->ctime.tv_sec;
	d->atime_ns = (uint32_t)in->atime.tv_nsec;
	d->mtime_ns = (uint32_t)in->mtime.tv_nsec;
	d->ctime_ns = (uint32_t)in->ctime.tv_nsec;
	d->xattr_size = fi->xattr_size;
}

static void report(struct fpga_fs *fs, int err)
{
	static int logged;

	if (err && !__atomic_exchange_n(&logged, 1, __ATOMIC_RELAXED))
		vfsd_log(VFSD_LOG_ERR, "%s: metadata write failed: %s",
			 fs->dev->desc, strerror(-err));
}

void fpga_sync_locked(struct fpga_fs *fs, struct mem_inode *in)
{
	struct fpga_dinode d;

	if (!FI(in))
		return;
	to_disk(in, &d);
	if (S_ISREG(in->mode))
		in->file.nblocks = FI(in)->data.blocks;
	report(fs, fpga_inode_put(fs->L, FI(in)->slot, &d));
}

static void inode_sync(struct mem_fs *m, struct mem_inode *in)
{
	pthread_rwlock_rdlock(&in->lock);
	fpga_sync_locked(FS(m), in);
	pthread_rwlock_unlock(&in->lock);
}

static int inode_new(struct mem_fs *m, struct mem_inode *in)
{
	struct fpga_fs *fs = FS(m);
	uint32_t slot = fpga_slot_alloc(fs->L, FPGA_T_INODE);
	struct fpga_inode *fi;
	uint64_t size = 0;
	int err = 0;

	if (slot == FPGA_NONE)
		return -ENOSPC;
	fi = fpga_inode_alloc(fs, slot);
	if (!fi) {
		fpga_slot_free(fs->L, FPGA_T_INODE, slot);
		return -ENOMEM;
	}
	in->store_priv = fi;	/* on_free gives the slot back */
	if (S_ISLNK(in->mode)) {
		fi->data.cpu = true;	/* from the heap, not the window */
		err = fpga_stream_write(&fi->data, &size, in->target,
					strlen(in->target), 0);
	}
	if (!err)
		fpga_sync_locked(fs, in);	/* not visible to others yet */
	return err;
}

static int dirent_write(struct fpga_fs *fs, struct mem_inode *dir,
			struct mem_dirent *de)
{
	struct fpga_ddirent d = { 0 };

	d.namelen = de->namelen;
	d.parent = dir->nodeid;
	d.child = de->inode->nodeid;
	memcpy(d.name, de->name, de->namelen);
	return fpga_dirent_put(fs->L, de->store_slot, &d);
}

static int dirent_add(struct mem_fs *m, struct mem_inode *dir,
		      struct mem_dirent *de, struct mem_dirent *reuse)
{
	struct fpga_fs *fs = FS(m);
	int err;

	if (de->namelen > FPGA_NAME_MAX)
		return -ENAMETOOLONG;
	if (reuse && reuse->store_slot != MEM_NO_SLOT) {
		/* A rename: the old entry's record becomes the new one. */
		de->store_slot = reuse->store_slot;
		reuse->store_slot = MEM_NO_SLOT;
	} else {
		de->store_slot = fpga_slot_alloc(fs->L, FPGA_T_DIRENT);
		if (de->store_slot == FPGA_NONE)
			return -ENOSPC;
	}
	err = dirent_write(fs, dir, de);
	report(fs, err);
	return 0;	/* in RAM it is there: the next mount repairs */
}

static void dirent_sync(struct mem_fs *m, struct mem_inode *dir,
			struct mem_dirent *de)
{
	if (de->store_slot != MEM_NO_SLOT)
		report(FS(m), dirent_write(FS(m), dir, de));
}

static void dirent_remove(struct mem_fs *m, struct mem_dirent *de)
{
	if (de->store_slot != MEM_NO_SLOT)
		fpga_slot_free(FS(m)->L, FPGA_T_DIRENT, de->store_slot);
	de->store_slot = MEM_NO_SLOT;
}

static int set_size(struct mem_fs *m, struct mem_inode *in, uint64_t size)
{
	struct fpga_fs *fs = FS(m);
	struct fpga_inode *fi = FI(in);
	int err;

	if (fi->flags & FPGA_INO_DIRECT) {
		/* The extent stays whole: only its bytes past the size go. */
		if (size > fi->data.blocks * FPGA_BLOCK)
			return -EFBIG;
		err = 0;
		if (size < in->size)
			err = fpga_card_zero(fs->L, fpga_block_off(fs->L,
					     fi->data.ext[0].card_block) + size,
					     in->size - size);
		if (!err)
			in->size = size;
	} else {
		err = fpga_stream_truncate(&fi->data, &in->size, size);
	}
	fpga_sync_locked(fs, in);
	return err;
}

/* The blob: per xattr a u16 name length, u32 value length, name, value. */
static ssize_t serialize(const struct mem_inode *in, char *blob, size_t max)
{
	char *names = malloc(MEM_XATTR_MAX_TOTAL);
	ssize_t nlen = names ? mem_xattr_list(&in->xattrs, names,
					      MEM_XATTR_MAX_TOTAL) : -ENOMEM;
	size_t pos = 0, i;

	if (nlen < 0) {
		free(names);
		return nlen;
	}
	for (i = 0; i < (size_t)nlen; i += strlen(names + i) + 1) {
		const char *name = names + i;
		uint16_t l = (uint16_t)strlen(name);
		ssize_t v;

		v = pos + 6 + l > max ? -E2BIG :
		    mem_xattr_get(&in->xattrs, name, blob + pos + 6 + l,
				  max - pos - 6 - l);
		if (v < 0) {
			free(names);
			return v == -ERANGE ? -E2BIG : v;
		}
		memcpy(blob + pos, &l, 2);
		memcpy(blob + pos + 2, &(uint32_t){ (uint32_t)v }, 4);
		memcpy(blob + pos + 6, name, l);
		pos += 6 + l + (size_t)v;
	}
	free(names);
	return (ssize_t)pos;
}

int fpga_xattrs_parse(struct mem_inode *in, const char *blob, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		char name[256];
		uint16_t l;
		uint32_t v;

		if (len - pos < 6)
			return -EUCLEAN;
		memcpy(&l, blob + pos, 2);
		memcpy(&v, blob + pos + 2, 4);
		if (l == 0 || l > 255 || len - pos - 6 < l ||
		    len - pos - 6 - l < v)
			return -EUCLEAN;
		memcpy(name, blob + pos + 6, l);
		name[l] = '\0';
		if (strlen(name) != l ||
		    mem_xattr_set(&in->xattrs, name, blob + pos + 6 + l, v, 0))
			return -EUCLEAN;
		pos += 6 + l + v;
	}
	return 0;
}

static int xattrs_sync(struct mem_fs *m, struct mem_inode *in)
{
	struct fpga_fs *fs = FS(m);
	struct fpga_inode *fi = FI(in);
	char *blob = malloc(XATTR_BLOB_MAX);
	uint64_t size = fi->xattr_size;
	ssize_t n = blob ? serialize(in, blob, XATTR_BLOB_MAX) : -ENOMEM;
	int err = n < 0 ? (int)n : 0;

	/* Rewritten whole: xattrs are small and change seldom. */
	if (!err)
		err = fpga_stream_truncate(&fi->xattrs, &size, 0);
	if (!err)
		err = fpga_stream_write(&fi->xattrs, &size, blob, (size_t)n, 0);
	fi->xattr_size = err ? 0 : (uint32_t)size;
	fpga_sync_locked(fs, in);
	free(blob);
	return err;
}

void fpga_on_free(void *ctx, struct mem_inode *in)
{
	struct fpga_fs *fs = ctx;
	struct fpga_inode *fi = FI(in);

	if (!fi)
		return;
	if (fs->closing) {
		/* Shutting down: the card keeps it (nlink 0: the next mount frees it). */
		free(fi->data.ext);
		free(fi->xattrs.ext);
	} else {
		/* New opens must not reach blocks that go back to the pool. */
		if (fi->dmap_id)
			vfsd_dmap_remove(fs->session, fi->dmap_id);
		fpga_stream_free(&fi->data);
		fpga_stream_free(&fi->xattrs);
		fpga_slot_free(fs->L, FPGA_T_INODE, fi->slot);
	}
	free(fi);
	in->store_priv = NULL;
}

static int64_t seek(struct mem_fs *m, struct mem_inode *in, uint64_t off,
		    int whence)
{
	(void)m;
	return fpga_stream_seek(&FI(in)->data, in->size, off, whence);
}

const struct mem_store_ops fpga_store_ops = {
	.inode_new = inode_new,
	.inode_sync = inode_sync,
	.dirent_add = dirent_add,
	.dirent_sync = dirent_sync,
	.dirent_remove = dirent_remove,
	.set_size = set_size,
	.seek = seek,
	.xattrs_sync = xattrs_sync,
};
