// SPDX-License-Identifier: MIT
/*
 * The fpga backend on the mem driver with a card file, through the fake
 * kernel: a tree written, the server "restarted" (backend destroyed and
 * created again on the same card file), the tree intact by name, size,
 * contents, link, xattr and link counts; an unlinked file and damaged
 * records repaired at the next mount; an empty card formatted, a foreign
 * or damaged one refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "backends/fpga/fpga.h"
#include "fpga/crc.h"
#include "fk_ops.h"
#include "fk_session.h"

#define CARD_SIZE	(4u << 20)

/* The card file, in the fixture's directory. */
static char card[80];
static struct fpga_config fc = { .driver = "mem", .card = card };

static struct fpga_fs *card_fs(struct fk_session *fx)
{
	return fx->fs;
}

/* The server on the card: 0, or the backend's error. */
static int start(struct fk_session *fx)
{
	struct backend_config cfg = {
		.attr_timeout = 1, .entry_timeout = 1, .size = CARD_SIZE,
		.fpga = &fc,
	};

	return fk_session_start(fx, &backend_fpga, &cfg);
}

static void stop(struct fk_session *fx)
{
	fk_session_stop(fx);
}

static int setup(void **state)
{
	struct fk_session *fx = fk_session_new(state);
	int fd;

	snprintf(card, sizeof(card), "%s/card", fk_session_mkdtemp(fx));
	fd = open(card, O_RDWR | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);	/* empty: formatted on first use */
	assert_int_equal(start(fx), 0);
	return 0;
}

static void restart(struct fk_session *fx)
{
	stop(fx);
	assert_int_equal(start(fx), 0);
}

static uint64_t lookup(struct fk_session *fx, uint64_t dir, const char *name)
{
	struct fake_kernel *k = &fx->k;
	struct vfsd_entry_out e;

	assert_int_equal(fko_lookup(k, dir, name, &e), 0);
	assert_true(e.nodeid != 0);
	return e.nodeid;
}

static uint64_t new_file(struct fk_session *fx, uint64_t dir, const char *name)
{
	struct fake_kernel *k = &fx->k;
	struct vfsd_create_out c;

	assert_int_equal(fko_create(k, dir, name, S_IFREG | 0640,
				    O_CREAT | O_RDWR, &c), 0);
	return c.entry.nodeid;
}

static void fill(char *buf, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (char)((i * 131 + seed * 7) >> 2);
}

/* The fake kernel's window is small: pieces of at most 16 KiB. */
#define PIECE	(16u << 10)

static void write_all(struct fk_session *fx, uint64_t ino, const char *buf,
		      size_t len)
{
	struct fake_kernel *k = &fx->k;
	size_t off, n;

	for (off = 0; off < len; off += n) {
		n = len - off < PIECE ? len - off : PIECE;
		assert_int_equal(fko_write(k, ino, 0, buf + off, (uint32_t)n,
					   off), n);
	}
}

static void check_file(struct fk_session *fx, uint64_t ino, const char *want,
		       size_t len)
{
	struct fake_kernel *k = &fx->k;
	static char back[PIECE];
	struct vfsd_attr a;
	size_t off, n;

	assert_int_equal(fko_getattr(k, ino, &a), 0);
	assert_int_equal(a.size, len);
	for (off = 0; off < len; off += n) {
		n = len - off < PIECE ? len - off : PIECE;
		assert_int_equal(fko_read(k, ino, 0, back, PIECE, off), n);
		assert_memory_equal(back, want + off, n);
	}
}

