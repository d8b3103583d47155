// SPDX-License-Identifier: MIT
/* vfsd-server --transport: the three values, the default, a refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/options.h"

static int parse(struct server_opts *o, const char *arg)
{
	/* getopt may permute: strdup'd, kept alive (o points into them). */
	char *argv[] = { strdup("vfsd-server"), strdup("--backend=mem"),
			 arg ? strdup(arg) : strdup("-f"), strdup("/mnt"),
			 NULL };
	int saved = dup(STDERR_FILENO), ret;
	FILE *f = tmpfile();

	fflush(stderr);
	dup2(fileno(f), STDERR_FILENO);	/* a refusal's line */
	ret = server_parse_args(4, argv, o);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	fclose(f);
	return ret;
}

static void test_transport(void **state)
{
	struct server_opts o;

	(void)state;
	assert_int_equal(parse(&o, NULL), 0);
	assert_int_equal(o.session.transport, VFSD_TRANSPORT_AUTO);
	assert_int_equal(parse(&o, "--transport=fuse"), 0);
	assert_int_equal(o.session.transport, VFSD_TRANSPORT_FUSE);
	assert_int_equal(parse(&o, "--transport=vfsd"), 0);
	assert_int_equal(o.session.transport, VFSD_TRANSPORT_VFSD);
	assert_int_equal(parse(&o, "--transport=auto"), 0);
	assert_int_equal(o.session.transport, VFSD_TRANSPORT_AUTO);
	assert_int_equal(parse(&o, "--transport=nfs"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transport),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
