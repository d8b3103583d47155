// SPDX-License-Identifier: MIT
/* Picking the fpga driver by name; the data counters. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <vfsd/vfsd.h>

#include "fpga/driver.h"

int fpga_dev_open(const struct fpga_config *cfg, uint64_t default_size,
		  struct fpga_dev **dev)
{
	const char *name = cfg->driver ? cfg->driver : "qemu";
	uint64_t size = cfg->size ? cfg->size : default_size;

	if (!strcmp(name, "mem"))
		return fpga_drv_mem_open(cfg, size ? size : FPGA_DEFAULT_MEM_SIZE,
					 dev);
	if (!strcmp(name, "xdma"))
		return fpga_drv_xdma_open(cfg, size, dev);
	if (!strcmp(name, "qemu"))
		return fpga_drv_qemu_open(cfg, dev);
	vfsd_log(VFSD_LOG_ERR, "unknown fpga driver '%s': mem, xdma or qemu",
		 name);
	return -EINVAL;
}

void fpga_stats_add(struct fpga_dev *dev, enum fpga_dir dir, uint64_t len,
		    int err)
{
	uint64_t *bytes = dev->ops->by_cpu ? dev->stats.cpu_bytes
					   : dev->stats.dma_bytes;

	if (err)
		__atomic_fetch_add(&dev->stats.errors, 1, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(&bytes[dir], len, __ATOMIC_RELAXED);
}

static void put(FILE *out, const char *name, const uint64_t *counter)
{
	fprintf(out, "%s %" PRIu64 "\n", name,
		__atomic_load_n(counter, __ATOMIC_RELAXED));
}

void fpga_stats_print(const struct fpga_dev *dev, FILE *out)
{
	const struct fpga_stats *st = &dev->stats;

	fprintf(out, "driver %s\n", dev->ops->name);
	put(out, "data_dma_to_card", &st->dma_bytes[FPGA_TO_CARD]);
	put(out, "data_dma_from_card", &st->dma_bytes[FPGA_FROM_CARD]);
	put(out, "data_cpu_to_card", &st->cpu_bytes[FPGA_TO_CARD]);
	put(out, "data_cpu_from_card", &st->cpu_bytes[FPGA_FROM_CARD]);
	put(out, "transfer_errors", &st->errors);
}
