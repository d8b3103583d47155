// SPDX-License-Identifier: MIT
/*
 * The mem backend against the fake kernel: files created, written, read
 * back, truncated, renamed and unlinked; holes, ENOSPC from a small pool,
 * xattrs, readdir, link counts, inodes freed once the kernel forgets
 * them, and the server_permissions checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "backends/mem/mem.h"
#include "fk_ops.h"
#include "fk_session.h"

#define POOL_BLOCKS	64	/* 256 KiB: ENOSPC is easy to reach */
#define BS		MEM_BLOCK_SIZE

static int setup_with(void **state, bool server_perms)
{
	struct backend_config cfg = {
		.attr_timeout = 5, .entry_timeout = 7,
		.size = POOL_BLOCKS * BS, .server_permissions = server_perms,
	};

	return fk_session_setup_backend(state, &backend_mem, &cfg);
}

static int setup(void **state)
{
	return setup_with(state, false);
}

static int setup_perms(void **state)
{
	return setup_with(state, true);
}

static struct mem_fs *mfs(struct fk_session *fx)
{
	return fx->fs;
}

static uint64_t free_blocks(struct fk_session *fx)
{
	struct fake_kernel *k = &fx->k;
	struct vfsd_statfs_out sf;

	assert_int_equal(fko_simple(k, VFSD_OP_STATFS, VFSD_ROOT_INO, 0, &sf,
				    sizeof(sf)), 0);
	assert_int_equal(sf.bsize, BS);
	assert_int_equal(sf.blocks, POOL_BLOCKS);
	assert_true(sf.bavail == sf.bfree);
	return sf.bfree;
}

/* A new file "name" in dir: its nodeid; *fh its open handle. */
static uint64_t new_file(struct fk_session *fx, uint64_t dir, const char *name,
			 uint64_t *fh)
{
	struct fake_kernel *k = &fx->k;
	struct vfsd_create_out c;

	assert_int_equal(fko_create(k, dir, name, S_IFREG | 0644,
				    O_CREAT | O_RDWR, &c), 0);
	assert_true(c.entry.nodeid > VFSD_ROOT_ID);
	assert_int_equal(c.entry.attr.mode, S_IFREG | 0644);
	assert_int_equal(c.entry.attr.uid, 1000);	/* the caller's */
	assert_int_equal(c.entry.attr.gid, 100);
	assert_int_equal(c.entry.attr.nlink, 1);
	assert_int_equal(c.entry.entry_valid_ns, 7000000000ull);
	assert_int_equal(c.entry.attr_valid_ns, 5000000000ull);
	if (fh)
		*fh = c.open.fh;
	return c.entry.nodeid;
}

static void fill(char *buf, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (char)((i * 31 + seed) >> 3);
}

static void test_create_write_read(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	static char buf[3 * BS + 100], back[sizeof(buf)];
	struct vfsd_entry_out e;
	struct vfsd_attr a;
	uint64_t fh, ino, before = free_blocks(fx);

	ino = new_file(fx, VFSD_ROOT_INO, "f", &fh);
	assert_int_equal(fko_lookup(k, VFSD_ROOT_INO, "f", &e), 0);
	assert_int_equal(e.nodeid, ino);
	fill(buf, sizeof(buf), 1);
	/* Two writes, the second overlapping the first's end. */
	assert_int_equal(fko_write(k, ino, fh, buf, 2 * BS, 0), 2 * BS);
	assert_int_equal(fko_write(k, ino, fh, buf + BS, sizeof(buf) - BS,
				   BS), sizeof(buf) - BS);
	assert_int_equal(fko_getattr(k, ino, &a), 0);
	assert_int_equal(a.size, sizeof(buf));
	assert_int_equal(a.blocks, 4 * BS / 512);
	assert_int_equal(a.blksize, BS);
	assert_int_equal(free_blocks(fx), before - 4);

	assert_int_equal(fko_read(k, ino, fh, back, sizeof(back), 0),
			 sizeof(buf));
	assert_memory_equal(back, buf, sizeof(buf));
	/* Short at the end, nothing past it. */
	assert_int_equal(fko_read(k, ino, fh, back, BS, sizeof(buf) - 10), 10);
	assert_memory_equal(back, buf + sizeof(buf) - 10, 10);
	assert_int_equal(fko_read(k, ino, 0, back, BS, sizeof(buf)), 0);

	/* Same name again: EEXIST; in a file: ENOTDIR. */
	{
		struct vfsd_create_out c;

		assert_int_equal(fko_create(k, VFSD_ROOT_INO, "f",
					    S_IFREG | 0644, O_CREAT, &c),
				 -EEXIST);
		assert_int_equal(fko_create(k, ino, "x", S_IFREG | 0644,
					    O_CREAT, &c), -ENOTDIR);
	}
	/* Nothing to flush: ENOSYS tells the kernel not to ask again. */
	assert_int_equal(fko_simple(k, VFSD_OP_FLUSH, ino, fh, NULL, 0),
			 -ENOSYS);
	assert_int_equal(fko_simple(k, VFSD_OP_FSYNC, ino, fh, NULL, 0), 0);
	fko_noreply(k, VFSD_OP_RELEASE, ino, fh, 0);
}

