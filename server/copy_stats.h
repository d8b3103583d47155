/* SPDX-License-Identifier: MIT */
/*
 * File bytes a backend copies with the CPU, per direction, for --stats:
 * the mem backend's memcpy between its pool and the request's buffer (the
 * module's window or the FUSE transport's buffer), the dir backend's
 * pread/pwrite (a copy the host kernel makes in the server's thread). The
 * fpga backend counts DMA and CPU moves apart (fpga_driver.h).
 */
#ifndef VFSD_SERVER_COPY_STATS_H
#define VFSD_SERVER_COPY_STATS_H

#include <stdint.h>
#include <stdio.h>

enum copy_dir { COPY_READ, COPY_WRITE };

struct copy_stats {
	uint64_t bytes[2];	/* [COPY_READ]: into replies; [COPY_WRITE]: from requests */
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

/* "data_cpu_read N" and "data_cpu_write N" lines. */
static inline void copy_stats_print(const struct copy_stats *c, FILE *out)
{
	fprintf(out, "data_cpu_read %llu\ndata_cpu_write %llu\n",
		(unsigned long long)copy_stats_get(c, COPY_READ),
		(unsigned long long)copy_stats_get(c, COPY_WRITE));
}

#endif /* VFSD_SERVER_COPY_STATS_H */
