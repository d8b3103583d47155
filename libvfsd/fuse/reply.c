// SPDX-License-Identifier: MIT
/*
 * Replies over FUSE. reply.c has checked the reply and encoded it into the
 * slot as the ring would carry it; here it becomes the fuse_reply_*() call
 * for the request's opcode. Data replies (READ, READDIR) point at the
 * worker's data buffer, which the op or vfsd_dirbuf_add() filled (READ
 * over io_uring: the ring entry's payload, ll_read()).
 */
#include <errno.h>
#include <string.h>

#include "fuse_i.h"

static void entry_param(struct fuse_entry_param *e,
			const struct vfsd_entry_out *o)
{
	memset(e, 0, sizeof(*e));
	e->ino = o->nodeid;
	e->generation = o->generation;
	e->entry_timeout = vfsd_timeout_sec(o->entry_valid_ns);
	e->attr_timeout = vfsd_timeout_sec(o->attr_valid_ns);
	vfsd_stat_from_attr(&e->attr, &o->attr);
}

/*
 * FOPEN_KEEP_CACHE on every regular open unless the server wants direct
 * I/O, as passthrough_hp does: the FUSE baseline keeps its page cache
 * across opens like the module does (docs/fuse-transport.md).
 */
static void file_info(struct fuse_file_info *fi, const struct vfsd_open_out *o,
		      bool regular)
{
	memset(fi, 0, sizeof(*fi));
	fi->fh = o->fh;
	fi->direct_io = !!(o->open_flags & VFSD_FOPEN_DIRECT_IO);
	fi->nonseekable = !!(o->open_flags & VFSD_FOPEN_NONSEEKABLE);
	fi->keep_cache = !!(o->open_flags & VFSD_FOPEN_KEEP_CACHE) ||
			 (regular && !fi->direct_io);
}

static int send_payload(struct vfsd_req *req, fuse_req_t f, int32_t result)
{
	struct vfsd_fuse_worker *w = req->q->fuse;
	const void *slot = w->slot;
	struct fuse_entry_param e;
	struct fuse_file_info fi;
	struct statvfs sv;
	struct stat st;

	switch (req->sqe.opcode) {
	case VFSD_OP_LOOKUP: case VFSD_OP_MKNOD: case VFSD_OP_MKDIR:
	case VFSD_OP_SYMLINK: case VFSD_OP_LINK:
		entry_param(&e, slot);
		return fuse_reply_entry(f, &e);
	case VFSD_OP_CREATE: {
		const struct vfsd_create_out *o = slot;

		entry_param(&e, &o->entry);
		file_info(&fi, &o->open, true);
		return fuse_reply_create(f, &e, &fi);
	}
	case VFSD_OP_GETATTR: case VFSD_OP_SETATTR: {
		const struct vfsd_attr_out *o = slot;

		vfsd_stat_from_attr(&st, &o->attr);
		return fuse_reply_attr(f, &st, vfsd_timeout_sec(o->attr_valid_ns));
	}
	case VFSD_OP_OPEN: case VFSD_OP_OPENDIR:
		file_info(&fi, slot, req->sqe.opcode == VFSD_OP_OPEN);
		return fuse_reply_open(f, &fi);
	case VFSD_OP_READ:
		/*
		 * writev (io_uring: the commit of the ring entry): the kernel
		 * copies it into the reader's pages.
		 */
		__atomic_fetch_add(&req->q->s->fuse->copy_read, (uint64_t)result,
				   __ATOMIC_RELAXED);
		return fuse_reply_buf(f, w->out, (size_t)result);
	case VFSD_OP_READDIR:
		return fuse_reply_buf(f, w->data, (size_t)result);
	case VFSD_OP_WRITE:
		return fuse_reply_write(f, (size_t)result);
	case VFSD_OP_READLINK:
		w->slot[result] = '\0';
		return fuse_reply_readlink(f, w->slot);
	case VFSD_OP_STATFS:
		vfsd_statvfs_from_out(&sv, slot);
		return fuse_reply_statfs(f, &sv);
	case VFSD_OP_LSEEK:
		return fuse_reply_lseek(f, (off_t)((const struct vfsd_lseek_out *)
						   slot)->offset);
	case VFSD_OP_GETXATTR: case VFSD_OP_LISTXATTR:
		/* sqe.arg is the caller's size; 0 asked for the size. */
		if (req->sqe.arg == 0)
			return fuse_reply_xattr(f, (size_t)result);
		return fuse_reply_buf(f, w->slot, (size_t)result);
	}
	return fuse_reply_err(f, 0);
}

static int fuse_post(struct vfsd_req *req, int32_t result)
{
	struct vfsd_fuse_worker *w = req->q->fuse;
	fuse_req_t f = w->freq;
	int err;

	w->freq = NULL;
	if (result < 0)
		err = fuse_reply_err(f, -result);
	else
		err = send_payload(req, f, result);
	/* ENOENT: the caller was interrupted and gave up; nothing lost. */
	return err == -ENOENT ? 0 : err;
}

/* One entry as fuse_add_direntry() packs it, into the data buffer. */
static size_t fuse_dirent(struct vfsd_req *req, const char *name,
			  vfsd_ino_t ino, mode_t mode, off_t next_off)
{
	struct vfsd_fuse_worker *w = req->q->fuse;
	size_t room = req->dir_max - req->dir_used, rec;
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_ino = ino;
	st.st_mode = mode & S_IFMT;
	rec = fuse_add_direntry(w->freq, w->data + req->dir_used, room, name,
				&st, next_off);
	if (rec > room)
		return 0;
	req->dir_used += rec;
	return rec;
}

/* libfuse saw FUSE_INTERRUPT for it. */
static bool fuse_interrupted(struct vfsd_req *req)
{
	struct vfsd_fuse_worker *w = req->q->fuse;

	return w->freq && fuse_req_interrupted(w->freq);
}

const struct vfsd_xport vfsd_fuse_xport = {
	.post = fuse_post,
	.dirent = fuse_dirent,
	.interrupted = fuse_interrupted,
};
