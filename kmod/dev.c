// SPDX-License-Identifier: GPL-2.0
/*
 * vfsd: /dev/vfsd. One open is one connection; ioctls set it up and run
 * its queues, mmap exposes the rings and the data windows.
 */
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/pagemap.h>
#include <linux/dcache.h>
#include <linux/namei.h>

#include "vfsd_i.h"

static int vfsd_dev_open(struct inode *inode, struct file *file)
{
	struct vfsd_conn *conn = vfsd_conn_alloc();

	if (IS_ERR(conn))
		return PTR_ERR(conn);
	file->private_data = conn;
	/* Window VMAs go on the connection's rmap (see window.c). */
	file->f_mapping = conn->win_inode->i_mapping;
	return 0;
}

/* Last close (after every window VMA is gone): end the connection. */
static int vfsd_dev_release(struct inode *inode, struct file *file)
{
	struct vfsd_conn *conn = file->private_data;

	vfsd_conn_abort(conn, false);
	vfsd_conn_put(conn);
	return 0;
}

struct vfsd_queue *vfsd_dev_queue(struct vfsd_conn *conn, unsigned long q)
{
	/* Pairs with the release in vfsd_conn_setup(). */
	if (!smp_load_acquire(&conn->ready) || q >= conn->nr_queues)
		return NULL;
	return &conn->queues[q];
}

static int vfsd_dev_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vfsd_conn *conn = file->private_data;
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	struct vfsd_queue *q = vfsd_dev_queue(conn, off >> 40);
	u64 rest = off & ((1ULL << 40) - 1);

	if (!q)
		return -EINVAL;
	if (rest == (1ULL << 39))
		return vfsd_window_mmap(q, vma);
	if (rest != 0)
		return -EINVAL;
	if (vma->vm_end - vma->vm_start != conn->ring_size ||
	    !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vfsd_vm_flags_set(vma, VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP);
	return remap_vmalloc_range(vma, q->ring, 0);
}

static long vfsd_ioc_setup(struct vfsd_conn *conn, void __user *argp)
{
	struct vfsd_setup s;
	int err;

	if (copy_from_user(&s, argp, sizeof(s)))
		return -EFAULT;
	err = vfsd_conn_setup(conn, &s);
	if (err)
		return err;
	return copy_to_user(argp, &s, sizeof(s)) ? -EFAULT : 0;
}

static long vfsd_ioc_enter(struct vfsd_conn *conn, void __user *argp)
{
	struct vfsd_enter e;
	struct vfsd_queue *q;

	if (copy_from_user(&e, argp, sizeof(e)))
		return -EFAULT;
	if ((e.flags & ~(VFSD_ENTER_WAIT | VFSD_ENTER_POLL)) || e.reserved)
		return -EINVAL;
	if ((e.flags & VFSD_ENTER_POLL) &&
	    ((e.flags & VFSD_ENTER_WAIT) || !e.poll_us ||
	     e.poll_us > VFSD_MAX_POLL_US))
		return -EINVAL;
	if (!(e.flags & VFSD_ENTER_POLL) && e.poll_us)
		return -EINVAL;
	q = vfsd_dev_queue(conn, e.queue);
	if (!q)
		return -EINVAL;
	return vfsd_queue_enter(q, e.flags, e.poll_us);
}

static long vfsd_ioc_dma(struct vfsd_conn *conn, void __user *argp)
{
	struct vfsd_dma_map m;
	struct vfsd_queue *q;

	if (copy_from_user(&m, argp, sizeof(m)))
		return -EFAULT;
	q = vfsd_dev_queue(conn, m.queue);
	if (!q)
		return -EINVAL;
	return vfsd_ioc_dma_map(q, &m, argp);
}

static long vfsd_dev_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct vfsd_conn *conn = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case VFSD_IOC_SETUP:
		return vfsd_ioc_setup(conn, argp);
	case VFSD_IOC_ENTER:
		return vfsd_ioc_enter(conn, argp);
	case VFSD_IOC_ABORT:
		vfsd_conn_abort(conn, false);
		return 0;
	case VFSD_IOC_INVAL_INODE:
		return vfsd_notify_inval_inode(conn, argp);
	case VFSD_IOC_INVAL_ENTRY:
		return vfsd_notify_inval_entry(conn, argp);
	case VFSD_IOC_DMA_MAP:
		return vfsd_ioc_dma(conn, argp);
	case VFSD_IOC_DMAP_ADD:
		return vfsd_ioc_dmap_add(conn, argp);
	case VFSD_IOC_DMAP_REMOVE:
		return vfsd_ioc_dmap_remove(conn, argp);
	default:
		return -ENOTTY;
	}
}

static __poll_t vfsd_dev_poll(struct file *file, poll_table *wait)
{
	struct vfsd_conn *conn = file->private_data;
	__poll_t mask = 0;
	unsigned int i;

	/* Pairs with the release in vfsd_conn_setup(). */
	if (!smp_load_acquire(&conn->ready))
		return EPOLLERR;
	for (i = 0; i < conn->nr_queues; i++) {
		poll_wait(file, &conn->queues[i].waitq, wait);
		if (vfsd_queue_has_work(&conn->queues[i]))
			mask |= EPOLLIN | EPOLLRDNORM;
	}
	if (!READ_ONCE(conn->connected))
		mask |= EPOLLERR | EPOLLHUP;
	return mask;
}

const struct file_operations vfsd_dev_fops = {
	.owner = THIS_MODULE,
	.open = vfsd_dev_open,
	.release = vfsd_dev_release,
	.mmap = vfsd_dev_mmap,
	.unlocked_ioctl = vfsd_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
#ifdef VFSD_HAVE_URING_BUF
	.uring_cmd = vfsd_uring_cmd,
#endif
	.poll = vfsd_dev_poll,
	.llseek = noop_llseek,
	.show_fdinfo = vfsd_dev_show_fdinfo,
};

/*
 * A fixed minor (from the range devices.txt leaves for local use) lets
 * kmod create /dev/vfsd at boot from modules.devname, so the first open
 * loads the module.
 */
#define VFSD_MINOR	243
MODULE_ALIAS_MISCDEV(VFSD_MINOR);
MODULE_ALIAS("devname:vfsd");

static struct miscdevice vfsd_misc = {
	.minor = VFSD_MINOR,
	.name = "vfsd",
	.fops = &vfsd_dev_fops,
	.mode = 0600,
};

int vfsd_dev_init(void)
{
	int err = misc_register(&vfsd_misc);

	/* Another driver took the minor: work, just without autoload. */
	if (err == -EBUSY) {
		pr_warn("vfsd: misc minor %d is taken, using a dynamic one\n",
			VFSD_MINOR);
		vfsd_misc.minor = MISC_DYNAMIC_MINOR;
		err = misc_register(&vfsd_misc);
	}
	return err;
}

void vfsd_dev_exit(void)
{
	misc_deregister(&vfsd_misc);
}
