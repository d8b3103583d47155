// SPDX-License-Identifier: MIT
/*
 * The qemu driver: card memory is an ivshmem-plain device's BAR2
 * (PCI 1af4:1110), the DMA engine QEMU's edu device (1234:11e8), both
 * reached from userspace through sysfs: resource2 mmapped for CPU access
 * (metadata), resource0 mmapped for edu's registers, bus mastering set
 * in the config space. edu moves at most 4095 bytes at a time between a
 * bus address and its own 4 KiB buffer at device address 0x40000, so a
 * transfer is a chain of two DMAs per piece: host page <-> edu buffer
 * <-> ivshmem BAR (which edu reaches by its bus address). The host side
 * needs the bus addresses of the window pages: fpga_dev.dma_addrs.
 * Each DMA is polled to completion with a timeout; a timeout is EIO.
 * edu cannot abort a DMA, and one that finishes late would write a page
 * the module has since taken back: a timeout first turns off the engine's
 * bus mastering (so the late DMA goes nowhere), and every later transfer
 * fails until a restart. A new server waits for the engine to go idle
 * before it turns bus mastering back on.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <vfsd/vfsd.h>

#include "fpga/driver.h"

#define IVSHMEM_ID	"0x1af4 0x1110"
#define EDU_ID		"0x1234 0x11e8"

#define EDU_BAR0_SIZE	4096u
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_CMD_RUN	0x1
#define EDU_CMD_TO_PCI	0x2	/* edu buffer -> bus address */
#define EDU_BUF_ADDR	0x40000
#define EDU_MAX_XFER	4095u	/* QEMU 7.2 aborts on exactly 4096 */

#define PCI_COMMAND		0x04
#define PCI_COMMAND_MEMORY	0x2
#define PCI_COMMAND_MASTER	0x4

#define MAX_PAGES	512

struct qemu_card {
	struct fpga_dev dev;
	char *bar2;			/* card memory */
	volatile uint64_t *regs;	/* edu BAR0 */
	uint64_t bar2_bus;		/* where edu finds the card memory */
	unsigned int timeout_ms;
	int edu_config;			/* edu's config space (fencing) */
	bool fenced;			/* bus mastering off after a timeout */
	pthread_mutex_t lock;		/* one engine */
};

#define QC(d)	((struct qemu_card *)(d))

static void log_once(const struct fpga_dev *dev, const char *what)
{
	static int logged;

	if (!__atomic_exchange_n(&logged, 1, __ATOMIC_RELAXED))
		vfsd_log(VFSD_LOG_ERR, "%s: %s (further errors not logged)",
			 dev->desc, what);
}

