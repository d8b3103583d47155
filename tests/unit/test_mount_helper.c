// SPDX-License-Identifier: MIT
/*
 * mount.vfsd's translation (tools/mount_args.c), the generic mount flags and
 * the server's fsname=/subtype= options, and sd_notify's datagram.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "tools/mount_args.h"
#include "common/mount_flags.h"
#include "cli/options.h"
#include "cli/sd_notify.h"

/* The server command line as one string, argv[1..] joined by spaces. */
static char *joined(const struct mount_args *a)
{
	static char buf[2048];
	int i;

	buf[0] = '\0';
	for (i = 1; i < a->argc; i++) {
		strcat(buf, i > 1 ? " " : "");
		strcat(buf, a->argv[i]);
	}
	return buf;
}

static int build(struct mount_args *a, const char *type, const char *spec,
		 const char *opts, bool sloppy, char *err, size_t err_size)
{
	FILE *f = fmemopen(err, err_size, "w");
	int ret;

	memset(err, 0, err_size);
	ret = mount_args_build(a, type, spec, opts, "/mnt/x", sloppy, f);
	fclose(f);
	return ret;
}

static void test_mem_with_size(void **state)
{
	struct mount_args a;
	char err[256];

	(void)state;
	assert_int_equal(build(&a, "vfsd.mem", "none", "rw,size=512M", false,
			       err, sizeof(err)), 0);
	assert_string_equal(joined(&a),
		"--backend=mem --size=512M -o fsname=none,subtype=mem,rw /mnt/x");
	assert_null(a.argv[a.argc]);
	mount_args_free(&a);
}

static void test_dir_generic_and_systemd_options(void **state)
{
	struct mount_args a;
	char err[256];

	(void)state;
	assert_int_equal(build(&a, "vfsd.dir", "/srv/data",
			       "defaults,ro,nosuid,nodev,noexec,_netdev,nofail,noauto,"
			       "x-systemd.automount,x-systemd.requires=a.service,"
			       "allow_other,timeout=2,queues=2,comment=x",
			       false, err, sizeof(err)), 0);
	assert_string_equal(joined(&a),
		"--backend=dir --source=/srv/data --queues=2 -o fsname=/srv/data,"
		"subtype=dir,ro,nosuid,nodev,noexec,allow_other,timeout=2 /mnt/x");
	mount_args_free(&a);
}

static void test_fpga_sources(void **state)
{
	struct mount_args a;
	char err[256];

	(void)state;
	assert_int_equal(build(&a, "vfsd.fpga", "card0", "driver=xdma", false,
			       err, sizeof(err)), 0);
	assert_string_equal(joined(&a),
		"--backend=fpga --h2c=/dev/xdma0_h2c_0 --c2h=/dev/xdma0_c2h_0 "
		"--driver=xdma -o fsname=card0,subtype=fpga /mnt/x");
	mount_args_free(&a);
	assert_int_equal(build(&a, "vfsd.fpga", "0000:00:04.0",
			       "driver=qemu,format,dma_timeout=100", false, err,
			       sizeof(err)), 0);
	assert_string_equal(joined(&a),
		"--backend=fpga --card=0000:00:04.0 --driver=qemu --format "
		"--dma-timeout=100 -o fsname=0000:00:04.0,subtype=fpga /mnt/x");
	mount_args_free(&a);
}

static void test_refusals(void **state)
{
	struct mount_args a;
	char err[256];

	(void)state;
	assert_int_equal(build(&a, "vfsd.mem", "none", "bogus=1", false, err,
			       sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown option 'bogus=1'"));
	/* mount -s: sloppy, unknown options are dropped. */
	assert_int_equal(build(&a, "vfsd.mem", "none", "bogus=1", true, err,
			       sizeof(err)), 0);
	mount_args_free(&a);
	assert_int_equal(build(&a, "vfsd.nfs", "none", "", false, err,
			       sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown type 'vfsd.nfs'"));
	assert_int_equal(build(&a, "vfsd.dir", "/a,b", "", false, err,
			       sizeof(err)), -1);
	assert_non_null(strstr(err, "comma"));
}

static void test_mount_flags(void **state)
{
	unsigned long f = 0;

	(void)state;
	assert_true(mount_flag_apply("ro", &f));
	assert_true(mount_flag_apply("noexec", &f));
	assert_true(mount_flag_apply("noatime", &f));
	assert_int_equal(f, MS_RDONLY | MS_NOEXEC | MS_NOATIME);
	assert_true(mount_flag_apply("rw", &f));
	assert_true(mount_flag_apply("relatime", &f));
	assert_int_equal(f, MS_NOEXEC | MS_RELATIME);
	/* Always nosuid,nodev: accepted, no flag of ours. */
	assert_true(mount_flag_apply("suid", &f));
	assert_int_equal(f, MS_NOEXEC | MS_RELATIME);
	assert_false(mount_flag_apply("size", &f));
}

static void test_server_takes_helper_output(void **state)
{
	char *argv[] = { strdup("vfsd-server"), strdup("--backend=dir"),
			 strdup("-o"), strdup("fsname=/srv/data,subtype=dir,ro,noexec"),
			 strdup("/mnt"), NULL };
	struct server_opts o;

	(void)state;
	assert_int_equal(server_parse_args(5, argv, &o), 0);
	assert_string_equal(o.session.fsname, "/srv/data");
	assert_string_equal(o.session.subtype, "dir");
	assert_int_equal(o.session.mount_flags, MS_RDONLY | MS_NOEXEC);
	/* o points into argv and the -o copy: kept on purpose. */
}

static void test_sd_notify(void **state)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char path[] = "/tmp/vfsd-notify-XXXXXX", buf[128];
	int fd, fdir;
	ssize_t n;

	(void)state;
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(sd_notify_send("READY=1"), 0);
	fdir = mkstemp(path);
	assert_true(fdir >= 0);
	close(fdir);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	strcpy(addr.sun_path, path);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(sd_notify_send("READY=1\nMAINPID=42"), 1);
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	assert_int_equal(n, strlen("READY=1\nMAINPID=42"));
	buf[n] = '\0';
	assert_string_equal(buf, "READY=1\nMAINPID=42");
	close(fd);
	unlink(path);
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(sd_notify_send("READY=1"), -1);
	unsetenv("NOTIFY_SOCKET");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mem_with_size),
		cmocka_unit_test(test_dir_generic_and_systemd_options),
		cmocka_unit_test(test_fpga_sources),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_mount_flags),
		cmocka_unit_test(test_server_takes_helper_output),
		cmocka_unit_test(test_sd_notify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