/* --stats counts every file byte the backend copies, per direction. */
static void test_copy_counter(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	static char buf[2 * BS + 100], back[sizeof(buf)];
	char *text = NULL;
	size_t len = 0;
	uint64_t fh, ino;
	FILE *out;

	assert_int_equal(copy_stats_get(&mfs(fx)->copied, COPY_READ), 0);
	assert_int_equal(copy_stats_get(&mfs(fx)->copied, COPY_WRITE), 0);
	ino = new_file(fx, VFSD_ROOT_INO, "c", &fh);
	fill(buf, sizeof(buf), 3);
	assert_int_equal(fko_write(k, ino, fh, buf, sizeof(buf), 0),
			 sizeof(buf));
	assert_int_equal(fko_write(k, ino, fh, buf, 10, BS - 5), 10);
	assert_int_equal(copy_stats_get(&mfs(fx)->copied, COPY_WRITE),
			 sizeof(buf) + 10);
	assert_int_equal(copy_stats_get(&mfs(fx)->copied, COPY_READ), 0);
	/* A read short at the end counts what it returned; past EOF nothing. */
	assert_int_equal(fko_read(k, ino, fh, back, sizeof(back), 0),
			 sizeof(buf));
	assert_int_equal(fko_read(k, ino, fh, back, BS, sizeof(buf) - 7), 7);
	assert_int_equal(fko_read(k, ino, fh, back, BS, sizeof(buf)), 0);
	assert_int_equal(copy_stats_get(&mfs(fx)->copied, COPY_READ),
			 sizeof(buf) + 7);
	out = open_memstream(&text, &len);
	assert_non_null(out);
	assert_non_null(backend_mem.stats);
	backend_mem.stats(mfs(fx), out);
	fclose(out);
	assert_non_null(strstr(text, "data_cpu_read 8299\n"));
	assert_non_null(strstr(text, "data_cpu_write 8302\n"));
	free(text);
	fko_noreply(k, VFSD_OP_RELEASE, ino, fh, 0);
}

