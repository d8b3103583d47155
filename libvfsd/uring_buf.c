/* SPDX-License-Identifier: MIT */
/*
 * A request's pages as a registered buffer of the server's io_uring
 * (VFSD_URING_CMD_*_BUF on /dev/vfsd). libvfsd only fills the SQEs: the
 * ring is the server's, so the library needs no liburing.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <linux/io_uring.h>

#include "vfsd_i.h"

static bool has_uring_buf(const struct vfsd_req *req)
{
	/* An O_DIRECT request hands over the application's own pages. */
	return !req->xport && req->q && req->q->s->fd >= 0 &&
	       (req->q->s->conn.caps & VFSD_CAP_URING_BUF) &&
	       (req->sqe.opcode == VFSD_OP_READ ||
		req->sqe.opcode == VFSD_OP_WRITE) &&
	       !(req->sqe.arg & O_DIRECT);
}

static void prep_buf_cmd(struct vfsd_req *req, struct io_uring_sqe *sqe,
			 uint32_t op, unsigned int index)
{
	struct vfsd_uring_buf cmd = {
		.id = req->sqe.id,
		.queue = (uint16_t)req->q->index,
		.index = (uint16_t)index,
	};

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = req->q->s->fd;
	sqe->cmd_op = op;
	/* The 16 command bytes of a 64-byte SQE: addr3 and its pad. */
	memcpy(&sqe->addr3, &cmd, sizeof(cmd));
}

VFSD_API int vfsd_req_prep_buf_register(struct vfsd_req *req,
					struct io_uring_sqe *sqe,
					unsigned int index)
{
	if (!has_uring_buf(req) || index > UINT16_MAX)
		return -EOPNOTSUPP;
	prep_buf_cmd(req, sqe, VFSD_URING_CMD_REGISTER_BUF, index);
	return 0;
}

VFSD_API int vfsd_req_prep_buf_unregister(struct vfsd_req *req,
					  struct io_uring_sqe *sqe,
					  unsigned int index)
{
	if (!has_uring_buf(req) || index > UINT16_MAX)
		return -EOPNOTSUPP;
	prep_buf_cmd(req, sqe, VFSD_URING_CMD_UNREGISTER_BUF, index);
	return 0;
}
