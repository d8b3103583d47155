// SPDX-License-Identifier: MIT
/*
 * The mem backend's parts on their own: the block pool, the sparse block
 * map, file contents (holes, truncation, punching, seeking) and the
 * directory index with its stable readdir cookies.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "tree/data.h"
#include "tree/dir.h"
#include "tree/pool.h"
#include "tree/radix.h"
#include "tree/xattr.h"

static void test_pool(void **state)
{
	struct mem_pool p;
	uint32_t b[16], i, j;

	(void)state;
	assert_int_equal(mem_pool_init(&p, 1000, 4096), -EINVAL); /* < 1 block */
	assert_int_equal(mem_pool_init(&p, 1 << 20, 3000), -EINVAL);
	assert_int_equal(mem_pool_init(&p, 16 * 4096 + 100, 4096), 0);
	assert_int_equal(p.nblocks, 16);
	assert_int_equal(mem_pool_free_count(&p), 16);
	for (i = 0; i < 16; i++) {
		b[i] = mem_pool_alloc(&p);
		assert_true(b[i] < 16);
		for (j = 0; j < i; j++)
			assert_true(b[j] != b[i]);	/* all distinct */
		/* Each block is its own 4 KiB of the region, writable. */
		memset(mem_pool_addr(&p, b[i]), (int)i, 4096);
	}
	assert_int_equal(mem_pool_alloc(&p), MEM_POOL_NONE);
	assert_int_equal(mem_pool_free_count(&p), 0);
	for (i = 0; i < 16; i++)
		assert_int_equal(((unsigned char *)mem_pool_addr(&p, b[i]))[4095], i);
	mem_pool_free(&p, b[3]);
	assert_int_equal(mem_pool_free_count(&p), 1);
	assert_int_equal(mem_pool_alloc(&p), b[3]);
	mem_pool_fini(&p);
}

static int freed;
static void count_free(void *ctx, uint32_t v)
{
	(void)ctx;
	(void)v;
	freed++;
}

static void test_radix(void **state)
{
	static const uint64_t idx[] = { 0, 1, 63, 64, 4095, 4096, 1ull << 30,
					(1ull << 51) + 7, UINT64_MAX };
	struct mem_radix r = { 0 };
	uint64_t found;
	size_t i;

	(void)state;
	assert_int_equal(mem_radix_get(&r, 5), MEM_RADIX_NONE);
	assert_false(mem_radix_next(&r, 0, &found));
	assert_int_equal(mem_radix_next_hole(&r, 77), 77);
	for (i = 0; i < sizeof(idx) / sizeof(idx[0]); i++)
		assert_int_equal(mem_radix_set(&r, idx[i], (uint32_t)i + 100), 0);
	for (i = 0; i < sizeof(idx) / sizeof(idx[0]); i++)
		assert_int_equal(mem_radix_get(&r, idx[i]), i + 100);
	assert_int_equal(mem_radix_get(&r, 2), MEM_RADIX_NONE);
	assert_int_equal(mem_radix_get(&r, (1ull << 30) + 1), MEM_RADIX_NONE);

	assert_true(mem_radix_next(&r, 2, &found));
	assert_int_equal(found, 63);
	assert_true(mem_radix_next(&r, 4097, &found));
	assert_true(found == 1ull << 30);
	assert_true(mem_radix_next(&r, (1ull << 30) + 1, &found));
	assert_true(found == (1ull << 51) + 7);
	assert_int_equal(mem_radix_next_hole(&r, 0), 2);
	assert_int_equal(mem_radix_next_hole(&r, 63), 65);
	assert_int_equal(mem_radix_next_hole(&r, 100), 100);

	/* Remove a range: exactly the entries inside, each handed back. */
	freed = 0;
	mem_radix_remove(&r, 63, 4096, count_free, NULL);
	assert_int_equal(freed, 4);
	assert_int_equal(mem_radix_get(&r, 1), 101);
	assert_int_equal(mem_radix_get(&r, 64), MEM_RADIX_NONE);
	assert_true(mem_radix_get(&r, 1ull << 30) == 106);
	freed = 0;
	mem_radix_remove(&r, 0, UINT64_MAX, count_free, NULL);
	assert_int_equal(freed, 5);
	assert_null(r.root);		/* every node freed */
	assert_int_equal(r.height, 0);
}

static struct mem_pool pool;
static struct mem_file file;
static uint64_t size;

static int file_setup(void **state)
{
	(void)state;
	assert_int_equal(mem_pool_init(&pool, 64 * 4096, 4096), 0);
	memset(&file, 0, sizeof(file));
	size = 0;
	return 0;
}

static int file_teardown(void **state)
{
	(void)state;
	mem_file_free(&file, &pool);
	assert_int_equal(mem_pool_free_count(&pool), 64);	/* no leaks */
	mem_pool_fini(&pool);
	return 0;
}

