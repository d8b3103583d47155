/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, in one place. Supported and built: 6.1,
 * 6.12 and 7.3. The boundaries in between follow the upstream changes
 * as far as they are known; releases other than those three are not built.
 */
#ifndef _VFSD_COMPAT_H
#define _VFSD_COMPAT_H

#include <linux/version.h>
#include <linux/fs.h>
#include <linux/mm.h>
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 17, 0)
#include <linux/pfn_t.h>
#endif
#include <linux/pagemap.h>
#include <linux/writeback.h>
/* struct folio_batch moved out of pagevec.h (gone by 7.3). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 0, 0)
#include <linux/folio_batch.h>
#else
#include <linux/pagevec.h>
#endif
#include <linux/dcache.h>
#include <linux/namei.h>

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
 * 6.12 passes folios to ->write_begin and ->write_end, 6.17 the kiocb in
 * place of the file. vfsd implements them on a file and folios; these
 * macros generate the entry points with the signature of the kernel
 * being built.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
#define VFSD_DEFINE_WRITE_BEGIN(name, impl)				\
static int name(const struct kiocb *iocb, struct address_space *mapping,\
		loff_t pos, unsigned int len, struct folio **foliop,	\
		void **fsdata)						\
{									\
	return impl(iocb ? iocb->ki_filp : NULL, mapping, pos, len,	\
		    foliop);						\
}

#define VFSD_DEFINE_WRITE_END(name, impl)				\
static int name(const struct kiocb *iocb, struct address_space *mapping,\
		loff_t pos, unsigned int len, unsigned int copied,	\
		struct folio *folio, void *fsdata)			\
{									\
	return impl(iocb ? iocb->ki_filp : NULL, mapping, pos, len,	\
		    copied, folio);					\
}
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
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

/*
 * Writeback: one call of FN per dirty folio, locked and cleared for I/O.
 * 6.10 added writeback_iter(), which write_cache_pages() then wrapped
 * until it was removed (by 7.3); before 6.3 its callback took a page.
 */
typedef int (*vfsd_writepage_fn)(struct folio *folio,
				 struct writeback_control *wbc, void *data);

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
static inline int vfsd_write_cache_pages(struct address_space *mapping,
					 struct writeback_control *wbc,
					 vfsd_writepage_fn fn, void *data)
{
	struct folio *folio = NULL;
	int err = 0;

	while ((folio = writeback_iter(mapping, wbc, folio, &err)))
		err = fn(folio, wbc, data);
	return err;
}
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
static inline int vfsd_write_cache_pages(struct address_space *mapping,
					 struct writeback_control *wbc,
					 vfsd_writepage_fn fn, void *data)
{
	return write_cache_pages(mapping, wbc, fn, data);
}
#else
struct vfsd_writepage_ctx {
	vfsd_writepage_fn fn;
	void *data;
};

static inline int vfsd_writepage_page(struct page *page,
				      struct writeback_control *wbc,
				      void *data)
{
	struct vfsd_writepage_ctx *ctx = data;

	return ctx->fn(page_folio(page), wbc, ctx->data);
}

static inline int vfsd_write_cache_pages(struct address_space *mapping,
					 struct writeback_control *wbc,
					 vfsd_writepage_fn fn, void *data)
{
	struct vfsd_writepage_ctx ctx = { .fn = fn, .data = data };

	return write_cache_pages(mapping, wbc, vfsd_writepage_page, &ctx);
}
#endif

/*
 * Start writeback of a byte range without waiting for it (WB_SYNC_NONE).
 * filemap_fdatawrite_wbc() is no longer exported by 7.3, which has
 * filemap_flush_range() instead.
 */
static inline void vfsd_flush_range(struct address_space *mapping,
				    loff_t start, loff_t end)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 0, 0)
	filemap_flush_range(mapping, start, end);
#else
	struct writeback_control wbc = {
		.sync_mode = WB_SYNC_NONE,
		.nr_to_write = LONG_MAX,
		.range_start = start,
		.range_end = end,
	};

	filemap_fdatawrite_wbc(mapping, &wbc);
#endif
}

