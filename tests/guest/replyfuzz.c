// SPDX-License-Identifier: GPL-2.0
/*
 * replyfuzz: a raw-ABI vfsd server that answers real application traffic
 * with valid replies mutated at random: ids and tags, results and errnos,
 * lengths, attributes (type, size, nsec, nlink, ...), nodeids (0, the
 * root, aliases of existing ones, random), dirents (namelen, names with
 * '/' or NUL, offsets, alignment), open flags, ring indices (cq_tail,
 * sq_head). Workload processes run open/read/write/stat/readdir/mkdir/
 * create/unlink/rename/symlink/readlink/link/xattr/truncate/mmap/O_DIRECT
 * on the mount; a watchdog fails the run when one call takes too long.
 *
 * The run is a series of epochs: one connection and mount each, ended by
 * a reply budget or by the kernel aborting the connection (corrupt ring
 * indices), then unmounted. Every second connection asks for read slots
 * (VFSD_SETUP_READ_SLOTS), so fuzzed READ results are copied out of them.
 * It fails if a call hangs, umount fails, or the kernel never counted a
 * protocol error.
 *
 * usage: replyfuzz MOUNTPOINT [REPLIES [SEED]]
 *   REPLIES total replies to send (default 100000), SEED (default: time).
 *   FUZZ_EPOCH (replies per connection, default 6000), FUZZ_RATE
 *   (mutated replies per 1000, default 250), FUZZ_PROCS (workload
 *   processes, default 3), FUZZ_MAX_SECS (give up, default 900).
 */
#include "rawsrv.h"
#include <sys/statfs.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <sys/uio.h>

#define MAX_INO		256
#define MAX_DENT	256
#define NAME_LEN	32
#define MAX_PROCS	8
#define CALL_LIMIT	30.0	/* seconds one application call may take */
#define FILE_MAX	(256 << 10)

struct ino {
	uint64_t id;
	uint32_t mode;
	uint64_t size;
};

struct dent {
	uint64_t parent, id;
	char name[NAME_LEN];
};

struct proc_slot {
	volatile double start;	/* the call in progress began, 0 = none */
	char op[64];
	long calls, errors;
};

/* Shared between main, server and workload. */
struct shared {
	int conn_id;
	int ready;
	int stop;
	long replies, mutated, epoch_replies;
	struct proc_slot procs[MAX_PROCS];
};

