// SPDX-License-Identifier: MIT
/* vfsd-server's command line: getopt_long, plus -o mount options. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/mount_flags.h"
#include "common/parse_size.h"
#include "cli/options.h"
#include "cli/options_fpga.h"

#define DEFAULT_TIMEOUT 1.0

void server_usage(FILE *out, const char *prog)
{
	fprintf(out,
"usage: %s --backend=NAME [--source=PATH] [options] MOUNTPOINT\n"
"\n"
"Serve a vfsd filesystem at MOUNTPOINT (as root; over the vfsd module, or\n"
"over FUSE where the module is not loaded).\n"
"\n"
"  --backend=NAME     what to serve (below)\n"
"  --transport=T      auto (default: vfsd if /dev/vfsd exists, else fuse;\n"
"                     the environment's VFSD_TRANSPORT=vfsd|fuse decides\n"
"                     first), vfsd or fuse (libfuse3, tuned as its\n"
"                     passthrough_hp example; docs/fuse-transport.md)\n"
"  --source=PATH      the backend's source, e.g. the directory for dir\n"
"  --size=BYTES       storage of the mem backend, K/M/G suffixes\n"
"                     (default 256M)\n"
"  -f, --foreground   stay in the foreground\n"
"  -d, --debug        log every request (implies -f)\n"
"  --queues=N         request queues (fuse: threads), 0 = one per CPU\n"
"                     (default; vfsd: each thread kept on its CPU)\n"
"  --depth=N          requests in flight per queue (power of two)\n"
"  --poll-us=N        vfsd: a queue thread polls N microseconds for the\n"
"                     next request before it sleeps (default 1000, 0:\n"
"                     never; VFSD_POLL_US in the environment wins)\n"
"  --attr-timeout=S   how long the kernel caches attributes (default 1)\n"
"  --entry-timeout=S  how long the kernel caches names (default 1)\n"
"  --stats=FILE       write counters to FILE on SIGUSR1 and at exit: file\n"
"                     bytes the CPU copied (mem, dir; fpga: moved by DMA,\n"
"                     by CPU), the transport's copies (FUSE) and INIT caps\n"
"  -o OPT[,OPT...]    mount and server options:\n"
"       allow_other          users other than the mounter may enter\n"
"       default_permissions  the kernel checks access from the modes\n"
"                            (the default)\n"
"       server_permissions   the server checks access instead (dir: as\n"
"                            the caller, through the host)\n"
"       keep_cache           keep cached file pages across opens\n"
"       source_dio=auto|on|off  dir: file data O_DIRECT between the\n"
"                            source's disk and the kernel's pages (auto:\n"
"                            on for ext4, xfs, btrfs, f2fs sources)\n"
"       source_fixed=auto|off  dir: that O_DIRECT through the pages as\n"
"                            registered io_uring buffers where the\n"
"                            kernel has them (7.3), or (off) through\n"
"                            the pinned window\n"
"       timeout=SECONDS      both timeouts at once\n"
"       max_read=BYTES       largest READ request (page multiple)\n"
"       fsname=NAME          the source /proc/mounts shows (vfsd transport)\n"
"       subtype=NAME         shows the type as vfsd.NAME (vfsd transport)\n"
"       ro, noexec, noatime, sync, ...  generic mount flags (always\n"
"                            nosuid,nodev)\n"
"  -h, --help         this text\n"
"  -V, --version      the version\n"
"\n"
"backends:\n", prog);
	backend_list(out);
	fpga_usage(out);
}

static void complain(const char *fmt, const char *arg)
{
	fputs("vfsd: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (see --help)\n", stderr);
}

static int parse_uint(const char *s, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > UINT_MAX || *s == '-')
		return -1;
	*out = (unsigned int)v;
	return 0;
}

static int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0) || v > 1e9)
		return -1;
	*out = v;
	return 0;
}

/* The index of s in names (n of them), or -1. */
static int parse_choice(const char *s, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

#define PARSE_CHOICE(s, names)	\
	parse_choice(s, names, (int)(sizeof(names) / sizeof((names)[0])))

static int parse_transport(const char *s, enum vfsd_transport *out)
{
	static const char *const names[] = { "auto", "vfsd", "fuse" };
	_Static_assert(VFSD_TRANSPORT_AUTO == 0 && VFSD_TRANSPORT_VFSD == 1 &&
		       VFSD_TRANSPORT_FUSE == 2, "names[] in enum order");
	int i = PARSE_CHOICE(s, names);

	if (i < 0)
		return -1;
	*out = (enum vfsd_transport)i;
	return 0;
}

static int parse_source_dio(const char *s, enum source_dio *out)
{
	static const char *const names[] = { "auto", "on", "off" };
	_Static_assert(SOURCE_DIO_AUTO == 0 && SOURCE_DIO_ON == 1 &&
		       SOURCE_DIO_OFF == 2, "names[] in enum order");
	int i = PARSE_CHOICE(s, names);

	if (i < 0)
		return -1;
	*out = (enum source_dio)i;
	return 0;
}

/* The last of default_permissions / server_permissions wins. */
static void set_permissions(struct server_opts *o, bool server)
{
	o->session.default_permissions = !server;
	o->session.server_permissions = server;
	o->cfg.server_permissions = server;
}

/* One -o option. */
static int parse_mount_opt(char *opt, struct server_opts *o)
{
	char *val = strchr(opt, '=');

	if (val)
		*val++ = '\0';
	if (!strcmp(opt, "allow_other") && !val)
		o->session.allow_other = 1;
	else if (!strcmp(opt, "default_permissions") && !val)
		set_permissions(o, false);
	else if (!strcmp(opt, "server_permissions") && !val)
		set_permissions(o, true);
	else if (!strcmp(opt, "keep_cache") && !val)
		o->cfg.keep_cache = true;
	else if (!strcmp(opt, "timeout") && val) {
		if (parse_seconds(val, &o->cfg.attr_timeout) < 0) {
			complain("bad timeout '%s'", val);
			return -1;
		}
		o->cfg.entry_timeout = o->cfg.attr_timeout;
	} else if (!strcmp(opt, "max_read") && val) {
		/* The module takes whole pages only. */
		if (parse_uint(val, &o->session.max_read) < 0 ||
		    o->session.max_read == 0 ||
		    o->session.max_read % (unsigned int)sysconf(_SC_PAGESIZE)) {
			complain("bad max_read '%s': a multiple of the page size",
				 val);
			return -1;
		}
	} else if (!strcmp(opt, "source_dio") && val) {
		if (parse_source_dio(val, &o->cfg.source_dio) < 0) {
			complain("bad source_dio '%s': auto, on or off", val);
			return -1;
		}
	} else if (!strcmp(opt, "source_fixed") && val) {
		static const char *const names[] = { "auto", "off" };
		int i = PARSE_CHOICE(val, names);

		if (i < 0) {
			complain("bad source_fixed '%s': auto or off", val);
			return -1;
		}
		o->cfg.no_source_fixed = i == 1;
	} else if (!strcmp(opt, "fsname") && val && *val) {
		o->session.fsname = val;
	} else if (!strcmp(opt, "subtype") && val && *val && !strchr(val, ',')) {
		o->session.subtype = val;
	} else if (!val && mount_flag_apply(opt, &o->session.mount_flags)) {
		/* ro, noexec, noatime, ...: passed to mount(2) */
	} else {
		complain("unknown mount option '%s'", opt);
		return -1;
	}
	return 0;
}

/* The copy stays allocated: fsname= and subtype= point into it. */
static int parse_mount_opts(const char *arg, struct server_opts *o)
{
	char *copy = strdup(arg), *save = NULL, *opt;
	int err = copy ? 0 : -1;

	for (opt = copy ? strtok_r(copy, ",", &save) : NULL; opt && !err;
	     opt = strtok_r(NULL, ",", &save))
		err = parse_mount_opt(opt, o);
	if (err)
		free(copy);
	return err;
}

enum {
	OPT_BACKEND = 256, OPT_SOURCE, OPT_QUEUES, OPT_DEPTH, OPT_SIZE,
	OPT_ATTR_TIMEOUT, OPT_ENTRY_TIMEOUT, OPT_TRANSPORT, OPT_POLL_US,
	OPT_STATS,
};

static const struct option long_opts[] = {
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "source", required_argument, NULL, OPT_SOURCE },
	{ "transport", required_argument, NULL, OPT_TRANSPORT },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "attr-timeout", required_argument, NULL, OPT_ATTR_TIMEOUT },
	{ "entry-timeout", required_argument, NULL, OPT_ENTRY_TIMEOUT },
	{ "queues", required_argument, NULL, OPT_QUEUES },
	{ "depth", required_argument, NULL, OPT_DEPTH },
	{ "poll-us", required_argument, NULL, OPT_POLL_US },
	{ "stats", required_argument, NULL, OPT_STATS },
	FPGA_LONG_OPTS,
	{ "foreground", no_argument, NULL, 'f' },
	{ "debug", no_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/*
 * The options that take a value: how each is stored, and the message for
 * one that does not parse (its value is the %s).
 */
static int set_backend(const char *a, struct server_opts *o)
{
	o->backend = a;
	return 0;
}

static int set_source(const char *a, struct server_opts *o)
{
	o->cfg.source = a;
	return 0;
}

static int set_transport(const char *a, struct server_opts *o)
{
	return parse_transport(a, &o->session.transport);
}

static int set_size(const char *a, struct server_opts *o)
{
	return parse_size(a, &o->cfg.size);
}

static int set_attr_timeout(const char *a, struct server_opts *o)
{
	return parse_seconds(a, &o->cfg.attr_timeout);
}

static int set_entry_timeout(const char *a, struct server_opts *o)
{
	return parse_seconds(a, &o->cfg.entry_timeout);
}

static int set_queues(const char *a, struct server_opts *o)
{
	return parse_uint(a, &o->session.nr_queues);
}

static int set_depth(const char *a, struct server_opts *o)
{
	return parse_uint(a, &o->session.depth);
}

static int set_poll_us(const char *a, struct server_opts *o)
{
	unsigned int us;

	if (parse_uint(a, &us) < 0 || us > VFSD_MAX_POLL_US)
		return -1;
	o->session.poll_us = (int)us;	/* 0: never */
	return 0;
}

/* The daemon runs in /. */
static int set_stats(const char *a, struct server_opts *o)
{
	if (a[0] != '/')
		return -1;
	o->stats_file = a;
	return 0;
}

static const struct value_opt {
	int code;
	int (*set)(const char *arg, struct server_opts *o);
	const char *bad;
} value_opts[] = {
	{ OPT_BACKEND, set_backend, NULL },
	{ OPT_SOURCE, set_source, NULL },
	{ OPT_TRANSPORT, set_transport,
	  "bad transport '%s': auto, vfsd or fuse" },
	{ OPT_SIZE, set_size, "bad size '%s'" },
	{ OPT_ATTR_TIMEOUT, set_attr_timeout, "bad timeout '%s'" },
	{ OPT_ENTRY_TIMEOUT, set_entry_timeout, "bad timeout '%s'" },
	{ OPT_QUEUES, set_queues, "bad queue count '%s'" },
	{ OPT_DEPTH, set_depth, "bad depth '%s'" },
	{ OPT_POLL_US, set_poll_us, "bad poll time '%s' (0..10000 us)" },
	{ OPT_STATS, set_stats, "--stats needs an absolute path, not '%s'" },
};

static const struct value_opt *value_opt(int code)
{
	size_t i;

	for (i = 0; i < sizeof(value_opts) / sizeof(value_opts[0]); i++)
		if (value_opts[i].code == code)
			return &value_opts[i];
	return NULL;
}

int server_parse_args(int argc, char **argv, struct server_opts *o)
{
	const struct value_opt *v;
	int c;

	memset(o, 0, sizeof(*o));
	o->session = (struct vfsd_session_opts)VFSD_SESSION_OPTS_INIT;
	o->cfg.attr_timeout = DEFAULT_TIMEOUT;
	o->cfg.entry_timeout = DEFAULT_TIMEOUT;
	set_permissions(o, false);	/* as the kernel's default */
	optind = 0;	/* a full reset: the tests parse more than once */
	opterr = 0;	/* our own one-line messages */
	while ((c = getopt_long(argc, argv, ":fdho:V", long_opts, NULL)) != -1) {
		v = value_opt(c);
		if (v) {
			if (v->set(optarg, o) < 0) {
				complain(v->bad, optarg);
				return -1;
			}
			continue;
		}
		switch (c) {
		case OPT_FPGA_FIRST ... OPT_FPGA_LAST:
			if (fpga_parse_option(c, optarg, &o->cfg) < 0)
				return -1;
			break;
		case 'f':
			o->foreground = true;
			break;
		case 'd':
			o->session.debug = 1;
			o->foreground = true;
			break;
		case 'o':
			if (parse_mount_opts(optarg, o) < 0)
				return -1;
			break;
		case 'h':
			o->help = true;
			return 0;
		case 'V':
			o->version = true;
			return 0;
		case ':':
			complain("option '%s' needs a value", argv[optind - 1]);
			return -1;
		default:
			complain("unknown option '%s'", argv[optind - 1]);
			return -1;
		}
	}
	if (optind >= argc) {
		complain("%smissing MOUNTPOINT", "");
		return -1;
	}
	if (optind + 1 < argc) {
		complain("unexpected argument '%s'", argv[optind + 1]);
		return -1;
	}
	o->mountpoint = argv[optind];
	if (!o->backend) {
		complain("%smissing --backend", "");
		return -1;
	}
	return 0;
}
