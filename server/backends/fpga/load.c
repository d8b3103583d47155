// SPDX-License-Identifier: MIT
/*
 * Mounting a card: build the mem tree from the card's tables, checking
 * as we go (fsck-lite). Nothing read is trusted: a record with a bad crc
 * or values out of range is dropped, extents that overlap others lose,
 * names are only followed from the root (so no cycles, no second parent
 * of a directory), link counts are recounted from the names, inodes no
 * name reaches are freed, and the allocator is rebuilt from the extents
 * that survive. Every repair is written back and counted.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "backends/fpga/fpga.h"

struct loader {
	struct fpga_fs *fs;
	struct fpga_layout *L;
	struct mem_inode **by_slot;	/* inode table slot -> inode */
	uint32_t *links;		/* names per slot */
	unsigned long repaired;
	uint64_t max_nodeid;
};

struct dent {
	uint32_t slot;
	struct fpga_ddirent d;
};

static void drop(struct loader *ld, int table, uint32_t slot)
{
	fpga_slot_free(ld->L, table, slot);
	ld->repaired++;
}

static bool mode_ok(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: case S_IFDIR: case S_IFLNK: case S_IFCHR:
	case S_IFBLK: case S_IFIFO: case S_IFSOCK:
		return !(mode & ~(uint32_t)(S_IFMT | 07777));
	}
	return false;
}

static bool dinode_ok(const struct fpga_dinode *d)
{
	return mode_ok(d->mode) && d->size <= (uint64_t)INT64_MAX &&
	       d->atime_ns < 1000000000 && d->mtime_ns < 1000000000 &&
	       d->ctime_ns < 1000000000 &&
	       (!S_ISLNK(d->mode) || (d->size > 0 && d->size < PATH_MAX)) &&
	       (!(d->flags & FPGA_INO_DIRECT) || S_ISREG(d->mode)) &&
	       !(d->flags & ~FPGA_INO_DIRECT);
}

static int load_inode(struct loader *ld, uint32_t slot)
{
	struct fpga_fs *fs = ld->fs;
	struct mem_inodes *t = &fs->mem.inodes;
	struct mem_inode *in, *dup;
	struct fpga_dinode d;
	int err = fpga_inode_get(ld->L, slot, &d);

	if (err == -ENOENT)
		return 0;
	if (!err && !dinode_ok(&d))
		err = -EUCLEAN;
	dup = err ? NULL : mem_inode_get(t, d.nodeid);
	if (dup) {
		mem_inode_put(t, dup);
		err = -EEXIST;
	}
	if (err) {
		drop(ld, FPGA_T_INODE, slot);
		return 0;
	}
	t->next_nodeid = d.nodeid;	/* the card's nodeid, not a new one */
	in = mem_inode_new(t, d.mode, d.uid, d.gid, d.rdev, "?", &err);
	if (!in)
		return err;
	in->store_priv = fpga_inode_alloc(fs, slot);
	if (!in->store_priv)
		return -ENOMEM;
	FI(in)->flags = d.flags;
	FI(in)->xattr_size = d.xattr_size;
	FI(in)->data.cpu = S_ISLNK(d.mode);
	in->size = d.size;
	in->nlink = d.nlink;
	in->atime = (struct timespec){ d.atime, d.atime_ns };
	in->mtime = (struct timespec){ d.mtime, d.mtime_ns };
	in->ctime = (struct timespec){ d.ctime, d.ctime_ns };
	ld->by_slot[slot] = in;
	if (d.nodeid > ld->max_nodeid)
		ld->max_nodeid = d.nodeid;
	return 0;
}

static void load_extent(struct loader *ld, uint32_t slot)
{
	struct fpga_dextent d;
	struct mem_inode *in;
	int err = fpga_extent_get(ld->L, slot, &d);

	if (err == -ENOENT)
		return;
	in = err ? NULL : ld->by_slot[d.owner - 1];
	if (!in || (d.stream == 0 && S_ISDIR(in->mode)) ||
	    fpga_blocks_claim(ld->L, d.card_block, d.count)) {
		drop(ld, FPGA_T_EXTENT, slot);
		return;
	}
	if (fpga_stream_add_loaded(d.stream ? &FI(in)->xattrs : &FI(in)->data,
				   &d, slot)) {
		fpga_blocks_free(ld->L, d.card_block, d.count);
		drop(ld, FPGA_T_EXTENT, slot);
	}
}

