// SPDX-License-Identifier: MIT
/* mount(2) and unmount of the filesystem bound to the connection. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "vfsd_i.h"

/* perms: the permission option ("" for none). */
static int mount_data(char *buf, size_t size, int fd,
		      const struct vfsd_session_opts *o, uid_t uid, gid_t gid,
		      const char *perms)
{
	char max_read[32] = "";
	int n;

	if (o->max_read)
		snprintf(max_read, sizeof(max_read), ",max_read=%u", o->max_read);
	n = snprintf(buf, size, "fd=%d,rootmode=%o,user_id=%u,group_id=%u%s%s%s",
		     fd, (unsigned int)o->rootmode, (unsigned int)uid,
		     (unsigned int)gid, o->allow_other ? ",allow_other" : "",
		     perms, max_read);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return n;
}

/* Returns the length of the option string, or -ENAMETOOLONG. */
int vfsd_mount_data(char *buf, size_t size, int fd,
		    const struct vfsd_session_opts *o, uid_t uid, gid_t gid)
{
	/* The kernel checks permissions unless told the server does. */
	return mount_data(buf, size, fd, o, uid, gid,
			  o->server_permissions ? ",server_permissions" :
			  o->default_permissions ? ",default_permissions" : "");
}

/*
 * The same for a fuse mount: the module's default, kernel checks, is
 * FUSE's default_permissions; FUSE has no server_permissions option.
 */
int vfsd_fuse_mount_data(char *buf, size_t size, int fd,
			 const struct vfsd_session_opts *o, uid_t uid,
			 gid_t gid)
{
	return mount_data(buf, size, fd, o, uid, gid,
			  o->server_permissions ? "" : ",default_permissions");
}

void vfsd_mount_error(const char *mp, int err, bool fuse)
{
	switch (err) {
	case EPERM:
	case EACCES:
		vfsd_err("mount %s: permission denied (are you root?)", mp);
		break;
	case ENODEV:
		if (fuse)
			vfsd_err("mount %s: filesystem type fuse unknown: "
				 "modprobe fuse", mp);
		else
			vfsd_err("mount %s: filesystem type vfsd unknown: is "
				 "the vfsd module loaded? (modprobe vfsd)", mp);
		break;
	case ENOENT:
		vfsd_err("mount point %s does not exist", mp);
		break;
	case ENOTDIR:
		vfsd_err("mount point %s is not a directory", mp);
		break;
	default:
		vfsd_err("mount %s: %s", mp, strerror(err));
	}
}

/* ",subtype=NAME" after the len bytes of data; a comma would split it. */
static int append_subtype(char *data, size_t size, int len,
			  const char *subtype)
{
	int n;

	if (!*subtype || strchr(subtype, ','))
		return -EINVAL;
	n = snprintf(data + len, size - (size_t)len, ",subtype=%s", subtype);
	if (n < 0 || (size_t)n >= size - (size_t)len)
		return -ENAMETOOLONG;
	return len + n;
}

int vfsd_mount(struct vfsd_session *s, const char *mountpoint)
{
	char data[256], *mp;
	int err;

	/* Absolute, so a daemon that changed directory can still unmount. */
	mp = realpath(mountpoint, NULL);
	if (!mp) {
		err = errno;
		vfsd_mount_error(mountpoint, err, false);
		return -err;
	}
	err = vfsd_mount_data(data, sizeof(data), s->fd, &s->opts, getuid(),
			      getgid());
	if (err >= 0 && s->opts.subtype) {
		err = append_subtype(data, sizeof(data), err, s->opts.subtype);
		if (err < 0)
			vfsd_err("mount %s: bad subtype '%s'", mp,
				 s->opts.subtype);
	}
	/* nosuid, nodev: as FUSE, the server must not grant privileges. */
	if (err >= 0 &&
	    mount(s->opts.fsname ? s->opts.fsname : "vfsd", mp, "vfsd",
		  MS_NOSUID | MS_NODEV | s->opts.mount_flags, data) < 0) {
		err = -errno;
		vfsd_mount_error(mp, -err, false);
	}
	if (err < 0) {
		free(mp);
		return err;
	}
	free(s->mountpoint);
	s->mountpoint = mp;
	s->mounted = true;
	return 0;
}

void vfsd_umount(struct vfsd_session *s)
{
	if (!s->mounted)
		return;
	s->mounted = false;
	if (umount2(s->mountpoint, UMOUNT_NOFOLLOW) == 0)
		return;
	/* Still in use: detach it; the open files fail once we are gone. */
	if (errno == EBUSY &&
	    umount2(s->mountpoint, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
		return;
	if (errno != EINVAL)	/* EINVAL: already unmounted */
		vfsd_err("unmount %s: %s", s->mountpoint, strerror(errno));
}