static void reg_write(struct qemu_card *c, unsigned int off, uint64_t v)
{
	c->regs[off / 8] = v;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool edu_busy(struct qemu_card *c)
{
	return c->regs[EDU_DMA_CMD / 8] & EDU_CMD_RUN;
}

/* Wait up to ms for the engine to finish: 0 or -ETIMEDOUT. */
static int edu_wait(struct qemu_card *c, unsigned int ms)
{
	uint64_t deadline = now_ms() + ms;

	while (edu_busy(c)) {
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		sched_yield();
	}
	return 0;
}

/* Set or clear bus mastering in a config space: 0 or -EIO. */
static int set_master(int config, bool on)
{
	uint16_t cmd;

	if (pread(config, &cmd, 2, PCI_COMMAND) != 2)
		return -EIO;
	cmd = on ? cmd | PCI_COMMAND_MASTER : cmd & ~PCI_COMMAND_MASTER;
	return pwrite(config, &cmd, 2, PCI_COMMAND) == 2 ? 0 : -EIO;
}

/* The engine did not finish in time: make sure it can reach nothing. */
static void fence(struct qemu_card *c)
{
	c->fenced = true;
	if (set_master(c->edu_config, false))
		vfsd_log(VFSD_LOG_ERR, "%s: edu DMA timed out and its bus "
			 "mastering could not be turned off", c->dev.desc);
	else
		vfsd_log(VFSD_LOG_ERR, "%s: edu DMA timed out after %u ms: "
			 "engine disabled, file data fails with EIO until the "
			 "server restarts", c->dev.desc, c->timeout_ms);
}

/* One edu DMA between a bus address and its buffer; waits for it. */
static int edu_dma(struct qemu_card *c, uint64_t src, uint64_t dst,
		   size_t len, bool to_pci)
{
	if (c->fenced)
		return -EIO;
	reg_write(c, EDU_DMA_SRC, src);
	reg_write(c, EDU_DMA_DST, dst);
	reg_write(c, EDU_DMA_CNT, len);
	reg_write(c, EDU_DMA_CMD, EDU_CMD_RUN | (to_pci ? EDU_CMD_TO_PCI : 0));
	if (edu_wait(c, c->timeout_ms)) {
		fence(c);
		return -EIO;
	}
	return 0;
}

/* One piece within a host page: two DMAs through edu's buffer. */
static int piece(struct qemu_card *c, enum fpga_dir dir, uint64_t host_bus,
		 uint64_t card, size_t len)
{
	uint64_t card_bus = c->bar2_bus + card;
	int err;

	if (dir == FPGA_TO_CARD) {
		err = edu_dma(c, host_bus, EDU_BUF_ADDR, len, false);
		return err ? err : edu_dma(c, EDU_BUF_ADDR, card_bus, len, true);
	}
	err = edu_dma(c, card_bus, EDU_BUF_ADDR, len, false);
	return err ? err : edu_dma(c, EDU_BUF_ADDR, host_bus, len, true);
}

static int one_seg(struct qemu_card *c, enum fpga_dir dir,
		   const struct fpga_seg *s)
{
	uint64_t addrs[MAX_PAGES];
	size_t page = (size_t)sysconf(_SC_PAGESIZE), done = 0;

	while (done < s->len) {
		const char *buf = (const char *)s->buf + done;
		size_t in_page = (uintptr_t)buf & (page - 1);
		size_t span = s->len - done;
		int n, i;

		if (span > (MAX_PAGES - 1) * page)
			span = (MAX_PAGES - 1) * page;
		n = c->dev.dma_addrs ? c->dev.dma_addrs(c->dev.dma_ctx, buf, span,
							addrs, MAX_PAGES)
				     : -EOPNOTSUPP;
		if (n <= 0) {
			log_once(&c->dev, n == -EOPNOTSUPP ?
				 "no bus addresses for the window pages (needs "
				 "the vfsd module, not FUSE): DMA impossible" :
				 "no bus addresses for the window pages");
			return -EIO;
		}
		for (i = 0; i < n && done < s->len; i++) {
			size_t left = page - (i ? 0 : in_page), off = 0;

			if (left > s->len - done)
				left = s->len - done;
			while (off < left) {
				size_t len = left - off < EDU_MAX_XFER ?
					     left - off : EDU_MAX_XFER;
				int err = piece(c, dir, addrs[i] + off,
						s->card + done + off, len);

				if (err)
					return err;
				off += len;
			}
			done += left;
		}
	}
	return 0;
}

static int qemu_transfer(struct fpga_dev *dev, enum fpga_dir dir,
			 const struct fpga_seg *segs, unsigned int n)
{
	struct qemu_card *c = QC(dev);
	unsigned int i;
	int err = 0;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < n && !err; i++) {
		if (segs[i].card > dev->size ||
		    segs[i].len > dev->size - segs[i].card)
			err = -EIO;
		else
			err = one_seg(c, dir, &segs[i]);
	}
	pthread_mutex_unlock(&c->lock);
	return err;
}

static void *qemu_map(struct fpga_dev *dev, uint64_t off, size_t len)
{
	if (off > dev->size || len > dev->size - off)
		return NULL;
	return QC(dev)->bar2 + off;
}

static int qemu_flush(struct fpga_dev *dev)
{
	(void)dev;
	__sync_synchronize();	/* BAR writes are posted, not cached */
	return 0;
}

static void qemu_close(struct fpga_dev *dev)
{
	struct qemu_card *c = QC(dev);

	munmap(c->bar2, dev->size);
	munmap((void *)c->regs, EDU_BAR0_SIZE);
	close(c->edu_config);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static const struct fpga_driver_ops qemu_driver = {
	.name = "qemu",
	.transfer = qemu_transfer,
	.map = qemu_map,
	.flush = qemu_flush,
	.close = qemu_close,
};

static int read_small(const char *dir, const char *bdf, const char *file,
		      char *buf, size_t size)
{
	char path[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, bdf, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	return 0;
}

/* "0x1af4 0x1110" of a device. */
static bool has_id(const char *dir, const char *bdf, const char *id)
{
	char v[32], d[32], both[64];

	if (read_small(dir, bdf, "vendor", v, sizeof(v)) ||
	    read_small(dir, bdf, "device", d, sizeof(d)))
		return false;
	v[strcspn(v, "\n")] = d[strcspn(d, "\n")] = '\0';
	snprintf(both, sizeof(both), "%s %s", v, d);
	return !strcmp(both, id);
}

/* The first device with id (or want itself, checked): 0 or -ENODEV. */
static int find_device(const char *dir, const char *id, const char *want,
		       char *bdf, size_t size)
{
	struct dirent *e;
	DIR *d;
	int err = -ENODEV;

	if (want) {
		if (!has_id(dir, want, id))
			return -ENODEV;
		snprintf(bdf, size, "%s", want);
		return 0;
	}
	d = opendir(dir);
	if (!d)
		return -ENODEV;
	while ((e = readdir(d))) {
		if (e->d_name[0] != '.' && has_id(dir, e->d_name, id)) {
			snprintf(bdf, size, "%s", e->d_name);
			err = 0;
			break;
		}
	}
	closedir(d);
	return err;
}

/*
 * Turn on memory decoding in the config space; *config: the open config
 * space, for bus mastering later (NULL: close it).
 */
static int enable(const char *dir, const char *bdf, int *config)
{
	char path[512];
	uint16_t cmd;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s/enable", dir, bdf);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "1", 1) < 0) {
			/* Already enabled by a driver: fine. */
		}
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/%s/config", dir, bdf);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (pread(fd, &cmd, 2, PCI_COMMAND) != 2) {
		err = -EIO;
	} else {
		cmd |= PCI_COMMAND_MEMORY;
		if (pwrite(fd, &cmd, 2, PCI_COMMAND) != 2)
			err = -EIO;
	}
	if (err || !config)
		close(fd);
	else
		*config = fd;
	return err;
}

