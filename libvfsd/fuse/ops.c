// SPDX-License-Identifier: MIT
/*
 * libfuse's lowlevel ops, each turned into the server's vfsd op. A
 * request becomes the worker's struct vfsd_req, described by the opcode
 * and fields the ring's SQE would carry, so reply.c checks and encodes
 * the reply exactly as for the module (see reply.c).
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>

#include "fuse_i.h"

static __thread struct vfsd_fuse_worker *self;

struct vfsd_fuse_worker *vfsd_fuse_self(void)
{
	return self;
}

/* worker.c sets this when its thread starts. */
void vfsd_fuse_set_self(struct vfsd_fuse_worker *w)
{
	self = w;
}

static struct vfsd_session *session(fuse_req_t f)
{
	return fuse_req_userdata(f);
}

#define OPS(f)	(&session(f)->ops)

/*
 * Our workers have self set; libfuse's threads (io_uring, uring.c)
 * get a worker at their first request, and must not be cancelled (the
 * ring's teardown does) while they run an op.
 */
static struct vfsd_req *begin(fuse_req_t f, unsigned int opcode,
			      vfsd_ino_t ino)
{
	struct vfsd_fuse_worker *w = self ? self : vfsd_fuse_claim(session(f));
	struct vfsd_req *req = &w->req;
	const struct fuse_ctx *c = fuse_req_ctx(f);

	if (w->libfuse_thread)
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &w->cancel_state);
	if (vfsd_fuse_req_uring(f))
		__atomic_fetch_add(&session(f)->fuse->reqs_uring, 1, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(&session(f)->fuse->reqs_dev, 1, __ATOMIC_RELAXED);
	w->out = w->data;

	memset(&req->sqe, 0, sizeof(req->sqe));
	req->sqe.id = ++w->seq;
	req->sqe.opcode = opcode;
	req->sqe.nodeid = ino;
	req->ctx.uid = c->uid;
	req->ctx.gid = c->gid;
	req->ctx.pid = c->pid;
	memset(&req->fi, 0, sizeof(req->fi));
	req->dir_used = req->dir_max = 0;
	req->in_flight = true;
	w->freq = f;
	vfsd_dbg(req->q->s, "t%u <- id %#llx %s nodeid %llu", req->q->index,
		 (unsigned long long)req->sqe.id, vfsd_opname(opcode),
		 (unsigned long long)ino);
	return req;
}

/*
 * After the op: on libfuse's threads nothing drains for us after the
 * request (our workers do it after fuse_session_process_buf), so finish
 * an asynchronous op's I/O here, before libfuse takes the next request.
 */
static void end(struct vfsd_req *req)
{
	struct vfsd_fuse_worker *w = req->q->fuse;

	if (!w->libfuse_thread)
		return;
	vfsd_fuse_drain(req->q);
	pthread_setcancelstate(w->cancel_state, NULL);
}

/*
 * The module refuses names past NAME_MAX itself; FUSE passes up to 1024
 * bytes, so the check is ours. Fails the req if the name is too long.
 */
static bool name_ok(struct vfsd_req *req, const char *name)
{
	if (strnlen(name, NAME_MAX + 1) <= NAME_MAX)
		return true;
	vfsd_req_fail(req, ENAMETOOLONG);
	return false;
}

/* The file the kernel named, in the req so it outlives an async op. */
static struct vfsd_file_info *file(struct vfsd_req *req,
				   const struct fuse_file_info *fi)
{
	req->fi.fh = fi->fh;
	req->fi.flags = fi->flags;
	req->sqe.fh = fi->fh;
	return &req->fi;
}

/* The facts init() gets: FUSE's, in vfsd's terms. */
static void conn_from_fuse(struct vfsd_session *s,
			   const struct fuse_conn_info *conn)
{
	struct vfsd_conn_info *c = &s->conn;

	memset(c, 0, sizeof(*c));
	c->transport = VFSD_TRANSPORT_FUSE;
	c->nr_queues = s->nr_queues;
	c->depth = 1;
	c->max_read = conn->max_read ? conn->max_read : VFSD_FUSE_MAX_IO;
	if (c->max_read > VFSD_FUSE_MAX_IO)
		c->max_read = VFSD_FUSE_MAX_IO;
	c->max_write = conn->max_write;
	c->abi_version = conn->proto_major << 16 | conn->proto_minor;
	/* Every FUSE kernel has the notifications; interrupt is not mapped. */
	c->kernel_caps = VFSD_CAP_INVAL;
	c->caps = VFSD_CAP_INVAL;
	s->conn_ready = true;
}

