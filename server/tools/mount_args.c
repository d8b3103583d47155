// SPDX-License-Identifier: MIT
/*
 * mount.vfsd's translation of a mount(8) request into a vfsd-server
 * command line:
 *
 *   mount -t vfsd.dir /srv/data /mnt/data -o ro,queues=2
 *   -> vfsd-server --backend=dir --source=/srv/data --queues=2
 *                  -o fsname=/srv/data,subtype=dir,ro /mnt/data
 *
 * Options for the server become its long options, mount and permission
 * options go to its -o, and what only mount(8), fstab or systemd read
 * (nofail, _netdev, x-systemd.*, ...) is dropped.
 */
#include <stdlib.h>
#include <string.h>

#include "tools/mount_args.h"
#include "common/mount_flags.h"

/* name=VALUE options that are vfsd-server long options of the same sense. */
static const struct {
	const char *opt;
	const char *flag;
} long_opts[] = {
	{ "size", "--size" },
	{ "queues", "--queues" },
	{ "depth", "--depth" },
	{ "poll_us", "--poll-us" },
	{ "attr_timeout", "--attr-timeout" },
	{ "entry_timeout", "--entry-timeout" },
	{ "transport", "--transport" },
	{ "stats", "--stats" },
	{ "driver", "--driver" },
	{ "card", "--card" },
	{ "h2c", "--h2c" },
	{ "c2h", "--c2h" },
	{ "dma_timeout", "--dma-timeout" },
};

/* Options vfsd-server takes in its own -o list. */
static const char *const server_o_flags[] = {
	"allow_other", "default_permissions", "server_permissions", "keep_cache",
};
static const char *const server_o_values[] = {
	"timeout", "max_read", "source_dio", "source_fixed",
};

/* Read by mount(8), fstab, systemd or the kernel's mount table, not us. */
static const char *const ignored[] = {
	"defaults", "auto", "noauto", "nofail", "_netdev", "user", "nouser",
	"users", "owner", "group", "nosymfollow",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool in_list(const char *name, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(name, list[i]))
			return true;
	return false;
}

static int push(struct mount_args *a, char *s)
{
	if (!s || a->argc >= MOUNT_ARGS_MAX) {
		free(s);
		return -1;
	}
	a->argv[a->argc++] = s;
	a->argv[a->argc] = NULL;
	return 0;
}

static int pushf(struct mount_args *a, const char *flag, const char *val)
{
	char *s;

	if (asprintf(&s, "%s=%s", flag, val) < 0)
		return -1;
	return push(a, s);
}

/* Append name[=val] to the server's -o list. */
static int server_opt(struct mount_args *a, const char *name, const char *val)
{
	size_t need = strlen(name) + (val ? strlen(val) + 1 : 0) + 2;
	char *p = realloc(a->server_opts, a->server_opts_len + need);

	if (!p)
		return -1;
	a->server_opts = p;
	a->server_opts_len += (size_t)sprintf(p + a->server_opts_len, "%s%s%s%s",
					      a->server_opts_len ? "," : "",
					      name, val ? "=" : "", val ? val : "");
	return 0;
}

static int one_option(struct mount_args *a, char *opt, bool sloppy, FILE *err)
{
	char *val = strchr(opt, '=');
	unsigned long flags = 0;
	size_t i;

	if (val)
		*val++ = '\0';
	if (!strncmp(opt, "x-", 2) || !strcmp(opt, "comment") ||
	    (!val && in_list(opt, ignored, COUNT(ignored))))
		return 0;
	if (!val && (mount_flag_apply(opt, &flags) ||
		     in_list(opt, server_o_flags, COUNT(server_o_flags))))
		return server_opt(a, opt, NULL);
	if (val && in_list(opt, server_o_values, COUNT(server_o_values)))
		return server_opt(a, opt, val);
	if (!val && !strcmp(opt, "format"))
		return push(a, strdup("--format"));
	for (i = 0; val && i < COUNT(long_opts); i++)
		if (!strcmp(opt, long_opts[i].opt))
			return pushf(a, long_opts[i].flag, val);
	if (sloppy)
		return 0;
	fprintf(err, "mount.vfsd: unknown option '%s%s%s' (see mount.vfsd(8))\n",
		opt, val ? "=" : "", val ? val : "");
	return -1;
}

/*
 * The fpga backend's source: "cardN"/"xdmaN" names XDMA device N's first
 * channels, anything else (a PCI address, a card file) is --card; "none"
 * or "card" leaves the driver's default.
 */
static int fpga_source(struct mount_args *a, const char *spec)
{
	char path[64];
	char *end;
	long n;

	if (!strcmp(spec, "none") || !strcmp(spec, "card") || !*spec)
		return 0;
	if (!strncmp(spec, "card", 4) || !strncmp(spec, "xdma", 4)) {
		n = strtol(spec + 4, &end, 10);
		if (end != spec + 4 && !*end && n >= 0 && n < 1000) {
			snprintf(path, sizeof(path), "/dev/xdma%ld_h2c_0", n);
			if (pushf(a, "--h2c", path) < 0)
				return -1;
			snprintf(path, sizeof(path), "/dev/xdma%ld_c2h_0", n);
			return pushf(a, "--c2h", path);
		}
	}
	return pushf(a, "--card", spec);
}

int mount_args_build(struct mount_args *a, const char *type, const char *spec,
		     const char *opts, const char *mountpoint, bool sloppy,
		     FILE *err)
{
	const char *backend = type;
	char *copy = NULL, *save = NULL, *opt;
	int ret = -1;

	memset(a, 0, sizeof(*a));
	a->argc = 1;
	if (!strncmp(type, "vfsd.", 5))
		backend = type + 5;
	if (strcmp(backend, "mem") && strcmp(backend, "dir") &&
	    strcmp(backend, "fpga")) {
		fprintf(err, "mount.vfsd: unknown type '%s': vfsd.mem, vfsd.dir or vfsd.fpga\n",
			type);
		return -1;
	}
	if (!spec || !*spec)
		spec = "none";
	if (strchr(spec, ',')) {
		fprintf(err, "mount.vfsd: a source with a comma ('%s') cannot be shown in /proc/mounts\n",
			spec);
		return -1;
	}
	if (pushf(a, "--backend", backend) < 0)
		goto out;
	if (!strcmp(backend, "dir") && pushf(a, "--source", spec) < 0)
		goto out;
	if (!strcmp(backend, "fpga") && fpga_source(a, spec) < 0)
		goto out;
	if (server_opt(a, "fsname", spec) < 0 || server_opt(a, "subtype", backend) < 0)
		goto out;
	copy = strdup(opts ? opts : "");
	if (!copy)
		goto out;
	for (opt = strtok_r(copy, ",", &save); opt; opt = strtok_r(NULL, ",", &save))
		if (one_option(a, opt, sloppy, err) < 0)
			goto out;
	if (push(a, strdup("-o")) < 0 || push(a, strdup(a->server_opts)) < 0 ||
	    push(a, strdup(mountpoint)) < 0)
		goto out;
	ret = 0;
out:
	free(copy);
	if (ret < 0) {
		if (a->argc >= MOUNT_ARGS_MAX)
			fprintf(err, "mount.vfsd: too many options\n");
		mount_args_free(a);
	}
	return ret;
}

void mount_args_free(struct mount_args *a)
{
	int i;

	for (i = 1; i < a->argc; i++)
		free(a->argv[i]);
	free(a->server_opts);
	memset(a, 0, sizeof(*a));
}
