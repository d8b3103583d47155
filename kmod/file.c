// SPDX-License-Identifier: GPL-2.0
/*
 * vfsd: regular files. Reads fill page-cache folios that the server writes
 * in place through its window; no bounce buffer, no copy in the module.
 */
#include <linux/slab.h>
#include <linux/pagemap.h>
#include <linux/mm.h>
#include <linux/uio.h>
#include <linux/highmem.h>

#include "vfsd_i.h"

static int vfsd_file_open(struct inode *inode, struct file *file)
{
	struct vfsd_file *vf;
	int err;

	err = generic_file_open(inode, file);
	if (err)
		return err;
	err = vfsd_open_common(inode, file, false);
	if (err)
		return err;
	vf = file->private_data;
	if (!(vf->open_flags & VFSD_FOPEN_KEEP_CACHE))
		invalidate_inode_pages2(inode->i_mapping);
	if (vf->open_flags & VFSD_FOPEN_NONSEEKABLE)
		nonseekable_open(inode, file);
	return 0;
}

static int vfsd_file_release(struct inode *inode, struct file *file)
{
	vfsd_send_release(inode, file, VFSD_OP_RELEASE);
	return 0;
}

/* Completion of a READ: the folios are the request's pages, in order. */
static void vfsd_read_end(struct vfsd_req *req)
{
	size_t done = req->result > 0 ? req->result : 0;
	unsigned int i;

	for (i = 0; i < req->nr_pages; i++) {
		struct folio *folio = page_folio(req->pages[i]);
		size_t start = (size_t)i << PAGE_SHIFT;

		if (req->result >= 0) {
			/* Short read: the rest is past EOF, zero it. */
			if (done < start + PAGE_SIZE)
				folio_zero_segment(folio,
						   done > start ? done - start : 0,
						   PAGE_SIZE);
			folio_mark_uptodate(folio);
		}
		folio_unlock(folio);
		folio_put(folio);
	}
}

/*
 * Send one READ for @nr locked folios at @pos. On failure to send, the
 * folios are unlocked (not uptodate) so readers see the error.
 */
static void vfsd_send_read(struct inode *inode, struct file *file,
			   struct page **pages, unsigned int nr, loff_t pos)
{
	struct vfsd_file *vf = file ? file->private_data : NULL;
	struct vfsd_req *req;
	int err;

	req = vfsd_req_alloc(VFSD_M(inode->i_sb)->conn, VFSD_OP_READ,
			     vfsd_nodeid(inode), 0, 0, GFP_NOFS);
	if (IS_ERR(req)) {
		err = PTR_ERR(req);
		goto fail;
	}
	req->pages = pages;
	req->nr_pages = nr;
	req->sqe.offset = pos;
	req->sqe.len = nr << PAGE_SHIFT;
	req->sqe.fh = vf ? vf->fh : 0;
	req->end = vfsd_read_end;
	err = vfsd_req_send_async(req);
	if (err) {
		req->pages = NULL;	/* the failure path below owns them */
		vfsd_req_put(req);
		goto fail;
	}
	vfsd_req_put(req);	/* the queue holds its own reference */
	return;
fail:
	while (nr--) {
		unlock_page(pages[nr]);
		put_page(pages[nr]);
	}
	kfree(pages);
}

static int vfsd_read_folio(struct file *file, struct folio *folio)
{
	struct inode *inode = folio->mapping->host;
	struct page **pages;

	pages = kmalloc(sizeof(*pages), GFP_NOFS);
	if (!pages) {
		folio_unlock(folio);
		return -ENOMEM;
	}
	folio_get(folio);
	pages[0] = &folio->page;
	vfsd_send_read(inode, file, pages, 1, folio_pos(folio));
	return 0;
}

/*
 * Readahead: contiguous folios in requests of up to max_read bytes. Note
 * readahead_count() still includes the folio readahead_folio() returned.
 */
static void vfsd_readahead(struct readahead_control *rac)
{
	struct inode *inode = rac->mapping->host;
	unsigned int max_pages = VFSD_M(inode->i_sb)->max_read >> PAGE_SHIFT;
	struct folio *folio = readahead_folio(rac);

	while (folio) {
		unsigned int nr = min_t(unsigned int, readahead_count(rac),
					max_pages);
		loff_t pos = folio_pos(folio);
		struct page **pages;
		unsigned int i = 0;

		pages = kmalloc_array(nr, sizeof(*pages), GFP_NOFS);
		if (!pages) {
			folio_unlock(folio);	/* read_pages() unlocks the rest */
			return;
		}
		do {
			folio_get(folio);
			pages[i++] = &folio->page;
			folio = readahead_folio(rac);
		} while (folio && i < nr);
		vfsd_send_read(inode, rac->file, pages, i, pos);
	}
}

static ssize_t vfsd_file_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	int err;

	/* Size may have changed on the server: refresh expired attributes. */
	err = vfsd_refresh_attr(inode, false);
	if (err)
		return err;
	return generic_file_read_iter(iocb, to);
}

static int vfsd_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	int err = vfsd_refresh_attr(file_inode(file), false);

	if (err)
		return err;
	/* Writable shared mappings arrive with the write path. */
	return generic_file_readonly_mmap(file, vma);
}

const struct address_space_operations vfsd_aops = {
	.read_folio = vfsd_read_folio,
	.readahead = vfsd_readahead,
};

const struct file_operations vfsd_file_fops = {
	.llseek = generic_file_llseek,
	.read_iter = vfsd_file_read_iter,
	.mmap = vfsd_file_mmap,
	.open = vfsd_file_open,
	.release = vfsd_file_release,
	.splice_read = vfsd_splice_read,
};