static void ll_init(void *userdata, struct fuse_conn_info *conn)
{
	struct vfsd_session *s = userdata;

	vfsd_fuse_tune_init(s->fuse, conn);
	s->fuse->writeback_cache = conn->want & FUSE_CAP_WRITEBACK_CACHE;
	s->fuse->capable = conn->capable;
	s->fuse->want = conn->want;
	vfsd_log(VFSD_LOG_INFO, "fuse: INIT capable 0x%x want 0x%x (splice %s)",
		 conn->capable, conn->want, s->fuse->splice ? "on" : "off");
	conn_from_fuse(s, conn);
	if (!s->initialized && s->ops.init)
		s->ops.init(s->userdata, &s->conn);
	s->initialized = true;
}

static void ll_lookup(fuse_req_t f, fuse_ino_t parent, const char *name)
{
	struct vfsd_req *req = begin(f, VFSD_OP_LOOKUP, parent);

	if (name_ok(req, name))
		OPS(f)->lookup(req, parent, name);
	end(req);
}

static void ll_forget(fuse_req_t f, fuse_ino_t ino, uint64_t nlookup)
{
	struct vfsd_session *s = session(f);

	s->ops.forget(s->userdata, ino, nlookup);
	fuse_reply_none(f);
}

static void ll_forget_multi(fuse_req_t f, size_t count,
			    struct fuse_forget_data *forgets)
{
	struct vfsd_session *s = session(f);
	size_t i;

