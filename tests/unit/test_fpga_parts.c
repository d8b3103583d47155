// SPDX-License-Identifier: MIT
/*
 * The fpga backend's parts: the allocator and extent streams on a RAM
 * card (fragmentation, contiguous allocation, ENOSPC all or nothing), the
 * xdma driver against regular files standing in for its channels, and
 * the DMA failure paths: the qemu driver on a fake sysfs whose edu never
 * finishes (timeout) or without bus addresses, an xdma channel that comes
 * back short, each ending in EIO, also through the backend's READ/WRITE.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "backends/fpga/fpga.h"
#include "fk_ops.h"
#include "fk_session.h"
#include "cli/options.h"

#define BS	FPGA_BLOCK

static struct fpga_layout *ram_card(uint64_t size, struct fpga_dev **dev)
{
	struct fpga_config cfg = { .driver = "mem" };
	struct fpga_layout *L;

	assert_int_equal(fpga_dev_open(&cfg, size, dev), 0);
	assert_int_equal(fpga_layout_open(*dev, 0, 0, &L), 0);
	assert_int_equal(fpga_slots_rebuild(L), 0);
	assert_int_equal(fpga_layout_mounted(L), 0);
	return L;
}

static void fill(char *buf, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (char)(i * 7 + seed);
}

static void test_alloc_fragmentation(void **state)
{
	static char buf[64 * BS], back[64 * BS];
	struct fpga_stream s[8], big;
	struct fpga_dev *dev;
	struct fpga_layout *L = ram_card(2u << 20, &dev);
	uint64_t total = L->sb.data_blocks, size[8] = { 0 }, bsize = 0, free0;
	uint64_t start;
	unsigned int i, round;

	(void)state;
	free0 = fpga_blocks_free_count(L);
	assert_int_equal(free0, total);
	/* Eight files grown a block at a time, interleaved: fragments. */
	for (i = 0; i < 8; i++)
		fpga_stream_init(&s[i], L, i, 0);
	for (round = 0; round < 16; round++)
		for (i = 0; i < 8; i++) {
			fill(buf, BS, i + round);
			assert_int_equal(fpga_stream_write(&s[i], &size[i], buf,
							   BS, round * BS), 0);
		}
	assert_int_equal(fpga_blocks_free_count(L), free0 - 128);
	/* Each grew right after its own last block where it could. */
	for (i = 0; i < 8; i++)
		assert_true(s[i].n >= 1 && s[i].n <= 16);
	/* Free every other file: 64 free blocks, none 17 long in a row. */
	for (i = 0; i < 8; i += 2)
		fpga_stream_free(&s[i]);
	/* Use up the big free tail so only the holes are left. */
	fpga_stream_init(&big, L, 9, 0);
	{
		uint64_t tail = fpga_blocks_free_count(L) - 64, got;

		while (tail) {
			got = fpga_blocks_alloc(L, 0, tail, &start);
			assert_true(got > 0);
			tail -= got;
		}
	}
	assert_int_equal(fpga_blocks_free_count(L), 64);
	/* A contiguous run of 32 does not exist; 64 scattered blocks do. */
	assert_int_equal(fpga_blocks_alloc_contig(L, 32, &start), -ENOSPC);
	fill(buf, sizeof(buf), 99);
	assert_int_equal(fpga_stream_write(&big, &bsize, buf, sizeof(buf), 0), 0);
	assert_true(big.n > 1);		/* in pieces */
	assert_int_equal(fpga_stream_read(&big, back, sizeof(back), 0), 0);
	assert_memory_equal(back, buf, sizeof(buf));
	/* Full: one more block is ENOSPC, and nothing changed. */
	assert_int_equal(fpga_blocks_free_count(L), 0);
	assert_int_equal(fpga_stream_write(&big, &bsize, buf, BS, bsize), -ENOSPC);
	assert_int_equal(bsize, sizeof(buf));
	/* Punch a middle block: it comes back, the rest reads the same. */
	assert_int_equal(fpga_stream_punch(&big, bsize, 10 * BS, BS), 0);
	assert_int_equal(fpga_blocks_free_count(L), 1);
	memset(buf + 10 * BS, 0, BS);
	assert_int_equal(fpga_stream_read(&big, back, sizeof(back), 0), 0);
	assert_memory_equal(back, buf, sizeof(buf));
	assert_int_equal(fpga_stream_seek(&big, bsize, 5 * BS, SEEK_HOLE),
			 10 * BS);
	assert_int_equal(fpga_stream_seek(&big, bsize, 10 * BS, SEEK_DATA),
			 11 * BS);
	/* Truncate to a partial block: the tail reads as zeros after growth. */
	assert_int_equal(fpga_stream_truncate(&big, &bsize, 100), 0);
	bsize = 2 * BS;
	assert_int_equal(fpga_stream_read(&big, back, BS, 0), 0);
	assert_memory_equal(back, buf, 100);
	for (i = 100; i < BS; i++)
		assert_int_equal(back[i], 0);
	fpga_stream_free(&big);
	for (i = 1; i < 8; i += 2)
		fpga_stream_free(&s[i]);
	assert_int_equal(fpga_layout_close(L), 0);
	fpga_dev_close(dev);
}

