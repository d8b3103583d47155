// SPDX-License-Identifier: MIT
/*
 * Reply helpers. A reply writes its payload into the request's inline slot,
 * then posts the completion (another transport translates the slot, see
 * struct vfsd_xport). Replies that would break the protocol are
 * refused here, with the request failed as EIO, so a server bug shows up as
 * a log line and an error instead of the kernel's protocol-error counter.
 */
#include <errno.h>
#include <string.h>

#include "vfsd_i.h"

enum reply_kind {
	R_NONE,		/* success carries no payload */
	R_ENTRY,
	R_ATTR,
	R_OPEN,
	R_CREATE,
	R_READ,
	R_WRITE,
	R_LINK,
	R_STATFS,
	R_LSEEK,
	R_XATTR,
	R_DIRENTS,
};

/* From the one opcode list, <linux/vfsd.h>'s VFSD_OPCODES. */
#define OP_REPLY(NAME, name, in, out, reply, fuse)	[VFSD_OP_##NAME] = R_##out,
static const unsigned char op_reply[VFSD_OP_MAX] = {
	VFSD_OPCODES(OP_REPLY)
};
#undef OP_REPLY

VFSD_API int vfsd_req_interrupted(struct vfsd_req *req)
{
	if (req->xport && req->xport->interrupted)
		return req->xport->interrupted(req);
	return req->interrupted;
}

static int post(struct vfsd_req *req, int32_t result)
{
	req->in_flight = false;
	vfsd_dbg(req->q->s, "q%u   id %#llx %s -> %d", req->q->index,
		 (unsigned long long)req->sqe.id, vfsd_opname(req->sqe.opcode),
		 (int)result);
	if (req->xport)
		return req->xport->post(req, result);
	return vfsd_queue_post(req->q, req->sqe.id, result);
}

/* Fail the request with -err (a valid errno). */
int vfsd_req_fail(struct vfsd_req *req, int err)
{
	return post(req, -err);
}

static int refuse(struct vfsd_req *req, const char *why)
{
	vfsd_err("bad reply to %s (id %#llx): %s",
		 vfsd_opname(req->sqe.opcode),
		 (unsigned long long)req->sqe.id, why);
	post(req, -EIO);
	return -EINVAL;
}

/* 0 if req may take a reply of this kind now; else the helper's result. */
static int check(struct vfsd_req *req, enum reply_kind kind)
{
	if (!req->in_flight)
		return -EALREADY;
	if (op_reply[req->sqe.opcode] != kind)
		return refuse(req, "wrong reply type for the opcode");
	return 0;
}

static int post_payload(struct vfsd_req *req, const void *p, size_t n,
			int32_t result)
{
	/* Our slot: nobody else writes it while we own the tag. */
	memcpy(req->slot, p, n);
	return post(req, result);
}

VFSD_API int vfsd_reply_err(struct vfsd_req *req, int err)
{
	unsigned int kind;

	if (!req->in_flight)
		return -EALREADY;
	/* The kernel takes -1..-511; beyond are its internal codes. */
	if (err < 0 || err > 511)
		return refuse(req, "errno out of range 1..511");
	kind = op_reply[req->sqe.opcode];
	if (err == 0 && kind != R_NONE && kind != R_READ && kind != R_WRITE &&
	    kind != R_XATTR && kind != R_DIRENTS)
		return refuse(req, "success needs a payload for this opcode");
	return post(req, -err);
}

static int fill_entry(struct vfsd_entry_out *o, const struct vfsd_entry_param *e)
{
	memset(o, 0, sizeof(*o));
	o->nodeid = e->ino;
	o->generation = e->generation;
	o->entry_valid_ns = vfsd_timeout_ns(e->entry_timeout);
	o->attr_valid_ns = vfsd_timeout_ns(e->attr_timeout);
	if (e->ino == 0)
		return 0;	/* negative: attributes mean nothing */
	return vfsd_attr_from_stat(&o->attr, &e->attr);
}

VFSD_API int vfsd_reply_entry(struct vfsd_req *req,
			      const struct vfsd_entry_param *e)
{
	struct vfsd_entry_out o;
	int err = check(req, R_ENTRY);

	if (err)
		return err;
	if (e->ino == 0 && req->sqe.opcode != VFSD_OP_LOOKUP)
		return refuse(req, "negative entry outside lookup");
	/* The kernel knows the root already: never another name for it. */
	if (e->ino == VFSD_ROOT_INO)
		return refuse(req, "entry with the root's nodeid");
	if (fill_entry(&o, e))
		return refuse(req, "invalid attributes");
	return post_payload(req, &o, sizeof(o), 0);
}