static void test_sparse(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	char buf[BS], back[2 * BS];
	uint64_t fh, ino, before = free_blocks(fx);
	size_t i;

	ino = new_file(fx, VFSD_ROOT_INO, "sparse", &fh);
	fill(buf, sizeof(buf), 2);
	/* One block far out: only it is allocated. */
	assert_int_equal(fko_write(k, ino, fh, buf, 100, 40 * BS + 10), 100);
	assert_int_equal(free_blocks(fx), before - 1);
	assert_int_equal(fko_read(k, ino, fh, back, sizeof(back), 39 * BS),
			 BS + 110);
	for (i = 0; i < BS + 10; i++)
		assert_int_equal(back[i], 0);
	assert_memory_equal(back + BS + 10, buf, 100);
	assert_int_equal(fko_lseek(k, ino, fh, 0, SEEK_DATA), 40 * BS + 10 - 10);
	assert_int_equal(fko_lseek(k, ino, fh, 0, SEEK_HOLE), 0);
	assert_int_equal(fko_lseek(k, ino, fh, 40 * BS, SEEK_HOLE),
			 40 * BS + 110);		/* EOF */
	assert_int_equal(fko_lseek(k, ino, fh, 41 * BS, SEEK_DATA), -ENXIO);
	assert_int_equal(fko_lseek(k, ino, fh, 0, SEEK_END), -EINVAL);

	/* Punch it out again; fallocate grows it. */
	assert_int_equal(fko_fallocate(k, ino, fh, FALLOC_FL_PUNCH_HOLE |
				       FALLOC_FL_KEEP_SIZE, 40 * BS, BS), 0);
	assert_int_equal(free_blocks(fx), before);
	assert_int_equal(fko_lseek(k, ino, fh, 0, SEEK_DATA), -ENXIO);
	assert_int_equal(fko_fallocate(k, ino, fh, 0, 0, 2 * BS + 1), 0);
	assert_int_equal(free_blocks(fx), before - 3);
	{
		struct vfsd_attr a;

		assert_int_equal(fko_getattr(k, ino, &a), 0);
		assert_int_equal(a.size, 40 * BS + 110);	/* not shrunk */
	}
	assert_int_equal(fko_fallocate(k, ino, fh, FALLOC_FL_COLLAPSE_RANGE,
				       0, BS), -EOPNOTSUPP);
	fko_noreply(k, VFSD_OP_RELEASE, ino, fh, 0);
}

static void test_truncate(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	char buf[3 * BS], back[3 * BS];
	struct vfsd_setattr_in sa = { 0 };
	struct vfsd_attr a;
	uint64_t fh, ino, before = free_blocks(fx);
	size_t i;

	ino = new_file(fx, VFSD_ROOT_INO, "t", &fh);
	fill(buf, sizeof(buf), 3);
	assert_int_equal(fko_write(k, ino, fh, buf, sizeof(buf), 0),
			 sizeof(buf));
	assert_int_equal(fko_truncate(k, ino, 5000), 0);
	assert_int_equal(free_blocks(fx), before - 2);
	assert_int_equal(fko_truncate(k, ino, sizeof(buf)), 0);	/* grow */
	assert_int_equal(free_blocks(fx), before - 2);	/* a hole */
	assert_int_equal(fko_read(k, ino, fh, back, sizeof(back), 0),
			 sizeof(back));
	assert_memory_equal(back, buf, 5000);
	for (i = 5000; i < sizeof(back); i++)
		assert_int_equal(back[i], 0);

	/* Other attributes, with explicit times and fh. */
	sa.valid = VFSD_SETATTR_MODE | VFSD_SETATTR_UID | VFSD_SETATTR_GID |
		   VFSD_SETATTR_MTIME | VFSD_SETATTR_ATIME | VFSD_SETATTR_FH;
	sa.mode = 0600;
	sa.uid = 7;
	sa.gid = 8;
	sa.mtime = 1234567;
	sa.mtime_nsec = 89;
	sa.atime = 42;
	sa.fh = fh;
	assert_int_equal(fko_setattr(k, ino, &sa, &a), 0);
	assert_int_equal(a.mode, S_IFREG | 0600);
	assert_int_equal(a.uid, 7);
	assert_int_equal(a.gid, 8);
	assert_int_equal(a.mtime, 1234567);
	assert_int_equal(a.mtime_nsec, 89);
	assert_int_equal(a.atime, 42);
	assert_true(a.ctime > 1234567);		/* now */
	sa.valid = VFSD_SETATTR_MTIME | VFSD_SETATTR_MTIME_NOW;
	assert_int_equal(fko_setattr(k, ino, &sa, &a), 0);
	assert_true(a.mtime >= a.ctime - 1 && a.mtime > 1234567);

	/* Directories are not truncated. */
	assert_int_equal(fko_truncate(k, VFSD_ROOT_INO, 0), -EISDIR);
	/* An open with O_TRUNC empties the file. */
	fko_noreply(k, VFSD_OP_RELEASE, ino, fh, 0);
	{
		int32_t res;

		fh = fko_open(k, VFSD_OP_OPEN, ino, O_WRONLY | O_TRUNC, &res);
		assert_int_equal(res, 0);
		assert_int_equal(fko_getattr(k, ino, &a), 0);
		assert_int_equal(a.size, 0);
		assert_int_equal(free_blocks(fx), before);
		fko_noreply(k, VFSD_OP_RELEASE, ino, fh, 0);
	}
}

