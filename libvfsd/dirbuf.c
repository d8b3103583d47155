// SPDX-License-Identifier: MIT
/*
 * READDIR replies: vfsd_dirent records packed straight into the request's
 * inline slot, each padded to 8 bytes with zeroes (no stale bytes leak to
 * the kernel), never past min(sqe.len, inline_size).
 */
#include <limits.h>
#include <string.h>

#include "vfsd_i.h"

VFSD_API size_t vfsd_dirbuf_add(struct vfsd_req *req, const char *name,
				vfsd_ino_t ino, mode_t mode, off_t next_off)
{
	struct vfsd_dirent d;
	size_t n, rec;
	char *p;

	if (!req->in_flight || req->sqe.opcode != VFSD_OP_READDIR)
		return 0;
	n = strnlen(name, NAME_MAX + 1);
	if (n == 0 || n > NAME_MAX || memchr(name, '/', n)) {
		vfsd_err("readdir: invalid entry name \"%.*s\"", NAME_MAX, name);
		return 0;
	}
	if (req->xport)
		return req->xport->dirent(req, name, ino, mode, next_off);
	rec = VFSD_DIRENT_SIZE(n);
	if (rec > req->dir_max - req->dir_used)
		return 0;

	memset(&d, 0, sizeof(d));
	d.ino = ino;
	d.off = (uint64_t)next_off;
	d.namelen = (uint16_t)n;
	d.type = (mode & S_IFMT) >> 12;	/* IFTODT */
	p = req->slot + req->dir_used;
	memcpy(p, &d, sizeof(d));
	memcpy(p + sizeof(d), name, n);
	memset(p + sizeof(d) + n, 0, rec - sizeof(d) - n);
	req->dir_used += rec;
	return rec;
}
