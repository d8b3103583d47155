// SPDX-License-Identifier: GPL-2.0
/*
 * vfsd: the filesystem type, mount options and the superblock.
 *
 *   mount -t vfsd -o fd=N[,rootmode=040755][,user_id=U][,group_id=G]
 *         [,allow_other][,default_permissions|server_permissions]
 *         [,max_read=BYTES][,subtype=NAME] SOURCE DIR
 *
 * subtype (or mount -t vfsd.NAME) shows in /proc/mounts as vfsd.NAME.
 *
 * fd names an open /dev/vfsd on which VFSD_IOC_SETUP has been done.
 */
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/file.h>
#include <linux/slab.h>
#include <linux/statfs.h>
#include <linux/backing-dev.h>
#include <linux/pagemap.h>
#include <linux/seq_file.h>
#include <linux/magic.h>

#include "vfsd_i.h"

#define VFSD_SUPER_MAGIC	0x76667364	/* "vfsd" */

struct kmem_cache *vfsd_inode_cachep;

struct vfsd_fs_context {
	int fd;
	bool fd_present;
	umode_t rootmode;
	kuid_t user_id;
	kgid_t group_id;
	bool allow_other;
	bool default_permissions;
	unsigned int max_read;
	unsigned int request_timeout;
	unsigned int max_background;
	char *subtype;
};

/* Seconds a request may go unanswered before the connection ends. */
static unsigned int request_timeout = 60;
module_param(request_timeout, uint, 0644);
MODULE_PARM_DESC(request_timeout,
		 "default of the request_timeout= mount option (seconds, 0 = none)");

enum {
	OPT_SOURCE, OPT_FD, OPT_ROOTMODE, OPT_USER_ID, OPT_GROUP_ID,
	OPT_ALLOW_OTHER, OPT_DEFAULT_PERMISSIONS, OPT_SERVER_PERMISSIONS,
	OPT_MAX_READ, OPT_REQUEST_TIMEOUT, OPT_MAX_BACKGROUND, OPT_SUBTYPE,
};

static const struct fs_parameter_spec vfsd_fs_parameters[] = {
	fsparam_string("source", OPT_SOURCE),
	fsparam_u32("fd", OPT_FD),
	fsparam_u32oct("rootmode", OPT_ROOTMODE),
	fsparam_u32("user_id", OPT_USER_ID),
	fsparam_u32("group_id", OPT_GROUP_ID),
	fsparam_flag("allow_other", OPT_ALLOW_OTHER),
	fsparam_flag("default_permissions", OPT_DEFAULT_PERMISSIONS),
	fsparam_flag("server_permissions", OPT_SERVER_PERMISSIONS),
	fsparam_u32("max_read", OPT_MAX_READ),
	fsparam_u32("request_timeout", OPT_REQUEST_TIMEOUT),
	fsparam_u32("max_background", OPT_MAX_BACKGROUND),
	fsparam_string("subtype", OPT_SUBTYPE),
	{}
};

