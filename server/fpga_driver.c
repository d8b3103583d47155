// SPDX-License-Identifier: MIT
/* Picking the fpga driver by name. */
#include <errno.h>
#include <string.h>

#include <vfsd/vfsd.h>

#include "fpga_driver.h"

int fpga_dev_open(const struct fpga_config *cfg, uint64_t default_size,
		  struct fpga_dev **dev)
{
	const char *name = cfg->driver ? cfg->driver : "qemu";
	uint64_t size = cfg->size ? cfg->size : default_size;

	if (!strcmp(name, "mem"))
		return fpga_drv_mem_open(cfg, size ? size : FPGA_DEFAULT_MEM_SIZE,
					 dev);
	if (!strcmp(name, "xdma"))
		return fpga_drv_xdma_open(cfg, dev);
	if (!strcmp(name, "qemu"))
		return fpga_drv_qemu_open(cfg, dev);
	vfsd_log(VFSD_LOG_ERR, "unknown fpga driver '%s': mem, xdma or qemu",
		 name);
	return -EINVAL;
}
