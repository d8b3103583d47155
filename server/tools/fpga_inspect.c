// SPDX-License-Identifier: MIT
/*
 * vfsd-fpga-inspect: print what a card holds, read-only, straight from
 * its tables, so a test can check bytes on the card behind the server:
 *
 *   super <card_size> <data_off> <data_blocks> <generation> <clean|mounted>
 *   inode <nodeid> <mode octal> <nlink> <size> [direct]
 *   name  <parent nodeid> <child nodeid> <name>
 *   extent <nodeid> <stream> <file byte offset> <card byte offset> <bytes>
 *
 * Usage: vfsd-fpga-inspect --card=FILE (mem driver), or any --driver,
 * --card, --h2c, --c2h, --size as vfsd-server takes them.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fpga/layout.h"
#include "common/parse_size.h"

static void print_tables(struct fpga_layout *L)
{
	const struct fpga_super *sb = &L->sb;
	uint64_t *nodeid = calloc(sb->inode_count, sizeof(*nodeid));
	uint32_t i;

	printf("super %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %s\n",
	       sb->card_size, sb->data_off, sb->data_blocks, sb->generation,
	       sb->state == FPGA_STATE_CLEAN ? "clean" : "mounted");
	for (i = 0; i < sb->inode_count; i++) {
		struct fpga_dinode d;

		if (fpga_inode_get(L, i, &d))
			continue;
		if (nodeid)
			nodeid[i] = d.nodeid;
		printf("inode %" PRIu64 " %o %u %" PRIu64 "%s\n", d.nodeid,
		       d.mode, d.nlink, d.size,
		       d.flags & FPGA_INO_DIRECT ? " direct" : "");
	}
	for (i = 0; i < sb->dirent_count; i++) {
		struct fpga_ddirent d;

		if (!fpga_dirent_get(L, i, &d))
			printf("name %" PRIu64 " %" PRIu64 " %s\n", d.parent,
			       d.child, d.name);
	}
	for (i = 0; i < sb->extent_count; i++) {
		struct fpga_dextent d;

		if (fpga_extent_get(L, i, &d) || !nodeid)
			continue;
		printf("extent %" PRIu64 " %u %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
		       nodeid[d.owner - 1], d.stream, d.file_block * FPGA_BLOCK,
		       fpga_block_off(L, d.card_block),
		       (uint64_t)d.count * FPGA_BLOCK);
	}
	free(nodeid);
}

static void usage(FILE *out)
{
	fputs("usage: vfsd-fpga-inspect [--driver=mem|xdma|qemu] [--card=FILE|BDF]\n"
	      "                         [--h2c=PATH --c2h=PATH] [--size=BYTES]\n"
	      "Print the vfsd filesystem on an FPGA card, read-only: the superblock,\n"
	      "the inodes and each file's extents in card memory. The options name\n"
	      "the card as vfsd-server's fpga backend does (default driver mem,\n"
	      "which needs --card=FILE); sizes take K/M/G/T suffixes.\n"
	      "Output lines:\n"
	      "  super CARD_SIZE DATA_OFF DATA_BLOCKS GENERATION clean|mounted\n"
	      "  inode NODEID MODE NLINK SIZE [direct]\n"
	      "  name PARENT CHILD NAME\n"
	      "  extent NODEID STREAM FILE_OFF CARD_OFF LENGTH\n", out);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "driver", required_argument, NULL, 'D' },
		{ "card", required_argument, NULL, 'c' },
		{ "h2c", required_argument, NULL, 'H' },
		{ "c2h", required_argument, NULL, 'C' },
		{ "size", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct fpga_config cfg = { .driver = "mem" };
	struct fpga_layout *L;
	struct fpga_dev *dev;
	int c, err;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'D': cfg.driver = optarg; break;
		case 'c': cfg.card = optarg; break;
		case 'H': cfg.h2c = optarg; break;
		case 'C': cfg.c2h = optarg; break;
		case 's':
			if (parse_size(optarg, &cfg.size) < 0) {
				fprintf(stderr, "vfsd-fpga-inspect: bad size '%s' (bytes, K/M/G/T suffixes)\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vfsd-fpga-inspect: unexpected argument '%s'\n",
			argv[optind]);
		return 2;
	}
	if (!strcmp(cfg.driver, "mem") && !cfg.card) {
		fprintf(stderr, "vfsd-fpga-inspect: which card? --card=FILE\n");
		return 2;
	}
	err = fpga_dev_open(&cfg, 0, &dev);
	if (err)
		return 1;
	/* A blank card would be formatted by open: refuse to touch it. */
	err = fpga_layout_open_ro(dev, &L);
	if (err) {
		fprintf(stderr, "vfsd-fpga-inspect: %s: %s\n", dev->desc,
			err == -ENODATA ? "no vfsd filesystem" : strerror(-err));
		fpga_dev_close(dev);
		return 1;
	}
	print_tables(L);
	fpga_layout_free(L);
	fpga_dev_close(dev);
	return 0;
}
