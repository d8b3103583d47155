// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for Xilinx's XDMA driver, for tests: the character devices
 * xdma0_h2c_0 (host to card) and xdma0_c2h_0 (card to host). As with the
 * real driver, pwrite() to h2c and pread() from c2h at file offset = card
 * address move the bytes between the caller's buffer and card memory, and
 * the caller's pages are pinned for the transfer (pin_user_pages_fast())
 * and, for reads, dirtied when released, as set_page_dirty_lock() does in
 * the real driver. The CPU stands in for the engine; the pinning is real,
 * so a buffer that cannot be pinned fails with EFAULT here too.
 *
 * For tests of a server that keeps a pin past its reply, the
 * XDMA_STANDIN_HOLD ioctl pins a range (for writing if asked) and holds it
 * until XDMA_STANDIN_RELEASE or close(); XDMA_STANDIN_SCRIBBLE stores a
 * byte into every held page, as a DMA that finishes late would.
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/vmalloc.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

static unsigned int card_mb = 64;
module_param(card_mb, uint, 0444);
MODULE_PARM_DESC(card_mb, "card memory in MiB");

/* What moved, for the tests: bytes to and from the card, pages pinned. */
static atomic64_t bytes_h2c, bytes_c2h, pages_pinned;

static void *card;
static size_t card_size;

#define XDMA_STANDIN_HOLD	_IOW('x', 1, struct xdma_standin_range)
#define XDMA_STANDIN_RELEASE	_IO('x', 2)
#define XDMA_STANDIN_SCRIBBLE	_IOW('x', 3, __u32)

struct xdma_standin_range {
	__u64 addr;
	__u64 len;
	__u32 write;	/* pin for writing (card to host) */
	__u32 pad;
};

/* Pages held by XDMA_STANDIN_HOLD on one open file. */
struct xdma_hold {
	struct page **pages;
	long nr;
	bool write;
};

#define XDMA_CHUNK_PAGES	64

/* One chunk: pin, move, release (dirty if we wrote into it). */
static ssize_t xdma_chunk(char __user *buf, size_t len, loff_t pos,
			  bool to_card)
{
	unsigned long addr = (unsigned long)buf;
	unsigned int off = offset_in_page(addr);
	struct page *pages[XDMA_CHUNK_PAGES];
	size_t done = 0;
	long nr, i;

	len = min_t(size_t, len, XDMA_CHUNK_PAGES * PAGE_SIZE - off);
	nr = DIV_ROUND_UP(off + len, PAGE_SIZE);
	nr = pin_user_pages_fast(addr & PAGE_MASK, nr,
				 to_card ? 0 : FOLL_WRITE, pages);
	if (nr <= 0)
		return nr ? nr : -EFAULT;
	atomic64_add(nr, &pages_pinned);
	for (i = 0; i < nr && done < len; i++) {
		size_t n = min_t(size_t, PAGE_SIZE - off, len - done);
		void *p = kmap_local_page(pages[i]);

		if (to_card)
			memcpy(card + pos + done, p + off, n);
		else
			memcpy(p + off, card + pos + done, n);
		kunmap_local(p);
		done += n;
		off = 0;
	}
	unpin_user_pages_dirty_lock(pages, nr, !to_card);
	atomic64_add(done, to_card ? &bytes_h2c : &bytes_c2h);
	return done;
}

static ssize_t xdma_rw(char __user *buf, size_t len, loff_t *ppos,
		       bool to_card)
{
	loff_t pos = *ppos;
	size_t done = 0;

	if (pos < 0 || pos >= card_size)
		return pos == card_size ? 0 : -EINVAL;
	len = min_t(size_t, len, card_size - pos);
	while (done < len) {
		ssize_t n = xdma_chunk(buf + done, len - done, pos + done,
				       to_card);

		if (n < 0)
			return done ? done : n;
		done += n;
	}
	*ppos = pos + done;
	return done;
}

static ssize_t c2h_read(struct file *file, char __user *buf, size_t len,
			loff_t *ppos)
{
	return xdma_rw(buf, len, ppos, false);
}

static ssize_t h2c_write(struct file *file, const char __user *buf,
			 size_t len, loff_t *ppos)
{
	return xdma_rw((char __user *)buf, len, ppos, true);
}