static void test_restart_keeps_tree(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	static char big[60000], holey[3 * 4096 + 10], small[] = "hello card";
	char val[16], target[64];
	struct vfsd_entry_out e;
	struct vfsd_attr a;
	uint64_t d, f1, f2, f3, sub;

	fill(big, sizeof(big), 1);
	memset(holey, 0, sizeof(holey));
	fill(holey + 2 * 4096, 4096 + 10, 2);
	assert_int_equal(fko_mkdir(k, VFSD_ROOT_INO, "dir", 0750, &e), 0);
	d = e.nodeid;
	assert_int_equal(fko_mkdir(k, d, "sub", 0700, &e), 0);
	sub = e.nodeid;
	f1 = new_file(fx, d, "big");
	write_all(fx, f1, big, sizeof(big));
	f2 = new_file(fx, VFSD_ROOT_INO, "small");
	assert_int_equal(fko_write(k, f2, 0, small, sizeof(small), 0),
			 sizeof(small));
	f3 = new_file(fx, sub, "holey");	/* a hole, then data */
	assert_int_equal(fko_write(k, f3, 0, holey + 2 * 4096, 4096 + 10,
				   2 * 4096), 4096 + 10);
	new_file(fx, VFSD_ROOT_INO, "empty");
	assert_int_equal(fko_symlink(k, d, "link", "../small", &e), 0);
	assert_int_equal(fko_link(k, f2, sub, "hard", &e), 0);
	assert_int_equal(fko_setxattr(k, f2, "user.color", "blue", 4, 0), 0);
	assert_int_equal(fko_rename(k, VFSD_ROOT_INO, "empty", d, "moved", 0), 0);
	/* Gone before the restart: must stay gone. */
	new_file(fx, VFSD_ROOT_INO, "temp");
	assert_int_equal(fko_unlink(k, VFSD_OP_UNLINK, VFSD_ROOT_INO, "temp"), 0);

	restart(fx);

	d = lookup(fx, VFSD_ROOT_INO, "dir");
	assert_int_equal(fko_getattr(k, d, &a), 0);
	assert_int_equal(a.mode, S_IFDIR | 0750);
	assert_int_equal(a.nlink, 3);	/* ".", its name, sub's ".." */
	sub = lookup(fx, d, "sub");
	check_file(fx, lookup(fx, d, "big"), big, sizeof(big));
	check_file(fx, lookup(fx, VFSD_ROOT_INO, "small"), small, sizeof(small));
	check_file(fx, lookup(fx, sub, "holey"), holey, sizeof(holey));
	f2 = lookup(fx, sub, "hard");
	assert_int_equal(f2, lookup(fx, VFSD_ROOT_INO, "small"));
	assert_int_equal(fko_getattr(k, f2, &a), 0);
	assert_int_equal(a.nlink, 2);
	assert_int_equal(fko_getxattr(k, f2, "user.color", val, sizeof(val)), 4);
	assert_memory_equal(val, "blue", 4);
	assert_int_equal(fko_getattr(k, lookup(fx, d, "moved"), &a), 0);
	assert_int_equal(a.size, 0);
	assert_int_equal(fko_lookup(k, VFSD_ROOT_INO, "empty", &e), 0);
	assert_int_equal(e.nodeid, 0);
	assert_int_equal(fko_lookup(k, VFSD_ROOT_INO, "temp", &e), 0);
	assert_int_equal(e.nodeid, 0);
	{
		struct vfsd_sqe sqe = fk_sqe(VFSD_OP_READLINK, lookup(fx, d, "link"));
		int32_t r = fk_call(k, &sqe, NULL, 0, target, sizeof(target));

		assert_int_equal(r, 8);
		assert_memory_equal(target, "../small", 8);
	}
	/* The holey file kept its hole: one block less than its size. */
	assert_int_equal(fko_getattr(k, lookup(fx, sub, "holey"), &a), 0);
	assert_int_equal(a.blocks, 2 * 4096 / 512);
	assert_int_equal(fko_lseek(k, lookup(fx, sub, "holey"), 0, 0, SEEK_DATA),
			 2 * 4096);
	assert_int_equal(fko_lseek(k, lookup(fx, sub, "holey"), 0, 0, SEEK_HOLE), 0);
}