static struct shared *sh;
static uint64_t rng_state;
static long epoch_budget = 6000, rate = 250;
static int nprocs = 3;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static uint32_t rn(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static void die(const char *what)
{
	fprintf(stderr, "replyfuzz: %s: %s\n", what, strerror(errno));
	exit(2);
}

static uint8_t pat(uint64_t id, uint64_t off)
{
	return (uint8_t)(off * 7 + id * 31 + 3);
}

/* ---- the server's model ---------------------------------------------- */

struct model {
	struct rs_conn c;
	struct ino inos[MAX_INO];
	struct dent dents[MAX_DENT];
	uint64_t next_id;
};

static struct ino *ino_get(struct model *m, uint64_t id)
{
	int i;

	for (i = 0; i < MAX_INO; i++)
		if (m->inos[i].id == id)
			return &m->inos[i];
	return NULL;
}

static struct ino *ino_new(struct model *m, uint32_t mode)
{
	struct ino *n = ino_get(m, 0);

	if (n)
		*n = (struct ino){ .id = m->next_id++, .mode = mode };
	return n;
}

static struct dent *dent_find(struct model *m, uint64_t parent, const char *name)
{
	int i;

	for (i = 0; i < MAX_DENT; i++)
		if (m->dents[i].id && m->dents[i].parent == parent &&
		    !strncmp(m->dents[i].name, name, NAME_LEN))
			return &m->dents[i];
	return NULL;
}

static bool dent_add(struct model *m, uint64_t parent, const char *name,
		     uint64_t id)
{
	int i;

	if (strlen(name) >= NAME_LEN)
		return false;
	for (i = 0; i < MAX_DENT; i++) {
		if (!m->dents[i].id) {
			m->dents[i].parent = parent;
			m->dents[i].id = id;
			snprintf(m->dents[i].name, NAME_LEN, "%s", name);
			return true;
		}
	}
	return false;
}

static void model_init(struct model *m)
{
	static const char *files[] = { "a", "b", "c" };
	struct ino *n;
	int i;

	memset(m->inos, 0, sizeof(m->inos));
	memset(m->dents, 0, sizeof(m->dents));
	m->inos[0] = (struct ino){ .id = VFSD_ROOT_ID, .mode = S_IFDIR | 0755 };
	m->next_id = 2;
	for (i = 0; i < 3; i++) {
		n = ino_new(m, S_IFREG | 0644);
		n->size = 20000 * (i + 1);
		dent_add(m, VFSD_ROOT_ID, files[i], n->id);
	}
	n = ino_new(m, S_IFDIR | 0755);
	dent_add(m, VFSD_ROOT_ID, "d0", n->id);
	n = ino_new(m, S_IFLNK | 0777);
	dent_add(m, VFSD_ROOT_ID, "l", n->id);
}

/* Any nodeid the model knows, for aliases. */
static uint64_t some_id(struct model *m)
{
	int i, k = rn(MAX_INO);

	for (i = 0; i < MAX_INO; i++) {
		struct ino *n = &m->inos[(k + i) % MAX_INO];

		if (n->id)
			return n->id;
	}
	return VFSD_ROOT_ID;
}

static void fill_attr(const struct ino *n, struct vfsd_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->ino = n->id;
	a->mode = n->mode;
	a->nlink = S_ISDIR(n->mode) ? 2 : 1;
	a->size = S_ISDIR(n->mode) ? 4096 : S_ISLNK(n->mode) ? 1 : n->size;
	a->blocks = (a->size + 511) / 512;
	a->blksize = 4096;
	a->atime = a->mtime = a->ctime = 1700000000;
}

static int entry_of(struct model *m, uint64_t id, struct vfsd_entry_out *e)
{
	struct ino *n = ino_get(m, id);

	if (!id || !n)
		return -ENOENT;
	memset(e, 0, sizeof(*e));
	e->nodeid = id;
	e->entry_valid_ns = rn(2) ? 0 : 100000000;
	e->attr_valid_ns = rn(2) ? 0 : 100000000;
	fill_attr(n, &e->attr);
	return 0;
}

/* ---- mutations ------------------------------------------------------- */

static const int64_t edge64[] = { 0, 1, -1, INT64_MAX, INT64_MIN,
				  (int64_t)1 << 32, 4096, 4095, 1000000000 };

static uint64_t wild64(void)
{
	switch (rn(4)) {
	case 0:
		return edge64[rn(sizeof(edge64) / sizeof(edge64[0]))];
	case 1:
		return rn(100000);
	default:
		return rnd();
	}
}

static uint32_t wild32(void)
{
	static const uint32_t e[] = { 0, 1, 0xffffffff, 0x80000000,
				      999999999, 1000000000, 4096, 65535 };

	return rn(2) ? e[rn(8)] : (uint32_t)rnd();
}

static void mutate_attr(struct model *m, struct vfsd_attr *a)
{
	static const uint32_t types[] = { S_IFREG, S_IFDIR, S_IFLNK, S_IFIFO,
					  S_IFCHR, S_IFBLK, S_IFSOCK, 0,
					  0170000, 0110000 };

	switch (rn(12)) {
	case 0:
		a->mode = types[rn(10)] | (a->mode & 07777);
		break;
	case 1:
		a->size = wild64();
		break;
	case 2:
		a->atime_nsec = wild32();
		break;
	case 3:
		a->mtime_nsec = wild32();
		a->mtime = wild64();
		break;
	case 4:
		a->ctime_nsec = wild32();
		a->ctime = wild64();
		break;
	case 5:
		a->nlink = wild32();
		break;
	case 6:
		a->blocks = wild64();
		break;
	case 7:
		a->uid = wild32();
		a->gid = wild32();
		break;
	case 8:
		a->rdev = wild32();
		break;
	case 9:
		a->blksize = wild32();
		break;
	case 10:
		a->ino = rn(2) ? some_id(m) : wild64();
		break;
	default:
		a->mode = (uint32_t)rnd();
		break;
	}
}

static void mutate_entry(struct model *m, struct vfsd_entry_out *e,
			 const struct vfsd_sqe *sqe)
{
	switch (rn(6)) {
	case 0:	/* an alias of an existing node, a root, a parent */
		e->nodeid = rn(3) == 0 ? VFSD_ROOT_ID :
			    rn(2) ? sqe->nodeid : some_id(m);
		break;
	case 1:
		e->nodeid = rn(2) ? 0 : wild64();
		break;
	case 2:
		e->entry_valid_ns = wild64();
		e->attr_valid_ns = wild64();
		e->generation = wild64();
		break;
	default:
		mutate_attr(m, &e->attr);
		break;
	}
}

static void mutate_open(struct vfsd_open_out *o)
{
	switch (rn(3)) {
	case 0:
		o->fh = rn(2) ? 0 : wild64();
		break;
	case 1:
		o->open_flags = rn(2) ? 1u << rn(32) : (uint32_t)rnd();
		break;
	default:
		o->open_flags |= VFSD_FOPEN_DIRECT_MAP * rn(2) |
				 VFSD_FOPEN_DIRECT_IO * rn(2) |
				 VFSD_FOPEN_NONSEEKABLE * rn(2);
		o->dmap_id = rn(3);
		break;
	}
}

/* Break one dirent of a READDIR reply of @used bytes; new result. */
static int32_t mutate_dirents(uint8_t *buf, int32_t used, uint32_t room,
			      uint64_t cookie)
{
	struct vfsd_dirent *d = (void *)buf;
	uint32_t off = 0, pick;

	if (used <= 0)
		return rn(2) ? 8 : (int32_t)VFSD_DIRENT_SIZE(1);
	/* Pick one record. */
	pick = rn(4);
	while (pick-- && off + VFSD_DIRENT_SIZE(d->namelen) < (uint32_t)used) {
		off += VFSD_DIRENT_SIZE(d->namelen);
		d = (void *)(buf + off);
	}
	switch (rn(9)) {
	case 0:
		d->namelen = rn(2) ? 0 : rn(3) ? 256 : (uint16_t)rnd();
		break;
	case 1:
		d->name[rn(d->namelen ? d->namelen : 1)] = '/';
		break;
	case 2:
		d->name[rn(d->namelen ? d->namelen : 1)] = 0;
		break;
	case 3:
		d->off = rn(2) ? cookie : wild64();
		break;
	case 4:
		d->ino = wild64();
		d->type = rnd();
		break;
	case 5:
		return used - 1 - rn(7);	/* cut into the last record */
	case 6:
		return room + 1 + rn(8);
	case 7:
		if (d->namelen >= 2) {	/* "." and ".." */
			d->name[0] = '.';
			d->name[1] = rn(2) ? '.' : 0;
			d->namelen = 1 + (d->name[1] == '.');
		}
		break;
	default:
		memcpy(d->name, "..", d->namelen >= 2 ? 2 : 1);
		break;
	}
	return used;
}

static int32_t wild_result(const struct vfsd_sqe *sqe)
{
	static const int32_t e[] = { -1, -2, -5, -12, -22, -28, -36, -40,
				     -95, -110, -511, -512, -513, -516,
				     -1000, INT32_MIN, INT32_MAX, 1 };

	switch (rn(4)) {
	case 0:
		return e[rn(sizeof(e) / sizeof(e[0]))];
	case 1:
		return -(int32_t)rn(600);
	case 2:
		return sqe->len + 1 + rn(4096);
	default:
		return (int32_t)rnd();
	}
}

/* ---- answering ------------------------------------------------------- */

struct reply {
	uint64_t id;
	int32_t result;
	unsigned int q;
};

static int32_t do_readdir(struct model *m, const struct vfsd_sqe *sqe,
			  uint8_t *io)
{
	uint32_t used = 0;
	uint64_t i;

	for (i = sqe->offset; i < MAX_DENT; i++) {
		struct dent *d = &m->dents[i];
		struct vfsd_dirent *de = (void *)(io + used);
		size_t nl, sz;

		if (!d->id || d->parent != sqe->nodeid)
			continue;
		nl = strlen(d->name);
		sz = VFSD_DIRENT_SIZE(nl);
		if (used + sz > sqe->len)
			break;
		memset(de, 0, sz);
		de->ino = d->id;
		de->off = i + 1;
		de->namelen = nl;
		de->type = DT_UNKNOWN;
		memcpy(de->name, d->name, nl);
		used += sz;
	}
	return used;
}

static int32_t do_make(struct model *m, const struct vfsd_sqe *sqe,
		       uint8_t *io, uint32_t mode)
{
	char name[NAME_LEN + 1];
	struct ino *n;

	snprintf(name, sizeof(name), "%s", (char *)io);
	if (dent_find(m, sqe->nodeid, name))
		return -EEXIST;
	if (sqe->opcode == VFSD_OP_LINK) {
		n = ino_get(m, sqe->fh);
	} else {
		n = ino_new(m, mode);
	}
	if (!n || !dent_add(m, sqe->nodeid, name, n->id))
		return -ENOSPC;
	return entry_of(m, n->id, (void *)io);
}

static int32_t do_rename(struct model *m, const struct vfsd_sqe *sqe,
			 uint8_t *io)
{
	struct vfsd_rename_in ri;
	const char *from = (char *)io + sizeof(ri), *to;
	struct dent *d, *t;
	uint64_t id;

	memcpy(&ri, io, sizeof(ri));
	to = from + strnlen(from, 256) + 1;
	d = dent_find(m, sqe->nodeid, from);
	if (!d)
		return -ENOENT;
	t = dent_find(m, ri.newdir, to);
	if (t && (ri.flags & 1 /* RENAME_NOREPLACE */))
		return -EEXIST;
	id = d->id;
	d->id = 0;
	if (t)
		t->id = id;
	else if (!dent_add(m, ri.newdir, to, id))
		return -ENOSPC;
	return 0;
}

/* The correct reply to @sqe; fills the inline slot. */
static int32_t answer(struct model *m, unsigned int q,
		      const struct vfsd_sqe *sqe)
{
	uint8_t *io = sqe->tag == VFSD_TAG_NONE ? NULL :
		      rs_slot(&m->c, q, sqe->tag);
	struct ino *n = ino_get(m, sqe->nodeid);
	struct dent *d;
	uint64_t len, i;

	switch (sqe->opcode) {
	case VFSD_OP_LOOKUP:
		d = dent_find(m, sqe->nodeid, (char *)io);
		return d ? entry_of(m, d->id, (void *)io) : -ENOENT;
	case VFSD_OP_GETATTR:
	case VFSD_OP_SETATTR: {
		struct vfsd_attr_out *a = (void *)io;

		if (!n)
			return -ENOENT;
		if (sqe->opcode == VFSD_OP_SETATTR) {
			struct vfsd_setattr_in in;

			memcpy(&in, io, sizeof(in));
			if (in.valid & VFSD_SETATTR_SIZE)
				n->size = in.size > FILE_MAX ? FILE_MAX : in.size;
			if (in.valid & VFSD_SETATTR_MODE)
				n->mode = (n->mode & S_IFMT) | (in.mode & 07777);
		}
		memset(a, 0, sizeof(*a));
		a->attr_valid_ns = rn(2) ? 0 : 100000000;
		fill_attr(n, &a->attr);
		return 0;
	}
	case VFSD_OP_OPEN:
	case VFSD_OP_OPENDIR:
		memset(io, 0, sizeof(struct vfsd_open_out));
		((struct vfsd_open_out *)io)->fh = sqe->nodeid;
		return n ? 0 : -ENOENT;
	case VFSD_OP_READ:
		len = sqe->len;
		if (!n || sqe->offset >= n->size)
			return 0;
		if (sqe->offset + len > n->size)
			len = n->size - sqe->offset;
		for (i = 0; i < len; i++)
			m->c.q[q].win[sqe->win_off + i] =
				pat(sqe->nodeid, sqe->offset + i);
		return len;
	case VFSD_OP_WRITE:
		if (n && sqe->offset + sqe->len > n->size)
			n->size = sqe->offset + sqe->len > FILE_MAX ?
				  FILE_MAX : sqe->offset + sqe->len;
		return sqe->len;
	case VFSD_OP_READDIR:
		return do_readdir(m, sqe, io);
	case VFSD_OP_STATFS: {
		struct vfsd_statfs_out *st = (void *)io;

		memset(st, 0, sizeof(*st));
		st->blocks = st->bfree = st->bavail = 1 << 20;
		st->files = st->ffree = 1000;
		st->bsize = st->frsize = 4096;
		st->namelen = 255;
		return 0;
	}
	case VFSD_OP_MKDIR:
		return do_make(m, sqe, io, S_IFDIR | (sqe->arg & 07777));
	case VFSD_OP_MKNOD:
		return do_make(m, sqe, io, sqe->arg);
	case VFSD_OP_SYMLINK:
		return do_make(m, sqe, io, S_IFLNK | 0777);
	case VFSD_OP_LINK:
		return do_make(m, sqe, io, 0);
	case VFSD_OP_CREATE: {
		struct vfsd_create_out co;
		int32_t r = do_make(m, sqe, io, S_IFREG | (sqe->arg & 07777));

		if (r)
			return r;
		memcpy(&co.entry, io, sizeof(co.entry));
		memset(&co.open, 0, sizeof(co.open));
		co.open.fh = co.entry.nodeid;
		memcpy(io, &co, sizeof(co));
		return 0;
	}
	case VFSD_OP_UNLINK:
	case VFSD_OP_RMDIR:
		d = dent_find(m, sqe->nodeid, (char *)io);
		if (!d)
			return -ENOENT;
		d->id = 0;
		return 0;
	case VFSD_OP_RENAME:
		return do_rename(m, sqe, io);
	case VFSD_OP_READLINK:
		memcpy(io, "a", 1);
		return 1;
	case VFSD_OP_GETXATTR:
		if (!sqe->arg)
			return 5;
		memcpy(io, "value", 5);
		return sqe->arg >= 5 ? 5 : -ERANGE;
	case VFSD_OP_LISTXATTR:
		if (!sqe->arg)
			return 7;
		memcpy(io, "user.x", 7);
		return sqe->arg >= 7 ? 7 : -ERANGE;
	case VFSD_OP_LSEEK:
		((struct vfsd_lseek_out *)io)->offset = sqe->offset;
		return 0;
	case VFSD_OP_FLUSH:
	case VFSD_OP_FSYNC:
	case VFSD_OP_SETXATTR:
	case VFSD_OP_REMOVEXATTR:
	case VFSD_OP_FALLOCATE:
		return 0;
	default:
		return -ENOSYS;
	}
}

/* Mutate the reply to @sqe in place; returns the (new) result. */
static int32_t mutate(struct model *m, unsigned int q,
		      const struct vfsd_sqe *sqe, int32_t res)
{
	uint8_t *io = rs_slot(&m->c, q, sqe->tag);

	if (rn(4) == 0)
		return wild_result(sqe);
	switch (sqe->opcode) {
	case VFSD_OP_LOOKUP:
	case VFSD_OP_MKDIR:
	case VFSD_OP_MKNOD:
	case VFSD_OP_SYMLINK:
	case VFSD_OP_LINK:
	case VFSD_OP_CREATE:
		if (res)
			return rn(2) ? entry_of(m, some_id(m), (void *)io) : res;
		if (sqe->opcode == VFSD_OP_CREATE && rn(3) == 0)
			mutate_open((void *)(io + sizeof(struct vfsd_entry_out)));
		else
			mutate_entry(m, (void *)io, sqe);
		return res;
	case VFSD_OP_GETATTR:
	case VFSD_OP_SETATTR:
		if (rn(4) == 0)
			((struct vfsd_attr_out *)io)->attr_valid_ns = wild64();
		else
			mutate_attr(m, &((struct vfsd_attr_out *)io)->attr);
		return res;
	case VFSD_OP_OPEN:
	case VFSD_OP_OPENDIR:
		mutate_open((void *)io);
		return res;
	case VFSD_OP_READDIR:
		return mutate_dirents(io, res, sqe->len, sqe->offset);
	case VFSD_OP_READ:
	case VFSD_OP_WRITE:
		return rn(2) ? (int32_t)rn(sqe->len + 2) : (int32_t)sqe->len + 1;
	case VFSD_OP_READLINK:
		if (rn(2))
			memset(io, rn(2) ? '/' : 0, sqe->len);
		return (int32_t)sqe->len + (int32_t)rn(2);
	case VFSD_OP_STATFS:
		((struct vfsd_statfs_out *)io)->bsize = wild32();
		((struct vfsd_statfs_out *)io)->namelen = wild32();
		((struct vfsd_statfs_out *)io)->blocks = wild64();
		return res;
	case VFSD_OP_LSEEK:
		((struct vfsd_lseek_out *)io)->offset = wild64();
		return res;
	default:
		return rn(2) ? res + 1 : -(int32_t)rn(600);
	}
}

/* Post a CQE with garbage (or a stale id) into the completion ring. */
static void post_garbage(struct model *m, unsigned int q)
{
	uint64_t id = rn(2) ? rnd() : (rnd() << 16) | rn(m->c.s.depth);

	rs_post(&m->c, q, id, rn(2) ? 0 : (int32_t)rnd());
}

/* Answer a batch of requests, mutating some. */
static void answer_batch(struct model *m, unsigned int q,
			 struct vfsd_sqe *sqes, int n)
{
	struct reply r[VFSD_MAX_DEPTH];
	int i, k = 0;

	for (i = 0; i < n; i++) {
		const struct vfsd_sqe *sqe = &sqes[i];
		int32_t res;

		if (sqe->tag == VFSD_TAG_NONE)
			continue;
		res = answer(m, q, sqe);
		if ((long)rn(1000) < rate) {
			res = mutate(m, q, sqe, res);
			__atomic_fetch_add(&sh->mutated, 1, __ATOMIC_RELAXED);
		}
		r[k++] = (struct reply){ .id = sqe->id, .result = res, .q = q };
	}
	/* Ids: swap two replies, or precede one with a wrong id. */
	if (k >= 2 && (long)rn(1000) < rate / 8) {
		i = rn(k - 1);
		uint64_t t = r[i].id;

		r[i].id = r[i + 1].id;
		r[i + 1].id = t;
	}
	for (i = 0; i < k; i++) {
		if ((long)rn(1000) < rate / 10)
			post_garbage(m, q);
		if ((long)rn(1000) < rate / 20) {
			/* Wrong tag, same sequence; the real reply follows. */
			rs_post(&m->c, q, r[i].id ^ (1 + rn(15)), r[i].result);
		}
		rs_post(&m->c, q, r[i].id, r[i].result);
	}
	__atomic_fetch_add(&sh->replies, k, __ATOMIC_RELAXED);
	__atomic_fetch_add(&sh->epoch_replies, k, __ATOMIC_RELAXED);
}

/* Lie about the ring indices around an ENTER that does not sleep. */
static int enter_lying(struct model *m, unsigned int q)
{
	struct vfsd_ring_hdr *hdr = m->c.q[q].hdr;
	uint32_t head = hdr->sq_head, tail = hdr->cq_tail;
	int ret;

	if (rn(2)) {
		hdr->sq_head = head + 1 + rn(2 * m->c.s.depth);
		ret = rs_enter(&m->c, q, 0);
		hdr->sq_head = head;
		return ret;
	}
	/* cq_tail past what was written: stale CQEs, or far: abort. */
	hdr->cq_tail = tail + (rn(8) ? 1 + rn(3) : m->c.s.depth + 1 + rn(100));
	return rs_enter(&m->c, q, 0);
}

static int server_main(struct model *m, const char *mnt, bool slots)
{
	static struct vfsd_sqe sqes[VFSD_MAX_DEPTH];
	int err, n, ret;

	model_init(m);
	err = rs_setup_flags(&m->c, 1, 64, 8 << 20,
			     slots ? VFSD_SETUP_READ_SLOTS : 0);
	if (!err)
		err = rs_map(&m->c);
	if (!err)
		err = rs_mount(&m->c, mnt, "allow_other");
	if (err) {
		errno = -err;
		die("setup/mount");
	}
	sh->conn_id = m->c.s.conn_id;
	__atomic_store_n(&sh->ready, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		if ((long)rn(100000) < rate / 5)
			ret = enter_lying(m, 0);
		else
			ret = rs_enter(&m->c, 0, VFSD_ENTER_WAIT);
		if (ret == -EINTR)
			continue;
		if (ret < 0)
			return -ret;
		n = 0;
		while (n < (int)m->c.s.depth && rs_next(&m->c, 0, &sqes[n]))
			n++;
		answer_batch(m, 0, sqes, n);
	}
}

/* ---- the workload ---------------------------------------------------- */

static const char *mnt_dir;
static struct proc_slot *me;

static void op_begin(const char *what)
{
	snprintf(me->op, sizeof(me->op), "%s", what);
	me->start = rs_now();
}

static void op_end(long r)
{
	me->start = 0;
	me->calls++;
	if (r < 0)
		me->errors++;
}

#define CALL(what, expr) ({ long r_; op_begin(what); r_ = (long)(expr); \
			    op_end(r_); r_; })