/* mmap a BAR's resource file; *size: its size. */
static void *map_bar(const char *dir, const char *bdf, int bar, size_t *size)
{
	char path[512];
	struct stat st;
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s/%s/resource%d", dir, bdf, bar);
	fd = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || st.st_size <= 0 ||
	    (*size && (size_t)st.st_size < *size)) {
		close(fd);
		return NULL;
	}
	if (!*size)
		*size = (size_t)st.st_size;
	p = mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

/* The bus (here: physical) address of a BAR, from "resource". */
static int bar_address(const char *dir, const char *bdf, int bar,
		       uint64_t *addr)
{
	char buf[2048], *line = buf;
	int i;

	if (read_small(dir, bdf, "resource", buf, sizeof(buf)))
		return -EIO;
	for (i = 0; i < bar && line; i++) {
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	if (!line || sscanf(line, "%" SCNx64, addr) != 1 || !*addr)
		return -EIO;
	return 0;
}

static int fail(const char *msg, const char *bdf)
{
	vfsd_log(VFSD_LOG_ERR, msg, bdf);
	return -ENODEV;
}

int fpga_drv_qemu_open(const struct fpga_config *cfg, struct fpga_dev **dev)
{
	const char *dir = cfg->sysfs ? cfg->sysfs : "/sys/bus/pci/devices";
	char shm[256], edu[256];
	struct qemu_card *c;
	size_t bar2 = 0, bar0 = EDU_BAR0_SIZE;
	const char *msg;

	if (find_device(dir, IVSHMEM_ID, cfg->card, shm, sizeof(shm)))
		return fail(cfg->card ? "%s is no ivshmem-plain device (PCI "
			    "1af4:1110): give its BDF with --card" :
			    "no FPGA card: no ivshmem-plain device (PCI 1af4:1110)"
			    " here; start QEMU with -device ivshmem-plain, or use "
			    "--driver=mem%s", cfg->card ? cfg->card : "");
	if (find_device(dir, EDU_ID, NULL, edu, sizeof(edu)))
		return fail("no DMA engine: no edu device (PCI 1234:11e8) here; "
			    "start QEMU with -device edu,dma_mask=0xffffffffffffffff%s",
			    "");
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->edu_config = -1;
	if (enable(dir, shm, NULL) || enable(dir, edu, &c->edu_config)) {
		msg = "cannot enable the card's PCI devices (%s and edu): "
		      "run as root";
		goto out_free;
	}
	c->bar2 = map_bar(dir, shm, 2, &bar2);
	c->regs = map_bar(dir, edu, 0, &bar0);
	if (!c->bar2 || !c->regs || bar_address(dir, shm, 2, &c->bar2_bus)) {
		msg = "cannot map the BARs of %s and its edu DMA engine "
		      "through sysfs: run as root, without a kernel driver "
		      "holding them";
		goto out_unmap;
	}
	c->dev.ops = &qemu_driver;
	c->dev.size = bar2;
	c->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms
					: FPGA_DEFAULT_TIMEOUT_MS;
	/*
	 * A DMA the last server gave up on may still be running: let it end
	 * (with bus mastering off it reaches nothing) before turning it on.
	 */
	if (edu_wait(c, FPGA_DEFAULT_TIMEOUT_MS) ||
	    set_master(c->edu_config, true)) {
		msg = "the edu DMA engine of %s stays busy or cannot be "
		      "made bus master: reset the machine";
		goto out_unmap;
	}
	pthread_mutex_init(&c->lock, NULL);
	snprintf(c->dev.desc, sizeof(c->dev.desc), "ivshmem card %s", shm);
	snprintf(c->dev.dma_device, sizeof(c->dev.dma_device), "%s", edu);
	snprintf(c->dev.bar_device, sizeof(c->dev.bar_device), "%s", shm);
	c->dev.bar = 2;		/* card offset = offset in BAR2 */
	*dev = &c->dev;
	return 0;

out_unmap:
	if (c->regs)
		munmap((void *)c->regs, bar0);
	if (c->bar2)
		munmap(c->bar2, bar2);
out_free:
	if (c->edu_config >= 0)
		close(c->edu_config);
	free(c);
	return fail(msg, shm);
}
