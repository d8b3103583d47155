// SPDX-License-Identifier: GPL-2.0
/*
 * dmapcheck: the direct map, end to end, on the emulated card.
 *
 *   dmapcheck serve MNT BDF SIZE READY
 *	a vfsd server with one file, /card, whose contents are the first
 *	SIZE bytes of BAR2 of the ivshmem device BDF (a direct-map region);
 *	touches READY once the region is registered
 *   dmapcheck check FILE CARD [OFFSET]
 *	checks FILE (the mounted /card, or a directly mapped file of
 *	vfsd-server's fpga backend) against CARD, the host's backing file
 *	of the card memory (seen through 9p), where FILE's bytes start at
 *	OFFSET (default 0); FILE is at least 16 KiB
 *
 * Prints `ok NAME` / `FAIL NAME: ...`; exit status 1 on any failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vfsd/vfsd.h>

#define CARD_INO 2

static uint64_t card_size;
static uint32_t card_region;
static off_t card_base;		/* FILE's offset in CARD */

static void card_stat(vfsd_ino_t ino, struct stat *st)
{
	*st = (struct stat){ .st_ino = ino, .st_nlink = 1, .st_blksize = 4096 };
	st->st_mode = ino == CARD_INO ? S_IFREG | 0666 : S_IFDIR | 0755;
	st->st_size = ino == CARD_INO ? (off_t)card_size : 0;
}

static void card_lookup(struct vfsd_req *req, vfsd_ino_t parent,
			const char *name)
{
	struct vfsd_entry_param e = { .attr_timeout = 60, .entry_timeout = 60 };

	if (parent == VFSD_ROOT_INO && !strcmp(name, "card")) {
		e.ino = CARD_INO;
		card_stat(CARD_INO, &e.attr);
	}
	vfsd_reply_entry(req, &e);
}

static void card_getattr(struct vfsd_req *req, vfsd_ino_t ino,
			 struct vfsd_file_info *fi)
{
	struct stat st;

	(void)fi;
	card_stat(ino, &st);
	vfsd_reply_attr(req, &st, 60);
}

static void card_open(struct vfsd_req *req, vfsd_ino_t ino,
		      struct vfsd_file_info *fi)
{
	if (ino != CARD_INO || !card_region) {
		vfsd_reply_err(req, EIO);
		return;
	}
	fi->direct_map = 1;
	fi->dmap_id = card_region;
	vfsd_reply_open(req, fi);
}

/* Never called for a direct-mapped file: fail loudly if it is. */
static void card_read(struct vfsd_req *req, vfsd_ino_t ino, void *buf,
		      size_t size, off_t off, struct vfsd_file_info *fi)
{
	(void)ino, (void)buf, (void)size, (void)off, (void)fi;
	fprintf(stderr, "dmapcheck: READ reached the server\n");
	vfsd_reply_err(req, EIO);
}

static int serve(const char *mnt, const char *bdf, const char *size,
		 const char *ready)
{
	static const struct vfsd_ops ops = {
		.lookup = card_lookup, .getattr = card_getattr,
		.open = card_open, .read = card_read,
	};
	struct vfsd_session_opts o = VFSD_SESSION_OPTS_INIT;
	struct vfsd_session *s;
	uint32_t dev;
	int id, err, fd;

	card_size = strtoull(size, NULL, 0);
	if (vfsd_pci_dev_parse(bdf, &dev)) {
		fprintf(stderr, "dmapcheck: bad PCI address %s\n", bdf);
		return 2;
	}
	o.nr_queues = 1;
	o.transport = VFSD_TRANSPORT_VFSD;
	s = vfsd_session_new(&ops, sizeof(ops), &o, NULL);
	if (!s || vfsd_session_mount(s, mnt))
		return 1;
	id = vfsd_dmap_add(s, dev, 2, 0, card_size);
	if (id <= 0) {
		fprintf(stderr, "dmapcheck: DMAP_ADD: %s\n", strerror(-id));
		vfsd_session_unmount(s);
		return 1;
	}
	card_region = id;
	/* Regions that do not fit the BAR or are not aligned are refused. */
	if (vfsd_dmap_add(s, dev, 2, 1, 4096) != -EINVAL ||
	    vfsd_dmap_add(s, dev, 2, 0, 1ull << 40) != -EINVAL ||
	    vfsd_dmap_add(s, dev, 7, 0, 4096) != -EINVAL ||
	    vfsd_dmap_remove(s, 999) != -ENOENT) {
		fprintf(stderr, "dmapcheck: a bad region was not refused\n");
		vfsd_session_unmount(s);
		return 1;
	}
	fd = open(ready, O_CREAT | O_WRONLY, 0644);
	if (fd >= 0)
		close(fd);
	err = vfsd_session_loop(s);
	vfsd_session_unmount(s);
	vfsd_session_destroy(s);
	return err ? 1 : 0;
}

static int failures;

static void check(const char *name, int ok, const char *detail)
{
	if (ok) {
		printf("ok %s\n", name);
	} else {
		printf("FAIL %s: %s\n", name, detail);
		failures++;
	}
}

