// SPDX-License-Identifier: MIT
/*
 * Loopback: a small in-memory filesystem served through the library's
 * queue step, with the fake kernel on the other side of the rings doing
 * what the module does for ls, cat, readlink and df: LOOKUP, GETATTR,
 * OPENDIR/READDIR/RELEASEDIR with cookies, OPEN/READ/RELEASE through the
 * window, READLINK, STATFS, FORGET, alone and in mixed batches.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fake_kernel.h"

/* nodeids: 1 root, 2 "hello" (10000 bytes), 3 "link" -> hello, 4 "sub"
 * with files 5.."sub/f00".."sub/f39" of 8 bytes each. */
#define HELLO_SIZE	10000
#define NSUB		40

static unsigned char hello_data[HELLO_SIZE];
static int forgotten[64];
static uint64_t released_fh, releasedir_fh;
static int opens;

static void fill(vfsd_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_nlink = 1;
	st->st_uid = 1000;
	st->st_mtim.tv_sec = 1700000000 + ino;
	if (ino == 1 || ino == 4) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
	} else if (ino == 3) {
		st->st_mode = S_IFLNK | 0777;
		st->st_size = 5;
	} else {
		st->st_mode = S_IFREG | 0644;
		st->st_size = ino == 2 ? HELLO_SIZE : 8;
		st->st_blocks = (st->st_size + 511) / 512;
	}
}

static vfsd_ino_t find(vfsd_ino_t parent, const char *name)
{
	int i;

	if (parent == 1) {
		if (!strcmp(name, "hello"))
			return 2;
		if (!strcmp(name, "link"))
			return 3;
		if (!strcmp(name, "sub"))
			return 4;
	}
	if (parent == 4 && sscanf(name, "f%d", &i) == 1 && i >= 0 && i < NSUB)
		return 5 + i;
	return 0;
}

static void mem_lookup(struct vfsd_req *req, vfsd_ino_t parent,
		       const char *name)
{
	struct vfsd_entry_param e = { .attr_timeout = 1, .entry_timeout = 2 };

	e.ino = find(parent, name);
	if (!e.ino) {
		vfsd_reply_err(req, ENOENT);
		return;
	}
	fill(e.ino, &e.attr);
	vfsd_reply_entry(req, &e);
}

static void mem_forget(void *ud, vfsd_ino_t ino, uint64_t n)
{
	(void)ud;
	forgotten[ino] += (int)n;
}

static void mem_getattr(struct vfsd_req *req, vfsd_ino_t ino,
			struct vfsd_file_info *fi)
{
	struct stat st;

	(void)fi;
	if (ino < 1 || ino >= 5 + NSUB) {
		vfsd_reply_err(req, ESTALE);
		return;
	}
	fill(ino, &st);
	vfsd_reply_attr(req, &st, 1);
}

static void mem_readlink(struct vfsd_req *req, vfsd_ino_t ino)
{
	if (ino == 3)
		vfsd_reply_readlink(req, "hello");
	else
		vfsd_reply_err(req, EINVAL);
}

static void mem_open(struct vfsd_req *req, vfsd_ino_t ino,
		     struct vfsd_file_info *fi)
{
	if ((fi->flags & O_ACCMODE) != O_RDONLY) {
		vfsd_reply_err(req, EROFS);
		return;
	}
	opens++;
	fi->fh = 1000 + ino;
	fi->keep_cache = 1;
	vfsd_reply_open(req, fi);
}

static void mem_read(struct vfsd_req *req, vfsd_ino_t ino, void *buf,
		     size_t size, off_t off, struct vfsd_file_info *fi)
{
	size_t n = 0;

	assert_int_equal(fi->fh, 1000 + ino);
	if (ino == 2 && off < HELLO_SIZE) {
		n = HELLO_SIZE - (size_t)off < size ? HELLO_SIZE - (size_t)off : size;
		memcpy(buf, hello_data + off, n);
	}
	vfsd_reply_read(req, n);
}

static void mem_release(void *ud, vfsd_ino_t ino, struct vfsd_file_info *fi)
{
	(void)ud; (void)ino;
	released_fh = fi->fh;
}

static void mem_opendir(struct vfsd_req *req, vfsd_ino_t ino,
			struct vfsd_file_info *fi)
{
	fi->fh = 2000 + ino;
	vfsd_reply_open(req, fi);
}

/* Cookie k means "continue with entry k". */
static void mem_readdir(struct vfsd_req *req, vfsd_ino_t ino, size_t size,
			off_t off, struct vfsd_file_info *fi)
{
	char name[16];
	off_t i;

	(void)size;
	assert_int_equal(fi->fh, 2000 + ino);
	for (i = off; ino == 4 && i < NSUB; i++) {
		snprintf(name, sizeof(name), "f%02d", (int)i);
		if (!vfsd_dirbuf_add(req, name, 5 + i, S_IFREG, i + 1))
			break;
	}
	vfsd_reply_readdir(req);
}

