/* SPDX-License-Identifier: MIT */
/* The fpga backend's command-line options, hooked into cli/options.c. */
#ifndef VFSD_SERVER_OPTIONS_FPGA_H
#define VFSD_SERVER_OPTIONS_FPGA_H

#include <stdio.h>

#include "backends/backend.h"

/* getopt_long codes of ours, above cli/options.c's own. */
enum {
	OPT_FPGA_DRIVER = 1024, OPT_FPGA_CARD, OPT_FPGA_H2C, OPT_FPGA_C2H,
	OPT_FPGA_FORMAT, OPT_FPGA_DMA_TIMEOUT,
};
#define OPT_FPGA_FIRST	OPT_FPGA_DRIVER
#define OPT_FPGA_LAST	OPT_FPGA_DMA_TIMEOUT

#define FPGA_LONG_OPTS \
	{ "driver", required_argument, NULL, OPT_FPGA_DRIVER }, \
	{ "card", required_argument, NULL, OPT_FPGA_CARD }, \
	{ "h2c", required_argument, NULL, OPT_FPGA_H2C }, \
	{ "c2h", required_argument, NULL, OPT_FPGA_C2H }, \
	{ "format", no_argument, NULL, OPT_FPGA_FORMAT }, \
	{ "dma-timeout", required_argument, NULL, OPT_FPGA_DMA_TIMEOUT }

/* One of ours: 0, or -1 after one line on stderr. Sets cfg->fpga. */
int fpga_parse_option(int code, const char *arg, struct backend_config *cfg);
void fpga_usage(FILE *out);

#endif /* VFSD_SERVER_OPTIONS_FPGA_H */