/* By 7.3 the unbound system workqueue has a new name; the old one warns. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 0, 0)
#define vfsd_unbound_wq		system_dfl_wq
#else
#define vfsd_unbound_wq		system_unbound_wq
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

/*
 * 6.14 passes ->d_revalidate the parent inode and a stable copy of the
 * name. vfsd implements it that way; before 6.14 the entry point takes
 * them from the dentry (the parent only when not in RCU walk: the
 * implementation returns -ECHILD there before it looks at either).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 14, 0)
#define VFSD_DEFINE_D_REVALIDATE(name, impl)				\
static int name(struct inode *dir, const struct qstr *qname,		\
		struct dentry *dentry, unsigned int flags)		\
{									\
	return impl(dir, qname, dentry, flags);				\
}
#else
#define VFSD_DEFINE_D_REVALIDATE(name, impl)				\
static int name(struct dentry *dentry, unsigned int flags)		\
{									\
	struct dentry *parent;						\
	int ret;							\
									\
	if (flags & LOOKUP_RCU)						\
		return impl(NULL, &dentry->d_name, dentry, flags);	\
	parent = dget_parent(dentry);					\
	ret = impl(d_inode(parent), &dentry->d_name, dentry, flags);	\
	dput(parent);							\
	return ret;							\
}
#endif

/*
 * 6.15: ->mkdir returns the dentry it used (NULL: the one it was given,
 * or an alias spliced in its place). The implementation returns that;
 * before 6.15 the entry point drops the alias and returns 0.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 15, 0)
#define VFSD_DEFINE_MKDIR(name, impl)					\
static struct dentry *name(vfsd_idmap_t *idmap, struct inode *dir,	\
			   struct dentry *dentry, umode_t mode)		\
{									\
	return impl(dir, dentry, mode);					\
}
#else
#define VFSD_DEFINE_MKDIR(name, impl)					\
static int name(vfsd_idmap_t *idmap, struct inode *dir,		\
		struct dentry *dentry, umode_t mode)			\
{									\
	struct dentry *de = impl(dir, dentry, mode);			\
									\
	if (IS_ERR(de))							\
		return PTR_ERR(de);					\
	dput(de);							\
	return 0;							\
}
#endif

/* ->create lost its unused "excl" argument (by 7.3). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 0, 0)
#define VFSD_DEFINE_CREATE(name, impl)					\
static int name(vfsd_idmap_t *idmap, struct inode *dir,		\
		struct dentry *dentry, umode_t mode)			\
{									\
	return impl(dir, dentry, mode);					\
}
#else
#define VFSD_DEFINE_CREATE(name, impl)					\
static int name(vfsd_idmap_t *idmap, struct inode *dir,		\
		struct dentry *dentry, umode_t mode, bool excl)		\
{									\
	return impl(dir, dentry, mode);					\
}
#endif

/* A cached name under DIR, or NULL; d_hash_and_lookup() is VFS-only by 6.16. */
static inline struct dentry *vfsd_lookup_cached(struct dentry *dir,
						struct qstr *name)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 15, 0)
	return try_lookup_noperm(name, dir);
#else
	return d_hash_and_lookup(dir, name);
#endif
}

/* 6.17: the default dentry operations are set through a helper. */
static inline void vfsd_set_d_op(struct super_block *sb,
				 const struct dentry_operations *ops)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
	set_default_d_op(sb, ops);
#else
	sb->s_d_op = ops;
#endif
}

/* 6.18 renamed generic_delete_inode() (drop the inode at the last iput). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 18, 0)
#define vfsd_drop_inode_at_once	inode_just_drop
#else
#define vfsd_drop_inode_at_once	generic_delete_inode
#endif

/* I_NEW and the other state flags are read through accessors by 7.3. */
static inline bool vfsd_inode_is_new(struct inode *inode)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 19, 0)
	return inode_state_read_once(inode) & I_NEW;
#else
	return inode->i_state & I_NEW;
#endif
}

/*
 * Window PTEs with an explicit protection in a VM_MIXEDMAP VMA. The
 * inserting helpers take the VMA's vm_page_prot, which is write-protected
 * there (page_mkwrite refuses stores): hand them a copy of the VMA with
 * the protection this request's pages get, as TTM did before
 * vmf_insert_pfn_prot() existed. The copy is only read for the PTE.
 */
static inline int vfsd_insert_page_prot(struct vm_area_struct *vma,
					unsigned long addr, struct page *page,
					pgprot_t prot)
{
	struct vm_area_struct cvma = *vma;

	cvma.vm_page_prot = prot;
	return vm_insert_page(&cvma, addr, page);
}

/* A special PTE (never pinnable) for a page that is not ours to lend. */
static inline vm_fault_t vfsd_insert_special_prot(struct vm_area_struct *vma,
						  unsigned long addr,
						  unsigned long pfn,
						  pgprot_t prot)
{
	struct vm_area_struct cvma = *vma;

	cvma.vm_page_prot = prot;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
	/* 6.17 removed pfn_t. */
	return vmf_insert_mixed(&cvma, addr, pfn);
#else
	return vmf_insert_mixed(&cvma, addr, pfn_to_pfn_t(pfn));
#endif
}

/* 6.2 turned replace_page_cache_page() into a folio call. */
static inline void vfsd_replace_cache_folio(struct folio *old,
					    struct folio *new)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	replace_page_cache_folio(old, new);
#else
	replace_page_cache_page(&old->page, &new->page);
#endif
}

/*
 * 7.3: a driver's pages as a buffer in the caller's io_uring
 * (io_buffer_register_bvec(), what FUSE's io_uring zero-copy uses). 6.15
 * had only a form taking a block request, for ublk: not used.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 3, 0) && IS_ENABLED(CONFIG_IO_URING)
#define VFSD_HAVE_URING_BUF	1
#include <linux/io_uring/cmd.h>
#endif

#endif /* _VFSD_COMPAT_H */