static const char *rand_path(char *buf, size_t sz)
{
	static const char *names[] = { "a", "b", "c", "d0", "l", "n1", "n2",
				       "d0/a", "d0/n3", "d1", "d1/x", "d0/d2",
				       "a/b", "d1/d0", "." };

	snprintf(buf, sz, "%s/%s", mnt_dir, names[rn(15)]);
	return buf;
}

static void w_read(const char *p, int flags)
{
	static uint8_t *buf;
	int fd;

	if (!buf)
		buf = aligned_alloc(RS_PAGE, 1 << 17);
	/*
	 * O_NONBLOCK: a reply may make the name a FIFO, whose plain open
	 * waits for a partner as on any filesystem (seed 259647302).
	 */
	fd = CALL("open", open(p, O_RDONLY | O_NONBLOCK | flags));
	if (fd < 0)
		return;
	if (flags & O_DIRECT)
		CALL("pread O_DIRECT", pread(fd, buf + 512 * rn(3),
					     4096 * (1 + rn(8)), 4096 * rn(8)));
	else
		CALL("pread", pread(fd, buf, 1 + rn(1 << 17), rn(60000)));
	CALL("close", close(fd));
}

static void w_write(const char *p, int flags)
{
	static uint8_t *buf;
	int fd;

	if (!buf) {
		buf = aligned_alloc(RS_PAGE, 1 << 17);
		memset(buf, 'w', 1 << 17);
	}
	fd = CALL("open", open(p, O_WRONLY | O_CREAT | O_NONBLOCK | flags,
			       0644));
	if (fd < 0)
		return;
	if (flags & O_DIRECT)
		CALL("pwrite O_DIRECT", pwrite(fd, buf + 100 * rn(2),
					       4096 * (1 + rn(4)), 4096 * rn(8)));
	else
		CALL("pwrite", pwrite(fd, buf, 1 + rn(40000), rn(60000)));
	if (rn(3) == 0)
		CALL("fsync", fsync(fd));
	CALL("close", close(fd));
}

