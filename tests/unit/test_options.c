// SPDX-License-Identifier: MIT
/* vfsd-server's command line: accepted forms and one-line refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fpga/driver.h"
#include "cli/options.h"

static char err[1024];

/* Parse argv (NULL-terminated) with stderr captured into err. */
static int parse(struct server_opts *o, const char **argv)
{
	char *copy[32];
	int argc = 0, ret, saved = dup(STDERR_FILENO);
	FILE *f = tmpfile();

	while (argv[argc]) {
		copy[argc] = strdup(argv[argc]);
		argc++;
	}
	copy[argc] = NULL;
	fflush(stderr);
	dup2(fileno(f), STDERR_FILENO);
	ret = server_parse_args(argc, copy, o);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(f);
	memset(err, 0, sizeof(err));
	if (fread(err, 1, sizeof(err) - 1, f)) {
		/* err holds the message */
	}
	fclose(f);
	/* o points into copy[]: kept alive on purpose (tiny leak). */
	return ret;
}

static void expect_error(const char **argv, const char *msg)
{
	struct server_opts o;

	assert_int_equal(parse(&o, argv), -1);
	assert_non_null(strstr(err, msg));
	/* Exactly one line. */
	assert_non_null(strchr(err, '\n'));
	assert_int_equal(strchr(err, '\n') - err, strlen(err) - 1);
}

static void test_full_command_line(void **state)
{
	const char *argv[] = { "vfsd-server", "--backend=dir", "--source", "/srv",
			       "-o", "allow_other,timeout=2.5,keep_cache",
			       "--queues=4", "--depth=128", "-f", "/mnt", NULL };
	struct server_opts o;

	(void)state;
	assert_int_equal(parse(&o, argv), 0);
	assert_string_equal(o.backend, "dir");
	assert_string_equal(o.cfg.source, "/srv");
	assert_string_equal(o.mountpoint, "/mnt");
	assert_true(o.foreground);
	assert_int_equal(o.session.allow_other, 1);
	assert_int_equal(o.session.nr_queues, 4);
	assert_int_equal(o.session.depth, 128);
	assert_true(o.cfg.keep_cache);
	assert_true(o.cfg.attr_timeout == 2.5);
	assert_true(o.cfg.entry_timeout == 2.5);
	assert_int_equal(o.session.debug, 0);
}

/* --poll-us: microseconds, 0 for never (as libvfsd's poll_us). */
static void test_poll_us(void **state)
{
	const char *a1[] = { "vfsd-server", "--backend=mem", "--poll-us=50",
			     "/mnt", NULL };
	const char *a2[] = { "vfsd-server", "--backend=mem", "--poll-us=0",
			     "/mnt", NULL };
	struct server_opts o;

	(void)state;
	assert_int_equal(parse(&o, a1), 0);
	assert_int_equal(o.session.poll_us, 50);
	assert_int_equal(parse(&o, a2), 0);
	assert_int_equal(o.session.poll_us, 0);
}

static void test_defaults_and_debug(void **state)
{
	const char *argv[] = { "vfsd-server", "/mnt", "--backend=dir", "-d",
			       "-o", "max_read=65536", "-o",
			       "default_permissions", NULL };
	struct server_opts o;

	(void)state;
	assert_int_equal(parse(&o, argv), 0);
	assert_string_equal(o.mountpoint, "/mnt");	/* anywhere in argv */
	assert_true(o.cfg.attr_timeout == 1.0);
	assert_true(o.cfg.entry_timeout == 1.0);
	assert_int_equal(o.cfg.size, 0);
	assert_false(o.cfg.server_permissions);
	assert_null(o.cfg.source);
	assert_int_equal(o.session.debug, 1);
	assert_true(o.foreground);	/* -d implies -f */
	assert_int_equal(o.session.max_read, 65536);
	assert_int_equal(o.session.default_permissions, 1);
	assert_int_equal(o.session.nr_queues, 0);
	assert_int_equal(o.session.allow_other, 0);
}

static void test_write_path_options(void **state)
{
	const char *argv[] = { "vfsd-server", "--backend=mem", "--size=512M",
			       "--attr-timeout=30", "--entry-timeout", "0.5",
			       "-o", "allow_other,server_permissions", "/mnt",
			       NULL };
	const char *back[] = { "vfsd-server", "--backend=mem", "-o",
			       "server_permissions", "-o",
			       "default_permissions", "--size=4096", "/m",
			       NULL };
	const char *big[] = { "vfsd-server", "--backend=mem", "--size=2g",
			      "/m", NULL };
	struct server_opts o;

	(void)state;
	assert_int_equal(parse(&o, argv), 0);
	assert_true(o.cfg.size == 512ull << 20);
	assert_true(o.cfg.attr_timeout == 30.0);
	assert_true(o.cfg.entry_timeout == 0.5);
	assert_int_equal(o.session.allow_other, 1);
	/* server_permissions: the kernel checks nothing, we do. */
	assert_int_equal(o.session.server_permissions, 1);
	assert_int_equal(o.session.default_permissions, 0);
	assert_true(o.cfg.server_permissions);

	/* The last of the two wins, as with mount -o. */
	assert_int_equal(parse(&o, back), 0);
	assert_int_equal(o.session.server_permissions, 0);
	assert_int_equal(o.session.default_permissions, 1);
	assert_false(o.cfg.server_permissions);
	assert_true(o.cfg.size == 4096);
	assert_int_equal(parse(&o, big), 0);
	assert_true(o.cfg.size == 2ull << 30);
}