/*
 * The data counters: the mem driver's transfers are CPU copies, counted
 * as such (the guest test checks the qemu driver's are all DMA); names
 * and symlinks are metadata, not counted. --stats prints them.
 */
static void test_data_counters(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	static char data[3 * 4096 + 100], back[PIECE];
	const struct fpga_stats *st = &card_fs(fx)->dev->stats;
	struct vfsd_entry_out e;
	char text[512];
	FILE *f;
	uint64_t ino;

	fill(data, sizeof(data), 3);
	assert_int_equal(fko_mkdir(k, VFSD_ROOT_INO, "d", 0755, &e), 0);
	assert_int_equal(fko_symlink(k, VFSD_ROOT_INO, "l", "d/target", &e), 0);
	assert_int_equal(st->cpu_bytes[FPGA_TO_CARD] +
			 st->cpu_bytes[FPGA_FROM_CARD], 0);
	ino = new_file(fx, VFSD_ROOT_INO, "f");
	write_all(fx, ino, data, sizeof(data));
	assert_int_equal(st->cpu_bytes[FPGA_TO_CARD], sizeof(data));
	assert_int_equal(fko_read(k, ino, 0, back, 4096, 4096), 4096);
	assert_int_equal(st->cpu_bytes[FPGA_FROM_CARD], 4096);
	assert_int_equal(st->dma_bytes[FPGA_TO_CARD] +
			 st->dma_bytes[FPGA_FROM_CARD] + st->errors, 0);
	f = fmemopen(text, sizeof(text), "w");
	assert_non_null(f);
	backend_fpga.stats(card_fs(fx), f);
	fclose(f);
	assert_non_null(strstr(text, "driver mem\n"));
	assert_non_null(strstr(text, "data_cpu_to_card 12388\n"));
	assert_non_null(strstr(text, "data_cpu_from_card 4096\n"));
	assert_non_null(strstr(text, "data_dma_to_card 0\n"));
	assert_non_null(strstr(text, "transfer_errors 0\n"));
}

/* Truncate and punch survive too, and free their blocks. */
static void test_truncate_free_space(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	static char buf[40000];
	struct vfsd_statfs_out sf;
	uint64_t f, before;

	assert_int_equal(fko_simple(k, VFSD_OP_STATFS, 1, 0, &sf, sizeof(sf)), 0);
	before = sf.bfree;
	fill(buf, sizeof(buf), 3);
	f = new_file(fx, VFSD_ROOT_INO, "t");
	write_all(fx, f, buf, sizeof(buf));
	assert_int_equal(fko_truncate(k, f, 5000), 0);
	restart(fx);
	f = lookup(fx, VFSD_ROOT_INO, "t");
	check_file(fx, f, buf, 5000);
	assert_int_equal(fko_simple(k, VFSD_OP_STATFS, 1, 0, &sf, sizeof(sf)), 0);
	assert_int_equal(sf.bfree, before - 2);
	assert_int_equal(fko_unlink(k, VFSD_OP_UNLINK, VFSD_ROOT_INO, "t"), 0);
	restart(fx);
	assert_int_equal(fko_simple(k, VFSD_OP_STATFS, 1, 0, &sf, sizeof(sf)), 0);
	assert_int_equal(sf.bfree, before);
}

/* The card file, mapped, to damage it behind the server's back. */
static char *map_card(void)
{
	int fd = open(card, O_RDWR);
	char *p = mmap(NULL, CARD_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fd, 0);

	close(fd);
	assert_true(p != MAP_FAILED);
	return p;
}

