/* SPDX-License-Identifier: MIT */
/*
 * The dir backend's open files and their handles. fh = generation << 32 |
 * slot + 1 in a table, never a pointer: a handle the kernel sends after
 * its RELEASE (a writeback that picked it just before) finds a new
 * generation and no file, instead of freed memory or a reused fd. Files
 * are refcounted: I/O queued on one queue keeps the fd open when RELEASE
 * arrives on another.
 */
#ifndef VFSD_SERVER_DIR_FILES_H
#define VFSD_SERVER_DIR_FILES_H

#include <stdint.h>

struct dir_file {
	int fd;
	int flags;		/* O_ACCMODE of the host fd */
	unsigned int refs;
	uint32_t slot;
	/*
	 * The same file opened O_DIRECT (backends/dir/direct.c), made on
	 * first use: DIR_DIRECT_UNTRIED, DIR_DIRECT_NONE or the fd.
	 */
	int direct_fd;
	uint32_t dio_mem_align;	/* buffer and offset alignment it needs */
	uint32_t dio_off_align;
};

#define DIR_DIRECT_UNTRIED	(-2)
#define DIR_DIRECT_NONE		(-1)

/* A file for fd (taken over, closed on failure) with one ref; NULL: ENOMEM. */
struct dir_file *dir_file_wrap(int fd, int host_flags);
/* Give f a handle the kernel can name it by (0: ENOMEM). Takes f's ref. */
uint64_t dir_file_publish(struct dir_file *f);
/* The file of a handle, with a ref; NULL for 0 and unknown handles. */
struct dir_file *dir_file_get(uint64_t fh);
void dir_file_put(struct dir_file *f);
/* RELEASE: the handle stops naming the file; the fd closes at last put. */
void dir_file_unpublish(uint64_t fh);

#endif /* VFSD_SERVER_DIR_FILES_H */
