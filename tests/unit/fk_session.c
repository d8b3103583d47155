// SPDX-License-Identifier: MIT
/* The unit tests' session fixture; see fk_session.h. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fk_session.h"

struct fk_session *fk_session_new(void **state)
{
	struct fk_session *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	*state = f;
	return f;
}

void fk_session_open(struct fk_session *f, const struct vfsd_ops *ops,
		     void *userdata, uint32_t depth)
{
	f->s = vfsd_session_new(ops, sizeof(*ops), NULL, userdata);
	assert_non_null(f->s);
	fk_init(&f->k, f->s, depth, 0, FK_LAYOUT_KERNEL);
}

int fk_session_start(struct fk_session *f, const struct backend *b,
		     const struct backend_config *cfg)
{
	int err = b->create(cfg, &f->fs);

	if (err)
		return err;
	f->backend = b;
	fk_session_open(f, b->ops, f->fs, 8);
	return 0;
}

void fk_session_stop(struct fk_session *f)
{
	if (f->s) {
		fk_fini(&f->k);
		vfsd_session_destroy(f->s);
		f->s = NULL;
	}
	if (f->backend)
		f->backend->destroy(f->fs);
	f->backend = NULL;
	f->fs = NULL;
}

const char *fk_session_mkdtemp(struct fk_session *f)
{
	snprintf(f->tmp, sizeof(f->tmp), "/tmp/vfsd-test-XXXXXX");
	assert_non_null(mkdtemp(f->tmp));
	return f->tmp;
}

int fk_session_setup(void **state, const struct vfsd_ops *ops,
		     void *userdata, uint32_t depth)
{
	fk_session_open(fk_session_new(state), ops, userdata, depth);
	return 0;
}

int fk_session_setup_backend(void **state, const struct backend *b,
			     const struct backend_config *cfg)
{
	assert_int_equal(fk_session_start(fk_session_new(state), b, cfg), 0);
	return 0;
}

int fk_session_teardown(void **state)
{
	struct fk_session *f = *state;
	char cmd[128];

	if (!f)
		return 0;
	fk_session_stop(f);
	if (f->tmp[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->tmp);
		assert_int_equal(system(cmd), 0);
	}
	free(f);
	*state = NULL;
	return 0;
}

int fk_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}