/* Free an inode that cannot be kept: its extents go with it. */
static void kill_inode(struct loader *ld, uint32_t slot)
{
	struct mem_inode *in = ld->by_slot[slot];

	ld->by_slot[slot] = NULL;
	in->nlink = 0;
	ld->repaired++;
	mem_inode_put(&ld->fs->mem.inodes, in);	/* on_free: card too */
}

/* Streams sorted and sane, symlink targets and xattrs read. */
static int finish_inode(struct loader *ld, uint32_t slot)
{
	struct mem_inode *in = ld->by_slot[slot];
	struct fpga_inode *fi = FI(in);
	char *buf;
	int err;

	if (fpga_stream_loaded(&fi->data) || fpga_stream_loaded(&fi->xattrs) ||
	    ((fi->flags & FPGA_INO_DIRECT) && fi->data.n != 1)) {
		kill_inode(ld, slot);
		return 0;
	}
	if (S_ISREG(in->mode))
		in->file.nblocks = fi->data.blocks;
	if (S_ISLNK(in->mode)) {
		buf = calloc(1, in->size + 1);
		if (!buf)
			return -ENOMEM;
		err = fpga_stream_read(&fi->data, buf, in->size, 0);
		if (err || strlen(buf) != in->size) {
			free(buf);
			kill_inode(ld, slot);
			return 0;
		}
		free(in->target);
		in->target = buf;
	}
	if (fi->xattr_size) {
		buf = malloc(fi->xattr_size);
		if (!buf)
			return -ENOMEM;
		err = fpga_stream_read(&fi->xattrs, buf, fi->xattr_size, 0);
		if (err || fpga_xattrs_parse(in, buf, fi->xattr_size)) {
			/* Lose the xattrs, keep the file. */
			mem_xattr_fini(&in->xattrs);
			fi->xattr_size = 0;
			fpga_stream_free(&fi->xattrs);
			ld->repaired++;
		}
		free(buf);
	}
	return 0;
}

static int by_parent(const void *a, const void *b)
{
	const struct dent *x = a, *y = b;

	if (x->d.parent != y->d.parent)
		return x->d.parent < y->d.parent ? -1 : 1;
	return x->slot < y->slot ? -1 : x->slot > y->slot;
}

/* The dirents, checked and sorted by parent; *n of them. */
static struct dent *read_dirents(struct loader *ld, size_t *n)
{
	uint32_t slot, count = ld->L->sb.dirent_count;
	struct dent *v = malloc(sizeof(*v) * (count ? count : 1));

	*n = 0;
	if (!v)
		return NULL;
	for (slot = 0; slot < count; slot++) {
		int err = fpga_dirent_get(ld->L, slot, &v[*n].d);

		if (err == -ENOENT)
			continue;
		if (err) {
			drop(ld, FPGA_T_DIRENT, slot);
			continue;
		}
		v[(*n)++].slot = slot;
	}
	qsort(v, *n, sizeof(*v), by_parent);
	return v;
}

static uint32_t slot_of(const struct mem_inode *in)
{
	return FI(in)->slot;
}

/* Names of dir, from v[lo..hi): link what checks out, drop the rest. */
static int link_children(struct loader *ld, struct mem_inode *dir,
			 struct dent *v, size_t lo, size_t hi,
			 struct mem_inode **queue, size_t *qlen)
{
	struct mem_inodes *t = &ld->fs->mem.inodes;
	size_t i;

	for (i = lo; i < hi; i++) {
		struct mem_inode *c = mem_inode_get(t, v[i].d.child);
		struct mem_dirent *de;
		bool ok = c && c->store_priv && c->nodeid != VFSD_ROOT_INO &&
			  !mem_dir_find(&dir->dir, v[i].d.name) &&
			  !(S_ISDIR(c->mode) && (c->parent || ld->links[slot_of(c)]));

		if (ok && mem_dir_add(&dir->dir, v[i].d.name, c)) {
			mem_inode_put(t, c);
			return -ENOMEM;
		}
		if (!ok) {
			if (c)
				mem_inode_put(t, c);
			drop(ld, FPGA_T_DIRENT, v[i].slot);
			continue;
		}
		de = mem_dir_find(&dir->dir, v[i].d.name);
		de->store_slot = v[i].slot;
		v[i].slot = FPGA_NONE;	/* used */
		ld->links[slot_of(c)]++;
		if (S_ISDIR(c->mode)) {
			ld->links[slot_of(c)]++;	/* its "." */
			c->parent = dir;
			ld->links[slot_of(dir)]++;	/* its ".." */
			queue[(*qlen)++] = c;
		}
		mem_inode_put(t, c);
	}
	return 0;
}