VFSD_API int vfsd_reply_create(struct vfsd_req *req,
			       const struct vfsd_entry_param *e,
			       const struct vfsd_file_info *fi)
{
	struct vfsd_create_out o;
	int err = check(req, R_CREATE);

	if (err)
		return err;
	if (e->ino == 0 || e->ino == VFSD_ROOT_INO || fill_entry(&o.entry, e))
		return refuse(req, "invalid entry");
	memset(&o.open, 0, sizeof(o.open));
	o.open.fh = fi->fh;
	o.open.open_flags = vfsd_open_flags(fi);
	o.open.dmap_id = fi->direct_map ? fi->dmap_id : 0;
	return post_payload(req, &o, sizeof(o), 0);
}

VFSD_API int vfsd_reply_attr(struct vfsd_req *req, const struct stat *attr,
			     double attr_timeout)
{
	struct vfsd_attr_out o;
	int err = check(req, R_ATTR);

	if (err)
		return err;
	memset(&o, 0, sizeof(o));
	o.attr_valid_ns = vfsd_timeout_ns(attr_timeout);
	if (vfsd_attr_from_stat(&o.attr, attr))
		return refuse(req, "invalid attributes");
	return post_payload(req, &o, sizeof(o), 0);
}

VFSD_API int vfsd_reply_open(struct vfsd_req *req,
			     const struct vfsd_file_info *fi)
{
	struct vfsd_open_out o;
	int err = check(req, R_OPEN);

	if (err)
		return err;
	memset(&o, 0, sizeof(o));
	o.fh = fi->fh;
	o.open_flags = vfsd_open_flags(fi);
	o.dmap_id = fi->direct_map ? fi->dmap_id : 0;
	return post_payload(req, &o, sizeof(o), 0);
}

static int reply_count(struct vfsd_req *req, enum reply_kind kind,
		       size_t bytes)
{
	int err = check(req, kind);

	if (err)
		return err;
	if (bytes > req->sqe.len)
		return refuse(req, "more bytes than requested");
	return post(req, (int32_t)bytes);
}

VFSD_API int vfsd_reply_read(struct vfsd_req *req, size_t bytes)
{
	return reply_count(req, R_READ, bytes);
}

VFSD_API int vfsd_reply_write(struct vfsd_req *req, size_t bytes)
{
	return reply_count(req, R_WRITE, bytes);
}

VFSD_API int vfsd_reply_readlink(struct vfsd_req *req, const char *target)
{
	size_t n;
	int err = check(req, R_LINK);

	if (err)
		return err;
	n = strlen(target);
	if (n == 0)
		return refuse(req, "empty symlink target");
	if (n > VFSD_LINK_MAX || n > req->q->s->setup.inline_size)
		return refuse(req, "symlink target too long");
	return post_payload(req, target, n, (int32_t)n);
}

VFSD_API int vfsd_reply_statfs(struct vfsd_req *req, const struct statvfs *st)
{
	struct vfsd_statfs_out o;
	int err = check(req, R_STATFS);

	if (err)
		return err;
	vfsd_statfs_from_statvfs(&o, st);
	return post_payload(req, &o, sizeof(o), 0);
}

VFSD_API int vfsd_reply_lseek(struct vfsd_req *req, off_t off)
{
	struct vfsd_lseek_out o = { .offset = (uint64_t)off };
	int err = check(req, R_LSEEK);

	if (err)
		return err;
	if (off < 0)
		return refuse(req, "negative offset");
	return post_payload(req, &o, sizeof(o), 0);
}

/* GETXATTR/LISTXATTR: sqe.arg is the caller's buffer, 0 asks the size. */
VFSD_API int vfsd_reply_xattr(struct vfsd_req *req, size_t size)
{
	int err = check(req, R_XATTR);

	if (err)
		return err;
	if (req->sqe.arg != 0)
		return refuse(req, "size probe answer to a sized request");
	if (size > req->q->s->setup.inline_size)
		return post(req, -E2BIG);	/* could never be delivered */
	return post(req, (int32_t)size);
}

VFSD_API int vfsd_reply_buf(struct vfsd_req *req, const void *buf, size_t size)
{
	int err = check(req, R_XATTR);

	if (err)
		return err;
	if (req->sqe.arg == 0) {
		/* A probe answered with the value: the size is what it asked. */
		return vfsd_reply_xattr(req, size);
	}
	if (size > req->sqe.arg) {
		/* The caller's buffer is too small: exactly what ERANGE says. */
		post(req, -ERANGE);
		return -ERANGE;
	}
	if (size > req->q->s->setup.inline_size)
		return refuse(req, "value larger than the inline slot");
	return post_payload(req, buf, size, (int32_t)size);
}

VFSD_API int vfsd_reply_readdir(struct vfsd_req *req)
{
	int err = check(req, R_DIRENTS);

	if (err)
		return err;
	/* The records are already in the slot (dirbuf.c). */
	return post(req, (int32_t)req->dir_used);
}

VFSD_API const struct vfsd_ctx *vfsd_req_ctx(const struct vfsd_req *req)
{
	return &req->ctx;
}

VFSD_API unsigned int vfsd_req_queue(const struct vfsd_req *req)
{
	return req->q->index;
}

VFSD_API void *vfsd_req_userdata(const struct vfsd_req *req)
{
	return req->q->s->userdata;
}
