/* SPDX-License-Identifier: MIT */
/*
 * The dir backend's file data path: host reads and writes straight
 * between the host file and the request's window pages, through one
 * io_uring per queue thread. The ops of a batch only queue their I/O;
 * batch_end (libvfsd calls it after each batch) submits it all in one
 * system call and replies to each request as its completion arrives.
 *
 * Buffered IORING_OP_READ/WRITE copy through copy_to/from_user (a CPU
 * copy in the host kernel, counted as data_cpu_*). With the source on a
 * block device the session asks for pinnable pages and the aligned part
 * of each request goes O_DIRECT instead: the disk's DMA fills or drains
 * the window's pages (backends/dir/direct.h, counted as data_dev_*).
 * Without io_uring (liburing missing at build time, or io_uring disabled
 * in the kernel) the same calls fall back to pread/pwrite in place.
 */
#ifndef VFSD_SERVER_DIR_IO_H
#define VFSD_SERVER_DIR_IO_H

#include <sys/types.h>

#include <vfsd/vfsd.h>

struct dir_file;

/*
 * Read size bytes at off into buf (the window) and reply with the count
 * (short only at end of file) or the error. Takes over a ref on f.
 */
void dir_io_read(struct vfsd_req *req, struct dir_file *f, void *buf,
		 size_t size, off_t off);
void dir_io_write(struct vfsd_req *req, struct dir_file *f, const void *buf,
		  size_t size, off_t off);
/* ops.batch_end: submit, reap, reply; returns the requests still open. */
int dir_io_batch_end(void *userdata, unsigned int queue, int wait);
/* For tests: is this thread's I/O going through io_uring? */
int dir_io_uses_uring(void);

#endif /* VFSD_SERVER_DIR_IO_H */