static void test_file_sparse(void **state)
{
	char buf[3 * 4096], out[3 * 4096];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 7);
	/* 100 bytes across the boundary of blocks 9 and 10. */
	assert_int_equal(mem_file_write(&file, &pool, &size, buf, 100,
					10 * 4096 - 50), 100);
	assert_int_equal(size, 10 * 4096 + 50);
	assert_int_equal(file.nblocks, 2);
	assert_int_equal(mem_pool_free_count(&pool), 62);
	memset(out, 1, sizeof(out));
	assert_int_equal(mem_file_read(&file, &pool, size, out, 4096, 0), 4096);
	for (i = 0; i < 4096; i++)
		assert_int_equal(out[i], 0);	/* a hole */
	assert_int_equal(mem_file_read(&file, &pool, size, out, sizeof(out),
				       9 * 4096), 4096 + 50);	/* short: EOF */
	for (i = 0; i < 4096 - 50; i++)
		assert_int_equal(out[i], 0);	/* the new block was zeroed */
	assert_memory_equal(out + 4096 - 50, buf, 100);
	assert_int_equal(mem_file_read(&file, &pool, size, out, 10, size), 0);

	assert_int_equal(mem_file_seek(&file, &pool, size, 0, SEEK_DATA),
			 9 * 4096);
	assert_int_equal(mem_file_seek(&file, &pool, size, 9 * 4096 + 5,
				       SEEK_DATA), 9 * 4096 + 5);
	assert_int_equal(mem_file_seek(&file, &pool, size, 0, SEEK_HOLE), 0);
	assert_int_equal(mem_file_seek(&file, &pool, size, 9 * 4096,
				       SEEK_HOLE), size);	/* EOF */
	assert_int_equal(mem_file_seek(&file, &pool, size, size, SEEK_DATA),
			 -ENXIO);
	assert_int_equal(mem_file_seek(&file, &pool, size, size + 1,
				       SEEK_HOLE), -ENXIO);
}

static void test_file_truncate_punch(void **state)
{
	char buf[3 * 4096], out[3 * 4096];
	size_t i;

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(mem_file_write(&file, &pool, &size, buf, sizeof(buf),
					0), sizeof(buf));
	assert_int_equal(file.nblocks, 3);
	/* Shrink into block 1: block 2 freed, the tail of 1 zeroed. */
	assert_int_equal(mem_file_truncate(&file, &pool, &size, 5000), 0);
	assert_int_equal(file.nblocks, 2);
	assert_int_equal(mem_file_truncate(&file, &pool, &size, sizeof(buf)), 0);
	assert_int_equal(mem_file_read(&file, &pool, size, out, sizeof(out), 0),
			 sizeof(out));
	assert_memory_equal(out, buf, 5000);
	for (i = 5000; i < sizeof(out); i++)
		assert_int_equal(out[i], 0);	/* no old bytes come back */

	/* Punch from the middle of block 0 to the middle of block 2. */
	memset(buf, 'y', sizeof(buf));
	assert_int_equal(mem_file_write(&file, &pool, &size, buf, sizeof(buf),
					0), sizeof(buf));
	mem_file_punch(&file, &pool, size, 100, 2 * 4096);
	assert_int_equal(file.nblocks, 2);	/* block 1 gone */
	assert_int_equal(size, sizeof(buf));	/* punching keeps the size */
	mem_file_read(&file, &pool, size, out, sizeof(out), 0);
	for (i = 0; i < sizeof(out); i++)
		assert_int_equal(out[i], i < 100 || i >= 100 + 2 * 4096 ? 'y' : 0);
	assert_int_equal(mem_file_seek(&file, &pool, size, 0, SEEK_HOLE), 4096);
	assert_int_equal(mem_file_seek(&file, &pool, size, 4096, SEEK_DATA),
			 2 * 4096);

	/* Allocate with and without growing. */
	assert_int_equal(mem_file_allocate(&file, &pool, &size, 4096, 4096, 1), 0);
	assert_int_equal(file.nblocks, 3);
	assert_int_equal(size, sizeof(buf));
	assert_int_equal(mem_file_allocate(&file, &pool, &size, 20 * 4096, 10,
					   0), 0);
	assert_int_equal(size, 20 * 4096 + 10);
	assert_int_equal(mem_file_write(&file, &pool, &size, buf, 1,
					MEM_MAX_FILE_SIZE), -EFBIG);
}

