// SPDX-License-Identifier: MIT
/* The generic mount options (ro, noexec, noatime, ...) as mount(2) flags. */
#include <string.h>
#include <sys/mount.h>

#include "common/mount_flags.h"

static const struct {
	const char *name;
	unsigned long set;
	unsigned long clear;
} generic[] = {
	{ "ro", MS_RDONLY, 0 },
	{ "rw", 0, MS_RDONLY },
	{ "noexec", MS_NOEXEC, 0 },
	{ "exec", 0, MS_NOEXEC },
	{ "sync", MS_SYNCHRONOUS, 0 },
	{ "async", 0, MS_SYNCHRONOUS },
	{ "dirsync", MS_DIRSYNC, 0 },
	{ "noatime", MS_NOATIME, MS_RELATIME | MS_STRICTATIME },
	{ "atime", 0, MS_NOATIME },
	{ "relatime", MS_RELATIME, MS_NOATIME | MS_STRICTATIME },
	{ "norelatime", 0, MS_RELATIME },
	{ "strictatime", MS_STRICTATIME, MS_NOATIME | MS_RELATIME },
	{ "nodiratime", MS_NODIRATIME, 0 },
	{ "diratime", 0, MS_NODIRATIME },
	{ "lazytime", MS_LAZYTIME, 0 },
	{ "nolazytime", 0, MS_LAZYTIME },
	{ "silent", MS_SILENT, 0 },
	{ "loud", 0, MS_SILENT },
	/* Always nosuid,nodev: the server must not grant privileges. */
	{ "nosuid", 0, 0 },
	{ "suid", 0, 0 },
	{ "nodev", 0, 0 },
	{ "dev", 0, 0 },
};

bool mount_flag_apply(const char *name, unsigned long *flags)
{
	size_t i;

	for (i = 0; i < sizeof(generic) / sizeof(generic[0]); i++) {
		if (!strcmp(name, generic[i].name)) {
			*flags = (*flags & ~generic[i].clear) | generic[i].set;
			return true;
		}
	}
	return false;
}
