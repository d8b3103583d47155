// SPDX-License-Identifier: MIT
/*
 * The mem driver: card memory is a RAM buffer, or a file mapped
 * MAP_SHARED so a restart (or a test) finds what the last server left.
 * Transfers are memcpy; flush is msync.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vfsd/vfsd.h>

#include "fpga/driver.h"

struct mem_card {
	struct fpga_dev dev;
	char *base;
	bool file;
};

#define MC(d)	((struct mem_card *)(d))

static int mem_transfer(struct fpga_dev *dev, enum fpga_dir dir,
			const struct fpga_seg *segs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct fpga_seg *s = &segs[i];

		if (s->card > dev->size || s->len > dev->size - s->card)
			return -EIO;
		if (dir == FPGA_TO_CARD)
			memcpy(MC(dev)->base + s->card, s->buf, s->len);
		else
			memcpy(s->buf, MC(dev)->base + s->card, s->len);
	}
	return 0;
}

static void *mem_map(struct fpga_dev *dev, uint64_t off, size_t len)
{
	if (off > dev->size || len > dev->size - off)
		return NULL;
	return MC(dev)->base + off;
}

static int mem_flush(struct fpga_dev *dev)
{
	if (MC(dev)->file && msync(MC(dev)->base, dev->size, MS_SYNC) < 0)
		return -EIO;
	return 0;
}

static void mem_close(struct fpga_dev *dev)
{
	munmap(MC(dev)->base, dev->size);
	free(dev);
}

static const struct fpga_driver_ops mem_driver = {
	.name = "mem",
	.by_cpu = true,
	.transfer = mem_transfer,
	.map = mem_map,
	.flush = mem_flush,
	.close = mem_close,
};

/* The card file: its own size if it has one, else grown to size. */
static int map_file(struct mem_card *c, const char *path, uint64_t size)
{
	struct stat st;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600), err = 0;

	if (fd < 0 || fstat(fd, &st) < 0) {
		err = -errno;
		vfsd_log(VFSD_LOG_ERR, "card file %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return err;
	}
	if (st.st_size == 0 && ftruncate(fd, (off_t)size) < 0) {
		err = -errno;
		vfsd_log(VFSD_LOG_ERR, "card file %s: cannot grow to %llu bytes: %s",
			 path, (unsigned long long)size, strerror(errno));
		close(fd);
		return err;
	}
	if (st.st_size)
		size = (uint64_t)st.st_size;
	c->base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (c->base == MAP_FAILED) {
		err = -errno;
		vfsd_log(VFSD_LOG_ERR, "card file %s: mmap: %s", path,
			 strerror(errno));
		return err;
	}
	c->dev.size = size;
	c->file = true;
	snprintf(c->dev.desc, sizeof(c->dev.desc), "card file %s", path);
	return 0;
}

int fpga_drv_mem_open(const struct fpga_config *cfg, uint64_t size,
		      struct fpga_dev **dev)
{
	struct mem_card *c = calloc(1, sizeof(*c));
	int err = 0;

	if (!c)
		return -ENOMEM;
	c->dev.ops = &mem_driver;
	if (cfg->card) {
		err = map_file(c, cfg->card, size);
	} else {
		c->base = mmap(NULL, size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			       -1, 0);
		if (c->base == MAP_FAILED) {
			vfsd_log(VFSD_LOG_ERR, "cannot map %llu bytes of RAM card",
				 (unsigned long long)size);
			err = -ENOMEM;
		}
		c->dev.size = size;
		snprintf(c->dev.desc, sizeof(c->dev.desc), "RAM card");
	}
	if (err) {
		free(c);
		return err;
	}
	*dev = &c->dev;
	return 0;
}