static int vfsd_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	struct vfsd_fs_context *ctx = fc->fs_private;
	struct fs_parse_result result;
	int opt;

	if (fc->purpose == FS_CONTEXT_FOR_RECONFIGURE) {
		/* mount(2) remount repeats the options: accept, as FUSE does. */
		if (fc->oldapi)
			return 0;
		return invalfc(fc, "No changes allowed in reconfigure");
	}

	opt = fs_parse(fc, vfsd_fs_parameters, param, &result);
	if (opt < 0)
		return opt;

	switch (opt) {
	case OPT_SOURCE:
		if (fc->source)
			return invalfc(fc, "Multiple sources specified");
		fc->source = param->string;
		param->string = NULL;
		break;
	case OPT_FD:
		ctx->fd = result.uint_32;
		ctx->fd_present = true;
		break;
	case OPT_ROOTMODE:
		if (!S_ISDIR(result.uint_32) || (result.uint_32 & ~(S_IFMT | 07777)))
			return invalfc(fc, "rootmode must be a directory mode");
		ctx->rootmode = result.uint_32;
		break;
	case OPT_USER_ID:
		ctx->user_id = make_kuid(fc->user_ns, result.uint_32);
		if (!uid_valid(ctx->user_id))
			return invalfc(fc, "Invalid user_id");
		break;
	case OPT_GROUP_ID:
		ctx->group_id = make_kgid(fc->user_ns, result.uint_32);
		if (!gid_valid(ctx->group_id))
			return invalfc(fc, "Invalid group_id");
		break;
	case OPT_ALLOW_OTHER:
		ctx->allow_other = true;
		break;
	case OPT_DEFAULT_PERMISSIONS:
		ctx->default_permissions = true;
		break;
	case OPT_SERVER_PERMISSIONS:
		ctx->default_permissions = false;
		break;
	case OPT_MAX_READ:
		if (result.uint_32 < PAGE_SIZE ||
		    !PAGE_ALIGNED(result.uint_32))
			return invalfc(fc, "max_read must be a multiple of %lu",
				       PAGE_SIZE);
		ctx->max_read = result.uint_32;
		break;
	case OPT_REQUEST_TIMEOUT:
		if (result.uint_32 > 24 * 3600)
			return invalfc(fc, "request_timeout is at most a day");
		ctx->request_timeout = result.uint_32;
		break;
	case OPT_MAX_BACKGROUND:
		if (!result.uint_32 || result.uint_32 > VFSD_MAX_BACKGROUND)
			return invalfc(fc, "max_background is 1 to %u",
				       VFSD_MAX_BACKGROUND);
		ctx->max_background = result.uint_32;
		break;
	case OPT_SUBTYPE:
		if (ctx->subtype)
			return invalfc(fc, "Multiple subtypes specified");
		ctx->subtype = param->string;
		param->string = NULL;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static struct inode *vfsd_alloc_inode(struct super_block *sb)
{
	struct vfsd_inode *vi;

	vi = alloc_inode_sb(sb, vfsd_inode_cachep, GFP_KERNEL);
	if (!vi)
		return NULL;
	vi->nodeid = 0;
	vi->nlookup = 0;
	vi->attr_expires = 0;
	vi->state = 0;
	INIT_LIST_HEAD(&vi->write_files);
	return &vi->inode;
}

static void vfsd_free_inode(struct inode *inode)
{
	kmem_cache_free(vfsd_inode_cachep, VFSD_I(inode));
}

static void vfsd_evict_inode(struct inode *inode)
{
	struct vfsd_inode *vi = VFSD_I(inode);

	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	if (inode->i_sb->s_flags & SB_ACTIVE)
		vfsd_send_forget(inode->i_sb, vi->nodeid, vi->nlookup);
}

static int vfsd_statfs(struct dentry *dentry, struct kstatfs *buf)
{
	struct super_block *sb = dentry->d_sb;
	struct vfsd_statfs_out *out;
	struct vfsd_req *req;
	int err;

	if (!vfsd_allow_current(VFSD_M(sb))) {
		buf->f_type = VFSD_SUPER_MAGIC;
		return 0;
	}
	req = vfsd_req_alloc(VFSD_M(sb)->conn, VFSD_OP_STATFS,
			     vfsd_nodeid(d_inode(dentry)), 0, sizeof(*out),
			     GFP_KERNEL);
	if (IS_ERR(req))
		return PTR_ERR(req);
	req->out_exact = true;
	err = vfsd_req_send_wait(req);
	if (!err) {
		out = req->buf;
		buf->f_type = VFSD_SUPER_MAGIC;
		buf->f_bsize = out->bsize;
		buf->f_frsize = out->frsize ? out->frsize : out->bsize;
		buf->f_blocks = out->blocks;
		buf->f_bfree = out->bfree;
		buf->f_bavail = out->bavail;
		buf->f_files = out->files;
		buf->f_ffree = out->ffree;
		buf->f_namelen = min_t(u32, out->namelen, VFSD_NAME_MAX);
	}
	vfsd_req_put(req);
	return err;
}

static int vfsd_show_options(struct seq_file *m, struct dentry *root)
{
	struct vfsd_mount *fm = VFSD_M(root->d_sb);

	seq_printf(m, ",conn=%d", fm->conn->id);
	seq_printf(m, ",rootmode=%o", fm->rootmode);
	seq_printf(m, ",user_id=%u",
		   from_kuid_munged(&init_user_ns, fm->user_id));
	seq_printf(m, ",group_id=%u",
		   from_kgid_munged(&init_user_ns, fm->group_id));
	if (fm->allow_other)
		seq_puts(m, ",allow_other");
	seq_puts(m, fm->default_permissions ? ",default_permissions" :
		 ",server_permissions");
	seq_printf(m, ",max_read=%u", fm->max_read);
	seq_printf(m, ",request_timeout=%u", fm->request_timeout);
	seq_printf(m, ",max_background=%u", READ_ONCE(fm->conn->max_background));
	return 0;
}

/* umount -f: fail every request, so the unmount does not wait forever. */
static void vfsd_umount_begin(struct super_block *sb)
{
	vfsd_conn_abort(VFSD_M(sb)->conn, false);
}

static const struct super_operations vfsd_super_ops = {
	.umount_begin = vfsd_umount_begin,
	.alloc_inode = vfsd_alloc_inode,
	.free_inode = vfsd_free_inode,
	.evict_inode = vfsd_evict_inode,
	.drop_inode = vfsd_drop_inode_at_once,
	.statfs = vfsd_statfs,
	.show_options = vfsd_show_options,
};

static struct inode *vfsd_root_inode(struct super_block *sb, umode_t mode)
{
	struct vfsd_attr attr = {
		.ino = VFSD_ROOT_ID,
		.mode = mode,
		.nlink = 2,
	};
	struct inode *inode;

	attr.uid = from_kuid(&init_user_ns, VFSD_M(sb)->user_id);
	attr.gid = from_kgid(&init_user_ns, VFSD_M(sb)->group_id);
	/* Expired at once: the first access fetches the real attributes. */
	inode = vfsd_iget(sb, VFSD_ROOT_ID, &attr, 0);
	if (!IS_ERR(inode))
		VFSD_I(inode)->attr_expires = get_jiffies_64() - 1;
	return inode;
}

static int vfsd_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct vfsd_fs_context *ctx = fc->fs_private;
	struct vfsd_mount *fm = sb->s_fs_info;
	struct inode *root;
	int err;

	sb->s_magic = VFSD_SUPER_MAGIC;
	sb->s_op = &vfsd_super_ops;
	vfsd_set_d_op(sb, &vfsd_dentry_ops);
	sb->s_xattr = vfsd_xattr_handlers;
	sb->s_maxbytes = MAX_LFS_FILESIZE;
	sb->s_time_gran = 1;
	sb->s_blocksize = PAGE_SIZE;
	sb->s_blocksize_bits = PAGE_SHIFT;
	sb->s_flags |= SB_NOSEC;
	/* The VFS frees it with the superblock. */
	sb->s_subtype = ctx->subtype;
	ctx->subtype = NULL;

	err = super_setup_bdi(sb);
	if (err)
		return err;
	/*
	 * Read ahead several requests' worth, so the server fills the next
	 * ones (on another CPU) while the reader copies out the current one.
	 */
	sb->s_bdi->ra_pages = (fm->max_read >> PAGE_SHIFT) * VFSD_RA_REQUESTS;
	sb->s_bdi->io_pages = fm->max_read >> PAGE_SHIFT;
	/*
	 * A server writing to another filesystem must not be throttled by
	 * our dirty pages (as FUSE): keep them under this bdi's own share.
	 */
	sb->s_bdi->capabilities |= BDI_CAP_STRICTLIMIT;
	bdi_set_max_ratio(sb->s_bdi, 20);

	root = vfsd_root_inode(sb, ctx->rootmode);
	if (IS_ERR(root))
		return PTR_ERR(root);
	sb->s_root = d_make_root(root);
	if (!sb->s_root)
		return -ENOMEM;
	down_write(&fm->conn->killsb);
	fm->conn->sb = sb;
	up_write(&fm->conn->killsb);
	vfsd_conn_start_timeout(fm->conn, fm->request_timeout);
	return 0;
}