static void w_readdir(const char *p)
{
	DIR *d;
	int i;

	op_begin("opendir");
	d = opendir(p);
	op_end(d ? 0 : -1);
	if (!d)
		return;
	/* A server can make cookies cycle: bound the entries, not the calls. */
	for (i = 0; i < 500; i++) {
		struct dirent *de;

		op_begin("readdir");
		de = readdir(d);
		op_end(de ? 0 : -1);
		if (!de)
			break;
	}
	CALL("closedir", closedir(d));
}

static sigjmp_buf w_jmp;

static void w_sigbus(int sig)
{
	(void)sig;
	siglongjmp(w_jmp, 1);
}

static void w_mmap(const char *p)
{
	volatile uint8_t *map;
	int fd = CALL("open", open(p, O_RDONLY | O_NONBLOCK));	/* FIFOs */
	size_t len = 16384;

	if (fd < 0)
		return;
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (map != MAP_FAILED) {
		signal(SIGBUS, w_sigbus);
		op_begin("mmap read");
		if (!sigsetjmp(w_jmp, 1))
			(void)map[rn(len)];
		op_end(0);
		munmap((void *)map, len);
	}
	CALL("close", close(fd));
}

static void w_one(void)
{
	char p1[512], p2[512], lb[256];
	struct stat st;
	struct statfs sfs;
	struct timeval tv[2] = { { 1, 0 }, { 2, 0 } };

	rand_path(p1, sizeof(p1));
	rand_path(p2, sizeof(p2));
	switch (rn(24)) {
	case 0: case 1: case 2:
		CALL("stat", stat(p1, &st));
		break;
	case 3:
		CALL("lstat", lstat(p1, &st));
		break;
	case 4: case 5:
		w_read(p1, 0);
		break;
	case 6:
		w_read(p1, O_DIRECT);
		break;
	case 7: case 8:
		w_write(p1, 0);
		break;
	case 9:
		w_write(p1, O_DIRECT);
		break;
	case 10:
		w_readdir(rn(2) ? mnt_dir : p1);
		break;
	case 11:
		CALL("mkdir", mkdir(p1, 0755));
		break;
	case 12:
		CALL("rmdir", rmdir(p1));
		break;
	case 13:
		CALL("unlink", unlink(p1));
		break;
	case 14:
		CALL("rename", rename(p1, p2));
		break;
	case 15:
		CALL("symlink", symlink("a", p1));
		break;
	case 16:
		CALL("readlink", readlink(p1, lb, sizeof(lb)));
		break;
	case 17:
		CALL("link", link(p1, p2));
		break;
	case 18:
		switch (rn(4)) {
		case 0:
			CALL("setxattr", setxattr(p1, "user.x", "v", 1, 0));
			break;
		case 1:
			CALL("getxattr", getxattr(p1, "user.x", lb, sizeof(lb)));
			break;
		case 2:
			CALL("listxattr", listxattr(p1, lb, sizeof(lb)));
			break;
		default:
			CALL("removexattr", removexattr(p1, "user.x"));
		}
		break;
	case 19:
		CALL("truncate", truncate(p1, rn(70000)));
		break;
	case 20:
		if (rn(2))
			CALL("chmod", chmod(p1, 0600 | rn(0177)));
		else
			CALL("utimes", utimes(p1, tv));
		break;
	case 21:
		if (rn(2)) {
			CALL("statfs", statfs(mnt_dir, &sfs));
		} else {
			int fd = CALL("open", open(p1, O_RDWR));

			if (fd < 0)
				break;
			CALL("lseek", lseek(fd, rn(70000),
					    rn(2) ? SEEK_DATA : SEEK_HOLE));
			CALL("fallocate", fallocate(fd, rn(2) ? 0 : 3,
						    rn(70000), 1 + rn(9000)));
			CALL("close", close(fd));
		}
		break;
	case 22:
		w_mmap(p1);
		break;
	default: {
		/* creat() without its wait on a FIFO (seed 761131294). */
		int fd = CALL("creat", open(p1, O_WRONLY | O_CREAT | O_TRUNC |
					     O_NONBLOCK, 0644));

		if (fd >= 0)
			CALL("close", close(fd));
		break;
	}
	}
}

