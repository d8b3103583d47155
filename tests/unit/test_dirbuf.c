// SPDX-License-Identifier: MIT
/*
 * READDIR reply packing: record layout, 8-byte padding with zeroes, the
 * limit min(sqe.len, inline_size) is never crossed, name limits, types.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fk_session.h"

static void (*script)(struct vfsd_req *req, size_t size);
static size_t added[600];
static int nadded;

static void op_readdir(struct vfsd_req *req, vfsd_ino_t ino, size_t size,
		       off_t off, struct vfsd_file_info *fi)
{
	(void)ino; (void)off; (void)fi;
	script(req, size);
}

static void op_lookup(struct vfsd_req *req, vfsd_ino_t parent,
		      const char *name)
{
	(void)parent; (void)name;
	/* Only a readdir request takes entries. */
	added[0] = vfsd_dirbuf_add(req, "x", 1, S_IFREG, 1);
	vfsd_reply_err(req, ENOENT);
}

static const struct vfsd_ops ops = { .readdir = op_readdir,
				     .lookup = op_lookup };

static unsigned char out[2 * VFSD_INLINE_SIZE];

static int setup(void **state)
{
	fk_log_capture();
	nadded = 0;
	return fk_session_setup(state, &ops, NULL, 4);
}

static int teardown(void **state)
{
	vfsd_set_log_func(NULL);
	return fk_session_teardown(state);
}


/* READDIR with sqe.len = len on tag 0; out gets slot 0 and slot 1. */
static int32_t readdir_call(struct fk_session *fx, uint32_t len)
{
	struct fake_kernel *k = &fx->k;
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_READDIR, 1);

	sqe.len = len;
	return fk_call(k, &sqe, NULL, 0, out, sizeof(out));
}

static void s_three(struct vfsd_req *req, size_t size)
{
	(void)size;
	added[nadded++] = vfsd_dirbuf_add(req, "a", 10, S_IFDIR | 0755, 100);
	added[nadded++] = vfsd_dirbuf_add(req, "file.txt", 11, S_IFREG, 200);
	added[nadded++] = vfsd_dirbuf_add(req, "0123456789abcdef", 12,
					  S_IFLNK | 0777, 300);
	vfsd_reply_readdir(req);
}

static void check_record(size_t at, const char *name, uint64_t ino,
			 uint64_t off, uint8_t type)
{
	struct vfsd_dirent d;
	size_t n = strlen(name), i;

	memcpy(&d, out + at, sizeof(d));
	assert_int_equal(d.ino, ino);
	assert_int_equal(d.off, off);
	assert_int_equal(d.namelen, n);
	assert_int_equal(d.type, type);
	for (i = 0; i < sizeof(d.reserved); i++)
		assert_int_equal(d.reserved[i], 0);
	assert_memory_equal(out + at + sizeof(d), name, n);
	/* Padding is zeroed, not stale slot bytes. */
	for (i = sizeof(d) + n; i < VFSD_DIRENT_SIZE(n); i++)
		assert_int_equal(out[at + i], 0);
}

static void test_layout(void **state)
{
	struct fk_session *fx = *state;

	script = s_three;
	assert_int_equal(sizeof(struct vfsd_dirent), 24);
	assert_int_equal(readdir_call(fx, 4096), 32 + 32 + 40);
	assert_int_equal(added[0], 32);		/* 24 + 1 -> 32 */
	assert_int_equal(added[1], 32);		/* 24 + 8 -> 32 */
	assert_int_equal(added[2], 40);		/* 24 + 16 -> 40 */
	check_record(0, "a", 10, 100, DT_DIR);
	check_record(32, "file.txt", 11, 200, DT_REG);
	check_record(64, "0123456789abcdef", 12, 300, DT_LNK);
	assert_int_equal(out[104], 0x5a);	/* beyond: untouched */
}