/* Out of extent records is ENOSPC too, before anything is written. */
static void test_extent_records_run_out(void **state)
{
	static char buf[BS];
	struct fpga_dev *dev;
	struct fpga_config cfg = { .driver = "mem" };
	struct fpga_geometry g = { .inode_count = 64, .dirent_count = 64,
				   .extent_count = 4 };
	struct fpga_layout *L;
	struct fpga_stream s;
	uint64_t size = 0, free0;

	(void)state;
	assert_int_equal(fpga_dev_open(&cfg, 1u << 20, &dev), 0);
	assert_int_equal(fpga_layout_format(dev, &g, 0, 0), 0);
	assert_int_equal(fpga_layout_open(dev, 0, 0, &L), 0);
	fpga_slots_rebuild(L);
	fpga_stream_init(&s, L, 0, 0);
	free0 = fpga_blocks_free_count(L);
	/* Every other block: each write needs its own extent. */
	assert_int_equal(fpga_stream_write(&s, &size, buf, BS, 0), 0);
	assert_int_equal(fpga_stream_write(&s, &size, buf, BS, 2 * BS), 0);
	assert_int_equal(fpga_stream_write(&s, &size, buf, BS, 4 * BS), 0);
	assert_int_equal(fpga_stream_write(&s, &size, buf, BS, 6 * BS), 0);
	assert_int_equal(fpga_stream_write(&s, &size, buf, BS, 8 * BS), -ENOSPC);
	assert_int_equal(size, 7 * BS);
	assert_int_equal(fpga_blocks_free_count(L), free0 - 4);
	/* Truncating gives records back: the write fits now. */
	assert_int_equal(fpga_stream_truncate(&s, &size, BS), 0);
	assert_int_equal(fpga_stream_write(&s, &size, buf, BS, 8 * BS), 0);
	fpga_stream_free(&s);
	fpga_layout_close(L);
	fpga_dev_close(dev);
}

static char h2c[] = "/tmp/vfsd-xdma-XXXXXX";

static void test_xdma_regular_files(void **state)
{
	struct fpga_config cfg = { .driver = "xdma", .h2c = h2c, .c2h = h2c };
	static char a[1 << 20], b[1 << 20], back[sizeof(a)];
	struct fpga_seg segs[2] = {
		{ a, 4096, sizeof(a) }, { b, 3u << 20, sizeof(b) },
	};
	struct fpga_dev *dev;
	int fd = mkstemp(h2c);

	(void)state;
	assert_int_equal(ftruncate(fd, 8u << 20), 0);
	assert_int_equal(fpga_dev_open(&cfg, 0, &dev), 0);
	assert_int_equal(dev->size, 8u << 20);	/* a file knows its size */
	assert_null(dev->ops->map(dev, 0, 4096));
	fill(a, sizeof(a), 1);
	fill(b, sizeof(b), 2);
	/* 2 MiB in 256 KiB chunks, several in flight. */
	assert_int_equal(dev->ops->transfer(dev, FPGA_TO_CARD, segs, 2), 0);
	assert_int_equal(pread(fd, back, sizeof(a), 4096), sizeof(a));
	assert_memory_equal(back, a, sizeof(a));
	assert_int_equal(pread(fd, back, sizeof(b), 3u << 20), sizeof(b));
	assert_memory_equal(back, b, sizeof(b));
	memset(back, 0, sizeof(back));
	assert_int_equal(fpga_transfer(dev, FPGA_FROM_CARD, back, 3u << 20,
				       sizeof(b)), 0);
	assert_memory_equal(back, b, sizeof(b));
	/* Past the card: refused. */
	assert_int_equal(fpga_transfer(dev, FPGA_FROM_CARD, back, 8u << 20, 1),
			 -EIO);
	assert_int_equal(dev->ops->flush(dev), 0);
	fpga_dev_close(dev);

	/* A channel that comes back short (the card said less) is EIO. */
	cfg.size = 16u << 20;
	assert_int_equal(fpga_dev_open(&cfg, 0, &dev), 0);
	assert_int_equal(fpga_transfer(dev, FPGA_FROM_CARD, back,
				       (8u << 20) - 4096, 8192), -EIO);
	fpga_dev_close(dev);
	close(fd);
	unlink(h2c);
}