static void mem_releasedir(void *ud, vfsd_ino_t ino,
			   struct vfsd_file_info *fi)
{
	(void)ud; (void)ino;
	releasedir_fh = fi->fh;
}

static void mem_statfs(struct vfsd_req *req, vfsd_ino_t ino)
{
	struct statvfs st = { .f_bsize = 4096, .f_frsize = 4096,
			      .f_blocks = 100, .f_bfree = 10, .f_bavail = 9,
			      .f_files = 50, .f_ffree = 5, .f_namemax = 255 };

	(void)ino;
	vfsd_reply_statfs(req, &st);
}

static const struct vfsd_ops mem_ops = {
	.lookup = mem_lookup, .forget = mem_forget, .getattr = mem_getattr,
	.readlink = mem_readlink, .open = mem_open, .read = mem_read,
	.release = mem_release, .opendir = mem_opendir,
	.readdir = mem_readdir, .releasedir = mem_releasedir,
	.statfs = mem_statfs,
};

static struct vfsd_session *s;
static struct fake_kernel k;

static int setup_with(enum fk_layout layout, uint32_t start)
{
	size_t i;

	for (i = 0; i < HELLO_SIZE; i++)
		hello_data[i] = (unsigned char)(i * 7 + i / 251);
	memset(forgotten, 0, sizeof(forgotten));
	released_fh = releasedir_fh = 0;
	opens = 0;
	s = vfsd_session_new(&mem_ops, sizeof(mem_ops), NULL, NULL);
	fk_init(&k, s, 16, start, layout);
	return 0;
}

static int setup(void **state) { (void)state; return setup_with(FK_LAYOUT_KERNEL, 0); }
static int setup_shuffled(void **state) { (void)state; return setup_with(FK_LAYOUT_SHUFFLED, 0); }
static int setup_wrapping(void **state) { (void)state; return setup_with(FK_LAYOUT_KERNEL, 0xfffffff3u); }

static int teardown(void **state)
{
	(void)state;
	fk_fini(&k);
	vfsd_session_destroy(s);
	return 0;
}

static int32_t lookup(vfsd_ino_t parent, const char *name,
		      struct vfsd_entry_out *e)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_LOOKUP, parent);

	return fk_call(&k, &sqe, name, strlen(name) + 1, e, sizeof(*e));
}

static uint64_t open_(uint8_t op, vfsd_ino_t ino, int flags, int32_t *res)
{
	struct vfsd_sqe sqe = fk_sqe(op, ino);
	struct vfsd_open_out o;

	sqe.arg = flags;
	*res = fk_call(&k, &sqe, NULL, 0, &o, sizeof(o));
	return o.fh;
}

static int32_t read_(vfsd_ino_t ino, uint64_t fh, uint64_t off, uint32_t len,
		     uint32_t win_off)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_READ, ino);

	sqe.fh = fh;
	sqe.offset = off;
	sqe.len = len;
	sqe.win_off = win_off;
	return fk_call(&k, &sqe, NULL, 0, NULL, 0);
}

static void test_lookup_getattr(void **state)
{
	struct vfsd_entry_out e;
	struct vfsd_attr_out a;
	struct vfsd_sqe sqe;

	(void)state;
	assert_int_equal(lookup(1, "hello", &e), 0);
	assert_int_equal(e.nodeid, 2);
	assert_int_equal(e.attr.mode, S_IFREG | 0644);
	assert_int_equal(e.attr.size, HELLO_SIZE);
	assert_int_equal(e.attr.blocks, 20);
	assert_int_equal(e.entry_valid_ns, 2000000000ull);
	assert_int_equal(e.attr_valid_ns, 1000000000ull);
	assert_int_equal(lookup(1, "sub", &e), 0);
	assert_int_equal(e.nodeid, 4);
	assert_int_equal(e.attr.mode & S_IFMT, S_IFDIR);
	assert_int_equal(lookup(4, "f17", &e), 0);
	assert_int_equal(e.nodeid, 22);
	assert_int_equal(lookup(1, "missing", &e), -ENOENT);

	sqe = fk_sqe(VFSD_OP_GETATTR, 1);
	assert_int_equal(fk_call(&k, &sqe, NULL, 0, &a, sizeof(a)), 0);
	assert_int_equal(a.attr.mode, S_IFDIR | 0755);
	assert_int_equal(a.attr.nlink, 2);
	assert_int_equal(a.attr.mtime, 1700000001);
	sqe = fk_sqe(VFSD_OP_GETATTR, 999);
	assert_int_equal(fk_call(&k, &sqe, NULL, 0, &a, sizeof(a)), -ESTALE);
}