static void workload(int idx, uint64_t seed)
{
	me = &sh->procs[idx];
	rng_state = seed ^ (0x9e3779b97f4a7c15ull * (idx + 1));
	if (!rng_state)
		rng_state = 1;
	while (!__atomic_load_n(&sh->stop, __ATOMIC_SEQ_CST))
		w_one();
	_exit(0);
}

/* ---- main ------------------------------------------------------------ */

static pid_t server_pid, procs[MAX_PROCS];
static const char *mountpoint;

static void cleanup(void)
{
	int i;

	for (i = 0; i < nprocs; i++)
		if (procs[i] > 0)
			kill(procs[i], SIGKILL);
	if (server_pid > 0)
		kill(server_pid, SIGKILL);
	if (mountpoint)
		umount2(mountpoint, MNT_DETACH);
}

/* A workload call running longer than CALL_LIMIT is a hang. */
static bool watchdog(void)
{
	int i;

	for (i = 0; i < nprocs; i++) {
		double t = sh->procs[i].start;

		if (t && rs_now() - t > CALL_LIMIT) {
			printf("FAIL: workload %d stuck %.0f s in %s (state %c)\n",
			       i, rs_now() - t, sh->procs[i].op,
			       rs_task_state(procs[i]));
			rs_dump_task(procs[i]);
			return false;
		}
	}
	return true;
}

