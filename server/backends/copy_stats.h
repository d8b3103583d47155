/* SPDX-License-Identifier: MIT */
/*
 * File bytes a backend copies with the CPU, per direction, for --stats:
 * the mem backend's memcpy between its pool and the request's buffer (the
 * module's window or the FUSE transport's buffer), the dir backend's
 * pread/pwrite (a copy the host kernel makes in the server's thread). The
 * fpga backend counts DMA and CPU moves apart (fpga/driver.h).
 */
#ifndef VFSD_SERVER_COPY_STATS_H
#define VFSD_SERVER_COPY_STATS_H

#include <stdint.h>
#include <stdio.h>

/*
 * COPY_BOUNCE: bytes the dir backend copied once more through a buffer of
 * its own because the window's pages could not be pinned by the source's
 * read path (9p, NFS, FUSE direct I/O without VFSD_SETUP_PIN).
 * COPY_DEV_READ/WRITE: bytes the dir backend's source disk moved by DMA
 * straight into or out of the request's pages (O_DIRECT), no CPU copy.
 * COPY_DEV_FIXED: of those, the bytes that reached the pages as a
 * registered io_uring buffer (no window mapping, no pin).
 */
enum copy_dir { COPY_READ, COPY_WRITE, COPY_BOUNCE, COPY_DEV_READ,
		COPY_DEV_WRITE, COPY_DEV_FIXED, COPY_NR };

struct copy_stats {
	uint64_t bytes[COPY_NR];	/* [COPY_READ]: into replies; [COPY_WRITE]: from requests */
};

static inline void copy_stats_add(struct copy_stats *c, enum copy_dir d,
				  uint64_t n)
{
	__atomic_fetch_add(&c->bytes[d], n, __ATOMIC_RELAXED);
}

static inline uint64_t copy_stats_get(const struct copy_stats *c,
				      enum copy_dir d)
{
	return __atomic_load_n(&c->bytes[d], __ATOMIC_RELAXED);
}

/* "data_cpu_read N", "data_cpu_write N", "data_cpu_bounce N" lines. */
static inline void copy_stats_print(const struct copy_stats *c, FILE *out)
{
	fprintf(out, "data_cpu_read %llu\ndata_cpu_write %llu\ndata_cpu_bounce %llu\n",
		(unsigned long long)copy_stats_get(c, COPY_READ),
		(unsigned long long)copy_stats_get(c, COPY_WRITE),
		(unsigned long long)copy_stats_get(c, COPY_BOUNCE));
}

/* "data_dev_read N", "data_dev_write N", "data_dev_fixed N". */
static inline void copy_stats_print_dev(const struct copy_stats *c, FILE *out)
{
	fprintf(out, "data_dev_read %llu\ndata_dev_write %llu\ndata_dev_fixed %llu\n",
		(unsigned long long)copy_stats_get(c, COPY_DEV_READ),
		(unsigned long long)copy_stats_get(c, COPY_DEV_WRITE),
		(unsigned long long)copy_stats_get(c, COPY_DEV_FIXED));
}

#endif /* VFSD_SERVER_COPY_STATS_H */
