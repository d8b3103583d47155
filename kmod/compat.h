/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, in one place. Supported: 6.1 and 6.12.
 */
#ifndef _VFSD_COMPAT_H
#define _VFSD_COMPAT_H

#include <linux/version.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/writeback.h>

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

/*
 * Buffered reads may wait for pages asynchronously (IOCB_WAITQ, for
 * io_uring): an f_mode bit in 6.1, a file_operations flag by 6.12.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define VFSD_FOP_FLAGS		.fop_flags = FOP_BUFFER_RASYNC,
static inline void vfsd_set_buf_rasync(struct file *file) { }
#else
#define VFSD_FOP_FLAGS
static inline void vfsd_set_buf_rasync(struct file *file)
{
	file->f_mode |= FMODE_BUF_RASYNC;
}
#endif

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

static inline void vfsd_vm_flags_clear(struct vm_area_struct *vma,
				       unsigned long flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
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

/*
 * 6.12 passes folios to ->write_begin and ->write_end. vfsd implements
 * them on folios; these macros generate the entry points with the
 * signature of the kernel being built.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define VFSD_DEFINE_WRITE_BEGIN(name, impl)				\
static int name(struct file *file, struct address_space *mapping,	\
		loff_t pos, unsigned int len, struct folio **foliop,	\
		void **fsdata)						\
{									\
	return impl(file, mapping, pos, len, foliop);			\
}
#define VFSD_DEFINE_WRITE_END(name, impl)				\
static int name(struct file *file, struct address_space *mapping,	\
		loff_t pos, unsigned int len, unsigned int copied,	\
		struct folio *folio, void *fsdata)			\
{									\
	return impl(file, mapping, pos, len, copied, folio);		\
}
#else
#define VFSD_DEFINE_WRITE_BEGIN(name, impl)				\
static int name(struct file *file, struct address_space *mapping,	\
		loff_t pos, unsigned int len, struct page **pagep,	\
		void **fsdata)						\
{									\
	struct folio *folio;						\
	int err = impl(file, mapping, pos, len, &folio);		\
									\
	if (!err)							\
		*pagep = &folio->page;					\
	return err;							\
}
#define VFSD_DEFINE_WRITE_END(name, impl)				\
static int name(struct file *file, struct address_space *mapping,	\
		loff_t pos, unsigned int len, unsigned int copied,	\
		struct page *page, void *fsdata)			\
{									\
	return impl(file, mapping, pos, len, copied, page_folio(page));	\
}
#endif

/* 6.3 passes folios to the write_cache_pages() callback. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define VFSD_DEFINE_WRITEPAGE_CB(name, impl)				\
static int name(struct folio *folio, struct writeback_control *wbc,	\
		void *data)						\
{									\
	return impl(folio, wbc, data);					\
}
#else
#define VFSD_DEFINE_WRITEPAGE_CB(name, impl)				\
static int name(struct page *page, struct writeback_control *wbc,	\
		void *data)						\
{									\
	return impl(page_folio(page), wbc, data);			\
}
#endif

/* 6.4 made __filemap_get_folio() return ERR_PTR instead of NULL. */
static inline struct folio *vfsd_grab_folio(struct address_space *mapping,
					    pgoff_t index)
{
	struct folio *folio = __filemap_get_folio(mapping, index,
						  FGP_LOCK | FGP_WRITE |
						  FGP_CREAT | FGP_STABLE,
						  mapping_gfp_mask(mapping));
	if (!folio)
		return ERR_PTR(-ENOMEM);
	return folio;
}

/* xattr ->set gained the idmap in place of the user namespace (6.3). */
#define VFSD_XATTR_SET_ARGS(h, idmap)					\
	const struct xattr_handler *h, vfsd_idmap_t *idmap

#endif /* _VFSD_COMPAT_H */