/* One connection: mount, fuzz until the budget or an abort, unmount. */
/* Bytes copied out of read slots over the run (odd epochs). */
static long slot_bytes;

static int epoch(const char *mnt, uint64_t seed, int no, long *perr)
{
	struct model *m = calloc(1, sizeof(*m));
	long budget = sh->replies + epoch_budget, last;
	int i, st, ret = 0;
	double last_t;
	bool server_gone = false;

	sh->ready = sh->stop = 0;
	sh->epoch_replies = 0;
	server_pid = fork();
	if (server_pid == 0) {
		rng_state = seed * 2654435761u + no + 1;
		_exit(server_main(m, mnt, no & 1));
	}
	mountpoint = mnt;
	for (i = 0; i < 1000 && !sh->ready; i++)
		usleep(10000);
	if (!sh->ready) {
		printf("FAIL: epoch %d: server did not mount\n", no);
		return 1;
	}
	for (i = 0; i < nprocs; i++) {
		memset(&sh->procs[i], 0, sizeof(sh->procs[i]));
		procs[i] = fork();
		if (procs[i] == 0) {
			mnt_dir = mnt;
			workload(i, seed + no * 1000003ull);
		}
	}
	last = sh->replies;
	last_t = rs_now();
	while (sh->replies < budget) {
		/*
		 * A mount where every call fails in the kernel (a root the
		 * kernel marked bad) sends nothing: start a fresh one.
		 */
		if (sh->replies != last) {
			last = sh->replies;
			last_t = rs_now();
		} else if (rs_now() - last_t > 5) {
			break;
		}
		if (!watchdog()) {
			ret = 1;
			break;
		}
		if (waitpid(server_pid, &st, WNOHANG) == server_pid) {
			server_gone = true;	/* the kernel aborted it */
			break;
		}
		usleep(50000);
	}
	*perr = rs_counter(sh->conn_id, "protocol_errors");
	if (rs_counter(sh->conn_id, "bytes_slot") > 0)
		slot_bytes += rs_counter(sh->conn_id, "bytes_slot");
	sh->stop = 1;
	/* Every call must come back now that we stopped; bounded. */
	for (i = 0; i < nprocs; i++) {
		if (!rs_wait_deadline(procs[i], CALL_LIMIT + 10, &st)) {
			printf("FAIL: workload %d did not stop: in %s\n", i,
			       sh->procs[i].op);
			rs_dump_task(procs[i]);
			ret = 1;
			rs_abort_conn(sh->conn_id);
			kill(procs[i], SIGKILL);
			rs_wait_deadline(procs[i], 20, &st);
		}
		procs[i] = 0;
	}
	for (i = 0; i < 100 && umount2(mnt, 0); i++)
		usleep(100000);
	if (i == 100) {
		printf("FAIL: epoch %d: umount: %s\n", no, strerror(errno));
		ret = 1;
	} else {
		mountpoint = NULL;
	}
	if (!server_gone && !rs_wait_deadline(server_pid, 20, &st)) {
		printf("FAIL: epoch %d: server did not end after umount\n", no);
		ret = 1;
	}
	if (!server_gone && !ret && WIFSIGNALED(st)) {
		printf("FAIL: epoch %d: server died of signal %d\n", no,
		       WTERMSIG(st));
		ret = 1;
	}
	server_pid = 0;
	free(m);
	return ret;
}