static void test_damaged_records_repaired(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	struct fpga_super sb;
	struct vfsd_entry_out e;
	char *p;
	uint32_t i;

	new_file(fx, VFSD_ROOT_INO, "keep");
	new_file(fx, VFSD_ROOT_INO, "lose");
	stop(fx);
	p = map_card();
	memcpy(&sb, p, sizeof(sb));
	/* Flip a byte of the dirent record naming "lose". */
	for (i = 0; i < sb.dirent_count; i++) {
		char *rec = p + sb.dirent_off + (uint64_t)i * sb.dirent_size;

		if (!strcmp(((struct fpga_ddirent *)rec)->name, "lose"))
			rec[20] ^= 1;
	}
	/* And garbage in an unused extent record. */
	memset(p + sb.extent_off + (uint64_t)(sb.extent_count - 1) * 32, 0x5a, 32);
	munmap(p, CARD_SIZE);
	assert_int_equal(start(fx), 0);
	lookup(fx, VFSD_ROOT_INO, "keep");
	assert_int_equal(fko_lookup(k, VFSD_ROOT_INO, "lose", &e), 0);
	assert_int_equal(e.nodeid, 0);
	/* The repairs were written back: the slots are usable again. */
	new_file(fx, VFSD_ROOT_INO, "lose");
	restart(fx);
	lookup(fx, VFSD_ROOT_INO, "lose");
}

static void test_foreign_and_damaged_cards(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	char *p;

	stop(fx);
	p = map_card();
	p[100] ^= 0xff;		/* superblock crc no longer matches */
	assert_int_equal(start(fx), -EUCLEAN);
	memcpy(p, "NOTVFSD!", 8);	/* something else lives here */
	assert_int_equal(start(fx), -ENODATA);
	/* --format overwrites it. */
	fc.format = true;
	assert_int_equal(start(fx), 0);
	fc.format = false;
	{
		struct vfsd_attr a;

		assert_int_equal(fko_getattr(k, VFSD_ROOT_INO, &a), 0);
	}
	munmap(p, CARD_SIZE);
}

/*
 * Random metadata: garbage anywhere in the tables but the root's record
 * gives a repaired tree (mounts, root readable); garbage in the root's
 * record gives -EUCLEAN. No crash either way.
 */
static void test_garbage_metadata(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	struct fpga_super sb;
	unsigned int round, i;
	char *p;

	new_file(fx, VFSD_ROOT_INO, "a");
	stop(fx);
	p = map_card();
	memcpy(&sb, p, sizeof(sb));
	/* fpga_layout_format() puts the root in inode slot 0. */
	assert_int_equal(sb.inode_off, FPGA_BLOCK);
	srand(42);
	for (round = 0; round < 20; round++) {
		struct vfsd_attr a;

		for (i = 0; i < 200; i++) {
			uint64_t first = sb.inode_off + sizeof(struct fpga_dinode);
			uint64_t off = first + (uint64_t)rand() % (sb.data_off - first);

			p[off] = (char)rand();
		}
		assert_int_equal(start(fx), 0);
		assert_int_equal(fko_getattr(k, VFSD_ROOT_INO, &a), 0);
		stop(fx);
	}
	p[sb.inode_off + offsetof(struct fpga_dinode, mode)] ^= 1;
	assert_int_equal(start(fx), -EUCLEAN);
	munmap(p, CARD_SIZE);
}

/* sb with one field set to value (a 32-bit field: the low half), valid crc. */
static void set_field(struct fpga_super *sb, const struct fpga_super *good,
		      size_t off, size_t width, uint64_t value)
{
	*sb = *good;
	memcpy((char *)sb + off, &value, width);
	sb->crc = fpga_crc32c(0, sb, offsetof(struct fpga_super, crc));
}

#define SB_FIELD(f) { offsetof(struct fpga_super, f), \
		      sizeof(((struct fpga_super *)0)->f), #f }

/*
 * Superblock fields out of range, with a valid crc: refused with -EUCLEAN,
 * no crash. A count of 1 (inodes, extents, data blocks) is in range, a
 * smaller table than formatted: that mounts. Tables that overlap are
 * refused too.
 */
