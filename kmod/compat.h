/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, in one place. Supported: 6.1 and 6.12.
 */
#ifndef _VFSD_COMPAT_H
#define _VFSD_COMPAT_H

#include <linux/version.h>
#include <linux/fs.h>
#include <linux/mm.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
/* 6.3 replaced the user namespace argument of inode ops by an idmap. */
typedef struct mnt_idmap vfsd_idmap_t;
#define vfsd_nop_idmap	(&nop_mnt_idmap)
#else
typedef struct user_namespace vfsd_idmap_t;
#define vfsd_nop_idmap	(&init_user_ns)
#endif

static inline void vfsd_fillattr(vfsd_idmap_t *idmap, u32 request_mask,
				 struct inode *inode, struct kstat *stat)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	generic_fillattr(idmap, request_mask, inode, stat);
#else
	generic_fillattr(idmap, inode, stat);
#endif
}

/* 6.3 made vma->vm_flags read-only behind accessors. */
static inline void vfsd_vm_flags_set(struct vm_area_struct *vma,
				     unsigned long flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

/* 6.6 moved the inode timestamps behind accessors. */
static inline void vfsd_inode_set_times(struct inode *inode,
					struct timespec64 atime,
					struct timespec64 mtime,
					struct timespec64 ctime)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	inode_set_atime_to_ts(inode, atime);
	inode_set_mtime_to_ts(inode, mtime);
	inode_set_ctime_to_ts(inode, ctime);
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	inode->i_atime = atime;
	inode->i_mtime = mtime;
	inode_set_ctime_to_ts(inode, ctime);
#else
	inode->i_atime = atime;
	inode->i_mtime = mtime;
	inode->i_ctime = ctime;
#endif
}

static inline struct timespec64 vfsd_inode_get_mtime(const struct inode *inode)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	return inode_get_mtime(inode);
#else
	return inode->i_mtime;
#endif
}

/* 6.5 replaced generic_file_splice_read by filemap_splice_read. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#define vfsd_splice_read	filemap_splice_read
#else
#define vfsd_splice_read	generic_file_splice_read
#endif

#endif /* _VFSD_COMPAT_H */
