/* SPDX-License-Identifier: MIT */
/*
 * The fpga backend's view of a card: a range of card memory bytes and an
 * engine that moves them to and from host memory. Three drivers sit
 * behind it (fpga_drv_*.c): mem (a RAM buffer or a MAP_SHARED file, for
 * hosts without a card), xdma (Xilinx XDMA character devices) and qemu
 * (QEMU's ivshmem-plain BAR2 as card memory, the edu device as DMA).
 *
 * Two ways in: transfer() is the data path (file contents, straight to
 * and from the request's window pages, by DMA where the driver has it);
 * map() is CPU access to card memory, used for metadata where the card
 * is mapped (mem, qemu) and later for direct map. Drivers without a
 * mapping (xdma) return NULL and the layout goes through transfer().
 */
#ifndef VFSD_SERVER_FPGA_DRIVER_H
#define VFSD_SERVER_FPGA_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One contiguous piece of a transfer. */
struct fpga_seg {
	void *buf;		/* host memory */
	uint64_t card;		/* card byte offset */
	size_t len;
};

enum fpga_dir {
	FPGA_TO_CARD,		/* host -> card (h2c) */
	FPGA_FROM_CARD,		/* card -> host (c2h) */
};

/*
 * Bus addresses of the pages of [buf, buf+len) for a DMA engine, one per
 * page touched (addrs[0] includes buf's offset in its page). The backend
 * supplies it: window pages belong to the kernel module, only it knows
 * their bus addresses. Returns the number of addresses, or -errno
 * (-EOPNOTSUPP: no way to learn them, the engine cannot be used).
 */
typedef int (*fpga_dma_addrs_fn)(void *ctx, const void *buf, size_t len,
				 uint64_t *addrs, unsigned int max);

struct fpga_dev;

struct fpga_driver_ops {
	const char *name;
	/* transfer() is the CPU copying (mem), not a DMA engine. */
	bool by_cpu;
	/*
	 * transfer() hands the window's pages to a kernel driver that pins
	 * them (XDMA's character devices): the window must be pinnable.
	 */
	bool pins_buffers;
	/*
	 * Move n segments in one direction. The driver keeps as many in
	 * flight as its engine allows and returns when all are done: 0, or
	 * -EIO when the engine reported an error or timed out (the data of
	 * that transfer is then undefined, nothing waits any longer).
	 */
	int (*transfer)(struct fpga_dev *dev, enum fpga_dir dir,
			const struct fpga_seg *segs, unsigned int n);
	/* CPU pointer to card [off, off+len), or NULL: not mappable. */
	void *(*map)(struct fpga_dev *dev, uint64_t off, size_t len);
	/* Make earlier writes durable on the card: 0 or -EIO. */
	int (*flush)(struct fpga_dev *dev);
	void (*close)(struct fpga_dev *dev);
};

/*
 * File data moved to and from the card (fpga/stream.c counts it), by
 * who moved it: the proof that the DMA path carried the bulk bytes.
 * Updated atomically: queue threads transfer in parallel.
 */
struct fpga_stats {
	uint64_t dma_bytes[2];		/* by enum fpga_dir */
	uint64_t cpu_bytes[2];
	uint64_t errors;		/* transfers that failed */
};

struct fpga_dev {
	const struct fpga_driver_ops *ops;
	struct fpga_stats stats;
	uint64_t size;			/* card memory bytes */
	char desc[320];			/* for messages: what card this is */
	char dma_device[256];		/* the engine's PCI BDF, if it has one */
	/* Card memory as a PCI memory BAR (direct map), if it is one. */
	char bar_device[256];
	int bar;
	fpga_dma_addrs_fn dma_addrs;	/* set by the backend (qemu uses it) */
	void *dma_ctx;
};

/* What to open; see cli/options_fpga.c. */
struct fpga_config {
	const char *driver;	/* "mem", "xdma", "qemu"; NULL: qemu */
	const char *card;	/* mem: a file, or NULL for RAM; qemu: a BDF */
	const char *h2c;	/* xdma: host-to-card channel device */
	const char *c2h;	/* xdma: card-to-host channel device */
	uint64_t size;		/* mem: bytes (a new file or RAM); xdma: card size */
	bool format;		/* format even if the card holds a filesystem */
	unsigned int timeout_ms; /* one DMA transfer at most; 0: default */
	const char *sysfs;	/* qemu: PCI devices dir; NULL: the real one */
};

#define FPGA_DEFAULT_TIMEOUT_MS	5000
#define FPGA_DEFAULT_MEM_SIZE	(256ull << 20)

/* Open the card: 0 or -errno after logging one line saying what to do. */
int fpga_dev_open(const struct fpga_config *cfg, uint64_t default_size,
		  struct fpga_dev **dev);
int fpga_drv_mem_open(const struct fpga_config *cfg, uint64_t size,
		      struct fpga_dev **dev);
int fpga_drv_xdma_open(const struct fpga_config *cfg, uint64_t size,
		       struct fpga_dev **dev);
int fpga_drv_qemu_open(const struct fpga_config *cfg, struct fpga_dev **dev);

static inline int fpga_transfer(struct fpga_dev *dev, enum fpga_dir dir,
				void *buf, uint64_t card, size_t len)
{
	struct fpga_seg s = { buf, card, len };

	return dev->ops->transfer(dev, dir, &s, 1);
}

/* Account a data transfer of len bytes that ended with err. */
void fpga_stats_add(struct fpga_dev *dev, enum fpga_dir dir, uint64_t len,
		    int err);
/* The counters as "name value" lines. */
void fpga_stats_print(const struct fpga_dev *dev, FILE *out);

static inline void fpga_dev_close(struct fpga_dev *dev)
{
	if (dev)
		dev->ops->close(dev);
}

#endif /* VFSD_SERVER_FPGA_DRIVER_H */
