// SPDX-License-Identifier: GPL-2.0
/*
 * vfsd: a VFS-to-userspace dispatch module. See include/linux/vfsd.h.
 */
#include <linux/module.h>

#include "vfsd_i.h"

static int __init vfsd_init(void)
{
	int err;

	err = vfsd_sysfs_init();
	if (err)
		return err;
	err = vfsd_fs_init();
	if (err)
		goto out_sysfs;
	err = vfsd_dev_init();
	if (err)
		goto out_fs;
	return 0;

out_fs:
	vfsd_fs_exit();
out_sysfs:
	vfsd_sysfs_exit();
	return err;
}

static void __exit vfsd_exit(void)
{
	vfsd_dev_exit();
	vfsd_fs_exit();
	vfsd_sysfs_exit();
}

module_init(vfsd_init);
module_exit(vfsd_exit);
MODULE_DESCRIPTION("vfsd: serve a filesystem from userspace over shared rings");
MODULE_LICENSE("GPL");
/* Kept equal to meson.build's project version (meson checks). */
MODULE_VERSION("0.3.0");