/* What getdents does: READDIR from cookie 0 until an empty reply. */
static void test_readdir_cookies(void **state)
{
	int32_t res;
	uint64_t fh = open_(VFSD_OP_OPENDIR, 4, O_RDONLY | O_DIRECTORY, &res);
	uint64_t cookie = 0;
	int seen = 0, rounds = 0;
	struct vfsd_sqe sqe;

	(void)state;
	assert_int_equal(res, 0);
	assert_int_equal(fh, 2004);
	for (;;) {
		unsigned char buf[VFSD_INLINE_SIZE];
		int32_t used, at = 0;

		sqe = fk_sqe(VFSD_OP_READDIR, 4);
		sqe.fh = fh;
		sqe.offset = cookie;
		sqe.len = 200;		/* six records per round */
		used = fk_call(&k, &sqe, NULL, 0, buf, sizeof(buf));
		assert_true(used >= 0 && used <= 200);
		if (used == 0)
			break;
		rounds++;
		while (at < used) {
			struct vfsd_dirent d;
			char name[16];

			memcpy(&d, buf + at, sizeof(d));
			assert_true(at + VFSD_DIRENT_SIZE(d.namelen) <= (size_t)used);
			snprintf(name, sizeof(name), "f%02d", seen);
			assert_int_equal(d.namelen, 3);
			assert_memory_equal(buf + at + sizeof(d), name, 3);
			assert_int_equal(d.ino, 5 + seen);
			assert_int_equal(d.type, DT_REG);
			assert_int_equal(d.off, seen + 1);
			cookie = d.off;
			seen++;
			at += VFSD_DIRENT_SIZE(d.namelen);
		}
	}
	assert_int_equal(seen, NSUB);
	assert_int_equal(rounds, (NSUB + 5) / 6);

	sqe = fk_sqe(VFSD_OP_RELEASEDIR, 4);
	sqe.fh = fh;
	fk_call_noreply(&k, &sqe);
	assert_int_equal(releasedir_fh, 2004);
}

/* The page-cache path: data lands in the window at win_off. */
static void test_read_through_window(void **state)
{
	unsigned char back[8192];
	int32_t res;
	uint64_t fh = open_(VFSD_OP_OPEN, 2, O_RDONLY, &res);
	struct vfsd_sqe sqe;

	(void)state;
	assert_int_equal(res, 0);
	assert_int_equal(fh, 1002);
	assert_int_equal(read_(2, fh, 0, 8192, 4096), 8192);
	fk_window_peek(&k, 4096, back, 8192);
	assert_memory_equal(back, hello_data, 8192);

	/* The tail: short means end of file; the rest of the page is the
	 * kernel's to zero, the server leaves it alone. */
	memset(back, 0xee, sizeof(back));
	fk_window_poke(&k, 16384, back, 8192);
	assert_int_equal(read_(2, fh, 8192, 8192, 16384), HELLO_SIZE - 8192);
	fk_window_peek(&k, 16384, back, 8192);
	assert_memory_equal(back, hello_data + 8192, HELLO_SIZE - 8192);
	assert_int_equal(back[HELLO_SIZE - 8192], 0xee);

	assert_int_equal(read_(2, fh, HELLO_SIZE, 4096, 0), 0);
	assert_int_equal(read_(2, fh, 1ull << 40, 4096, 0), 0);

	sqe = fk_sqe(VFSD_OP_RELEASE, 2);
	sqe.fh = fh;
	fk_call_noreply(&k, &sqe);
	assert_int_equal(released_fh, 1002);

	open_(VFSD_OP_OPEN, 2, O_WRONLY, &res);
	assert_int_equal(res, -EROFS);
}

static void test_readlink_statfs_forget(void **state)
{
	char target[16];
	struct vfsd_statfs_out sf;
	struct vfsd_sqe sqe;

	(void)state;
	sqe = fk_sqe(VFSD_OP_READLINK, 3);
	assert_int_equal(fk_call(&k, &sqe, NULL, 0, target, sizeof(target)), 5);
	assert_memory_equal(target, "hello", 5);
	sqe = fk_sqe(VFSD_OP_READLINK, 2);
	assert_int_equal(fk_call(&k, &sqe, NULL, 0, NULL, 0), -EINVAL);

	sqe = fk_sqe(VFSD_OP_STATFS, 1);
	assert_int_equal(fk_call(&k, &sqe, NULL, 0, &sf, sizeof(sf)), 0);
	assert_int_equal(sf.bsize, 4096);
	assert_int_equal(sf.blocks, 100);
	assert_int_equal(sf.bavail, 9);
	assert_int_equal(sf.ffree, 5);
	assert_int_equal(sf.namelen, 255);

	sqe = fk_sqe(VFSD_OP_FORGET, 22);
	sqe.offset = 5;
	fk_call_noreply(&k, &sqe);
	assert_int_equal(forgotten[22], 5);
}