static void test_enospc(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	static char buf[8 * BS];	/* max_io of the fake kernel */
	uint64_t fh, ino, fh2, ino2;
	int32_t n, total = 0;

	ino = new_file(fx, VFSD_ROOT_INO, "big", &fh);
	memset(buf, 'e', sizeof(buf));
	while ((n = fko_write(k, ino, fh, buf, sizeof(buf), (uint64_t)total)) > 0)
		total += n;
	assert_int_equal(n, -ENOSPC);
	assert_int_equal(total, POOL_BLOCKS * BS);
	assert_int_equal(free_blocks(fx), 0);
	/* Two blocks free, three needed: all or nothing, a clean ENOSPC. */
	assert_int_equal(fko_truncate(k, ino, (POOL_BLOCKS - 2) * BS), 0);
	assert_int_equal(fko_write(k, ino, fh, buf, 3 * BS,
				   (POOL_BLOCKS - 2) * BS), -ENOSPC);
	{
		struct vfsd_attr a;

		assert_int_equal(fko_getattr(k, ino, &a), 0);
		assert_int_equal(a.size, (POOL_BLOCKS - 2) * BS);
	}
	assert_int_equal(fko_write(k, ino, fh, buf, 2 * BS,
				   (POOL_BLOCKS - 2) * BS), 2 * BS);
	/* Another file: the write fails whole, the file stays empty. */
	ino2 = new_file(fx, VFSD_ROOT_INO, "more", &fh2);
	assert_int_equal(fko_write(k, ino2, fh2, buf, 10, 0), -ENOSPC);
	assert_int_equal(fko_fallocate(k, ino2, fh2, 0, 0, BS), -ENOSPC);
	/* Freed by truncation; a rewrite needs no new space. */
	assert_int_equal(fko_write(k, ino, fh, buf, BS, 0), BS);
	assert_int_equal(fko_truncate(k, ino, BS), 0);
	assert_int_equal(free_blocks(fx), POOL_BLOCKS - 1);
	assert_int_equal(fko_write(k, ino2, fh2, buf, 10, 0), 10);
	fko_noreply(k, VFSD_OP_RELEASE, ino, fh, 0);
	fko_noreply(k, VFSD_OP_RELEASE, ino2, fh2, 0);
}

static void test_unlink_open_file(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	char buf[BS], back[BS];
	uint64_t fh, ino, before = free_blocks(fx);
	size_t inodes = mem_inodes_count(&mfs(fx)->inodes);
	struct vfsd_entry_out e;
	struct vfsd_attr a;

	ino = new_file(fx, VFSD_ROOT_INO, "gone", &fh);
	fill(buf, sizeof(buf), 4);
	assert_int_equal(fko_write(k, ino, fh, buf, BS, 0), BS);
	assert_int_equal(fko_unlink(k, VFSD_OP_UNLINK, VFSD_ROOT_INO, "gone"), 0);
	assert_int_equal(fko_lookup(k, VFSD_ROOT_INO, "gone", &e), 0);
	assert_int_equal(e.nodeid, 0);		/* negative */
	assert_int_equal(fko_unlink(k, VFSD_OP_UNLINK, VFSD_ROOT_INO, "gone"),
			 -ENOENT);
	/* The kernel still has it: data and attributes live on. */
	assert_int_equal(fko_getattr(k, ino, &a), 0);
	assert_int_equal(a.nlink, 0);
	assert_int_equal(fko_read(k, ino, fh, back, BS, 0), BS);
	assert_memory_equal(back, buf, BS);
	assert_int_equal(free_blocks(fx), before - 1);
	fko_noreply(k, VFSD_OP_RELEASE, ino, fh, 0);
	/* Create reply + lookup reply: two references to forget. */
	fko_noreply(k, VFSD_OP_FORGET, ino, 0, 2);
	assert_int_equal(mem_inodes_count(&mfs(fx)->inodes), inodes);
	assert_int_equal(free_blocks(fx), before);
	assert_int_equal(fko_getattr(k, ino, &a), -ESTALE);
}