static void test_superblock_fields(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	static const struct { size_t off, width; const char *name; } fields[] = {
		SB_FIELD(card_size), SB_FIELD(inode_off), SB_FIELD(inode_count),
		SB_FIELD(dirent_off), SB_FIELD(extent_count), SB_FIELD(data_off),
		SB_FIELD(data_blocks),
	};
	static const uint64_t values[] = { 0, 1, 4095, 1ull << 40, UINT64_MAX };
	struct fpga_super good, *sb;
	struct vfsd_attr a;
	unsigned int f, v;
	char *p;

	stop(fx);
	p = map_card();
	sb = (struct fpga_super *)p;
	good = *sb;
	for (f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		for (v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
			bool in_range = values[v] == 1 &&
				(fields[f].off == offsetof(struct fpga_super, inode_count) ||
				 fields[f].off == offsetof(struct fpga_super, extent_count) ||
				 fields[f].off == offsetof(struct fpga_super, data_blocks));
			int want = in_range ? 0 : -EUCLEAN, got;

			set_field(sb, &good, fields[f].off, fields[f].width, values[v]);
			got = start(fx);
			if (got != want)
				fail_msg("%s = %#llx: start() gave %d, want %d",
					 fields[f].name, (unsigned long long)values[v],
					 got, want);
			if (got == 0) {
				assert_int_equal(fko_getattr(k, VFSD_ROOT_INO, &a), 0);
				stop(fx);
			}
		}
	}
	/* Overlapping tables: records of one would be read as the other's. */
	set_field(sb, &good, offsetof(struct fpga_super, dirent_off), 8,
		  good.inode_off);
	assert_int_equal(start(fx), -EUCLEAN);
	set_field(sb, &good, offsetof(struct fpga_super, dirent_off), 8,
		  good.inode_off + FPGA_BLOCK);
	assert_int_equal(start(fx), -EUCLEAN);
	set_field(sb, &good, offsetof(struct fpga_super, extent_off), 8,
		  good.dirent_off);
	assert_int_equal(start(fx), -EUCLEAN);
	*sb = good;
	munmap(p, CARD_SIZE);
	assert_int_equal(start(fx), 0);
}

static void test_direct_map(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	static char buf[8192];
	uint64_t f, off, len;
	struct vfsd_attr a;

	f = new_file(fx, VFSD_ROOT_INO, "dm");
	assert_int_equal(fpga_direct_range(card_fs(fx), f, &off, &len), -EINVAL);
	assert_int_equal(fko_setxattr(k, f, FPGA_DIRECT_XATTR, "10000", 5, 0), 0);
	assert_int_equal(fpga_direct_range(card_fs(fx), f, &off, &len), 0);
	assert_int_equal(len, 3 * 4096);
	assert_int_equal(off % 4096, 0);
	assert_int_equal(fko_getattr(k, f, &a), 0);
	assert_int_equal(a.size, 10000);
	fill(buf, sizeof(buf), 9);
	assert_int_equal(fko_write(k, f, 0, buf, sizeof(buf), 100), sizeof(buf));
	/* It cannot grow past its extent. */
	assert_int_equal(fko_write(k, f, 0, buf, sizeof(buf), 3 * 4096 - 10),
			 -ENOSPC);
	restart(fx);
	f = lookup(fx, VFSD_ROOT_INO, "dm");
	assert_int_equal(fpga_direct_range(card_fs(fx), f, &off, &len), 0);
	{
		char *p = map_card();

		/* The bytes are where the range says, on the card. */
		assert_memory_equal(p + off + 100, buf, sizeof(buf));
		munmap(p, CARD_SIZE);
	}
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, fk_session_teardown)
	const struct CMUnitTest tests[] = {
		T(test_restart_keeps_tree),
		T(test_truncate_free_space),
		T(test_data_counters),
		T(test_damaged_records_repaired),
		T(test_foreign_and_damaged_cards),
		T(test_garbage_metadata),
		T(test_superblock_fields),
		T(test_direct_map),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