	for (i = 0; i < count; i++)
		s->ops.forget(s->userdata, forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(f);
}

static void ll_getattr(fuse_req_t f, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct vfsd_req *req = begin(f, VFSD_OP_GETATTR, ino);

	OPS(f)->getattr(req, ino, fi ? file(req, fi) : NULL);
	end(req);
}

static void ll_setattr(fuse_req_t f, fuse_ino_t ino, struct stat *attr,
		       int valid, struct fuse_file_info *fi)
{
	struct vfsd_req *req = begin(f, VFSD_OP_SETATTR, ino);

	OPS(f)->setattr(req, ino, attr, vfsd_set_attr_from_fuse(valid),
			fi ? file(req, fi) : NULL);
	end(req);
}

static void ll_readlink(fuse_req_t f, fuse_ino_t ino)
{
	struct vfsd_req *req = begin(f, VFSD_OP_READLINK, ino);

	OPS(f)->readlink(req, ino);
	end(req);
}

static void ll_mknod(fuse_req_t f, fuse_ino_t parent, const char *name,
		     mode_t mode, dev_t rdev)
{
	struct vfsd_req *req = begin(f, VFSD_OP_MKNOD, parent);

	if (name_ok(req, name))
		OPS(f)->mknod(req, parent, name, mode, rdev);
	end(req);
}

static void ll_mkdir(fuse_req_t f, fuse_ino_t parent, const char *name,
		     mode_t mode)
{
	struct vfsd_req *req = begin(f, VFSD_OP_MKDIR, parent);

	if (name_ok(req, name))
		OPS(f)->mkdir(req, parent, name, mode);
	end(req);
}

static void ll_unlink(fuse_req_t f, fuse_ino_t parent, const char *name)
{
	struct vfsd_req *req = begin(f, VFSD_OP_UNLINK, parent);

	if (name_ok(req, name))
		OPS(f)->unlink(req, parent, name);
	end(req);
}

static void ll_rmdir(fuse_req_t f, fuse_ino_t parent, const char *name)
{
	struct vfsd_req *req = begin(f, VFSD_OP_RMDIR, parent);

	if (name_ok(req, name))
		OPS(f)->rmdir(req, parent, name);
	end(req);
}

static void ll_symlink(fuse_req_t f, const char *target, fuse_ino_t parent,
		       const char *name)
{
	struct vfsd_req *req = begin(f, VFSD_OP_SYMLINK, parent);

	if (name_ok(req, name))
		OPS(f)->symlink(req, target, parent, name);
	end(req);
}

static void ll_rename(fuse_req_t f, fuse_ino_t parent, const char *name,
		      fuse_ino_t newparent, const char *newname,
		      unsigned int flags)
{
	struct vfsd_req *req = begin(f, VFSD_OP_RENAME, parent);

	if (name_ok(req, name) && name_ok(req, newname))
		OPS(f)->rename(req, parent, name, newparent, newname, flags);
	end(req);
}

static void ll_link(fuse_req_t f, fuse_ino_t ino, fuse_ino_t newparent,
		    const char *newname)
{
	struct vfsd_req *req = begin(f, VFSD_OP_LINK, newparent);

	if (name_ok(req, newname))
		OPS(f)->link(req, ino, newparent, newname);
	end(req);
}

/* Registered always: the reply adds keep_cache (reply.c). */
static void ll_open(fuse_req_t f, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct vfsd_req *req = begin(f, VFSD_OP_OPEN, ino);

	req->fi.flags = fi->flags;
	if (OPS(f)->open)
		OPS(f)->open(req, ino, &req->fi);
	else
		vfsd_reply_open(req, &req->fi);
	end(req);
}

static void ll_read(fuse_req_t f, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct vfsd_req *req = begin(f, VFSD_OP_READ, ino);
	struct vfsd_fuse_worker *w;
	char *payload;

	req->sqe.len = (uint32_t)size;
	req->sqe.offset = (uint64_t)off;
	if (size > VFSD_FUSE_MAX_IO) {	/* max_pages makes it impossible */
		vfsd_req_fail(req, EIO);
		goto out;
	}
	/*
	 * Over io_uring, read straight into the ring entry's payload: libfuse
	 * then sends the reply without copying it there (send_reply_uring).
	 */
	w = self;
	payload = vfsd_fuse_payload(f, size);
	if (payload)
		w->out = payload;
	OPS(f)->read(req, ino, w->out, size, off, file(req, fi));
out:
	end(req);
}

/*
 * The op wants the data in memory. Without splice it already is (the
 * receive buffer): no copy. Spliced (FUSE_CAP_SPLICE_READ, as
 * passthrough_hp asks), the data sits in a pipe and one read() copies it
 * into the worker's buffer: the same single copy plain read() of
 * /dev/fuse would have made, without a malloc per request as libfuse's
 * own fallback for .write does.
 */
static void ll_write_buf(fuse_req_t f, fuse_ino_t ino, struct fuse_bufvec *in,
			 off_t off, struct fuse_file_info *fi)
{
	struct vfsd_req *req = begin(f, VFSD_OP_WRITE, ino);
	size_t size = fuse_buf_size(in);
	const void *data;

	if (in->count == 1 && in->off == 0 &&
	    !(in->buf[0].flags & FUSE_BUF_IS_FD)) {
		data = in->buf[0].mem;
	} else {
		struct fuse_bufvec out = FUSE_BUFVEC_INIT(size);
		ssize_t n;

		if (size > VFSD_FUSE_MAX_IO) {
			vfsd_req_fail(req, EIO);
			goto out;
		}
		out.buf[0].mem = self->data;
		n = fuse_buf_copy(&out, in, 0);
		if (n < 0) {
			vfsd_req_fail(req, (int)-n);
			goto out;
		}
		size = (size_t)n;
		data = self->data;
		__atomic_fetch_add(&session(f)->fuse->copy_write_spliced, size,
				   __ATOMIC_RELAXED);
	}
	__atomic_fetch_add(&session(f)->fuse->copy_write, size, __ATOMIC_RELAXED);
	req->sqe.len = (uint32_t)size;
	req->sqe.offset = (uint64_t)off;
	OPS(f)->write(req, ino, data, size, off, file(req, fi));
out:
	end(req);
}

static void ll_flush(fuse_req_t f, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct vfsd_req *req = begin(f, VFSD_OP_FLUSH, ino);

	OPS(f)->flush(req, ino, file(req, fi));
	end(req);
}

/* RELEASE, RELEASEDIR: vfsd expects no reply, FUSE a plain success. */
static void release(fuse_req_t f, fuse_ino_t ino, struct fuse_file_info *fi,
		    void (*op)(void *, vfsd_ino_t, struct vfsd_file_info *))
{
	struct vfsd_file_info vfi = { .fh = fi->fh, .flags = fi->flags };

	op(session(f)->userdata, ino, &vfi);
	fuse_reply_err(f, 0);
}

static void ll_release(fuse_req_t f, fuse_ino_t ino, struct fuse_file_info *fi)
{
	release(f, ino, fi, OPS(f)->release);
}

static void ll_fsync(fuse_req_t f, fuse_ino_t ino, int datasync,
		     struct fuse_file_info *fi)
{
	struct vfsd_req *req = begin(f, VFSD_OP_FSYNC, ino);

