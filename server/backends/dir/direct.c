// SPDX-License-Identifier: MIT
/* O_DIRECT twins of the dir backend's files; see backends/dir/direct.h. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backends/dir/dir.h"
#include "backends/dir/direct.h"

/* Filesystems that sit on a block device and take O_DIRECT. */
static const char *const block_fs[] = {
	"ext4", "ext3", "ext2", "xfs", "btrfs", "f2fs",
};

bool dir_direct_wanted(enum source_dio mode, int fd)
{
	char type[64];
	size_t i;

	if (mode != SOURCE_DIO_AUTO)
		return mode == SOURCE_DIO_ON;
	if (!dir_source_fstype(fd, type))
		return false;
	for (i = 0; i < sizeof(block_fs) / sizeof(block_fs[0]); i++)
		if (!strcmp(type, block_fs[i]))
			return true;
	return false;
}

static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Open f's file again with O_DIRECT and learn its alignment (statx
 * STATX_DIOALIGN, Linux 6.1). Lock held. A file or filesystem that does
 * not take it (inline data, no DIOALIGN) stays buffered for good.
 */
static int open_direct(struct dir_file *f)
{
	struct statx stx;
	char path[64];
	int fd;

	if (statx(f->fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) < 0 ||
	    !(stx.stx_mask & STATX_DIOALIGN) || !stx.stx_dio_mem_align ||
	    !stx.stx_dio_offset_align)
		return DIR_DIRECT_NONE;
	dir_proc_path(path, sizeof(path), f->fd);
	fd = open(path, f->flags | O_DIRECT | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return DIR_DIRECT_NONE;
	f->dio_mem_align = stx.stx_dio_mem_align;
	f->dio_off_align = stx.stx_dio_offset_align;
	return fd;
}

/* f's O_DIRECT fd, or DIR_DIRECT_NONE. */
static int direct_fd(struct dir_file *f)
{
	int fd = __atomic_load_n(&f->direct_fd, __ATOMIC_ACQUIRE);

	if (fd != DIR_DIRECT_UNTRIED)
		return fd;
	pthread_mutex_lock(&open_lock);
	fd = f->direct_fd;
	if (fd == DIR_DIRECT_UNTRIED) {
		fd = open_direct(f);
		/* The alignments are set before readers can see the fd. */
		__atomic_store_n(&f->direct_fd, fd, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&open_lock);
	return fd;
}

size_t dir_direct_span(struct dir_file *f, const void *buf, size_t size,
		       off_t off)
{
	if (direct_fd(f) < 0 || (uintptr_t)buf % f->dio_mem_align ||
	    (uint64_t)off % f->dio_off_align)
		return 0;
	return size - size % f->dio_off_align;
}