static bool listed(char names[][256], int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

static char names[300][256];

static void test_rename(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	struct vfsd_entry_out d1, d2, sub, e;
	uint64_t a, b, fh;
	char buf[16];
	int n;

	assert_int_equal(fko_mkdir(k, VFSD_ROOT_INO, "d1", 0755, &d1), 0);
	assert_int_equal(fko_mkdir(k, VFSD_ROOT_INO, "d2", 0755, &d2), 0);
	a = new_file(fx, d1.nodeid, "a", &fh);
	assert_int_equal(fko_write(k, a, fh, "AAAA", 4, 0), 4);
	fko_noreply(k, VFSD_OP_RELEASE, a, fh, 0);
	b = new_file(fx, d2.nodeid, "b", &fh);
	assert_int_equal(fko_write(k, b, fh, "BB", 2, 0), 2);
	fko_noreply(k, VFSD_OP_RELEASE, b, fh, 0);

	/* NOREPLACE refuses, EXCHANGE swaps. */
	assert_int_equal(fko_rename(k, d1.nodeid, "a", d2.nodeid, "b",
				    RENAME_NOREPLACE), -EEXIST);
	assert_int_equal(fko_rename(k, d1.nodeid, "a", d2.nodeid, "b",
				    RENAME_EXCHANGE), 0);
	assert_int_equal(fko_lookup(k, d1.nodeid, "a", &e), 0);
	assert_int_equal(e.nodeid, b);
	assert_int_equal(fko_lookup(k, d2.nodeid, "b", &e), 0);
	assert_int_equal(e.nodeid, a);
	assert_int_equal(fko_rename(k, d1.nodeid, "a", d2.nodeid, "none",
				    RENAME_EXCHANGE), -ENOENT);
	assert_int_equal(fko_rename(k, d1.nodeid, "a", d2.nodeid, "b",
				    RENAME_EXCHANGE | RENAME_NOREPLACE), -EINVAL);

	/* A plain rename over an existing file replaces it. */
	assert_int_equal(fko_rename(k, d1.nodeid, "a", d2.nodeid, "b", 0), 0);
	assert_int_equal(fko_lookup(k, d1.nodeid, "a", &e), 0);
	assert_int_equal(e.nodeid, 0);
	assert_int_equal(fko_lookup(k, d2.nodeid, "b", &e), 0);
	assert_int_equal(e.nodeid, b);
	assert_int_equal(fko_read(k, b, 0, buf, sizeof(buf), 0), 2);
	assert_int_equal(e.attr.nlink, 1);
	{
		struct vfsd_attr at;

		assert_int_equal(fko_getattr(k, a, &at), 0);
		assert_int_equal(at.nlink, 0);	/* replaced, still known */
	}
	n = fko_list(k, d2.nodeid, names, 300);
	assert_int_equal(n, 3);
	assert_true(listed(names, n, "b"));

	/* Directories: not into themselves, not over non-empty ones. */
	assert_int_equal(fko_mkdir(k, d1.nodeid, "sub", 0700, &sub), 0);
	assert_int_equal(fko_rename(k, VFSD_ROOT_INO, "d1", sub.nodeid, "x", 0),
			 -EINVAL);
	assert_int_equal(fko_rename(k, VFSD_ROOT_INO, "d1", VFSD_ROOT_INO,
				    "d2", 0), -ENOTEMPTY);
	assert_int_equal(fko_rename(k, d2.nodeid, "b", VFSD_ROOT_INO, "d1", 0),
			 -EISDIR);
	assert_int_equal(fko_rename(k, VFSD_ROOT_INO, "d1", d2.nodeid, "b", 0),
			 -ENOTDIR);
	/* Moving sub: link counts of both parents follow. */
	assert_int_equal(fko_rename(k, d1.nodeid, "sub", d2.nodeid, "sub2", 0),
			 0);
	assert_int_equal(fko_lookup(k, VFSD_ROOT_INO, "d1", &e), 0);
	assert_int_equal(e.attr.nlink, 2);
	assert_int_equal(fko_lookup(k, VFSD_ROOT_INO, "d2", &e), 0);
	assert_int_equal(e.attr.nlink, 3);
	n = fko_list(k, sub.nodeid, names, 300);
	assert_int_equal(n, 2);		/* ".", ".." */
	assert_int_equal(fko_unlink(k, VFSD_OP_RMDIR, d2.nodeid, "sub2"), 0);
	assert_int_equal(fko_lookup(k, VFSD_ROOT_INO, "d2", &e), 0);
	assert_int_equal(e.attr.nlink, 2);
}

static void test_namespace(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	struct vfsd_entry_out d, e, l;
	struct vfsd_attr a;
	char target[64];
	uint64_t f;

	assert_int_equal(fko_getattr(k, VFSD_ROOT_INO, &a), 0);
	assert_int_equal(a.nlink, 2);
	assert_int_equal(fko_mkdir(k, VFSD_ROOT_INO, "dir", 0750, &d), 0);
	assert_int_equal(d.attr.mode, S_IFDIR | 0750);
	assert_int_equal(d.attr.nlink, 2);
	assert_int_equal(fko_getattr(k, VFSD_ROOT_INO, &a), 0);
	assert_int_equal(a.nlink, 3);
	assert_int_equal(fko_mkdir(k, VFSD_ROOT_INO, "dir", 0750, &e), -EEXIST);

	/* Hard link: one inode, two names, nlink 2. */
	f = new_file(fx, d.nodeid, "file", NULL);
	assert_int_equal(fko_link(k, f, VFSD_ROOT_INO, "alias", &e), 0);
	assert_int_equal(e.nodeid, f);
	assert_int_equal(e.attr.nlink, 2);
	assert_int_equal(fko_link(k, d.nodeid, VFSD_ROOT_INO, "dl", &e),
			 -EPERM);
	/* Symlink and its target; a FIFO. */
	assert_int_equal(fko_symlink(k, VFSD_ROOT_INO, "sl", "dir/file", &l),
			 0);
	assert_int_equal(l.attr.mode, S_IFLNK | 0777);
	assert_int_equal(l.attr.size, 8);
	assert_int_equal(fko_simple(k, VFSD_OP_READLINK, l.nodeid, 0, target,
				    sizeof(target)), 8);
	assert_memory_equal(target, "dir/file", 8);
	assert_int_equal(fko_simple(k, VFSD_OP_READLINK, f, 0, NULL, 0),
			 -EINVAL);
	assert_int_equal(fko_mknod(k, VFSD_ROOT_INO, "fifo", S_IFIFO | 0600, 0,
				   &e), 0);
	assert_int_equal(e.attr.mode, S_IFIFO | 0600);
	assert_int_equal(fko_mknod(k, VFSD_ROOT_INO, "chr", S_IFCHR | 0600,
				   (1 << 8) | 3, &e), 0);
	assert_int_equal(e.attr.rdev, (1 << 8) | 3);

	/* rmdir: only empty directories, only directories. */
	assert_int_equal(fko_unlink(k, VFSD_OP_RMDIR, VFSD_ROOT_INO, "dir"),
			 -ENOTEMPTY);
	assert_int_equal(fko_unlink(k, VFSD_OP_RMDIR, VFSD_ROOT_INO, "sl"),
			 -ENOTDIR);
	assert_int_equal(fko_unlink(k, VFSD_OP_UNLINK, VFSD_ROOT_INO, "dir"),
			 -EISDIR);
	assert_int_equal(fko_unlink(k, VFSD_OP_UNLINK, d.nodeid, "file"), 0);
	assert_int_equal(fko_getattr(k, f, &a), 0);
	assert_int_equal(a.nlink, 1);
	assert_int_equal(fko_unlink(k, VFSD_OP_RMDIR, VFSD_ROOT_INO, "dir"), 0);
	assert_int_equal(fko_getattr(k, VFSD_ROOT_INO, &a), 0);
	assert_int_equal(a.nlink, 2);
	/* Nothing can be made in a removed directory the kernel still has. */
	assert_int_equal(fko_mkdir(k, d.nodeid, "x", 0755, &e), -ENOENT);
}

static void test_readdir(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	char name[32];
	int i, n;

	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "entry-with-a-long-name-%03d", i);
		new_file(fx, VFSD_ROOT_INO, name, NULL);
	}
	n = fko_list(k, VFSD_ROOT_INO, names, 300);
	assert_int_equal(n, 202);
	assert_string_equal(names[0], ".");
	assert_string_equal(names[1], "..");
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "entry-with-a-long-name-%03d", i);
		assert_true(listed(names, n, name));
	}
	/* Cookies survive removals between rounds (no entry twice). */
	for (i = 0; i < 200; i += 3) {
		snprintf(name, sizeof(name), "entry-with-a-long-name-%03d", i);
		assert_int_equal(fko_unlink(k, VFSD_OP_UNLINK, VFSD_ROOT_INO,
					    name), 0);
	}
	n = fko_list(k, VFSD_ROOT_INO, names, 300);
	assert_int_equal(n, 2 + 200 - 67);
}

