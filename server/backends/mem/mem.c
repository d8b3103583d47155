// SPDX-License-Identifier: MIT
/*
 * The mem backend: the tree (tree/tree.h) on a block pool in RAM, no
 * store behind it. Its statfs, ops table and lifecycle; file data is in
 * backends/mem/data.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "backends/mem/mem.h"

/* The pool's real free space, so df and ENOSPC agree. */
static void mem_statfs(struct vfsd_req *req, vfsd_ino_t ino)
{
	struct mem_fs *fs = MFS(req);
	struct statvfs st;
	uint64_t used = mem_inodes_count(&fs->inodes);

	(void)ino;
	memset(&st, 0, sizeof(st));
	st.f_bsize = fs->pool.block_size;
	st.f_frsize = fs->pool.block_size;
	st.f_blocks = fs->pool.nblocks;
	st.f_bfree = st.f_bavail = mem_pool_free_count(&fs->pool);
	st.f_files = fs->inodes.max;
	st.f_ffree = st.f_favail = fs->inodes.max > used ?
				   fs->inodes.max - used : 0;
	st.f_namemax = NAME_MAX;
	vfsd_reply_statfs(req, &st);
}

static const struct vfsd_ops mem_ops = {
	.lookup = mem_lookup,
	.forget = mem_forget,
	.getattr = mem_getattr,
	.readlink = mem_readlink,
	.open = mem_open,
	.read = mem_read,
	.opendir = mem_opendir,
	.readdir = mem_readdir,
	.statfs = mem_statfs,
	.setattr = mem_setattr,
	.mknod = mem_mknod,
	.mkdir = mem_mkdir,
	.unlink = mem_unlink,
	.rmdir = mem_rmdir,
	.symlink = mem_symlink,
	.rename = mem_rename,
	.link = mem_link,
	.write = mem_write,
	.fsync = mem_fsync,
	.create = mem_create,
	.fallocate = mem_fallocate,
	.lseek = mem_lseek,
	.setxattr = mem_setxattr,
	.getxattr = mem_getxattr,
	.listxattr = mem_listxattr,
	.removexattr = mem_removexattr,
};

static int mem_create_fs(const struct backend_config *cfg, void **state)
{
	uint64_t size = cfg->size ? cfg->size : MEM_DEFAULT_SIZE;
	struct mem_fs *fs = calloc(1, sizeof(*fs));
	struct mem_inode *root;
	int err;

	if (!fs)
		return -ENOMEM;
	err = mem_pool_init(&fs->pool, size, MEM_BLOCK_SIZE);
	if (err) {
		vfsd_log(VFSD_LOG_ERR, "cannot set up %llu bytes of storage: %s",
			 (unsigned long long)size, strerror(-err));
		free(fs);
		return err;
	}
	/* An inode per block, at least 64k: the metadata is malloc'd. */
	err = mem_inodes_init(&fs->inodes, &fs->pool,
			      fs->pool.nblocks > 65536 ? fs->pool.nblocks
						       : 65536);
	root = err ? NULL : mem_inode_new(&fs->inodes, S_IFDIR | 0755,
					  getuid(), getgid(), 0, NULL, &err);
	if (!root) {
		mem_pool_fini(&fs->pool);
		free(fs);
		vfsd_log(VFSD_LOG_ERR, "out of memory");
		return -ENOMEM;
	}
	root->nlink = 2;	/* "." and its name in the mount: never freed */
	mem_inode_put(&fs->inodes, root);
	pthread_rwlock_init(&fs->ns_lock, NULL);
	fs->attr_timeout = cfg->attr_timeout;
	fs->entry_timeout = cfg->entry_timeout;
	fs->server_perms = cfg->server_permissions;
	*state = fs;
	return 0;
}

static void mem_destroy_fs(void *state)
{
	struct mem_fs *fs = state;

	mem_inodes_fini(&fs->inodes);
	mem_pool_fini(&fs->pool);
	pthread_rwlock_destroy(&fs->ns_lock);
	free(fs);
}

static mode_t mem_root_mode(void *state)
{
	(void)state;
	return S_IFDIR | 0755;
}

/* --stats: the file bytes copied by the CPU (every one, in this backend). */
static void mem_stats(void *state, FILE *out)
{
	copy_stats_print(&((struct mem_fs *)state)->copied, out);
}

const struct backend backend_mem = {
	.name = "mem",
	.summary = "a filesystem in RAM (--size=BYTES, default 256M)",
	.create = mem_create_fs,
	.destroy = mem_destroy_fs,
	.root_mode = mem_root_mode,
	.ops = &mem_ops,
	.stats = mem_stats,
};