/* Resolve fd= to a set-up, not yet mounted connection. */
static struct vfsd_conn *vfsd_conn_from_fd(struct fs_context *fc, int fd)
{
	struct vfsd_conn *conn;
	struct file *file;
	bool ok;

	file = fget(fd);
	if (!file)
		return ERR_PTR(invalfc(fc, "fd=%d is not an open file", fd));
	if (file->f_op != &vfsd_dev_fops || !file->private_data) {
		fput(file);
		return ERR_PTR(invalfc(fc, "fd=%d is not /dev/vfsd", fd));
	}
	conn = file->private_data;
	spin_lock(&conn->lock);
	ok = conn->ready && conn->connected && !conn->mounted;
	if (ok)
		conn->mounted = true;
	spin_unlock(&conn->lock);
	if (!ok) {
		fput(file);
		return ERR_PTR(invalfc(fc,
			"connection on fd=%d is not set up, dead or already mounted",
			fd));
	}
	vfsd_conn_get(conn);
	fput(file);
	return conn;
}

static int vfsd_get_tree(struct fs_context *fc)
{
	struct vfsd_fs_context *ctx = fc->fs_private;
	struct vfsd_mount *fm;
	struct vfsd_conn *conn;
	int err;

	if (!ctx->fd_present)
		return invalfc(fc, "fd= is required");
	conn = vfsd_conn_from_fd(fc, ctx->fd);
	if (IS_ERR(conn))
		return PTR_ERR(conn);

	fm = kzalloc(sizeof(*fm), GFP_KERNEL);
	if (!fm) {
		vfsd_conn_abort(conn, true);
		vfsd_conn_put(conn);
		return -ENOMEM;
	}
	fm->conn = conn;
	fm->rootmode = ctx->rootmode;
	fm->user_id = ctx->user_id;
	fm->group_id = ctx->group_id;
	fm->allow_other = ctx->allow_other;
	fm->default_permissions = ctx->default_permissions;
	fm->max_read = ctx->max_read ? min(ctx->max_read, conn->max_io) :
		conn->max_io;
	fm->request_timeout = ctx->request_timeout;
	if (ctx->max_background)
		WRITE_ONCE(conn->max_background, ctx->max_background);

	fc->s_fs_info = fm;
	err = get_tree_nodev(fc, vfsd_fill_super);
	/* On failure kill_sb (or vfsd_free_fc) disposes of fm and conn. */
	return err;
}