static void test_xattr(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	char buf[64];
	uint64_t f;

	f = new_file(fx, VFSD_ROOT_INO, "x", NULL);
	assert_int_equal(fko_setxattr(k, f, "user.one", "1", 1, 0), 0);
	assert_int_equal(fko_setxattr(k, f, "user.two", "22", 2,
				      XATTR_CREATE), 0);
	assert_int_equal(fko_setxattr(k, f, "user.two", "x", 1,
				      XATTR_CREATE), -EEXIST);
	assert_int_equal(fko_setxattr(k, f, "user.none", "x", 1,
				      XATTR_REPLACE), -ENODATA);
	assert_int_equal(fko_getxattr(k, f, "user.two", NULL, 0), 2);	/* probe */
	assert_int_equal(fko_getxattr(k, f, "user.two", buf, 1), -ERANGE);
	assert_int_equal(fko_getxattr(k, f, "user.two", buf, sizeof(buf)), 2);
	assert_memory_equal(buf, "22", 2);
	assert_int_equal(fko_getxattr(k, f, "user.none", buf, sizeof(buf)),
			 -ENODATA);
	assert_int_equal(fko_listxattr(k, f, NULL, 0), 18);
	assert_int_equal(fko_listxattr(k, f, buf, sizeof(buf)), 18);
	assert_memory_equal(buf, "user.one\0user.two\0", 18);
	assert_int_equal(fko_listxattr(k, f, buf, 5), -ERANGE);
	assert_int_equal(fko_removexattr(k, f, "user.one"), 0);
	assert_int_equal(fko_removexattr(k, f, "user.one"), -ENODATA);
	assert_int_equal(fko_listxattr(k, f, buf, sizeof(buf)), 9);
	assert_int_equal(fko_setxattr(k, f, "system.posix_acl_access", "", 0,
				      0), -EOPNOTSUPP);
	/* Directories carry them too. */
	assert_int_equal(fko_setxattr(k, VFSD_ROOT_INO, "trusted.t", "v", 1,
				      0), 0);
	assert_int_equal(fko_getxattr(k, VFSD_ROOT_INO, "trusted.t", buf,
				      sizeof(buf)), 1);
}