/* A fake /sys/bus/pci/devices with an ivshmem and an edu that never ends. */
static char sysfs[] = "/tmp/vfsd-sysfs-XXXXXX";

static void put(const char *dev, const char *file, const char *text,
		size_t size)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", sysfs, dev);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", sysfs, dev, file);
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
	assert_true(fd >= 0);
	if (text)
		assert_int_equal(write(fd, text, strlen(text)), strlen(text));
	if (size)
		assert_int_equal(ftruncate(fd, (off_t)size), 0);
	close(fd);
}

static void fake_sysfs(void)
{
	assert_non_null(mkdtemp(sysfs));
	put("0000:00:04.0", "vendor", "0x1af4\n", 0);
	put("0000:00:04.0", "device", "0x1110\n", 0);
	put("0000:00:04.0", "config", NULL, 256);
	put("0000:00:04.0", "enable", NULL, 0);
	put("0000:00:04.0", "resource",
	    "0x00000000fe000000 0x00000000fe0000ff 0x0000000000040200\n"
	    "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	    "0x0000000800000000 0x00000008003fffff 0x000000000014220c\n", 0);
	put("0000:00:04.0", "resource2", NULL, 4u << 20);
	put("0000:00:05.0", "vendor", "0x1234\n", 0);
	put("0000:00:05.0", "device", "0x11e8\n", 0);
	put("0000:00:05.0", "config", NULL, 256);
	put("0000:00:05.0", "enable", NULL, 0);
	put("0000:00:05.0", "resource0", NULL, 1u << 20);
}

static void rm_sysfs(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", sysfs);
	assert_int_equal(system(cmd), 0);
	strcpy(sysfs, "/tmp/vfsd-sysfs-XXXXXX");
}

static int fake_addrs(void *ctx, const void *buf, size_t len, uint64_t *addrs,
		      unsigned int max)
{
	unsigned int i, n = (unsigned int)(((uintptr_t)buf & 4095) + len + 4095) / 4096;

	(void)ctx;
	for (i = 0; i < n && i < max; i++)
		addrs[i] = 0x100000 + i * 4096;
	return (int)i;
}

/* Is bus mastering on in the fake edu's config space? */
static bool edu_master_on(void)
{
	char path[600];
	uint16_t cmd;
	int fd;

	snprintf(path, sizeof(path), "%s/0000:00:05.0/config", sysfs);
	fd = open(path, O_RDONLY);
	assert_int_equal(pread(fd, &cmd, 2, 4), 2);
	close(fd);
	return cmd & 0x4;
}

static void test_qemu_dma_fails_cleanly(void **state)
{
	struct fpga_config cfg = { .driver = "qemu", .sysfs = sysfs,
				   .timeout_ms = 50 };
	static char buf[8192];
	struct fpga_dev *dev;
	uint64_t run;
	char path[600];
	int fd;

	(void)state;
	fake_sysfs();
	assert_int_equal(fpga_dev_open(&cfg, 0, &dev), 0);
	assert_int_equal(dev->size, 4u << 20);
	/* Bus mastering on for the engine. */
	assert_true(edu_master_on());
	/* Metadata goes through the BAR mapping. */
	assert_non_null(dev->ops->map(dev, 0, 4096));
	/* No bus addresses for the window (the module's ioctl is missing). */
	assert_int_equal(fpga_transfer(dev, FPGA_TO_CARD, buf, 0, sizeof(buf)),
			 -EIO);
	/* With them, an engine that never finishes: a timeout, EIO. */
	dev->dma_addrs = fake_addrs;
	assert_int_equal(fpga_transfer(dev, FPGA_FROM_CARD, buf, 0, sizeof(buf)),
			 -EIO);
	/* The late DMA must reach nothing: bus mastering is off now... */
	assert_false(edu_master_on());
	/* ...and stays off: the engine is not programmed again. */
	snprintf(path, sizeof(path), "%s/0000:00:05.0/resource0", sysfs);
	fd = open(path, O_RDWR);
	assert_int_equal(pwrite(fd, &(uint64_t){ 0 }, 8, 0x98), 8);
	assert_int_equal(fpga_transfer(dev, FPGA_TO_CARD, buf, 0, sizeof(buf)),
			 -EIO);
	assert_int_equal(pread(fd, &run, 8, 0x98), 8);
	close(fd);
	assert_int_equal(run, 0);
	fpga_dev_close(dev);
	/* The engine went idle: a new server turns bus mastering back on. */
	assert_int_equal(fpga_dev_open(&cfg, 0, &dev), 0);
	assert_true(edu_master_on());
	fpga_dev_close(dev);
	/* A BDF that is not an ivshmem device: refused in one line. */
	cfg.card = "0000:00:05.0";
	assert_int_equal(fpga_dev_open(&cfg, 0, &dev), -ENODEV);
	rm_sysfs();
	cfg.card = NULL;
	cfg.sysfs = "/nonexistent";
	assert_int_equal(fpga_dev_open(&cfg, 0, &dev), -ENODEV);
}

/* Each failing step of the qemu driver's open undoes what came before it. */
static void test_qemu_open_fails_cleanly(void **state)
{
	struct fpga_config cfg = { .driver = "qemu", .sysfs = sysfs,
				   .timeout_ms = 50 };
	struct fpga_dev *dev = NULL;
	char path[600];
	int fds;

	(void)state;
	fake_sysfs();
	fds = fk_open_fds();
	/* The edu's BAR cannot be mapped: the card's BAR2 is unmapped again. */
	snprintf(path, sizeof(path), "%s/0000:00:05.0/resource0", sysfs);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(fpga_dev_open(&cfg, 0, &dev), -ENODEV);
	assert_null(dev);
	assert_int_equal(fk_open_fds(), fds);
	/* The edu cannot be enabled: its config space is not kept open. */
	snprintf(path, sizeof(path), "%s/0000:00:05.0/config", sysfs);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(fpga_dev_open(&cfg, 0, &dev), -ENODEV);
	assert_null(dev);
	assert_int_equal(fk_open_fds(), fds);
	rm_sysfs();
}

/* Through the backend: the filesystem works, file data fails with EIO. */
static void test_backend_eio(void **state)
{
	struct fpga_config fc = { .driver = "qemu", .sysfs = sysfs,
				  .timeout_ms = 20 };
	struct backend_config cfg = { .attr_timeout = 1, .entry_timeout = 1,
				      .fpga = &fc };
	static char buf[4096];
	struct vfsd_create_out c;
	struct fake_kernel k;
	struct vfsd_session *s;
	void *state_;

	(void)state;
	fake_sysfs();
	assert_int_equal(backend_fpga.create(&cfg, &state_), 0);
	s = vfsd_session_new(backend_fpga.ops, sizeof(*backend_fpga.ops), NULL,
			     state_);
	fk_init(&k, s, 8, 0, FK_LAYOUT_KERNEL);
	assert_int_equal(fko_create(&k, VFSD_ROOT_INO, "f", S_IFREG | 0644,
				    O_CREAT | O_RDWR, &c), 0);
	assert_int_equal(fko_write(&k, c.entry.nodeid, 0, buf, sizeof(buf), 0),
			 -EIO);
	/* Space made by fallocate reads by DMA too: EIO, no hang. */
	assert_int_equal(fko_fallocate(&k, c.entry.nodeid, 0, 0, 0, 8192), 0);
	assert_int_equal(fko_read(&k, c.entry.nodeid, 0, buf, sizeof(buf), 0),
			 -EIO);
	fk_fini(&k);
	vfsd_session_destroy(s);
	backend_fpga.destroy(state_);
	rm_sysfs();
}

static void test_options(void **state)
{
	char *ok[] = { "vfsd-server", "--backend=fpga", "--driver=xdma",
		       "--h2c=/dev/a", "--c2h=/dev/b", "--size=1G", "--format",
		       "/mnt", NULL };
	char *plain[] = { "vfsd-server", "--backend=fpga", "/mnt", NULL };
	char *bad[] = { "vfsd-server", "--backend=fpga", "--driver=pcie",
			"/mnt", NULL };
	struct server_opts o;

	(void)state;
	assert_int_equal(server_parse_args(8, ok, &o), 0);
	assert_non_null(o.cfg.fpga);
	assert_string_equal(o.cfg.fpga->driver, "xdma");
	assert_string_equal(o.cfg.fpga->h2c, "/dev/a");
	assert_string_equal(o.cfg.fpga->c2h, "/dev/b");
	assert_true(o.cfg.fpga->format);
	assert_int_equal(o.cfg.size, 1ull << 30);
	/* Nothing given: no fpga config, the backend's defaults (qemu). */
	assert_int_equal(server_parse_args(3, plain, &o), 0);
	assert_null(o.cfg.fpga);
	assert_int_equal(server_parse_args(4, bad, &o), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_fragmentation),
		cmocka_unit_test(test_extent_records_run_out),
		cmocka_unit_test(test_xdma_regular_files),
		cmocka_unit_test(test_qemu_dma_fails_cleanly),
		cmocka_unit_test(test_qemu_open_fails_cleanly),
		cmocka_unit_test(test_backend_eio),
		cmocka_unit_test(test_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