static void vfsd_free_fc(struct fs_context *fc)
{
	struct vfsd_fs_context *ctx = fc->fs_private;
	struct vfsd_mount *fm = fc->s_fs_info;

	/* Still set only if no superblock took it over. */
	if (fm) {
		vfsd_conn_abort(fm->conn, true);
		vfsd_conn_put(fm->conn);
		kfree(fm);
	}
	if (ctx)
		kfree(ctx->subtype);
	kfree(ctx);
}

static const struct fs_context_operations vfsd_context_ops = {
	.free = vfsd_free_fc,
	.parse_param = vfsd_parse_param,
	.get_tree = vfsd_get_tree,
};

static int vfsd_init_fs_context(struct fs_context *fc)
{
	struct vfsd_fs_context *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->rootmode = S_IFDIR | 0755;
	ctx->user_id = current_fsuid();
	ctx->group_id = current_fsgid();
	ctx->default_permissions = true;
	ctx->request_timeout = READ_ONCE(request_timeout);
	fc->fs_private = ctx;
	fc->ops = &vfsd_context_ops;
	return 0;
}

static void vfsd_kill_sb(struct super_block *sb)
{
	struct vfsd_mount *fm = sb->s_fs_info;

	if (fm) {
		/* No notification may look at the superblock from here on. */
		down_write(&fm->conn->killsb);
		fm->conn->sb = NULL;
		up_write(&fm->conn->killsb);
	}
	kill_anon_super(sb);
	if (fm) {
		/* Unmount ends the connection: the server's ENTER gets ENODEV. */
		vfsd_conn_abort(fm->conn, true);
		vfsd_conn_put(fm->conn);
		kfree(fm);
	}
}

static struct file_system_type vfsd_fs_type = {
	.owner = THIS_MODULE,
	.name = "vfsd",
	.fs_flags = FS_HAS_SUBTYPE,
	.init_fs_context = vfsd_init_fs_context,
	.parameters = vfsd_fs_parameters,
	.kill_sb = vfsd_kill_sb,
};
MODULE_ALIAS_FS("vfsd");

static void vfsd_inode_init_once(void *p)
{
	struct vfsd_inode *vi = p;

	inode_init_once(&vi->inode);
}

int vfsd_fs_init(void)
{
	int err;

	vfsd_inode_cachep = kmem_cache_create("vfsd_inode",
					      sizeof(struct vfsd_inode), 0,
					      SLAB_RECLAIM_ACCOUNT |
					      SLAB_ACCOUNT,
					      vfsd_inode_init_once);
	if (!vfsd_inode_cachep)
		return -ENOMEM;
	err = register_filesystem(&vfsd_fs_type);
	if (err)
		kmem_cache_destroy(vfsd_inode_cachep);
	return err;
}

void vfsd_fs_exit(void)
{
	unregister_filesystem(&vfsd_fs_type);
	/* Inodes are freed after an RCU grace period. */
	rcu_barrier();
	kmem_cache_destroy(vfsd_inode_cachep);
}