/* Callers are uid 1000 gid 100; the root belongs to the server (root). */
static void test_server_permissions(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	struct vfsd_create_out c;
	struct vfsd_entry_out d, e;
	struct vfsd_setattr_in sa = { 0 };
	struct vfsd_sqe sqe;
	int32_t res;
	uint64_t f;

	assert_int_equal(fko_create(k, VFSD_ROOT_INO, "f", S_IFREG | 0644,
				    O_CREAT | O_WRONLY, &c), -EACCES);
	/* As root it works; then chmod 1777 lets everyone in. */
	sqe = fk_sqe(VFSD_OP_MKDIR, VFSD_ROOT_INO);
	sqe.uid = sqe.gid = 0;
	sqe.arg = 01777;
	assert_int_equal(fk_call(k, &sqe, "tmp", 4, &d, sizeof(d)), 0);
	assert_int_equal(d.attr.uid, 0);
	f = new_file(fx, d.nodeid, "mine", NULL);	/* uid 1000 now may */

	/* open(O_CREAT|O_WRONLY, 0444) arrives as one CREATE that opens
	 * the new file for writing; later opens follow the mode, also
	 * after mknod(2). */
	assert_int_equal(fko_create(k, d.nodeid, "ro", S_IFREG | 0444,
				    O_WRONLY, &c), 0);
	fko_open(k, VFSD_OP_OPEN, c.entry.nodeid, O_WRONLY, &res);
	assert_int_equal(res, -EACCES);
	assert_int_equal(fko_mknod(k, d.nodeid, "ro2", S_IFREG | 0444, 0, &e),
			 0);
	fko_open(k, VFSD_OP_OPEN, e.nodeid, O_WRONLY, &res);
	assert_int_equal(res, -EACCES);

	/* Open checks the modes. */
	sa.valid = VFSD_SETATTR_MODE;
	sa.mode = 0400;
	assert_int_equal(fko_setattr(k, f, &sa, NULL), 0);	/* owner */
	fko_open(k, VFSD_OP_OPEN, f, O_RDWR, &res);
	assert_int_equal(res, -EACCES);
	fko_open(k, VFSD_OP_OPEN, f, O_RDONLY, &res);
	assert_int_equal(res, 0);
	assert_int_equal(fko_truncate(k, f, 0), -EACCES);
	sa.valid = VFSD_SETATTR_UID;
	sa.uid = 0;
	assert_int_equal(fko_setattr(k, f, &sa, NULL), -EPERM);

	/* Sticky directory: others' files cannot be removed. */
	sqe = fk_sqe(VFSD_OP_CREATE, d.nodeid);
	sqe.uid = 2000;
	sqe.arg = S_IFREG | 0666;
	assert_int_equal(fk_call(k, &sqe, "theirs", 7, &c, sizeof(c)), 0);
	assert_int_equal(fko_unlink(k, VFSD_OP_UNLINK, d.nodeid, "theirs"),
			 -EPERM);
	assert_int_equal(fko_rename(k, d.nodeid, "theirs", d.nodeid, "x", 0),
			 -EPERM);
	assert_int_equal(fko_unlink(k, VFSD_OP_UNLINK, d.nodeid, "mine"), 0);
	/* Lookup needs search permission on the directory. */
	sqe = fk_sqe(VFSD_OP_MKDIR, VFSD_ROOT_INO);
	sqe.uid = sqe.gid = 0;
	sqe.arg = 0700;
	assert_int_equal(fk_call(k, &sqe, "private", 8, &d, sizeof(d)), 0);
	assert_int_equal(fko_lookup(k, d.nodeid, "x", &e), -EACCES);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, fk_session_teardown)
	const struct CMUnitTest tests[] = {
		T(test_create_write_read), T(test_copy_counter), T(test_sparse), T(test_truncate),
		T(test_enospc), T(test_unlink_open_file), T(test_rename),
		T(test_namespace), T(test_readdir), T(test_xattr),
		cmocka_unit_test_setup_teardown(test_server_permissions,
						setup_perms, fk_session_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
#undef T
}