int main(int argc, char **argv)
{
	long target = 100000, max_secs = 900, perr, perr_total = 0;
	uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20);
	double t0 = rs_now();
	int no = 0, aborted = 0, i;
	long calls = 0, errors = 0;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: replyfuzz MOUNTPOINT [REPLIES [SEED]]\n");
		return 2;
	}
	if (argc >= 3)
		target = atol(argv[2]);
	if (argc == 4)
		seed = strtoull(argv[3], NULL, 0);
	if (getenv("FUZZ_EPOCH"))
		epoch_budget = atol(getenv("FUZZ_EPOCH"));
	if (getenv("FUZZ_RATE"))
		rate = atol(getenv("FUZZ_RATE"));
	if (getenv("FUZZ_PROCS"))
		nprocs = atoi(getenv("FUZZ_PROCS"));
	if (getenv("FUZZ_MAX_SECS"))
		max_secs = atol(getenv("FUZZ_MAX_SECS"));
	if (nprocs < 1 || nprocs > MAX_PROCS)
		nprocs = 3;
	printf("replyfuzz: seed %llu, %ld replies, %ld per connection, %ld/1000 mutated, %d workload processes\n",
	       (unsigned long long)seed, target, epoch_budget, rate, nprocs);
	fflush(stdout);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap");
	atexit(cleanup);
	signal(SIGPIPE, SIG_IGN);
	while (sh->replies < target) {
		long before = sh->replies;

		if (rs_now() - t0 > max_secs) {
			printf("FAIL: only %ld of %ld replies in %ld s\n",
			       sh->replies, target, max_secs);
			return 1;
		}
		if (epoch(argv[1], seed, no, &perr)) {
			printf("FAIL: seed %llu, epoch %d (rerun: replyfuzz MNT %ld %llu)\n",
			       (unsigned long long)seed, no, target,
			       (unsigned long long)seed);
			return 1;
		}
		for (i = 0; i < nprocs; i++) {
			calls += sh->procs[i].calls;
			errors += sh->procs[i].errors;
		}
		perr_total += perr > 0 ? perr : 0;
		if (sh->replies - before < epoch_budget)
			aborted++;
		printf("replyfuzz: epoch %d: %ld replies, %ld protocol errors, %.0f s so far\n",
		       no, sh->replies - before, perr, rs_now() - t0);
		fflush(stdout);
		no++;
	}
	printf("replyfuzz: %ld replies (%ld mutated) over %d connections (%d aborted by the kernel) in %.0f s; %ld calls, %ld errors, %ld protocol errors, %ld bytes out of read slots\n",
	       sh->replies, sh->mutated, no, aborted, rs_now() - t0, calls,
	       errors, perr_total, slot_bytes);
	if (perr_total <= 0) {
		printf("FAIL: the kernel counted no protocol errors\n");
		return 1;
	}
	return 0;
}
