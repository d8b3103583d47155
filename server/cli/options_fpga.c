// SPDX-License-Identifier: MIT
/*
 * The fpga backend's options: --driver=mem|xdma|qemu, --card=PATH|BDF,
 * --h2c/--c2h=PATH (xdma), --format, --dma-timeout=MS. --size comes from
 * cli/options.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fpga/driver.h"
#include "cli/options_fpga.h"

/* One parse at a time (the server parses once, tests in sequence). */
static struct fpga_config fpga_cfg;

int fpga_parse_option(int code, const char *arg, struct backend_config *cfg)
{
	if (!cfg->fpga)
		memset(&fpga_cfg, 0, sizeof(fpga_cfg));
	cfg->fpga = &fpga_cfg;
	switch (code) {
	case OPT_FPGA_DRIVER:
		if (strcmp(arg, "mem") && strcmp(arg, "xdma") &&
		    strcmp(arg, "qemu")) {
			fprintf(stderr, "vfsd: unknown driver '%s': mem, xdma "
				"or qemu (see --help)\n", arg);
			return -1;
		}
		fpga_cfg.driver = arg;
		break;
	case OPT_FPGA_CARD:
		fpga_cfg.card = arg;
		break;
	case OPT_FPGA_H2C:
		fpga_cfg.h2c = arg;
		break;
	case OPT_FPGA_C2H:
		fpga_cfg.c2h = arg;
		break;
	case OPT_FPGA_FORMAT:
		fpga_cfg.format = true;
		break;
	case OPT_FPGA_DMA_TIMEOUT: {
		char *end;
		unsigned long ms;

		errno = 0;
		ms = strtoul(arg, &end, 10);
		if (errno || end == arg || *end || *arg == '-' || !ms ||
		    ms > 600000) {
			fprintf(stderr, "vfsd: bad DMA timeout '%s': 1..600000 "
				"milliseconds (see --help)\n", arg);
			return -1;
		}
		fpga_cfg.timeout_ms = (unsigned int)ms;
		break;
	}
	}
	return 0;
}

void fpga_usage(FILE *out)
{
	fputs(
"fpga backend (docs/fpga.md):\n"
"  --driver=NAME      qemu (default: ivshmem-plain + edu, found by PCI id),\n"
"                     xdma (XDMA character devices), mem (RAM or a file)\n"
"  --card=PATH|BDF    mem: card file (MAP_SHARED; RAM if none);\n"
"                     qemu: the ivshmem device's PCI address\n"
"  --h2c=PATH --c2h=PATH  xdma channels (default /dev/xdma0_h2c_0, c2h_0)\n"
"  --size=BYTES       mem: card size (default 256M); xdma: card memory size\n"
"  --format           write a new, empty filesystem on the card\n"
"  --dma-timeout=MS   qemu: a DMA that takes longer fails with EIO and\n"
"                     disables the engine until restart (default 5000)\n", out);
}
