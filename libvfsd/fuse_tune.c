// SPDX-License-Identifier: MIT
/*
 * FUSE tuning: what libfuse's example/passthrough_hp.cc asks for, because
 * this transport is the FUSE baseline the module is measured against.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fuse_i.h"

static void want(struct fuse_conn_info *conn, unsigned int cap)
{
	if (conn->capable & cap)
		conn->want |= cap;
}

void vfsd_fuse_tune_init(struct fuse_conn_info *conn)
{
	/* The kernel caches writes and writes back whole pages (like vfsd). */
	want(conn, FUSE_CAP_WRITEBACK_CACHE);
	/* Splice request data from /dev/fuse, replies to it; move pages. */
	want(conn, FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_WRITE |
		   FUSE_CAP_SPLICE_MOVE);
	/* Lookups and readdirs of one directory in parallel. */
	want(conn, FUSE_CAP_PARALLEL_DIROPS);
	/* Readahead and reads in parallel, not one per file at a time. */
	want(conn, FUSE_CAP_ASYNC_READ | FUSE_CAP_ASYNC_DIO);
	/*
	 * The largest READ/WRITE: libfuse caps this at its buffer (256
	 * pages) and sends FUSE_MAX_PAGES for it, the kernel at its
	 * max_pages limit (256 on 6.1): 1 MiB, the module's max_io too.
	 */
	conn->max_write = VFSD_FUSE_MAX_IO;
	/*
	 * INIT can only lower the kernel's offer (its bdi default, 128 KiB);
	 * vfsd_fuse_tune_readahead() raises it after the mount.
	 */
	conn->max_readahead = UINT32_MAX;
}

/*
 * The module reads ahead VFSD_RA_REQUESTS x max_read (4 MiB by default);
 * FUSE's INIT cannot go past the bdi's 128 KiB default, so set the mount's
 * bdi like the module's (as an admin would with read_ahead_kb). stat()
 * waits until INIT is answered, so the reply cannot lower it afterwards.
 */
void vfsd_fuse_tune_readahead(const char *mountpoint, unsigned int max_read)
{
	unsigned int bytes = max_read ? max_read : VFSD_FUSE_MAX_IO;
	char path[64], kb[16];
	struct stat st;
	int fd, n;

	if (stat(mountpoint, &st) < 0) {
		vfsd_log(VFSD_LOG_WARNING, "stat %s: %s", mountpoint,
			 strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "/sys/class/bdi/%u:%u/read_ahead_kb",
		 major(st.st_dev), minor(st.st_dev));
	n = snprintf(kb, sizeof(kb), "%u", bytes / 1024 * VFSD_RA_REQUESTS);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, kb, (size_t)n) != n)
		vfsd_log(VFSD_LOG_WARNING, "readahead stays at the FUSE "
			 "default: %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}