/*
 * What the module does under load: many requests posted before the
 * server runs once, answered in one pass, matched back by id.
 */
static void test_mixed_batch(void **state)
{
	struct expect { uint64_t id; int32_t result; } ex[16] = { { 0, 0 } };
	struct vfsd_sqe sqe;
	struct vfsd_cqe cqe;
	uint16_t tag;
	int n = 0, i, reaped = 0;
	unsigned char page[4096];

	(void)state;
	forgotten[7] = 0;
	released_fh = 0;
#define POST(result_, payload, plen) do { \
		ex[n].id = fk_post(&k, &sqe, payload, plen, false); \
		ex[n++].result = (result_); } while (0)
	sqe = fk_sqe(VFSD_OP_LOOKUP, 1);
	POST(0, "link", 5);
	sqe = fk_sqe(VFSD_OP_GETATTR, 2);
	POST(0, NULL, 0);
	sqe = fk_sqe(VFSD_OP_FORGET, 7);	/* no tag, no completion */
	sqe.offset = 2;
	fk_post(&k, &sqe, NULL, 0, true);
	sqe = fk_sqe(VFSD_OP_READ, 2);
	sqe.fh = 1002;
	sqe.offset = 4096;
	sqe.len = 4096;
	sqe.win_off = 8192;
	POST(4096, NULL, 0);
	sqe = fk_sqe(VFSD_OP_READLINK, 3);
	POST(5, NULL, 0);
	sqe = fk_sqe(VFSD_OP_LOOKUP, 4);
	POST(-ENOENT, "nope", 5);
	sqe = fk_sqe(VFSD_OP_RELEASE, 2);
	sqe.fh = 1002;
	fk_post(&k, &sqe, NULL, 0, true);
	sqe = fk_sqe(VFSD_OP_STATFS, 4);
	POST(0, NULL, 0);
	sqe = fk_sqe(VFSD_OP_OPENDIR, 4);
	POST(0, NULL, 0);
	sqe = fk_sqe(VFSD_OP_READ, 2);		/* second page, same batch */
	sqe.fh = 1002;
	sqe.offset = 0;
	sqe.len = 4096;
	sqe.win_off = 0;
	POST(4096, NULL, 0);
#undef POST

	assert_int_equal(fk_run(&k), n + 2);
	assert_int_equal(fk_pending(&k), n);
	assert_int_equal(forgotten[7], 2);
	assert_int_equal(released_fh, 1002);
	while (fk_reap(&k, &cqe, &tag)) {
		for (i = 0; i < n && ex[i].id != cqe.id; i++)
			;
		assert_true(i < n);
		assert_int_equal(cqe.result, ex[i].result);
		if (i == 0) {
			struct vfsd_entry_out e;

			memcpy(&e, fk_slot(&k, tag), sizeof(e));
			assert_int_equal(e.nodeid, 3);
			assert_int_equal(e.attr.mode, S_IFLNK | 0777);
		}
		if (i == 3)
			assert_memory_equal(fk_slot(&k, tag), "hello", 5);
		ex[i].id = 0;	/* each exactly once */
		reaped++;
	}
	assert_int_equal(reaped, n);
	fk_window_peek(&k, 8192, page, sizeof(page));
	assert_memory_equal(page, hello_data + 4096, 4096);
	fk_window_peek(&k, 0, page, sizeof(page));
	assert_memory_equal(page, hello_data, 4096);
}

/* Many full batches, with indices crossing 2^32 (setup_wrapping). */
static void test_many_rounds(void **state)
{
	int round;

	for (round = 0; round < 6; round++)
		test_mixed_batch(state);
	assert_true(k.sq_tail < 0xfffffff3u);	/* it did wrap */
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_lookup_getattr), T(test_readdir_cookies),
		T(test_read_through_window), T(test_readlink_statfs_forget),
		T(test_mixed_batch),
		cmocka_unit_test_setup_teardown(test_mixed_batch,
						setup_shuffled, teardown),
		cmocka_unit_test_setup_teardown(test_readdir_cookies,
						setup_shuffled, teardown),
		cmocka_unit_test_setup_teardown(test_many_rounds,
						setup_wrapping, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
#undef T
}
