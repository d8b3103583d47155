// SPDX-License-Identifier: MIT
/*
 * FUSE tuning: what libfuse's example/passthrough_hp.cc asks for, because
 * this transport is the FUSE baseline the module is measured against.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fuse_i.h"

/* What we ask for; a capability libfuse or the kernel lacks is dropped. */
static void want(struct vfsd_fuse *fu, struct fuse_conn_info *conn,
		 unsigned int cap)
{
	fu->requested |= cap;
	conn->want |= conn->capable & cap;
}

#define SPLICE_CAPS	(FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_WRITE | \
			 FUSE_CAP_SPLICE_MOVE)

void vfsd_fuse_tune_init(struct vfsd_fuse *fu, struct fuse_conn_info *conn)
{
	const char *sp = getenv("VFSD_FUSE_SPLICE");

	/* The kernel caches writes and writes back whole pages (like vfsd). */
	want(fu, conn, FUSE_CAP_WRITEBACK_CACHE);
	/*
	 * Splice request data from /dev/fuse, replies to it; move pages
	 * (passthrough_hp's default). VFSD_FUSE_SPLICE=0 turns all three
	 * off, also the SPLICE_READ libfuse itself wants by default, as
	 * passthrough_hp --nosplice does: with a memory backend splice adds
	 * system calls (a pipe per request) and saves no copy.
	 */
	fu->splice = !(sp && !strcmp(sp, "0"));
	if (fu->splice)
		want(fu, conn, SPLICE_CAPS);
	else
		conn->want &= ~SPLICE_CAPS;
	/* Lookups and readdirs of one directory in parallel. */
	want(fu, conn, FUSE_CAP_PARALLEL_DIROPS);
	/* Readahead and reads in parallel, not one per file at a time. */
	want(fu, conn, FUSE_CAP_ASYNC_READ | FUSE_CAP_ASYNC_DIO);
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
	/* FUSE over io_uring if VFSD_FUSE_URING=1 (uring.c). */
	vfsd_fuse_uring_tune(fu, conn);
}

/* The capability bits of libfuse 3.14's fuse_common.h, by name. */
static const struct { unsigned int cap; const char *name; } cap_names[] = {
	{ FUSE_CAP_ASYNC_READ, "async_read" },
	{ FUSE_CAP_POSIX_LOCKS, "posix_locks" },
	{ FUSE_CAP_ATOMIC_O_TRUNC, "atomic_o_trunc" },
	{ FUSE_CAP_EXPORT_SUPPORT, "export_support" },
	{ FUSE_CAP_DONT_MASK, "dont_mask" },
	{ FUSE_CAP_SPLICE_WRITE, "splice_write" },
	{ FUSE_CAP_SPLICE_MOVE, "splice_move" },
	{ FUSE_CAP_SPLICE_READ, "splice_read" },
	{ FUSE_CAP_FLOCK_LOCKS, "flock_locks" },
	{ FUSE_CAP_IOCTL_DIR, "ioctl_dir" },
	{ FUSE_CAP_AUTO_INVAL_DATA, "auto_inval_data" },
	{ FUSE_CAP_READDIRPLUS, "readdirplus" },
	{ FUSE_CAP_READDIRPLUS_AUTO, "readdirplus_auto" },
	{ FUSE_CAP_ASYNC_DIO, "async_dio" },
	{ FUSE_CAP_WRITEBACK_CACHE, "writeback_cache" },
	{ FUSE_CAP_NO_OPEN_SUPPORT, "no_open_support" },
	{ FUSE_CAP_PARALLEL_DIROPS, "parallel_dirops" },
	{ FUSE_CAP_POSIX_ACL, "posix_acl" },
	{ FUSE_CAP_HANDLE_KILLPRIV, "handle_killpriv" },
	{ FUSE_CAP_CACHE_SYMLINKS, "cache_symlinks" },
	{ FUSE_CAP_NO_OPENDIR_SUPPORT, "no_opendir_support" },
	{ FUSE_CAP_EXPLICIT_INVAL_DATA, "explicit_inval_data" },
#ifdef FUSE_CAP_EXPIRE_ONLY
	{ FUSE_CAP_EXPIRE_ONLY, "expire_only" },
#endif
#ifdef FUSE_CAP_SETXATTR_EXT
	{ FUSE_CAP_SETXATTR_EXT, "setxattr_ext" },
#endif
#ifdef FUSE_CAP_OVER_IO_URING	/* libfuse >= 3.18 */
	{ (unsigned int)FUSE_CAP_OVER_IO_URING, "over_io_uring" },
#endif
};

static void put_caps(FILE *out, const char *what, unsigned int caps)
{
	const char *sep = "";
	size_t i;

	fprintf(out, "%s 0x%x ", what, caps);
	for (i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++) {
		if (caps & cap_names[i].cap) {
			fprintf(out, "%s%s", sep, cap_names[i].name);
			sep = ",";
			caps &= ~cap_names[i].cap;
		}
	}
	if (caps)
		fprintf(out, "%s0x%x", sep, caps);
	if (!*sep && !caps)
		fputc('-', out);
	fputc('\n', out);
}

VFSD_API void vfsd_session_stats(struct vfsd_session *s, FILE *out)
{
	struct vfsd_fuse *fu = s->fuse;

	if (!fu) {
		/* The module maps file pages into the window: no copy here. */
		fprintf(out, "transport vfsd\nxport_copy_read 0\n"
			"xport_copy_write 0\n");
		return;
	}
	fprintf(out, "transport fuse\nfuse_splice %d\n", fu->splice);
	/*
	 * io_uring asked (VFSD_FUSE_URING=1), and the requests that came as
	 * io_uring completions and as reads of /dev/fuse (libfuse's
	 * fuse_req_is_uring()): the proof of which way they went. FORGET,
	 * RELEASE and INIT are not counted (no worker serves them).
	 */
	fprintf(out, "fuse_uring %d\nfuse_requests_uring %llu\n"
		"fuse_requests_dev %llu\n", fu->uring,
		(unsigned long long)__atomic_load_n(&fu->reqs_uring, __ATOMIC_RELAXED),
		(unsigned long long)__atomic_load_n(&fu->reqs_dev, __ATOMIC_RELAXED));
	/*
	 * capable: what libfuse offers (kernel INIT flags plus its own
	 * splice support); requested: what tune.c asked; want: what
	 * went back to the kernel (libfuse's defaults included). refused:
	 * asked for, not capable: want() dropped it without a word.
	 */
	put_caps(out, "fuse_capable", fu->capable);
	put_caps(out, "fuse_requested", fu->requested);
	put_caps(out, "fuse_want", fu->want);
	put_caps(out, "fuse_refused", fu->requested & ~fu->capable);
	fprintf(out, "xport_copy_read %llu\nxport_copy_write %llu\n"
		"xport_copy_write_spliced %llu\n",
		(unsigned long long)__atomic_load_n(&fu->copy_read, __ATOMIC_RELAXED),
		(unsigned long long)__atomic_load_n(&fu->copy_write, __ATOMIC_RELAXED),
		(unsigned long long)__atomic_load_n(&fu->copy_write_spliced,
						    __ATOMIC_RELAXED));
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
