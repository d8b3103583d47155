/* SPDX-License-Identifier: MIT */
/*
 * O_DIRECT between the source and the window (-o source_dio): with the
 * source on a block device, a READ or WRITE moves its aligned part by the
 * disk's DMA straight into or out of the pages the module handed over
 * (pinnable pages, VFSD_SETUP_PIN), no CPU copy in the host kernel. The
 * unaligned tail (the last partial block of a file) stays buffered.
 */
#ifndef VFSD_SERVER_DIR_DIRECT_H
#define VFSD_SERVER_DIR_DIRECT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "backends/backend.h"

struct dir_file;

/* Should a source at fd (its directory) be read and written O_DIRECT? */
bool dir_direct_wanted(enum source_dio mode, int fd);
/*
 * How many leading bytes of an I/O of size bytes at off into buf can go
 * through f->direct_fd: 0, or a multiple of the file's alignment. Opens
 * f's O_DIRECT twin on first use.
 */
size_t dir_direct_span(struct dir_file *f, const void *buf, size_t size,
		       off_t off);

#endif /* VFSD_SERVER_DIR_DIRECT_H */