static void xdma_release_hold(struct xdma_hold *h)
{
	if (!h->pages)
		return;
	unpin_user_pages(h->pages, h->nr);
	kvfree(h->pages);
	h->pages = NULL;
	h->nr = 0;
}

static long xdma_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct xdma_hold *h = file->private_data;
	struct xdma_standin_range r;
	long nr, want, i;
	u32 val;

	switch (cmd) {
	case XDMA_STANDIN_HOLD:
		if (copy_from_user(&r, (void __user *)arg, sizeof(r)))
			return -EFAULT;
		if (h->pages || !r.len || r.len > (64u << 20))
			return -EINVAL;
		want = DIV_ROUND_UP(offset_in_page(r.addr) + r.len, PAGE_SIZE);
		h->pages = kvcalloc(want, sizeof(*h->pages), GFP_KERNEL);
		if (!h->pages)
			return -ENOMEM;
		nr = pin_user_pages_fast(r.addr & PAGE_MASK, want,
					 r.write ? FOLL_WRITE : 0, h->pages);
		if (nr != want) {
			h->nr = nr > 0 ? nr : 0;
			xdma_release_hold(h);
			return nr < 0 ? nr : -EFAULT;
		}
		h->nr = nr;
		h->write = r.write;
		atomic64_add(nr, &pages_pinned);
		return 0;
	case XDMA_STANDIN_RELEASE:
		xdma_release_hold(h);
		return 0;
	case XDMA_STANDIN_SCRIBBLE:
		if (get_user(val, (u32 __user *)arg))
			return -EFAULT;
		if (!h->pages || !h->write)
			return -EINVAL;
		for (i = 0; i < h->nr; i++)
			memset_page(h->pages[i], 0, val, PAGE_SIZE);
		return 0;
	}
	return -ENOTTY;
}

static int xdma_open(struct inode *inode, struct file *file)
{
	file->private_data = kzalloc(sizeof(struct xdma_hold), GFP_KERNEL);
	return file->private_data ? 0 : -ENOMEM;
}

static int xdma_release(struct inode *inode, struct file *file)
{
	xdma_release_hold(file->private_data);
	kfree(file->private_data);
	return 0;
}

static const struct file_operations h2c_fops = {
	.owner = THIS_MODULE,
	.open = xdma_open,
	.release = xdma_release,
	.write = h2c_write,
	.unlocked_ioctl = xdma_ioctl,
	.llseek = default_llseek,
};

static const struct file_operations c2h_fops = {
	.owner = THIS_MODULE,
	.open = xdma_open,
	.release = xdma_release,
	.read = c2h_read,
	.unlocked_ioctl = xdma_ioctl,
	.llseek = default_llseek,
};

static struct miscdevice h2c_dev = {
	.minor = MISC_DYNAMIC_MINOR, .name = "xdma0_h2c_0", .fops = &h2c_fops,
	.mode = 0600,
};

static struct miscdevice c2h_dev = {
	.minor = MISC_DYNAMIC_MINOR, .name = "xdma0_c2h_0", .fops = &c2h_fops,
	.mode = 0600,
};

#define XDMA_COUNTER(name)						\
static int name##_get(char *buf, const struct kernel_param *kp)	\
{									\
	return sysfs_emit(buf, "%lld\n", atomic64_read(&name));		\
}									\
static const struct kernel_param_ops name##_ops = { .get = name##_get }; \
module_param_cb(name, &name##_ops, NULL, 0444)

XDMA_COUNTER(bytes_h2c);
XDMA_COUNTER(bytes_c2h);
XDMA_COUNTER(pages_pinned);

static int __init xdma_standin_init(void)
{
	int err;

	card_size = (size_t)card_mb << 20;
	card = vzalloc(card_size);
	if (!card)
		return -ENOMEM;
	err = misc_register(&h2c_dev);
	if (err)
		goto free_card;
	err = misc_register(&c2h_dev);
	if (err)
		goto unreg_h2c;
	return 0;
unreg_h2c:
	misc_deregister(&h2c_dev);
free_card:
	vfree(card);
	return err;
}

static void __exit xdma_standin_exit(void)
{
	misc_deregister(&c2h_dev);
	misc_deregister(&h2c_dev);
	vfree(card);
}

module_init(xdma_standin_init);
module_exit(xdma_standin_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("XDMA character-device stand-in for vfsd tests (pins user pages)");
