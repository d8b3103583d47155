/* SPDX-License-Identifier: MIT */
/*
 * The fixture of the unit tests that drive a server through the fake
 * kernel: a libvfsd session on an ops table, or on one of vfsd-server's
 * backends, with a fake kernel on its queue. cmocka's state holds it:
 *
 *	static int setup(void **state)
 *	{
 *		return fk_session_setup(state, &ops, NULL, 8);
 *	}
 *	static void test_x(void **state)
 *	{
 *		struct fk_session *fx = *state;
 *
 *		assert_int_equal(fko_getattr(&fx->k, 1, &a), 0);
 *	}
 *	... cmocka_unit_test_setup_teardown(test_x, setup, fk_session_teardown)
 *
 * A test that restarts its server (a backend that must find what it left)
 * calls fk_session_stop() and fk_session_start() in between.
 */
#ifndef VFSD_TESTS_FK_SESSION_H
#define VFSD_TESTS_FK_SESSION_H

#include <stdint.h>

#include <vfsd/vfsd.h>

#include "fake_kernel.h"
#include "backends/backend.h"

struct fk_session {
	struct vfsd_session *s;		/* NULL while stopped */
	struct fake_kernel k;
	const struct backend *backend;	/* NULL: a bare ops table */
	void *fs;			/* the backend's state */
	char tmp[64];	/* fk_session_mkdtemp()'s directory; "" if none */
};

/* A zeroed fixture in *state, with no session yet. */
struct fk_session *fk_session_new(void **state);
/* Its session: ops with userdata, a queue of depth requests. */
void fk_session_open(struct fk_session *f, const struct vfsd_ops *ops,
		     void *userdata, uint32_t depth);
/* b's filesystem made from cfg, served on a queue of 8: 0, or create's
 * error (nothing is running then). */
int fk_session_start(struct fk_session *f, const struct backend *b,
		     const struct backend_config *cfg);
/* Fake kernel, session and backend state gone; f can start again. */
void fk_session_stop(struct fk_session *f);
/* A new directory under /tmp for the test's files (f->tmp); teardown
 * removes it and all in it. */
const char *fk_session_mkdtemp(struct fk_session *f);

/* cmocka setups: new + open, new + start (which must succeed). */
int fk_session_setup(void **state, const struct vfsd_ops *ops,
		     void *userdata, uint32_t depth);
int fk_session_setup_backend(void **state, const struct backend *b,
			     const struct backend_config *cfg);
/* cmocka teardown of any of them: stop, remove f->tmp, free. */
int fk_session_teardown(void **state);

/* How many fds the process has open (a leak check around a call). */
int fk_open_fds(void);

#endif /* VFSD_TESTS_FK_SESSION_H */
