// SPDX-License-Identifier: GPL-2.0
/*
 * vfsd: /proc/PID/fdinfo/FD of an open /dev/vfsd names its connection, so
 * tools (vfsd list) can tell which process serves which mount.
 */
#include <linux/seq_file.h>

#include "vfsd_i.h"

void vfsd_dev_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct vfsd_conn *conn = file->private_data;

	seq_printf(m, "vfsd_conn:\t%d\n", conn->id);
	seq_printf(m, "vfsd_queues:\t%u\n", READ_ONCE(conn->nr_queues));
	seq_printf(m, "vfsd_connected:\t%d\n", READ_ONCE(conn->connected));
}