static unsigned char pattern(size_t i, unsigned int seed)
{
	return (unsigned char)(i * 31 + seed + (i >> 12));
}

/* Does CARD hold pattern(seed) over [off, off + len)? */
static int card_has(int card, off_t off, size_t len, unsigned int seed)
{
	unsigned char *buf = malloc(len);
	size_t i;
	int ok;

	ok = buf && pread(card, buf, len, card_base + off) == (ssize_t)len;
	for (i = 0; ok && i < len; i++)
		ok = buf[i] == pattern(off + i, seed);
	free(buf);
	return ok;
}

static int check_file(const char *path, const char *card_path)
{
	int fd = open(path, O_RDWR), card = open(card_path, O_RDWR);
	unsigned char *map, buf[8192];
	struct stat st;
	size_t size, i, half, changed;
	pid_t pid;
	int status;

	if (fd < 0 || card < 0 || fstat(fd, &st)) {
		perror("dmapcheck: open");
		return 1;
	}
	size = st.st_size;
	if (size < 16384 || size % 4096) {
		fprintf(stderr, "dmapcheck: %s: %zu bytes, not a multiple of "
			"4096 of at least 16384\n", path, size);
		return 1;
	}
	half = size / 2;
	changed = size - 4096;	/* the page the host changes */
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check("mmap", map != MAP_FAILED, strerror(errno));
	if (map == MAP_FAILED)
		return 1;

	/* Stores through the mapping land on the card: no msync. */
	for (i = 0; i < half; i++)
		map[i] = pattern(i, 1);
	check("store.host_sees_bytes", card_has(card, 0, half, 1),
	      "the backing file lacks what was stored through the mapping");

	/* Another process mapping the file shares the same card pages. */
	pid = fork();
	if (pid == 0) {
		int fd2 = open(path, O_RDWR);
		unsigned char *m2 = mmap(NULL, size, PROT_READ | PROT_WRITE,
					 MAP_SHARED, fd2, 0);

		if (m2 == MAP_FAILED || m2[100] != pattern(100, 1))
			_exit(1);
		for (i = half; i < size; i++)
			m2[i] = pattern(i, 2);
		_exit(0);
	}
	check("fork.child_sees_and_stores",
	      waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0, "child process failed");
	check("fork.parent_sees_child_stores",
	      map[size - 1] == pattern(size - 1, 2) &&
	      map[half] == pattern(half, 2), "stores of the other process missing");

	/* read()/write() copy straight from/to card memory. */
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = pattern(4096 + i, 3);
	check("write", pwrite(fd, buf, sizeof(buf), 4096) == sizeof(buf),
	      strerror(errno));
	check("write.host_sees_bytes", card_has(card, 4096, sizeof(buf), 3),
	      "the backing file lacks what write() wrote");
	check("write.mapping_sees_bytes", map[4096 + 17] == pattern(4113, 3),
	      "the mapping does not show what write() wrote");
	memset(buf, 0, sizeof(buf));
	check("read", pread(fd, buf, sizeof(buf), half) == sizeof(buf) &&
	      buf[0] == pattern(half, 2) && buf[8191] == pattern(half + 8191, 2),
	      "read() does not return the card's bytes");

	/* The host changes card memory: the mount sees it at once. */
	memset(buf, 0xa5, 4096);
	check("host_change.visible",
	      pwrite(card, buf, 4096, card_base + changed) == 4096 &&
	      map[changed] == 0xa5 &&
	      pread(fd, buf + 4096, 16, changed + 100) == 16 &&
	      buf[4096] == 0xa5, "a change of the backing file is not seen");

	/* Limits: the file is the region. */
	check("write.past_end_enospc",
	      pwrite(fd, buf, 16, size) < 0 && errno == ENOSPC, "not ENOSPC");
	check("read.at_end_eof", pread(fd, buf, 16, size) == 0, "not EOF");
	check("mmap.private_write_einval",
	      mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0) ==
	      MAP_FAILED && errno == EINVAL, "private writable map allowed");
	check("mmap.past_region_enxio",
	      mmap(NULL, size + 4096, PROT_READ, MAP_SHARED, fd, 0) ==
	      MAP_FAILED && errno == ENXIO, "map past the region allowed");
	munmap(map, size);
	close(fd);
	/* The mapping outlives the close of the file. */
	fd = open(path, O_RDONLY);
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	check("mmap.after_close", map != MAP_FAILED && map[0] == pattern(0, 1),
	      "mapping after close does not show the card");
	printf("dmapcheck: %d failed\n", failures);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "serve"))
		return serve(argv[2], argv[3], argv[4], argv[5]);
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "check")) {
		card_base = argc == 5 ? strtoll(argv[4], NULL, 0) : 0;
		return check_file(argv[2], argv[3]);
	}
	fprintf(stderr, "usage: dmapcheck serve MNT BDF SIZE READY | "
		"check FILE CARD [OFFSET]\n");
	return 2;
}