static void test_source_io_options(void **state)
{
	const char *dflt[] = { "vfsd-server", "--backend=dir", "--source=/s",
			       "/m", NULL };
	const char *off[] = { "vfsd-server", "--backend=dir", "--source=/s",
			      "-o", "source_dio=on,source_fixed=off", "/m", NULL };
	const char *bad[] = { "vfsd-server", "--backend=dir", "--source=/s",
			      "-o", "source_fixed=on", "/m", NULL };
	struct server_opts o;

	(void)state;
	assert_int_equal(parse(&o, dflt), 0);
	assert_int_equal(o.cfg.source_dio, SOURCE_DIO_AUTO);
	assert_false(o.cfg.no_source_fixed);
	assert_int_equal(parse(&o, off), 0);
	assert_int_equal(o.cfg.source_dio, SOURCE_DIO_ON);
	assert_true(o.cfg.no_source_fixed);
	expect_error(bad, "bad source_fixed 'on': auto or off");
}

static void test_help_version(void **state)
{
	const char *help[] = { "vfsd-server", "--help", NULL };
	const char *version[] = { "vfsd-server", "-V", NULL };
	struct server_opts o;

	(void)state;
	assert_int_equal(parse(&o, help), 0);
	assert_true(o.help);
	assert_int_equal(parse(&o, version), 0);
	assert_true(o.version);
}

static void test_errors(void **state)
{
	const char *a1[] = { "vfsd-server", "--backend=dir", NULL };
	const char *a2[] = { "vfsd-server", "--backend=dir", "--bogus", "/m", NULL };
	const char *a3[] = { "vfsd-server", "--backend=dir", "-o", "nope", "/m", NULL };
	const char *a4[] = { "vfsd-server", "--backend=dir", "-o", "timeout=x", "/m", NULL };
	const char *a5[] = { "vfsd-server", "--backend=dir", "--queues=-1", "/m", NULL };
	const char *a6[] = { "vfsd-server", "--backend=dir", "/m", "/n", NULL };
	const char *a7[] = { "vfsd-server", "/m", NULL };
	const char *a8[] = { "vfsd-server", "/m", "--backend", NULL };
	const char *a9[] = { "vfsd-server", "-x", "/m", NULL };
	const char *a10[] = { "vfsd-server", "--backend=dir", "-o", "allow_other=1", "/m", NULL };
	const char *a11[] = { "vfsd-server", "--backend=dir", "-o", "max_read=1000", "/m", NULL };
	const char *a12[] = { "vfsd-server", "--backend=mem", "--size=12Q", "/m", NULL };
	const char *a13[] = { "vfsd-server", "--backend=mem", "--size=0", "/m", NULL };
	const char *a14[] = { "vfsd-server", "--backend=mem", "--attr-timeout=-1", "/m", NULL };
	const char *a15[] = { "vfsd-server", "--backend=mem", "--entry-timeout=soon", "/m", NULL };
	const char *a16[] = { "vfsd-server", "--backend=fpga", "--dma-timeout=0", "/m", NULL };
	const char *a17[] = { "vfsd-server", "--backend=fpga", "--dma-timeout=5s", "/m", NULL };
	const char *a18[] = { "vfsd-server", "--backend=fpga", "--stats=stats.txt", "/m", NULL };
	const char *a19[] = { "vfsd-server", "--backend=mem", "--transport=9p", "/m", NULL };
	const char *a20[] = { "vfsd-server", "--backend=mem", "--depth=many", "/m", NULL };
	const char *a21[] = { "vfsd-server", "--backend=mem", "--poll-us=10001", "/m", NULL };

	(void)state;
	expect_error(a1, "missing MOUNTPOINT");
	expect_error(a2, "unknown option '--bogus'");
	expect_error(a3, "unknown mount option 'nope'");
	expect_error(a4, "bad timeout 'x'");
	expect_error(a5, "bad queue count '-1'");
	expect_error(a6, "unexpected argument '/n'");
	expect_error(a7, "missing --backend");
	expect_error(a8, "needs a value");
	expect_error(a9, "unknown option '-x'");
	expect_error(a10, "unknown mount option 'allow_other'");
	expect_error(a11, "bad max_read '1000'");
	expect_error(a12, "bad size '12Q'");
	expect_error(a13, "bad size '0'");
	expect_error(a14, "bad timeout '-1'");
	expect_error(a15, "bad timeout 'soon'");
	expect_error(a16, "bad DMA timeout '0'");
	expect_error(a17, "bad DMA timeout '5s'");
	expect_error(a18, "--stats needs an absolute path");
	expect_error(a19, "bad transport '9p': auto, vfsd or fuse");
	expect_error(a20, "bad depth 'many'");
	expect_error(a21, "bad poll time '10001' (0..10000 us)");
}

static void test_fpga_and_stats_options(void **state)
{
	const char *argv[] = { "vfsd-server", "--backend=fpga", "--driver=qemu",
			       "--dma-timeout=250", "--stats=/run/s", "/m", NULL };
	struct server_opts o;

	(void)state;
	assert_int_equal(parse(&o, argv), 0);
	assert_non_null(o.cfg.fpga);
	assert_string_equal(o.cfg.fpga->driver, "qemu");
	assert_int_equal(o.cfg.fpga->timeout_ms, 250);
	assert_string_equal(o.stats_file, "/run/s");
}

static void test_backend_registry(void **state)
{
	(void)state;
	assert_ptr_equal(backend_find("dir"), &backend_dir);
	assert_ptr_equal(backend_find("mem"), &backend_mem);
	assert_null(backend_find("nope"));
	assert_null(backend_find(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_command_line),
		cmocka_unit_test(test_poll_us),
		cmocka_unit_test(test_defaults_and_debug),
		cmocka_unit_test(test_write_path_options),
		cmocka_unit_test(test_source_io_options),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_fpga_and_stats_options),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_backend_registry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