static void test_file_enospc(void **state)
{
	static char buf[70 * 4096];

	(void)state;
	memset(buf, 'z', sizeof(buf));
	/* 64 blocks in the pool, 70 needed: nothing is written. */
	assert_int_equal(mem_file_write(&file, &pool, &size, buf, sizeof(buf),
					0), -ENOSPC);
	assert_int_equal(size, 0);
	assert_int_equal(mem_pool_free_count(&pool), 64);
	assert_int_equal(mem_file_write(&file, &pool, &size, buf, 64 * 4096,
					0), 64 * 4096);
	assert_int_equal(size, 64 * 4096);
	assert_int_equal(mem_pool_free_count(&pool), 0);
	assert_int_equal(mem_file_write(&file, &pool, &size, buf, 10,
					64 * 4096), -ENOSPC);
	/* Overwriting allocated blocks needs no space. */
	assert_int_equal(mem_file_write(&file, &pool, &size, buf, 4096, 0),
			 4096);
	assert_int_equal(mem_file_truncate(&file, &pool, &size, 0), 0);
	assert_int_equal(mem_pool_free_count(&pool), 64);
}

static void test_dir_cookies(void **state)
{
	struct mem_dir d;
	struct mem_dirent *de;
	char name[32];
	uint64_t cookie;
	size_t i, at;
	int seen = 0;

	(void)state;
	mem_dir_init(&d);
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "n%zu", i);
		assert_int_equal(mem_dir_add(&d, name, (void *)(uintptr_t)(i + 1)),
				 0);
	}
	assert_int_equal(d.count, 1000);
	de = mem_dir_find(&d, "n500");
	assert_non_null(de);
	assert_ptr_equal(de->inode, (void *)501);
	assert_null(mem_dir_find(&d, "n1000"));
	/* Read half, note the cookie, remove many (compaction), resume. */
	cookie = d.order[499]->seq + 1;
	for (i = 0; i < 1000; i += 2) {
		snprintf(name, sizeof(name), "n%zu", i);
		mem_dir_remove(&d, mem_dir_find(&d, name));
	}
	for (i = 0; i < 10; i++) {	/* adds force a compaction */
		snprintf(name, sizeof(name), "new%zu", i);
		assert_int_equal(mem_dir_add(&d, name, NULL), 0);
	}
	for (at = mem_dir_seek(&d, cookie); at < d.len; at++) {
		if (!d.order[at])
			continue;
		if (!seen)	/* the first odd one after n499 */
			assert_string_equal(d.order[at]->name, "n501");
		seen++;
	}
	assert_int_equal(seen, 250 + 10);
	assert_null(mem_dir_find(&d, "n2"));
	assert_non_null(mem_dir_find(&d, "n3"));
	mem_dir_fini(&d);
}

static void test_xattrs(void **state)
{
	struct mem_xattrs xs = { 0 };
	char buf[64];

	(void)state;
	assert_int_equal(mem_xattr_get(&xs, "user.a", buf, sizeof(buf)),
			 -ENODATA);
	assert_int_equal(mem_xattr_set(&xs, "user.a", "1", 1, 0), 0);
	assert_int_equal(mem_xattr_set(&xs, "user.b", "22", 2, 0), 0);
	assert_int_equal(mem_xattr_set(&xs, "user.a", "x", 1, XATTR_CREATE),
			 -EEXIST);
	assert_int_equal(mem_xattr_set(&xs, "user.c", "x", 1, XATTR_REPLACE),
			 -ENODATA);
	assert_int_equal(mem_xattr_set(&xs, "user.a", "333", 3, XATTR_REPLACE),
			 0);
	assert_int_equal(mem_xattr_get(&xs, "user.a", NULL, 0), 3);
	assert_int_equal(mem_xattr_get(&xs, "user.a", buf, 2), -ERANGE);
	assert_int_equal(mem_xattr_get(&xs, "user.a", buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "333", 3);
	assert_int_equal(mem_xattr_list(&xs, NULL, 0), 14);
	assert_int_equal(mem_xattr_list(&xs, buf, sizeof(buf)), 14);
	assert_memory_equal(buf, "user.a\0user.b\0", 14);
	assert_int_equal(mem_xattr_set(&xs, "system.posix_acl_access", "", 0,
				       0), -EOPNOTSUPP);
	assert_int_equal(mem_xattr_remove(&xs, "user.a"), 0);
	assert_int_equal(mem_xattr_remove(&xs, "user.a"), -ENODATA);
	assert_int_equal(xs.total, strlen("user.b") + 2);
	{
		static char big[MEM_XATTR_MAX_TOTAL];

		assert_int_equal(mem_xattr_set(&xs, "user.big", big,
					       sizeof(big), 0), -ENOSPC);
	}
	mem_xattr_fini(&xs);
	assert_null(xs.head);
}

int main(void)
{
#define F(fn) cmocka_unit_test_setup_teardown(fn, file_setup, file_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool),
		cmocka_unit_test(test_radix),
		F(test_file_sparse),
		F(test_file_truncate_punch),
		F(test_file_enospc),
		cmocka_unit_test(test_dir_cookies),
		cmocka_unit_test(test_xattrs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
#undef F
}
