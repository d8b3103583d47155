// SPDX-License-Identifier: MIT
/*
 * The fpga backend: open the card, mount its layout, build the tree, and
 * the ops table (the mem backend's namespace ops, our data ops).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends/fpga/fpga.h"

static void fpga_statfs(struct vfsd_req *req, vfsd_ino_t ino)
{
	struct fpga_layout *L = FFS(req)->L;
	struct statvfs st;

	(void)ino;
	memset(&st, 0, sizeof(st));
	st.f_bsize = st.f_frsize = FPGA_BLOCK;
	st.f_blocks = L->sb.data_blocks;
	st.f_bfree = st.f_bavail = fpga_blocks_free_count(L);
	st.f_files = L->sb.inode_count;
	pthread_mutex_lock(&L->lock);
	st.f_ffree = st.f_favail = L->nfree_inodes;
	pthread_mutex_unlock(&L->lock);
	st.f_namemax = FPGA_NAME_MAX;
	vfsd_reply_statfs(req, &st);
}

static const struct vfsd_ops fpga_ops = {
	.lookup = mem_lookup,
	.forget = mem_forget,
	.getattr = mem_getattr,
	.readlink = mem_readlink,
	.open = fpga_open,
	.read = fpga_read,
	.opendir = mem_opendir,
	.readdir = mem_readdir,
	.statfs = fpga_statfs,
	.setattr = mem_setattr,
	.mknod = mem_mknod,
	.mkdir = mem_mkdir,
	.unlink = mem_unlink,
	.rmdir = mem_rmdir,
	.symlink = mem_symlink,
	.rename = mem_rename,
	.link = mem_link,
	.write = fpga_write,
	.fsync = fpga_fsync,
	.create = mem_create,
	.fallocate = fpga_fallocate,
	.lseek = mem_lseek,
	.setxattr = fpga_setxattr,
	.getxattr = mem_getxattr,
	.listxattr = mem_listxattr,
	.removexattr = mem_removexattr,
};

/* One line that says what to do about a card we cannot use. */
static void explain(const struct fpga_dev *dev, int err)
{
	switch (err) {
	case -ENODATA:
		vfsd_log(VFSD_LOG_ERR, "%s holds no vfsd filesystem (and is not "
			 "empty): --format to overwrite it", dev->desc);
		break;
	case -EUCLEAN:
		vfsd_log(VFSD_LOG_ERR, "%s: the filesystem on it is damaged "
			 "beyond repair: --format to start afresh", dev->desc);
		break;
	case -EPROTONOSUPPORT:
		vfsd_log(VFSD_LOG_ERR, "%s: made by another version of "
			 "vfsd-server: --format to start afresh", dev->desc);
		break;
	case -ENOSPC:
		vfsd_log(VFSD_LOG_ERR, "%s: too small for a filesystem",
			 dev->desc);
		break;
	default:
		vfsd_log(VFSD_LOG_ERR, "%s: %s", dev->desc, strerror(-err));
	}
}

static int mount_card(struct fpga_fs *fs, const struct fpga_config *fc)
{
	struct mem_fs *m = &fs->mem;
	int err = 0;

	if (fc->format)
		err = fpga_layout_format(fs->dev, NULL, getuid(), getgid());
	if (!err)
		err = fpga_layout_open(fs->dev, getuid(), getgid(), &fs->L);
	if (err)
		return err;
	/* No blocks of its own: the pool only gives st_blksize. */
	err = mem_pool_init(&m->pool, FPGA_BLOCK, FPGA_BLOCK);
	if (!err)
		err = mem_inodes_init(&m->inodes, &m->pool, fs->L->sb.inode_count);
	if (err)
		return err;
	m->inodes.on_free = fpga_on_free;
	m->inodes.on_free_ctx = fs;
	m->store = &fpga_store_ops;
	pthread_rwlock_init(&m->ns_lock, NULL);
	err = fpga_load(fs);
	if (!err)
		err = fpga_layout_mounted(fs->L);
	return err;
}

static void fpga_destroy_fs(void *state)
{
	struct fpga_fs *fs = state;

	fs->closing = true;
	if (fs->mem.inodes.buckets)
		mem_inodes_fini(&fs->mem.inodes);
	if (fs->mem.pool.base)
		mem_pool_fini(&fs->mem.pool);
	pthread_rwlock_destroy(&fs->mem.ns_lock);
	if (fs->L && fpga_layout_close(fs->L))
		vfsd_log(VFSD_LOG_ERR, "%s: could not mark the card clean",
			 fs->dev->desc);
	fpga_dev_close(fs->dev);
	free(fs);
}

static int fpga_create_fs(const struct backend_config *cfg, void **state)
{
	static const struct fpga_config defaults = { 0 };
	const struct fpga_config *fc = cfg->fpga ? cfg->fpga : &defaults;
	struct fpga_fs *fs = calloc(1, sizeof(*fs));
	int err;

	if (!fs)
		return -ENOMEM;
	err = fpga_dev_open(fc, cfg->size, &fs->dev);
	if (err) {
		free(fs);
		return err;
	}
	fs->dev->dma_addrs = fpga_window_dma_addrs;
	fs->dev->dma_ctx = fs;
	fs->dma_pci_dev_ok = fs->dev->dma_device[0] &&
		vfsd_pci_dev_parse(fs->dev->dma_device, &fs->dma_pci_dev) == 0;
	fs->bar_pci_dev_ok = fs->dev->bar_device[0] &&
		vfsd_pci_dev_parse(fs->dev->bar_device, &fs->bar_pci_dev) == 0;
	fs->mem.attr_timeout = cfg->attr_timeout;
	fs->mem.entry_timeout = cfg->entry_timeout;
	fs->mem.server_perms = cfg->server_permissions;
	err = mount_card(fs, fc);
	if (err) {
		explain(fs->dev, err);
		if (fs->L) {
			fpga_layout_close(fs->L);
			fs->L = NULL;
		}
		fpga_destroy_fs(fs);
		return err;
	}
	*state = fs;
	return 0;
}

static mode_t fpga_root_mode(void *state)
{
	struct fpga_fs *fs = state;
	struct mem_inode *root = mem_inode_get(&fs->mem.inodes, VFSD_ROOT_INO);
	mode_t mode = root ? root->mode : S_IFDIR | 0755;

	if (root)
		mem_inode_put(&fs->mem.inodes, root);
	return mode;
}

/* Direct map needs the session, and the module (not FUSE) behind it. */
static void fpga_mounted(void *state, struct vfsd_session *s)
{
	struct fpga_fs *fs = state;

	if (!strcmp(vfsd_session_transport(s), "vfsd"))
		__atomic_store_n(&fs->session, s, __ATOMIC_RELEASE);
}

static bool fpga_pins_window(void *state)
{
	return ((struct fpga_fs *)state)->dev->ops->pins_buffers;
}

static void fpga_stats(void *state, FILE *out)
{
	fpga_stats_print(((struct fpga_fs *)state)->dev, out);
}

const struct backend backend_fpga = {
	.name = "fpga",
	.summary = "files in FPGA card memory (--driver=qemu|xdma|mem, see docs/fpga.md)",
	.create = fpga_create_fs,
	.destroy = fpga_destroy_fs,
	.root_mode = fpga_root_mode,
	.ops = &fpga_ops,
	.mounted = fpga_mounted,
	.stats = fpga_stats,
	.needs_module = true,
	.pins_window = fpga_pins_window,
};