	OPS(f)->fsync(req, ino, datasync, file(req, fi));
	end(req);
}

static void ll_opendir(fuse_req_t f, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct vfsd_req *req = begin(f, VFSD_OP_OPENDIR, ino);

	req->fi.flags = fi->flags;
	OPS(f)->opendir(req, ino, &req->fi);
	end(req);
}

static void ll_readdir(fuse_req_t f, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct vfsd_req *req = begin(f, VFSD_OP_READDIR, ino);

	req->sqe.len = (uint32_t)size;
	req->sqe.offset = (uint64_t)off;
	req->dir_max = size < VFSD_FUSE_MAX_IO ? size : VFSD_FUSE_MAX_IO;
	OPS(f)->readdir(req, ino, req->dir_max, off, file(req, fi));
	end(req);
}

static void ll_releasedir(fuse_req_t f, fuse_ino_t ino,
			  struct fuse_file_info *fi)
{
	release(f, ino, fi, OPS(f)->releasedir);
}

static void ll_statfs(fuse_req_t f, fuse_ino_t ino)
{
	struct vfsd_req *req = begin(f, VFSD_OP_STATFS, ino);

	OPS(f)->statfs(req, ino);
	end(req);
}

static void ll_create(fuse_req_t f, fuse_ino_t parent, const char *name,
		      mode_t mode, struct fuse_file_info *fi)
{
	struct vfsd_req *req = begin(f, VFSD_OP_CREATE, parent);

	req->fi.flags = fi->flags;
	if (name_ok(req, name))
		OPS(f)->create(req, parent, name, mode, &req->fi);
	end(req);
}

static void ll_fallocate(fuse_req_t f, fuse_ino_t ino, int mode, off_t offset,
			 off_t length, struct fuse_file_info *fi)
{
	struct vfsd_req *req = begin(f, VFSD_OP_FALLOCATE, ino);

	OPS(f)->fallocate(req, ino, mode, offset, length, file(req, fi));
	end(req);
}

static void ll_lseek(fuse_req_t f, fuse_ino_t ino, off_t off, int whence,
		     struct fuse_file_info *fi)
{
	struct vfsd_req *req = begin(f, VFSD_OP_LSEEK, ino);

	/*
	 * FUSE sends LSEEK without writing back dirty pages first (the
	 * module does): with the writeback cache the server would report
	 * holes where the kernel holds data. ENOSYS makes the kernel answer
	 * from the file size from now on, as for a server without lseek.
	 */
	if (session(f)->fuse->writeback_cache) {
		vfsd_req_fail(req, ENOSYS);
		goto out;
	}
	req->sqe.offset = (uint64_t)off;
	OPS(f)->lseek(req, ino, off, whence, file(req, fi));
out:
	end(req);
}

static void ll_setxattr(fuse_req_t f, fuse_ino_t ino, const char *name,
			const char *value, size_t size, int flags)
{
	struct vfsd_req *req = begin(f, VFSD_OP_SETXATTR, ino);

	OPS(f)->setxattr(req, ino, name, value, size, flags);
	end(req);
}

/* sqe.arg carries the caller's size, 0 for a size probe (reply.c). */
static void ll_getxattr(fuse_req_t f, fuse_ino_t ino, const char *name,
			size_t size)
{
	struct vfsd_req *req = begin(f, VFSD_OP_GETXATTR, ino);

	req->sqe.arg = size;
	OPS(f)->getxattr(req, ino, name, size);
	end(req);
}

static void ll_listxattr(fuse_req_t f, fuse_ino_t ino, size_t size)
{
	struct vfsd_req *req = begin(f, VFSD_OP_LISTXATTR, ino);

	req->sqe.arg = size;
	OPS(f)->listxattr(req, ino, size);
	end(req);
}

static void ll_removexattr(fuse_req_t f, fuse_ino_t ino, const char *name)
{
	struct vfsd_req *req = begin(f, VFSD_OP_REMOVEXATTR, ino);

	OPS(f)->removexattr(req, ino, name);
	end(req);
}

/*
 * The map comes from VFSD_OPCODES' fuse column. An op the server left
 * NULL stays NULL here: libfuse then answers as
 * libvfsd would (ENOSYS; open/opendir with fh 0; an empty statfs; no-op
 * forget, release, releasedir), and the kernel stops asking where FUSE
 * remembers ENOSYS (flush, fsync, create, fallocate, lseek, xattrs).
 */
void vfsd_fuse_ll_ops(const struct vfsd_ops *o, struct fuse_lowlevel_ops *ll)
{
	memset(ll, 0, sizeof(*ll));
	ll->init = ll_init;
#define MAP_SAME(name)	do { if (o->name) ll->name = ll_##name; } while (0);
#define MAP_BUF(name)	do { if (o->name) ll->name##_buf = ll_##name##_buf; } while (0);
#define MAP_NONE(name)
#define MAP(NAME, name, in, out, reply, fuse)	MAP_##fuse(name)
	VFSD_OPCODES(MAP)
#undef MAP
#undef MAP_SAME
#undef MAP_BUF
#undef MAP_NONE
	/* ll_open also sets the transport's own open flags. */
	ll->open = ll_open;
	if (o->forget)
		ll->forget_multi = ll_forget_multi;
}