/* Walk from the root: only what a name reaches from it is kept. */
static int build_tree(struct loader *ld, struct mem_inode *root)
{
	struct mem_inode **queue;
	struct dent *v;
	size_t n, qhead = 0, qlen = 0, i, lo;
	int err = 0;

	v = read_dirents(ld, &n);
	queue = malloc(sizeof(*queue) * (ld->L->sb.inode_count + 1));
	if (!v || !queue) {
		free(v);
		free(queue);
		return -ENOMEM;
	}
	queue[qlen++] = root;
	ld->links[slot_of(root)] = 2;
	while (qhead < qlen && !err) {
		struct mem_inode *dir = queue[qhead++];

		for (lo = 0, i = n; lo < i;) {	/* first entry of dir */
			size_t mid = (lo + i) / 2;

			if (v[mid].d.parent < dir->nodeid)
				lo = mid + 1;
			else
				i = mid;
		}
		for (i = lo; i < n && v[i].d.parent == dir->nodeid; i++)
			;
		err = link_children(ld, dir, v, lo, i, queue, &qlen);
	}
	for (i = 0; i < n && !err; i++)
		if (v[i].slot != FPGA_NONE)
			drop(ld, FPGA_T_DIRENT, v[i].slot);	/* unreached */
	free(v);
	free(queue);
	return err;
}

/* Link counts from the names; unreached inodes freed. */
static void recount(struct loader *ld)
{
	uint32_t slot;

	for (slot = 0; slot < ld->L->sb.inode_count; slot++) {
		struct mem_inode *in = ld->by_slot[slot];

		if (!in)
			continue;
		if (!ld->links[slot]) {
			kill_inode(ld, slot);
			continue;
		}
		if (in->nlink != ld->links[slot]) {
			in->nlink = ld->links[slot];
			fpga_sync_locked(ld->fs, in);
			ld->repaired++;
		}
		/* Done loading: the tree holds it now, not us. */
		mem_inode_put(&ld->fs->mem.inodes, in);
	}
}

static int load(struct loader *ld)
{
	struct mem_inode *root = NULL;
	uint32_t slot;
	int err = fpga_slots_rebuild(ld->L);

	for (slot = 0; slot < ld->L->sb.inode_count && !err; slot++)
		err = load_inode(ld, slot);
	for (slot = 0; slot < ld->L->sb.extent_count && !err; slot++)
		load_extent(ld, slot);
	for (slot = 0; slot < ld->L->sb.inode_count && !err; slot++)
		if (ld->by_slot[slot])
			err = finish_inode(ld, slot);
	for (slot = 0; slot < ld->L->sb.inode_count && !err; slot++)
		if (ld->by_slot[slot] && ld->by_slot[slot]->nodeid == VFSD_ROOT_INO)
			root = ld->by_slot[slot];
	if (!err && (!root || !S_ISDIR(root->mode)))
		err = -EUCLEAN;
	if (!err)
		err = build_tree(ld, root);
	if (!err)
		recount(ld);
	return err;
}

int fpga_load(struct fpga_fs *fs)
{
	struct loader ld = { .fs = fs, .L = fs->L };
	uint32_t count = fs->L->sb.inode_count, slot;
	int err;

	ld.by_slot = calloc(count, sizeof(*ld.by_slot));
	ld.links = calloc(count, sizeof(*ld.links));
	err = ld.by_slot && ld.links ? load(&ld) : -ENOMEM;
	if (err) {
		/* Undo: drop our refs, the card stays as it was. */
		fs->closing = true;
		for (slot = 0; slot < count && ld.by_slot; slot++)
			if (ld.by_slot[slot])
				mem_inode_put(&fs->mem.inodes, ld.by_slot[slot]);
	} else {
		fs->mem.inodes.next_nodeid = ld.max_nodeid + 1;
		if (ld.repaired || !fs->L->was_clean)
			vfsd_log(VFSD_LOG_WARNING,
				 "%s: %s; %lu repairs to the metadata",
				 fs->dev->desc, fs->L->was_clean ?
				 "was unmounted cleanly" :
				 "was not unmounted cleanly", ld.repaired);
	}
	free(ld.by_slot);
	free(ld.links);
	return err;
}