/* Adds entries until one does not fit. */
static void s_fill(struct vfsd_req *req, size_t size)
{
	char name[32];

	(void)size;
	for (nadded = 0; nadded < 600; nadded++) {
		snprintf(name, sizeof(name), "e%03d", nadded);	/* 32-byte records */
		added[nadded] = vfsd_dirbuf_add(req, name, nadded + 2,
						S_IFREG, nadded + 1);
		if (!added[nadded])
			break;
	}
	vfsd_reply_readdir(req);
}

static void test_never_overflows(void **state)
{
	struct fk_session *fx = *state;
	int32_t used;
	size_t i;

	script = s_fill;
	/* The kernel asks for 100 bytes: three 32-byte records fit. */
	used = readdir_call(fx, 100);
	assert_int_equal(used, 96);
	assert_int_equal(nadded, 3);
	for (i = used; i < VFSD_INLINE_SIZE; i++)
		assert_int_equal(out[i], 0x5a);

	/* Asks for more than a slot: stops at the slot, not in the next. */
	used = readdir_call(fx, 1 << 20);
	assert_int_equal(used, VFSD_INLINE_SIZE);	/* 128 * 32 */
	assert_int_equal(nadded, VFSD_INLINE_SIZE / 32);
	check_record(VFSD_INLINE_SIZE - 32, "e127", 129, 128, DT_REG);
	for (i = VFSD_INLINE_SIZE; i < sizeof(out); i++)
		assert_int_equal(out[i], 0x5a);		/* tag 1's slot */

	used = readdir_call(fx, 31);	/* not even one record */
	assert_int_equal(used, 0);
	assert_int_equal(nadded, 0);
}

static void s_names(struct vfsd_req *req, size_t size)
{
	char name[NAME_MAX + 2];

	(void)size;
	memset(name, 'n', sizeof(name));
	name[NAME_MAX + 1] = '\0';
	added[0] = vfsd_dirbuf_add(req, name, 1, S_IFREG, 1);	/* 256 */
	name[NAME_MAX] = '\0';
	added[1] = vfsd_dirbuf_add(req, name, 2, S_IFREG, 2);	/* 255 */
	added[2] = vfsd_dirbuf_add(req, "", 3, S_IFREG, 3);
	added[3] = vfsd_dirbuf_add(req, "a/b", 4, S_IFREG, 4);
	added[4] = vfsd_dirbuf_add(req, "unknown", 5, 0, 5);
	added[5] = vfsd_dirbuf_add(req, "sock", 6, S_IFSOCK, 6);
	vfsd_reply_readdir(req);
	added[6] = vfsd_dirbuf_add(req, "late", 7, S_IFREG, 7);
}

static void test_name_limits_and_types(void **state)
{
	struct fk_session *fx = *state;
	char longest[NAME_MAX + 1];

	script = s_names;
	assert_int_equal(readdir_call(fx, 4096),
			 VFSD_DIRENT_SIZE(NAME_MAX) + 32 + 32);
	assert_int_equal(added[0], 0);
	assert_int_equal(added[1], VFSD_DIRENT_SIZE(NAME_MAX));
	assert_int_equal(added[2], 0);
	assert_int_equal(added[3], 0);
	assert_int_equal(added[6], 0);		/* after the reply */
	memset(longest, 'n', NAME_MAX);
	longest[NAME_MAX] = '\0';
	check_record(0, longest, 2, 2, DT_REG);
	check_record(VFSD_DIRENT_SIZE(NAME_MAX), "unknown", 5, 5, DT_UNKNOWN);
	check_record(VFSD_DIRENT_SIZE(NAME_MAX) + 32, "sock", 6, 6, DT_SOCK);
	assert_non_null(strstr(fk_last_log, "invalid entry name"));
}

static void s_empty(struct vfsd_req *req, size_t size)
{
	(void)size;
	vfsd_reply_readdir(req);
}

static void test_end_and_misuse(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_LOOKUP, 1);

	script = s_empty;
	assert_int_equal(readdir_call(fx, 4096), 0);	/* end of directory */
	assert_int_equal(fk_call(k, &sqe, "n", 2, NULL, 0), -ENOENT);
	assert_int_equal(added[0], 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_layout), T(test_never_overflows),
		T(test_name_limits_and_types), T(test_end_and_misuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
#undef T
}
