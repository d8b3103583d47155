// SPDX-License-Identifier: MIT
/*
 * Decode one request and call the server's op. The SQE is already a
 * private copy; the inline payload is copied out of the slot before the op
 * runs, because the reply overwrites the slot while the op may still be
 * using the names it was given.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vfsd_i.h"

#define SAME_BIT(a, b) _Static_assert((a) == (b), #a " matches the ABI")
SAME_BIT(VFSD_SET_ATTR_MODE, VFSD_SETATTR_MODE);
SAME_BIT(VFSD_SET_ATTR_UID, VFSD_SETATTR_UID);
SAME_BIT(VFSD_SET_ATTR_GID, VFSD_SETATTR_GID);
SAME_BIT(VFSD_SET_ATTR_SIZE, VFSD_SETATTR_SIZE);
SAME_BIT(VFSD_SET_ATTR_ATIME, VFSD_SETATTR_ATIME);
SAME_BIT(VFSD_SET_ATTR_MTIME, VFSD_SETATTR_MTIME);
SAME_BIT(VFSD_SET_ATTR_ATIME_NOW, VFSD_SETATTR_ATIME_NOW);
SAME_BIT(VFSD_SET_ATTR_MTIME_NOW, VFSD_SETATTR_MTIME_NOW);
SAME_BIT(VFSD_SET_ATTR_CTIME, VFSD_SETATTR_CTIME);

#define SET_ATTR_ALL	((VFSD_SET_ATTR_CTIME << 1) - 1)

enum { IN_NONE, IN_PAYLOAD };

/* From the one opcode list, <linux/vfsd.h>'s VFSD_OPCODES. */
#define OP_DESC(NAME, name, in, out, reply, fuse) \
	[VFSD_OP_##NAME] = { #NAME, IN_##in },
static const struct {
	const char *name;
	unsigned char in;	/* what the inline slot carries in */
} op_desc[VFSD_OP_MAX] = {
	VFSD_OPCODES(OP_DESC)
};
#undef OP_DESC

const char *vfsd_opname(unsigned int opcode)
{
	if (opcode < VFSD_OP_MAX && op_desc[opcode].name)
		return op_desc[opcode].name;
	return "UNKNOWN";
}

#define OPS(req)	(&(req)->q->s->ops)

static struct vfsd_file_info *file_info(struct vfsd_req *req)
{
	memset(&req->fi, 0, sizeof(req->fi));
	req->fi.fh = req->sqe.fh;
	return &req->fi;
}

/* A request whose payload the kernel should never have sent. */
static void malformed(struct vfsd_req *req)
{
	vfsd_err("malformed %s request (payload %u bytes)",
		 vfsd_opname(req->sqe.opcode), req->in_len);
	vfsd_req_fail(req, EINVAL);
}

/* The payload is exactly one name; else replies EINVAL and returns NULL. */
static const char *one_name(struct vfsd_req *req)
{
	const char *name;
	size_t used;

	if (vfsd_decode_name(req->in, req->in_len, &name, &used) < 0 ||
	    used != req->in_len) {
		malformed(req);
		return NULL;
	}
	return name;
}

static bool offset_ok(struct vfsd_req *req)
{
	if (req->sqe.offset > INT64_MAX) {
		vfsd_req_fail(req, EINVAL);
		return false;
	}
	return true;
}

static void do_lookup(struct vfsd_req *req)
{
	const char *name = one_name(req);

	if (name)
		OPS(req)->lookup(req, req->sqe.nodeid, name);
}

static void do_getattr(struct vfsd_req *req)
{
	/* fstat() names its open file; a path stat has none. */
	OPS(req)->getattr(req, req->sqe.nodeid,
			  req->sqe.flags & VFSD_GETATTR_FH ? file_info(req)
							   : NULL);
}

static void do_setattr(struct vfsd_req *req)
{
	struct vfsd_setattr_in in;
	struct vfsd_file_info *fi = NULL;
	struct stat st;

	if (req->in_len != sizeof(in)) {
		malformed(req);
		return;
	}
	memcpy(&in, req->in, sizeof(in));
	if (in.size > INT64_MAX || in.atime_nsec >= 1000000000 ||
	    in.mtime_nsec >= 1000000000 || in.ctime_nsec >= 1000000000) {
		vfsd_req_fail(req, EINVAL);
		return;
	}
	memset(&st, 0, sizeof(st));
	st.st_mode = in.mode;
	st.st_uid = in.uid;
	st.st_gid = in.gid;
	st.st_size = (off_t)in.size;
	st.st_atim.tv_sec = in.atime;
	st.st_atim.tv_nsec = in.atime_nsec;
	st.st_mtim.tv_sec = in.mtime;
	st.st_mtim.tv_nsec = in.mtime_nsec;
	st.st_ctim.tv_sec = in.ctime;
	st.st_ctim.tv_nsec = in.ctime_nsec;
	if (in.valid & VFSD_SETATTR_FH) {
		fi = file_info(req);
		fi->fh = in.fh;
	}
	OPS(req)->setattr(req, req->sqe.nodeid, &st, in.valid & SET_ATTR_ALL,
			  fi);
}

static void do_readlink(struct vfsd_req *req)
{
	OPS(req)->readlink(req, req->sqe.nodeid);
}

static void do_symlink(struct vfsd_req *req)
{
	const char *name, *target;
	size_t used, used2;

	if (vfsd_decode_name(req->in, req->in_len, &name, &used) < 0 ||
	    vfsd_decode_str(req->in + used, req->in_len - used, VFSD_LINK_MAX,
			    &target, &used2) < 0 ||
	    used + used2 != req->in_len) {
		malformed(req);
		return;
	}
	OPS(req)->symlink(req, target, req->sqe.nodeid, name);
}

static void do_mknod(struct vfsd_req *req)
{
	const char *name = one_name(req);

	if (name)
		OPS(req)->mknod(req, req->sqe.nodeid, name, req->sqe.arg,
				(dev_t)req->sqe.offset);
}

static void do_mkdir(struct vfsd_req *req)
{
	const char *name = one_name(req);

	if (name)
		OPS(req)->mkdir(req, req->sqe.nodeid, name, req->sqe.arg);
}

static void do_unlink(struct vfsd_req *req)
{
	const char *name = one_name(req);

	if (name)
		OPS(req)->unlink(req, req->sqe.nodeid, name);
}

static void do_rmdir(struct vfsd_req *req)
{
	const char *name = one_name(req);

	if (name)
		OPS(req)->rmdir(req, req->sqe.nodeid, name);
}

static void do_rename(struct vfsd_req *req)
{
	struct vfsd_rename_in in;
	const char *name, *newname;
	size_t used, used2, hdr = sizeof(in);

	if (req->in_len < hdr ||
	    vfsd_decode_name(req->in + hdr, req->in_len - hdr, &name,
			     &used) < 0 ||
	    vfsd_decode_name(req->in + hdr + used, req->in_len - hdr - used,
			     &newname, &used2) < 0 ||
	    hdr + used + used2 != req->in_len) {
		malformed(req);
		return;
	}
	memcpy(&in, req->in, sizeof(in));
	OPS(req)->rename(req, req->sqe.nodeid, name, in.newdir, newname,
			 in.flags);
}

static void do_link(struct vfsd_req *req)
{
	const char *newname = one_name(req);

	/* sqe.fh carries the nodeid of the existing inode. */
	if (newname)
		OPS(req)->link(req, req->sqe.fh, req->sqe.nodeid, newname);
}

static void do_open(struct vfsd_req *req)
{
	struct vfsd_file_info *fi = file_info(req);

	fi->fh = 0;	/* no handle before the open */
	fi->flags = (int)req->sqe.arg;
	if (OPS(req)->open)
		OPS(req)->open(req, req->sqe.nodeid, fi);
	else
		vfsd_reply_open(req, fi);
}

static void do_opendir(struct vfsd_req *req)
{
	struct vfsd_file_info *fi = file_info(req);

	fi->fh = 0;
	fi->flags = (int)req->sqe.arg;
	if (OPS(req)->opendir)
		OPS(req)->opendir(req, req->sqe.nodeid, fi);
	else
		vfsd_reply_open(req, fi);
}

/* The request's pages in the window; NULL (after EINVAL) if out of range. */
static char *window_buf(struct vfsd_req *req)
{
	const struct vfsd_setup *st = &req->q->s->setup;

	if (!offset_ok(req))
		return NULL;
	if (req->sqe.len > st->max_io ||
	    (uint64_t)req->sqe.win_off + req->sqe.len > st->window_size) {
		vfsd_err("%s outside the window (offset %u, %u bytes)",
			 vfsd_opname(req->sqe.opcode), req->sqe.win_off,
			 req->sqe.len);
		vfsd_req_fail(req, EINVAL);
		return NULL;
	}
	return req->q->window + req->sqe.win_off;
}

/* READ/WRITE: sqe.arg carries the flags the file was opened with. */
static struct vfsd_file_info *io_file_info(struct vfsd_req *req)
{
	struct vfsd_file_info *fi = file_info(req);

	fi->flags = (int)req->sqe.arg;
	return fi;
}

static void do_read(struct vfsd_req *req)
{
	char *buf = window_buf(req);

	if (buf)
		OPS(req)->read(req, req->sqe.nodeid, buf, req->sqe.len,
			       (off_t)req->sqe.offset, io_file_info(req));
}

static void do_write(struct vfsd_req *req)
{
	char *buf = window_buf(req);

	if (buf)
		OPS(req)->write(req, req->sqe.nodeid, buf, req->sqe.len,
				(off_t)req->sqe.offset, io_file_info(req));
}

static void do_statfs(struct vfsd_req *req)
{
	struct statvfs st;

	if (OPS(req)->statfs) {
		OPS(req)->statfs(req, req->sqe.nodeid);
		return;
	}
	memset(&st, 0, sizeof(st));
	st.f_namemax = NAME_MAX;
	st.f_bsize = 512;
	vfsd_reply_statfs(req, &st);
}

static void do_fsync(struct vfsd_req *req)
{
	OPS(req)->fsync(req, req->sqe.nodeid, req->sqe.arg & 1,
			file_info(req));
}

static void do_setxattr(struct vfsd_req *req)
{
	struct vfsd_xattr_in in;
	const char *name;
	size_t used, hdr = sizeof(in);

	if (req->in_len < hdr ||
	    vfsd_decode_str(req->in + hdr, req->in_len - hdr,
			    VFSD_XATTR_NAME_MAX, &name, &used) < 0) {
		malformed(req);
		return;
	}
	memcpy(&in, req->in, sizeof(in));
	if (in.size != req->in_len - hdr - used || in.namelen + 1 != used) {
		malformed(req);
		return;
	}
	OPS(req)->setxattr(req, req->sqe.nodeid, name, name + used, in.size,
			   (int)req->sqe.arg);
}

/* The payload is exactly one xattr name; else EINVAL and NULL. */
static const char *xattr_name(struct vfsd_req *req)
{
	const char *name;
	size_t used;

	if (vfsd_decode_str(req->in, req->in_len, VFSD_XATTR_NAME_MAX, &name,
			    &used) < 0 || used != req->in_len) {
		malformed(req);
		return NULL;
	}
	return name;
}

/* sqe.arg is the caller's buffer size (0: a size probe). */
static void do_getxattr(struct vfsd_req *req)
{
	const char *name = xattr_name(req);

	if (name)
		OPS(req)->getxattr(req, req->sqe.nodeid, name, req->sqe.arg);
}

static void do_listxattr(struct vfsd_req *req)
{
	OPS(req)->listxattr(req, req->sqe.nodeid, req->sqe.arg);
}

static void do_removexattr(struct vfsd_req *req)
{
	const char *name = xattr_name(req);

	if (name)
		OPS(req)->removexattr(req, req->sqe.nodeid, name);
}

static void do_flush(struct vfsd_req *req)
{
	OPS(req)->flush(req, req->sqe.nodeid, file_info(req));
}

static void do_readdir(struct vfsd_req *req)
{
	uint32_t slot = req->q->s->setup.inline_size;

	if (!offset_ok(req))
		return;
	req->dir_used = 0;
	req->dir_max = req->sqe.len < slot ? req->sqe.len : slot;
	OPS(req)->readdir(req, req->sqe.nodeid, req->dir_max,
			  (off_t)req->sqe.offset, file_info(req));
}

static void do_create(struct vfsd_req *req)
{
	const char *name = one_name(req);
	struct vfsd_file_info *fi;

	if (!name)
		return;
	fi = file_info(req);
	fi->fh = 0;
	fi->flags = (int)req->sqe.flags;
	OPS(req)->create(req, req->sqe.nodeid, name, req->sqe.arg, fi);
}

static void do_fallocate(struct vfsd_req *req)
{
	struct vfsd_fallocate_in in;

	if (req->in_len != sizeof(in)) {
		malformed(req);
		return;
	}
	memcpy(&in, req->in, sizeof(in));
	if (in.offset > INT64_MAX || in.length > INT64_MAX) {
		vfsd_req_fail(req, EINVAL);
		return;
	}
	OPS(req)->fallocate(req, req->sqe.nodeid, (int)in.mode,
			    (off_t)in.offset, (off_t)in.length,
			    file_info(req));
}

static void do_lseek(struct vfsd_req *req)
{
	if (offset_ok(req))
		OPS(req)->lseek(req, req->sqe.nodeid, (off_t)req->sqe.offset,
				(int)req->sqe.arg, file_info(req));
}

/*
 * Which ops field and decoder serve each opcode (from VFSD_OPCODES; the
 * NOREPLY ones go to dispatch_noreply()). An unset field means ENOSYS,
 * except for the ops whose decoder replies a sensible default itself.
 */
#define HANDLER_REPLY(name)	{ offsetof(struct vfsd_ops, name), do_##name }
#define HANDLER_NOREPLY(name)	{ 0, NULL }
#define OP_HANDLER(NAME, name, in, out, reply, fuse) \
	[VFSD_OP_##NAME] = HANDLER_##reply(name),
static const struct {
	size_t op_off;
	void (*fn)(struct vfsd_req *req);
} handlers[VFSD_OP_MAX] = {
	VFSD_OPCODES(OP_HANDLER)
};
#undef OP_HANDLER
#undef HANDLER_REPLY
#undef HANDLER_NOREPLY

static bool has_default(unsigned int opcode)
{
	return opcode == VFSD_OP_OPEN || opcode == VFSD_OP_OPENDIR ||
	       opcode == VFSD_OP_STATFS;
}

static bool has_op(const struct vfsd_ops *ops, unsigned int opcode)
{
	void (*fn)(void);

	if (!handlers[opcode].fn)
		return false;
	if (has_default(opcode))
		return true;
	memcpy(&fn, (const char *)ops + handlers[opcode].op_off, sizeof(fn));
	return fn != NULL;
}

/*
 * INTERRUPT names a request of this queue by id; it may come after the
 * reply (the tag is then free or reused by another id): ignore it then.
 */
static void dispatch_interrupt(struct vfsd_queue *q, uint64_t id)
{
	uint32_t tag;

	/* Rare enough to search: ids are the kernel's, not a tag encoding. */
	for (tag = 0; tag < q->depth; tag++) {
		struct vfsd_req *req = &q->reqs[tag];

		if (!req->in_flight || req->sqe.id != id || req->interrupted)
			continue;
		req->interrupted = true;
		if (q->s->ops.interrupt)
			q->s->ops.interrupt(req);
		return;
	}
}

/* Requests without a reply: FORGET, RELEASE, RELEASEDIR, INTERRUPT. */
static bool dispatch_noreply(struct vfsd_queue *q, const struct vfsd_sqe *sqe)
{
	struct vfsd_file_info fi = { .fh = sqe->fh, .flags = (int)sqe->arg };
	struct vfsd_session *s = q->s;

	switch (sqe->opcode) {
	case VFSD_OP_INTERRUPT:
		/* With a tag it is not the kernel's: answer it like any. */
		if (sqe->tag != VFSD_TAG_NONE)
			return false;
		dispatch_interrupt(q, sqe->offset);
		return true;
	case VFSD_OP_FORGET:
		if (s->ops.forget)
			s->ops.forget(s->userdata, sqe->nodeid, sqe->offset);
		return true;
	case VFSD_OP_RELEASE:
		if (s->ops.release)
			s->ops.release(s->userdata, sqe->nodeid, &fi);
		return true;
	case VFSD_OP_RELEASEDIR:
		if (s->ops.releasedir)
			s->ops.releasedir(s->userdata, sqe->nodeid, &fi);
		return true;
	}
	return false;
}

/* Copy the payload the slot carries in; false if it cannot be valid. */
static bool copy_payload(struct vfsd_req *req)
{
	uint32_t slot = req->q->s->setup.inline_size;
	uint32_t n = 0;

	if (op_desc[req->sqe.opcode].in == IN_PAYLOAD) {
		if (req->sqe.len > slot)
			return false;
		n = req->sqe.len;
	}
	memcpy(req->in, req->slot, n);
	req->in[n] = '\0';
	req->in_len = n;
	return true;
}

void vfsd_dispatch(struct vfsd_queue *q, const struct vfsd_sqe *sqe)
{
	struct vfsd_session *s = q->s;
	uint32_t isz = s->setup.inline_size;
	struct vfsd_req *req;

	vfsd_dbg(s, "q%u <- id %#llx %s nodeid %llu fh %llu off %llu len %u",
		 q->index, (unsigned long long)sqe->id,
		 vfsd_opname(sqe->opcode), (unsigned long long)sqe->nodeid,
		 (unsigned long long)sqe->fh, (unsigned long long)sqe->offset,
		 sqe->len);

	if (sqe->tag == VFSD_TAG_NONE) {
		if (!dispatch_noreply(q, sqe))
			vfsd_err("%s without a tag: cannot reply, dropped",
				 vfsd_opname(sqe->opcode));
		return;
	}
	if (sqe->tag >= q->depth) {
		vfsd_err("request %#llx with tag %u >= depth %u, dropped",
			 (unsigned long long)sqe->id, sqe->tag, q->depth);
		return;
	}
	req = &q->reqs[sqe->tag];
	if (req->in_flight) {
		vfsd_err("tag %u reused while in flight", sqe->tag);
		vfsd_queue_post(q, sqe->id, -EIO);
		return;
	}
	req->q = q;
	req->sqe = *sqe;
	req->ctx.uid = sqe->uid;
	req->ctx.gid = sqe->gid;
	req->ctx.pid = (pid_t)sqe->pid;
	req->slot = q->inline_base + (size_t)sqe->tag * isz;
	req->in = q->inbufs + (size_t)sqe->tag * (isz + 1);
	req->in_len = 0;
	req->dir_used = req->dir_max = 0;
	req->in_flight = true;
	req->interrupted = false;

	if (dispatch_noreply(q, sqe)) {
		vfsd_req_fail(req, 0);	/* it has a tag: the kernel waits */
		return;
	}
	if (sqe->opcode >= VFSD_OP_MAX || !has_op(&s->ops, sqe->opcode)) {
		vfsd_req_fail(req, ENOSYS);
		return;
	}
	if (!copy_payload(req)) {
		req->in_len = req->sqe.len;
		malformed(req);
		return;
	}
	handlers[sqe->opcode].fn(req);
}
