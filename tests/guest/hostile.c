// SPDX-License-Identifier: GPL-2.0
/*
 * hostile: a vfsd server that attacks the kernel through the raw ABI, the
 * way an untrusted server would: it forks and completes from the child,
 * remaps, unmaps and protects its window, stores into pages it must only
 * read, looks at memory around O_DIRECT buffers, answers with aliases of
 * existing nodeids, dies at every stage. Each case reproduces one attack
 * and asserts the safe behaviour; a child process plays the application.
 *
 * With HOSTILE_PIN=1 the server asks for VFSD_SETUP_PIN (page-cache pages
 * it may pin) and every case must hold all the same; the pin-* cases move
 * data with the xdma stand-in module's devices, which pin the window pages
 * as a real DMA driver does, and keep pins past the reply. With
 * HOSTILE_PIN=2 it asks for VFSD_SETUP_READ_SLOTS instead: one-page READs
 * come in read slots that stay mapped, and every case must hold as well.
 *
 * usage: hostile CASE MOUNTPOINT   (CASE "list" prints the cases)
 * Exit 0 when the kernel stayed safe, 1 when the attack worked (each
 * finding printed as "FAIL case: ..."), 2 on a setup error.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <sys/statvfs.h>
#include <linux/aio_abi.h>
#include "rawsrv.h"

#define ROOT	VFSD_ROOT_ID
#define F_ID	2	/* /f: 64 KiB */
#define D_ID	3	/* /d */
#define E_ID	4	/* /e */
#define W_ID	5	/* /w: written by the application */
#define Z_ID	6	/* /z: 1 MiB, zero-page check */
#define N_ID	7	/* /n: 64 KiB, never written by the server */
#define S_ID	8	/* /s: one page */
#define SUB_ID	9	/* /d/sub */
#define T_ID	20	/* /t: changes type between replies */
#define FIRST_NEW 100

#define MAX_INO	512
#define MAX_DENT 512
#define NAME_MAX_ 64
#define CANARY	"CaNaRy!\x7f"
#define APP_SECS 40.0	/* bound on a whole application run */

struct ino {
	uint64_t id;
	uint32_t mode;
	uint64_t size;
};

struct dent {
	uint64_t parent, id;
	char name[NAME_MAX_];
};

/* Shared (MAP_SHARED) between main, server, its children and the app. */
struct shared {
	int conn_id;
	int stage;		/* server progress: STAGE_* */
	int fails;
	int nmsg;
	char msg[24][256];
	char app_op[128];	/* the application's call in progress */
	int probed;		/* server finished its post-completion checks */
	int child_enter;	/* errno of ENTER from a forked child, 0 = ok */
	int child_dma;		/* errno of DMA_MAP from a forked child */
	int child_enters_ok;	/* concurrent case: ENTERs that worked */
	long pci_dev;
	char ro_path[128];
	long reads, writes, skipped_probes;
	long slot_reads;	/* completed READs whose page was a read slot */
	int roles, opened;	/* stuck cases: application roles */
	int holder;		/* kill-fd-kept: the child keeping the fd */
	/* interrupt: the LOOKUP held, what INTERRUPT said, FORGETs after */
	uint64_t held_id;
	long lookup_held;	/* held_id is set */
	uint16_t held_tag;
	unsigned int held_q;
	int intr_seen, intr_arg;
	long intr_forgets;
	/* pin-*: what the xdma stand-in said, and how often it moved data */
	int pin_errno, hold_errno, dio_hold_errno, pin_held;
	long pin_moved;
	/* bg-cap: READs held until release */
	int release, nheld;
	struct { uint64_t id; unsigned int q; uint32_t len; } held[64];
};

enum { STAGE_NONE, STAGE_OPEN, STAGE_SETUP, STAGE_MOUNTED, STAGE_READY,
       STAGE_HELD };

struct hs;
struct hcase {
	const char *name;
	void (*prepare)(struct hs *h);	/* server: after mount */
	int (*app)(void);	/* returns failures seen */
	unsigned int flags;
	const char *what;
};

#define HC_PROBE	(1u << 0)	/* probe pages after each completion */
#define HC_KILL		(1u << 1)	/* main kills the server at STAGE_HELD */
#define HC_ALIAS	(1u << 2)	/* entry/attr timeouts 0 */
#define HC_CONC		(1u << 3)	/* several threads and processes */
#define HC_STUCK	(1u << 4)	/* server hangs; apps killed, umount -f */

struct hs {
	struct rs_conn c;
	const struct hcase *hc;
	const char *mnt;
	struct ino inos[MAX_INO];
	int ninos;
	struct dent dents[MAX_DENT];
	uint64_t next_id;
	uint64_t valid_ns;
	uint8_t *win2;		/* a second mapping of queue 0's window */
	int reads_seen;
	bool flip;
};

static struct shared *sh;
static pthread_mutex_t big_lock = PTHREAD_MUTEX_INITIALIZER;

static void die(const char *what)
{
	fprintf(stderr, "hostile: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Record a finding: the attack worked or the kernel misbehaved. */
static void __attribute__((format(printf, 1, 2))) finding(const char *fmt, ...)
{
	int i = __atomic_fetch_add(&sh->nmsg, 1, __ATOMIC_SEQ_CST);
	va_list ap;

	__atomic_fetch_add(&sh->fails, 1, __ATOMIC_SEQ_CST);
	if (i >= (int)(sizeof(sh->msg) / sizeof(sh->msg[0])))
		return;
	va_start(ap, fmt);
	vsnprintf(sh->msg[i], sizeof(sh->msg[i]), fmt, ap);
	va_end(ap);
}

static uint8_t pat(uint64_t id, uint64_t off)
{
	return (uint8_t)(off * 13 + id * 101 + (off >> 9) + 1);
}

static bool is(const struct hs *h, const char *name)
{
	return strcmp(h->hc->name, name) == 0;
}

/* ---- the server's namespace ------------------------------------------ */

static struct ino *ino_get(struct hs *h, uint64_t id)
{
	int i;

	for (i = 0; i < h->ninos; i++)
		if (h->inos[i].id == id)
			return &h->inos[i];
	return NULL;
}

static struct ino *ino_add(struct hs *h, uint64_t id, uint32_t mode,
			   uint64_t size)
{
	struct ino *n = ino_get(h, id);

	if (!n && h->ninos < MAX_INO)
		n = &h->inos[h->ninos++];
	if (n)
		*n = (struct ino){ .id = id, .mode = mode, .size = size };
	return n;
}

static struct dent *dent_find(struct hs *h, uint64_t parent, const char *name)
{
	int i;

	for (i = 0; i < MAX_DENT; i++)
		if (h->dents[i].id && h->dents[i].parent == parent &&
		    !strcmp(h->dents[i].name, name))
			return &h->dents[i];
	return NULL;
}

static void dent_add(struct hs *h, uint64_t parent, const char *name,
		     uint64_t id)
{
	struct dent *d = dent_find(h, parent, name);
	int i;

	for (i = 0; !d && i < MAX_DENT; i++)
		if (!h->dents[i].id)
			d = &h->dents[i];
	if (!d)
		return;
	d->parent = parent;
	d->id = id;
	snprintf(d->name, sizeof(d->name), "%s", name);
}

static void tree_init(struct hs *h)
{
	ino_add(h, ROOT, S_IFDIR | 0755, 0);
	ino_add(h, F_ID, S_IFREG | 0644, 65536);
	ino_add(h, D_ID, S_IFDIR | 0755, 0);
	ino_add(h, E_ID, S_IFDIR | 0755, 0);
	ino_add(h, W_ID, S_IFREG | 0644, 0);
	ino_add(h, Z_ID, S_IFREG | 0644, 1 << 20);
	ino_add(h, N_ID, S_IFREG | 0644, 65536);
	ino_add(h, S_ID, S_IFREG | 0644, 4096);
	ino_add(h, SUB_ID, S_IFDIR | 0755, 0);
	ino_add(h, T_ID, S_IFDIR | 0755, 0);
	dent_add(h, ROOT, "f", F_ID);
	dent_add(h, ROOT, "d", D_ID);
	dent_add(h, ROOT, "e", E_ID);
	dent_add(h, ROOT, "w", W_ID);
	dent_add(h, ROOT, "z", Z_ID);
	dent_add(h, ROOT, "n", N_ID);
	dent_add(h, ROOT, "s", S_ID);
	dent_add(h, ROOT, "t", T_ID);
	dent_add(h, D_ID, "sub", SUB_ID);
	h->next_id = FIRST_NEW;
	h->valid_ns = 1000000000ull;
}

static void fill_attr(const struct ino *n, struct vfsd_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->ino = n->id;
	a->mode = n->mode;
	a->nlink = S_ISDIR(n->mode) ? 2 : 1;
	a->size = S_ISDIR(n->mode) ? 4096 : n->size;
	a->blocks = (a->size + 511) / 512;
	a->blksize = 4096;
	a->atime = a->mtime = a->ctime = 1700000000;
}

static int fill_entry(struct hs *h, uint64_t id, struct vfsd_entry_out *e)
{
	struct ino *n = ino_get(h, id);

	if (!n)
		return -ENOENT;
	memset(e, 0, sizeof(*e));
	if (id == T_ID) {
		/* A nodeid whose file type changes between replies. */
		h->flip = !h->flip;
		n->mode = h->flip ? S_IFDIR | 0755 : S_IFREG | 0644;
	}
	e->nodeid = id;
	e->entry_valid_ns = h->valid_ns;
	e->attr_valid_ns = h->valid_ns;
	fill_attr(n, &e->attr);
	return 0;
}

/* ---- request handlers ------------------------------------------------ */

static int do_lookup(struct hs *h, const struct vfsd_sqe *sqe, void *io)
{
	struct dent *d = dent_find(h, sqe->nodeid, io);

	if (!strcmp(io, "stall") && (h->hc->flags & HC_KILL)) {
		__atomic_store_n(&sh->stage, STAGE_HELD, __ATOMIC_SEQ_CST);
		for (;;)
			pause();
	}
	if (!d)
		return -ENOENT;
	return fill_entry(h, d->id, io);
}

/* The nodeid an aliasing case answers a new name with, or 0. */
static uint64_t alias_for(struct hs *h, const struct vfsd_sqe *sqe)
{
	uint8_t op = sqe->opcode;

	if (is(h, "alias-mkdir-parent") && op == VFSD_OP_MKDIR)
		return sqe->nodeid;
	if (is(h, "alias-mkdir-root") && op == VFSD_OP_MKDIR)
		return ROOT;
	if (is(h, "alias-mkdir-sibling") && op == VFSD_OP_MKDIR)
		return E_ID;
	if (is(h, "alias-mkdir-ancestor") && op == VFSD_OP_MKDIR)
		return D_ID;
	if (is(h, "alias-create-file") &&
	    (op == VFSD_OP_CREATE || op == VFSD_OP_MKNOD))
		return S_ID;
	if (is(h, "alias-create-dir") &&
	    (op == VFSD_OP_CREATE || op == VFSD_OP_MKNOD))
		return D_ID;
	if (is(h, "alias-mknod") && op == VFSD_OP_MKNOD)
		return D_ID;
	if (is(h, "alias-symlink") && op == VFSD_OP_SYMLINK)
		return sqe->nodeid;
	if (is(h, "alias-link") && op == VFSD_OP_LINK)
		return D_ID;
	return 0;
}

/* MKDIR, MKNOD, SYMLINK, CREATE, LINK: make (or alias) a name. */
static int do_make(struct hs *h, const struct vfsd_sqe *sqe, void *io,
		   uint32_t mode)
{
	uint64_t alias = alias_for(h, sqe), id;
	char name[NAME_MAX_];
	struct ino *n;

	snprintf(name, sizeof(name), "%s", (char *)io);
	if (dent_find(h, sqe->nodeid, name))
		return -EEXIST;
	if (sqe->opcode == VFSD_OP_LINK)
		id = sqe->fh;
	else
		id = h->next_id++;
	if (alias) {
		id = alias;
		n = ino_get(h, id);
		if (!n)
			return -EIO;
		/* Claim the type the caller asked for: the sneaky variant. */
		if (mode)
			n->mode = (n->mode & ~S_IFMT) | (mode & S_IFMT);
	} else if (sqe->opcode != VFSD_OP_LINK) {
		n = ino_add(h, id, mode, 0);
		if (!n)
			return -ENOSPC;
	}
	dent_add(h, sqe->nodeid, name, id);
	return fill_entry(h, id, io);
}

static int do_create(struct hs *h, const struct vfsd_sqe *sqe, void *io)
{
	struct vfsd_create_out co;
	int err = do_make(h, sqe, io, sqe->arg);

	if (err)
		return err;
	memcpy(&co.entry, io, sizeof(co.entry));
	memset(&co.open, 0, sizeof(co.open));
	co.open.fh = co.entry.nodeid;
	if (is(h, "forced-dio-read") || is(h, "forced-dio-write"))
		co.open.open_flags = VFSD_FOPEN_DIRECT_IO;
	memcpy(io, &co, sizeof(co));
	return 0;
}

static int do_unlink(struct hs *h, const struct vfsd_sqe *sqe, void *io)
{
	struct dent *d = dent_find(h, sqe->nodeid, io);

	if (!d)
		return -ENOENT;
	d->id = 0;
	return 0;
}

static int do_rename(struct hs *h, const struct vfsd_sqe *sqe, void *io)
{
	struct vfsd_rename_in ri;
	const char *from = (char *)io + sizeof(ri), *to;
	struct dent *d;
	uint64_t id;

	memcpy(&ri, io, sizeof(ri));
	to = from + strlen(from) + 1;
	d = dent_find(h, sqe->nodeid, from);
	if (!d)
		return -ENOENT;
	id = d->id;
	d->id = 0;
	dent_add(h, ri.newdir, to, id);
	return 0;
}

static int do_readdir(struct hs *h, const struct vfsd_sqe *sqe, void *io)
{
	uint8_t *p = io;
	uint32_t used = 0;
	uint64_t i;

	for (i = sqe->offset; i < MAX_DENT; i++) {
		struct dent *d = &h->dents[i];
		struct vfsd_dirent *de = (void *)(p + used);
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

static int do_attr(struct hs *h, const struct vfsd_sqe *sqe, void *io)
{
	struct vfsd_attr_out *a = io;
	struct ino *n = ino_get(h, sqe->nodeid);

	if (!n)
		return -ENOENT;
	if (sqe->opcode == VFSD_OP_SETATTR) {
		struct vfsd_setattr_in in;

		memcpy(&in, io, sizeof(in));
		if (in.valid & VFSD_SETATTR_SIZE)
			n->size = in.size;
	}
	if (n->id == T_ID) {
		h->flip = !h->flip;
		n->mode = h->flip ? S_IFDIR | 0755 : S_IFREG | 0644;
	}
	memset(a, 0, sizeof(*a));
	a->attr_valid_ns = h->valid_ns;
	fill_attr(n, &a->attr);
	return 0;
}

/* No bytes of the canary may show in the window outside the request. */
static void check_canary(struct hs *h, unsigned int q,
			 const struct vfsd_sqe *sqe)
{
	unsigned int nr, head = sqe->win_off & (RS_PAGE - 1);
	uint8_t *pg = rs_req_pages(&h->c, q, sqe, &nr);
	size_t tail_off = head + sqe->len, total = (size_t)nr * RS_PAGE;
	static uint8_t copy[2 * RS_PAGE];

	if (head && !rs_probe_copy(copy, pg, head) &&
	    memmem(copy, head, CANARY, 8))
		finding("%s of %u bytes: the server sees the application's memory before the buffer (canary in the %u head bytes of the window)",
			sqe->opcode == VFSD_OP_READ ? "READ" : "WRITE",
			sqe->len, head);
	if (tail_off < total &&
	    !rs_probe_copy(copy, pg + tail_off, total - tail_off) &&
	    memmem(copy, total - tail_off, CANARY, 8))
		finding("%s of %u bytes: the server sees the application's memory after the buffer (canary in the %zu tail bytes)",
			sqe->opcode == VFSD_OP_READ ? "READ" : "WRITE",
			sqe->len, total - tail_off);
	/* Scribble next to the buffer: the application must not see it. */
	if (head)
		rs_probe_store(pg, 'X');
	if (tail_off < total)
		rs_probe_store(pg + total - 1, 'X');
}

/* Every byte of a fresh READ's pages must be zero before we write. */
static void check_zero(struct hs *h, unsigned int q,
		       const struct vfsd_sqe *sqe)
{
	unsigned int nr, i, j;
	uint8_t *pg = rs_req_pages(&h->c, q, sqe, &nr);

	for (i = 0; i < nr; i++) {
		uint8_t *p = pg + (size_t)i * RS_PAGE;

		for (j = 0; j < RS_PAGE; j++) {
			if (p[j]) {
				finding("READ of node %llu at %llu: page %u not zeroed before the server got it (byte %u = 0x%02x)",
					(unsigned long long)sqe->nodeid,
					(unsigned long long)sqe->offset, i,
					j, p[j]);
				return;
			}
		}
	}
}

/* Did the ENTER that completed @sqe give its window range to another? */
static bool window_reused(struct hs *h, unsigned int q,
			  const struct vfsd_sqe *sqe)
{
	struct rs_queue *rq = &h->c.q[q];
	uint32_t t = __atomic_load_n(&rq->hdr->sq_tail, __ATOMIC_ACQUIRE);
	uint32_t a = sqe->win_off / RS_PAGE, na, i;

	rs_req_pages(&h->c, q, sqe, &na);
	for (i = rq->hdr->sq_head; i != t; i++) {
		const struct vfsd_sqe *o = &rq->sq[i & (h->c.s.depth - 1)];
		uint32_t b = o->win_off / RS_PAGE, nb;

		if (o->opcode != VFSD_OP_READ && o->opcode != VFSD_OP_WRITE)
			continue;
		rs_req_pages(&h->c, q, o, &nb);
		if (a < b + nb && b < a + na)
			return true;
	}
	return false;
}

/*
 * A one-page READ in a read slot (HOSTILE_PIN=2): the slot stays the
 * server's by design; what it stores there later reaches no file, which
 * the cases' data checks (and badserver's slot-* cases) see.
 */
static bool in_read_slot(struct hs *h, const struct vfsd_sqe *sqe)
{
	unsigned int wp = h->c.s.window_size / RS_PAGE, n = h->c.s.depth;

	if (!(h->c.s.flags & VFSD_SETUP_READ_SLOTS) ||
	    sqe->opcode != VFSD_OP_READ)
		return false;
	if (n > VFSD_READ_SLOTS_MAX)
		n = VFSD_READ_SLOTS_MAX;
	if (n > wp / 8)
		n = wp / 8;
	return sqe->win_off / RS_PAGE >= wp - n;
}

/* After a completion was consumed its pages must be gone from the window. */
static void probe_gone(struct hs *h, uint8_t *win, const struct vfsd_sqe *sqe,
		       const char *which)
{
	uint8_t *p = win + (sqe->win_off & ~(RS_PAGE - 1));

	if (in_read_slot(h, sqe)) {
		sh->slot_reads++;
		return;
	}

	if (!rs_probe_load(p))
		finding("%s: the page of a completed %s is still readable in the %s",
			h->hc->name,
			sqe->opcode == VFSD_OP_READ ? "READ" : "WRITE", which);
	if (!rs_probe_store(p, 0xee))
		finding("%s: a store into the page of a completed request went through (%s)",
			h->hc->name, which);
}

static void probe_after(struct hs *h, unsigned int q,
			const struct vfsd_sqe *sqe)
{
	int ret = rs_enter(&h->c, q, 0);

	if (ret < 0 && ret != -EPERM) {
		fprintf(stderr, "hostile: ENTER to complete: %s\n",
			strerror(-ret));
		return;
	}
	if (window_reused(h, q, sqe)) {
		sh->skipped_probes++;
		return;
	}
	probe_gone(h, h->c.q[q].win, sqe, "window");
	if (h->win2)
		probe_gone(h, h->win2 + (h->c.q[q].win - h->c.q[0].win), sqe,
			   "second mapping of the window");
	__atomic_store_n(&sh->probed, 1, __ATOMIC_SEQ_CST);
}

/*
 * The parent posts the completion, a forked child (same fd, no window)
 * does the ENTER that consumes it; then the parent's window page must be
 * gone all the same.
 */
static void complete_from_child(struct hs *h, unsigned int q,
				const struct vfsd_sqe *sqe)
{
	struct vfsd_dma_map m = { .id = sqe->id, .queue = q };
	uint64_t addrs[64];
	pid_t pid;
	int st;

	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		m.pci_dev = sh->pci_dev;
		m.addrs = (uintptr_t)addrs;
		m.nr = 64;
		sh->child_dma = ioctl(h->c.fd, VFSD_IOC_DMA_MAP, &m) < 0 ?
				errno : 0;
		st = rs_enter(&h->c, q, 0);
		sh->child_enter = st < 0 ? -st : 0;
		_exit(0);
	}
	waitpid(pid, &st, 0);
	probe_after(h, q, sqe);
	if (sh->child_enter != EPERM)
		finding("ENTER from a forked child without the window returned %s, want EPERM",
			sh->child_enter ? strerror(sh->child_enter) : "success");
	if (sh->pci_dev >= 0 && !sh->child_dma)
		finding("DMA_MAP from a forked child without the window succeeded");
}

static void hold_pages(struct hs *h, unsigned int q, const struct vfsd_sqe *sqe)
{
	unsigned int nr;
	uint8_t *pg = rs_req_pages(&h->c, q, sqe, &nr);

	/* READ pages are ours to fill; WRITE pages are read-only. */
	if (sqe->opcode == VFSD_OP_READ)
		memset(pg, 'k', (size_t)nr * RS_PAGE);
	else
		rs_probe_load(pg);
	if (is(h, "kill-dma")) {
		struct vfsd_dma_map m = { .id = sqe->id, .queue = q,
					  .pci_dev = sh->pci_dev };
		uint64_t addrs[300];

		m.addrs = (uintptr_t)addrs;
		m.nr = 300;
		if (sh->pci_dev < 0 || ioctl(h->c.fd, VFSD_IOC_DMA_MAP, &m) < 0)
			fprintf(stderr, "hostile: kill-dma: DMA_MAP: %s (killing with pages mapped only)\n",
				strerror(errno));
		else
			fprintf(stderr, "hostile: kill-dma: %u pages DMA-mapped\n",
				m.nr);
	}
	__atomic_store_n(&sh->stage, STAGE_HELD, __ATOMIC_SEQ_CST);
	for (;;)
		pause();
}

struct inval_arg {
	int fd;
	uint64_t nodeid;
	volatile int done;
	volatile pid_t tid;
	int err;
};

static void *inval_thread(void *arg)
{
	struct inval_arg *a = arg;
	struct vfsd_notify_inval_inode n = { .nodeid = a->nodeid };

	a->tid = syscall(SYS_gettid);
	a->err = ioctl(a->fd, VFSD_IOC_INVAL_INODE, &n) ? errno : 0;
	a->done = 1;
	return NULL;
}

/*
 * While its READ of a page is in flight (the page locked), another server
 * thread asks the kernel to drop that file's cache. The notification must
 * return (done or an error) rather than wait, unkillable, for a page lock
 * only this server can release.
 */
static void inval_while_reading(struct hs *h, const struct vfsd_sqe *sqe)
{
	static struct inval_arg a;
	pthread_t t;
	int i;

	a = (struct inval_arg){ .fd = h->c.fd, .nodeid = sqe->nodeid };
	pthread_create(&t, NULL, inval_thread, &a);
	for (i = 0; i < 100 && !a.done; i++)
		usleep(50000);
	if (!a.done) {
		finding("INVAL_INODE from a server thread blocks (state %c) on the page lock of the server's own in-flight READ: the server wedges itself",
			rs_task_state(a.tid));
		rs_dump_task(a.tid);
	}
	fprintf(stderr, "hostile: INVAL_INODE during the READ: %s\n",
		a.done ? (a.err ? strerror(a.err) : "returned") : "still blocked");
	pthread_detach(t);
}

/*
 * MADV_DOFORK on the window (refused for VM_IO today), then a fork with
 * a READ in flight: once the parent completed it, the child's copy of the
 * window (if it got one) must not reach the page either.
 */
static void fork_with_window(struct hs *h, unsigned int q,
			     const struct vfsd_sqe *sqe, int64_t len)
{
	uint8_t *p = h->c.q[q].win + (sqe->win_off & ~(RS_PAGE - 1));
	int pfd[2], st;
	pid_t pid;
	char c;

	if (pipe(pfd))
		die("pipe");
	pid = fork();
	if (pid == 0) {
		if (read(pfd[0], &c, 1) != 1)
			_exit(2);
		if (!rs_probe_load(p))
			finding("a forked child still reads the page of a completed READ through its copy of the window");
		if (!rs_probe_store(p, 0xee))
			finding("a forked child still stores into the page of a completed READ");
		_exit(0);
	}
	rs_post(&h->c, q, sqe->id, len);
	rs_enter(&h->c, q, 0);
	if (write(pfd[1], "x", 1) != 1)
		die("write pipe");
	waitpid(pid, &st, 0);
	close(pfd[0]);
	close(pfd[1]);
	__atomic_store_n(&sh->probed, 1, __ATOMIC_SEQ_CST);
}

/* A write through /proc/self/mem (FOLL_FORCE) into a window page. */
static bool poke_mem(volatile uint8_t *p)
{
	uint8_t v = *p ^ 0x55;
	int fd = open("/proc/self/mem", O_RDWR);
	bool ok;

	if (fd < 0)
		return false;
	ok = pwrite(fd, &v, 1, (off_t)(uintptr_t)p) == 1;
	close(fd);
	return ok;
}

/* ---- pinning: VFSD_SETUP_PIN and the xdma stand-in's devices ---- */

#define XDMA_STANDIN_HOLD	_IOW('x', 1, struct xs_range)
#define XDMA_STANDIN_RELEASE	_IO('x', 2)
#define XDMA_STANDIN_SCRIBBLE	_IOW('x', 3, uint32_t)

struct xs_range {
	uint64_t addr, len;
	uint32_t write, pad;
};

static bool pin_mode;		/* HOSTILE_PIN=1 */
static bool slots_mode;		/* HOSTILE_PIN=2 */
static int h2c = -1, c2h = -1;	/* the stand-in's channels (pin-* cases) */

static bool pin_case(const struct hs *h)
{
	return !strncmp(h->hc->name, "pin-", 4);
}

static void open_channels(void)
{
	h2c = open("/dev/xdma0_h2c_0", O_WRONLY | O_CLOEXEC);
	c2h = open("/dev/xdma0_c2h_0", O_RDONLY | O_CLOEXEC);
	if (h2c < 0 || c2h < 0)
		die("open the xdma stand-in's devices (is xdma_standin.ko loaded?)");
}

/* Where a request's bytes live on the stand-in card (64 MiB). */
static off_t card_of(const struct vfsd_sqe *sqe)
{
	return (off_t)(sqe->nodeid % 14) * (4 << 20) + sqe->offset % (2 << 20);
}

/* Pin the request's window pages in the stand-in; 0 or errno. */
static int hold_window(struct hs *h, unsigned int q, const struct vfsd_sqe *sqe,
		       bool write)
{
	struct xs_range r = { .addr = (uintptr_t)(h->c.q[q].win + sqe->win_off),
			      .len = sqe->len, .write = write };

	return ioctl(c2h, XDMA_STANDIN_HOLD, &r) ? errno : 0;
}

/*
 * pin-dma-read: the bytes go to the card from the server's own memory,
 * then come back by "DMA" straight into the READ's window pages. Without
 * VFSD_SETUP_PIN the stand-in cannot pin them: EFAULT, answered as EIO.
 */
static void pin_dma_read(struct hs *h, unsigned int q,
			 const struct vfsd_sqe *sqe, uint64_t len)
{
	static uint8_t src[VFSD_MAX_IO];
	uint8_t *data = h->c.q[q].win + sqe->win_off;
	uint64_t i;
	ssize_t n;

	for (i = 0; i < len; i++)
		src[i] = pat(sqe->nodeid, sqe->offset + i);
	if (pwrite(h2c, src, len, card_of(sqe)) != (ssize_t)len)
		die("h2c from the server's own memory");
	n = pread(c2h, data, len, card_of(sqe));
	if (n == (ssize_t)len) {
		__atomic_fetch_add(&sh->pin_moved, len, __ATOMIC_SEQ_CST);
		rs_post(&h->c, q, sqe->id, (int32_t)len);
		return;
	}
	sh->pin_errno = n < 0 ? errno : EIO;
	rs_post(&h->c, q, sqe->id, -EIO);
}

/* pin-dma-write: writeback pages go to the card by "DMA", then checked. */
static void pin_dma_write(struct hs *h, unsigned int q,
			  const struct vfsd_sqe *sqe)
{
	static uint8_t back[VFSD_MAX_IO];
	uint8_t *data = h->c.q[q].win + sqe->win_off;
	struct ino *ino = ino_get(h, sqe->nodeid);
	ssize_t n = pwrite(h2c, data, sqe->len, card_of(sqe));

	if (n != (ssize_t)sqe->len) {
		sh->pin_errno = n < 0 ? errno : EIO;
		rs_post(&h->c, q, sqe->id, -EIO);
		return;
	}
	if (pread(c2h, back, sqe->len, card_of(sqe)) != (ssize_t)sqe->len)
		die("c2h into the server's own memory");
	for (uint32_t i = 0; i < sqe->len; i++) {
		if (back[i] != pat(sqe->nodeid, sqe->offset + i)) {
			finding("WRITE moved by DMA: card byte %u is 0x%02x, want 0x%02x",
				i, back[i], pat(sqe->nodeid, sqe->offset + i));
			break;
		}
	}
	__atomic_fetch_add(&sh->pin_moved, sqe->len, __ATOMIC_SEQ_CST);
	if (ino && sqe->offset + sqe->len > ino->size)
		ino->size = sqe->offset + sqe->len;
	rs_post(&h->c, q, sqe->id, (int32_t)sqe->len);
}

/*
 * pin-held-read: the first READ is filled with garbage, kept pinned and
 * answered as a success; once the completion is in, the "DMA" lands late
 * and scribbles on the page. Neither may ever be file data.
 */
static bool pin_held_read(struct hs *h, unsigned int q,
			  const struct vfsd_sqe *sqe, uint64_t len)
{
	uint32_t val = 'Y';

	if (sh->pin_held || sqe->nodeid != F_ID)
		return false;
	sh->pin_held = 1;
	memset(h->c.q[q].win + sqe->win_off, 'X', len);
	sh->hold_errno = hold_window(h, q, sqe, true);
	if (sh->hold_errno)	/* nothing pinned: answer with the data */
		return false;
	rs_post(&h->c, q, sqe->id, (int32_t)len);
	rs_enter(&h->c, q, 0);		/* the completion is taken now */
	if (!sh->hold_errno && ioctl(c2h, XDMA_STANDIN_SCRIBBLE, &val))
		finding("scribble on the held pages: %s", strerror(errno));
	return true;
}

static void do_read(struct hs *h, unsigned int q, const struct vfsd_sqe *sqe)
{
	uint8_t *data = h->c.q[q].win + sqe->win_off;
	struct ino *n = ino_get(h, sqe->nodeid);
	uint64_t size = n ? n->size : 0, len = sqe->len, i;
	bool first = h->reads_seen++ == 0;

	__atomic_fetch_add(&sh->reads, 1, __ATOMIC_SEQ_CST);
	if (sqe->offset >= size)
		len = 0;
	else if (sqe->offset + len > size)
		len = size - sqe->offset;
	if (is(h, "zero-pages"))
		check_zero(h, q, sqe);
	if (strstr(h->hc->name, "dio"))
		check_canary(h, q, sqe);
	if (is(h, "kill-mapped") || is(h, "kill-dma") || is(h, "stuck-read"))
		hold_pages(h, q, sqe);
	if (is(h, "inval-locked-page") && first)
		inval_while_reading(h, sqe);
	if (is(h, "munmap-inflight") && first) {
		/* Take the whole window away under the request, then answer. */
		if (munmap(h->c.q[0].win, h->c.s.window_size))
			finding("munmap of the whole window failed: %s",
				strerror(errno));
		rs_post(&h->c, q, sqe->id, len);
		rs_enter(&h->c, q, 0);
		h->c.q[0].win = mmap(NULL, h->c.s.window_size,
				     PROT_READ | PROT_WRITE, MAP_SHARED,
				     h->c.fd, VFSD_MMAP_WINDOW(0));
		fprintf(stderr, "hostile: window mapped again after munmap: %s\n",
			h->c.q[0].win == MAP_FAILED ? strerror(errno) : "ok");
		if (h->c.q[0].win == MAP_FAILED)
			h->c.q[0].win = NULL;
		return;
	}
	if (is(h, "pin-app-dio")) {
		/* Application pages: never pinnable, in either mode. */
		sh->dio_hold_errno = hold_window(h, q, sqe, true);
		if (!sh->dio_hold_errno)
			ioctl(c2h, XDMA_STANDIN_RELEASE);
	}
	if (is(h, "pin-dma-read")) {
		pin_dma_read(h, q, sqe, len);
		return;
	}
	if (is(h, "pin-held-read") && pin_held_read(h, q, sqe, len))
		return;
	if (sqe->nodeid != N_ID)	/* /n: answered, never written */
		for (i = 0; i < len; i++)
			data[i] = pat(sqe->nodeid, sqe->offset + i);
	if (is(h, "madvise-dofork") && first) {
		fork_with_window(h, q, sqe, len);
		return;
	}
	rs_post(&h->c, q, sqe->id, len);
	if (is(h, "fork-complete") && first)
		complete_from_child(h, q, sqe);
	else if (h->hc->flags & HC_PROBE)
		probe_after(h, q, sqe);
}

static void do_write(struct hs *h, unsigned int q, const struct vfsd_sqe *sqe)
{
	uint8_t *data = h->c.q[q].win + sqe->win_off;
	struct ino *n = ino_get(h, sqe->nodeid);
	static uint8_t copy[VFSD_MAX_IO];
	uint32_t i;
	int sig;

	__atomic_fetch_add(&sh->writes, 1, __ATOMIC_SEQ_CST);
	if (strstr(h->hc->name, "dio"))
		check_canary(h, q, sqe);
	if (is(h, "kill-writeback") || is(h, "stuck-write"))
		hold_pages(h, q, sqe);
	if (is(h, "pin-dma-write")) {
		pin_dma_write(h, q, sqe);
		return;
	}
	if (is(h, "pin-held-write") && !sh->pin_held) {
		/* Read-only pages: a pin for writing must fail. */
		if (!hold_window(h, q, sqe, true))
			finding("a WRITE page was pinned for writing");
		sh->pin_held = 1;
		sh->hold_errno = hold_window(h, q, sqe, false);
	}
	if (sqe->len <= sizeof(copy) && rs_probe_copy(copy, data, sqe->len))
		finding("WRITE pages not readable by the server");
	for (i = 0; i < sqe->len && i < sizeof(copy); i++) {
		if (copy[i] != pat(sqe->nodeid, sqe->offset + i)) {
			finding("WRITE of node %llu at %llu: byte %u is 0x%02x, the application wrote 0x%02x",
				(unsigned long long)sqe->nodeid,
				(unsigned long long)sqe->offset, i, copy[i],
				pat(sqe->nodeid, sqe->offset + i));
			break;
		}
	}
	if (is(h, "ro-writeback") || is(h, "ro-dio-write")) {
		sig = rs_probe_store(data, copy[0] ^ 0xff);
		if (!sig)
			finding("a store into a read-only WRITE page went through");
		sig = rs_probe_store(data + sqe->len - 1, 0x5a);
		if (!sig)
			finding("a store into the last read-only WRITE page went through");
		else if (sig != SIGBUS)
			fprintf(stderr, "hostile: store raised signal %d, not SIGBUS\n",
				sig);
		if (poke_mem(data))
			finding("a write through /proc/self/mem into a read-only WRITE page went through");
	}
	if (n && sqe->offset + sqe->len > n->size)
		n->size = sqe->offset + sqe->len;
	rs_post(&h->c, q, sqe->id, sqe->len);
	if (h->hc->flags & HC_PROBE)
		probe_after(h, q, sqe);
}

/* Answer one request (READ and WRITE answer themselves). */
/*
 * interrupt: the killed caller's LOOKUP is answered only now, with a
 * real entry, so the kernel has to FORGET it again.
 */
static void do_interrupt(struct hs *h, unsigned int q,
			 const struct vfsd_sqe *sqe)
{
	if (!is(h, "interrupt")) {
		finding("INTERRUPT sent to a server that did not ask for it");
		return;
	}
	if (sqe->tag != VFSD_TAG_NONE)
		finding("INTERRUPT carries tag %u", sqe->tag);
	if (!sh->held_id || sqe->offset != sh->held_id || q != sh->held_q) {
		finding("INTERRUPT on q%u names id %#llx, the held LOOKUP is %#llx on q%u",
			q, (unsigned long long)sqe->offset,
			(unsigned long long)sh->held_id, sh->held_q);
		return;
	}
	sh->intr_arg = (int)sqe->arg;
	fill_entry(h, F_ID, rs_slot(&h->c, q, sh->held_tag));
	rs_post(&h->c, q, sh->held_id, 0);
	__atomic_store_n(&sh->intr_seen, 1, __ATOMIC_SEQ_CST);
}

/* bg-cap: hold READs (their data written now) until the app says so. */
static bool bg_hold(struct hs *h, unsigned int q, const struct vfsd_sqe *sqe)
{
	int i;

	if (strncmp(h->hc->name, "bg-cap", 6))
		return false;
	if (sqe->opcode == VFSD_OP_READ && !sh->release &&
	    sh->nheld < (int)(sizeof(sh->held) / sizeof(sh->held[0]))) {
		uint8_t *data = h->c.q[q].win + sqe->win_off;

		for (i = 0; i < (int)sqe->len; i++)
			data[i] = pat(sqe->nodeid, sqe->offset + i);
		sh->held[sh->nheld].id = sqe->id;
		sh->held[sh->nheld].q = q;
		sh->held[sh->nheld].len = sqe->len;
		__atomic_store_n(&sh->nheld, sh->nheld + 1, __ATOMIC_SEQ_CST);
		__atomic_fetch_add(&sh->reads, 1, __ATOMIC_SEQ_CST);
		return true;
	}
	if (sh->release) {
		for (i = 0; i < sh->nheld; i++)
			rs_post(&h->c, sh->held[i].q, sh->held[i].id,
				(int32_t)sh->held[i].len);
		sh->nheld = 0;
	}
	return false;
}

static void handle(struct hs *h, unsigned int q, const struct vfsd_sqe *sqe)
{
	void *io = sqe->tag == VFSD_TAG_NONE ? NULL : rs_slot(&h->c, q, sqe->tag);
	int32_t res = 0;

	if (is(h, "interrupt") && sqe->opcode == VFSD_OP_LOOKUP &&
	    !strcmp(io, "intr")) {
		sh->held_tag = sqe->tag;
		sh->held_q = q;
		sh->held_id = sqe->id;
		__atomic_store_n(&sh->lookup_held, 1, __ATOMIC_SEQ_CST);
		return;		/* answered when the INTERRUPT comes */
	}
	if (bg_hold(h, q, sqe))
		return;
	switch (sqe->opcode) {
	case VFSD_OP_INTERRUPT:
		do_interrupt(h, q, sqe);
		return;
	case VFSD_OP_FORGET:
		if (is(h, "interrupt") && sqe->nodeid == F_ID)
			__atomic_fetch_add(&sh->intr_forgets, (long)sqe->offset,
					   __ATOMIC_SEQ_CST);
		return;
	case VFSD_OP_RELEASE:
	case VFSD_OP_RELEASEDIR:
		return;
	case VFSD_OP_READ:
		do_read(h, q, sqe);
		return;
	case VFSD_OP_WRITE:
		do_write(h, q, sqe);
		return;
	case VFSD_OP_LOOKUP:
		res = do_lookup(h, sqe, io);
		break;
	case VFSD_OP_GETATTR:
	case VFSD_OP_SETATTR:
		res = do_attr(h, sqe, io);
		break;
	case VFSD_OP_OPEN:
	case VFSD_OP_OPENDIR:
		memset(io, 0, sizeof(struct vfsd_open_out));
		((struct vfsd_open_out *)io)->fh = sqe->nodeid;
		if (sqe->opcode == VFSD_OP_OPEN &&
		    (is(h, "forced-dio-read") || is(h, "forced-dio-write")))
			((struct vfsd_open_out *)io)->open_flags =
				VFSD_FOPEN_DIRECT_IO;
		break;
	case VFSD_OP_READDIR:
		res = do_readdir(h, sqe, io);
		break;
	case VFSD_OP_STATFS: {
		struct vfsd_statfs_out *st = io;

		memset(st, 0, sizeof(*st));
		st->blocks = st->bfree = st->bavail = 1 << 20;
		st->files = st->ffree = 1 << 16;
		st->bsize = st->frsize = 4096;
		st->namelen = 255;
		break;
	}
	case VFSD_OP_MKDIR:
		res = do_make(h, sqe, io, S_IFDIR | (sqe->arg & 07777));
		break;
	case VFSD_OP_MKNOD:
		res = do_make(h, sqe, io, sqe->arg);
		break;
	case VFSD_OP_SYMLINK:
		res = do_make(h, sqe, io, S_IFLNK | 0777);
		break;
	case VFSD_OP_LINK:
		res = do_make(h, sqe, io, 0);
		break;
	case VFSD_OP_CREATE:
		res = do_create(h, sqe, io);
		break;
	case VFSD_OP_UNLINK:
	case VFSD_OP_RMDIR:
		res = do_unlink(h, sqe, io);
		break;
	case VFSD_OP_RENAME:
		res = do_rename(h, sqe, io);
		break;
	case VFSD_OP_READLINK:
		memcpy(io, "s", 1);
		res = 1;
		break;
	case VFSD_OP_GETXATTR:
		res = -ENODATA;
		break;
	case VFSD_OP_LISTXATTR:
	case VFSD_OP_FLUSH:
	case VFSD_OP_FSYNC:
	case VFSD_OP_REMOVEXATTR:
	case VFSD_OP_SETXATTR:
		break;
	default:
		res = -ENOSYS;
	}
	rs_post(&h->c, q, sqe->id, res);
}

/* One thread (or process) serving queue @q until the connection ends. */
static int serve_queue(struct hs *h, unsigned int q)
{
	struct vfsd_sqe sqe;
	int ret;

	for (;;) {
		ret = rs_enter(&h->c, q, VFSD_ENTER_WAIT);
		if (ret == -EINTR)
			continue;
		if (ret < 0)
			return -ret;
		pthread_mutex_lock(&big_lock);
		while (rs_next(&h->c, q, &sqe))
			handle(h, q, &sqe);
		pthread_mutex_unlock(&big_lock);
	}
}

/* ---- case preparation in the server ---------------------------------- */

static void prep_fork_enter(struct hs *h)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		st = rs_enter(&h->c, 0, 0);
		sh->child_enter = st < 0 ? -st : 0;
		_exit(0);
	}
	waitpid(pid, &st, 0);
	if (sh->child_enter != EPERM)
		finding("ENTER from a forked child without the window returned %s, want EPERM",
			sh->child_enter ? strerror(sh->child_enter) : "success");
}

static void prep_mremap(struct hs *h)
{
	size_t ws = h->c.s.window_size;
	uint8_t *win = h->c.q[0].win;
	void *r;

	if (is(h, "mremap-fixed")) {
		void *tgt = mmap(NULL, ws, PROT_NONE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		r = mremap(win, ws, ws, MREMAP_MAYMOVE | MREMAP_FIXED, tgt);
		if (r != MAP_FAILED) {
			finding("mremap(MAYMOVE|FIXED) of the window succeeded");
			h->c.q[0].win = r;
		} else if (errno != EINVAL) {
			finding("mremap(MAYMOVE|FIXED) of the window: %s, want EINVAL",
				strerror(errno));
		}
		return;
	}
	if (is(h, "mremap-shrink")) {
		r = mremap(win, ws, ws / 2, 0);
		fprintf(stderr, "hostile: mremap shrink: %s\n",
			r == MAP_FAILED ? strerror(errno) : "done");
		return;
	}
	if (is(h, "mremap-grow")) {
		r = mremap(win, ws, ws * 2, MREMAP_MAYMOVE);
		fprintf(stderr, "hostile: mremap grow: %s\n",
			r == MAP_FAILED ? strerror(errno) : "done");
		if (r != MAP_FAILED)
			h->c.q[0].win = r;
		return;
	}
	if (is(h, "munmap-part")) {
		int ret = munmap(win + ws / 2, RS_PAGE);

		fprintf(stderr, "hostile: munmap of one window page: %s\n",
			ret ? strerror(errno) : "done");
		return;
	}
	if (is(h, "madvise-dofork")) {
		int ret = madvise(win, ws, MADV_DOFORK);

		fprintf(stderr, "hostile: MADV_DOFORK on the window: %s\n",
			ret ? strerror(errno) : "done");
		return;
	}
	if (is(h, "mmap-twice")) {
		r = mmap(NULL, ws, PROT_READ | PROT_WRITE, MAP_SHARED, h->c.fd,
			 VFSD_MMAP_WINDOW(0));
		fprintf(stderr, "hostile: second mmap of the window: %s\n",
			r == MAP_FAILED ? strerror(errno) : "done");
		if (r != MAP_FAILED)
			h->win2 = r;
	}
}

static void prep_mprotect(struct hs *h)
{
	static const int prots[] = { PROT_READ, PROT_NONE,
				     PROT_READ | PROT_WRITE | PROT_EXEC };
	size_t ws = h->c.s.window_size;
	uint8_t *win = h->c.q[0].win;
	unsigned int i;
	long ret;

	for (i = 0; i < 3; i++) {
		ret = mprotect(win, ws, prots[i]);
		if (!ret || errno != EACCES)
			finding("mprotect(window, %#x): %s, want EACCES",
				prots[i], ret ? strerror(errno) : "success");
	}
	ret = mprotect(win, RS_PAGE, PROT_READ);
	if (!ret)
		finding("mprotect of one window page succeeded");
	ret = syscall(SYS_pkey_mprotect, win, ws, PROT_READ, -1);
	if (ret && errno == ENOSYS)
		fprintf(stderr, "hostile: no pkey_mprotect\n");
	else if (!ret || errno != EACCES)
		finding("pkey_mprotect(window, PROT_READ, -1): %s, want EACCES",
			ret ? strerror(errno) : "success");
	/* Whatever happened, serve on with a writable window. */
	mprotect(win, ws, PROT_READ | PROT_WRITE);
}

static void prep_alias(struct hs *h)
{
	h->valid_ns = 0;
	if (is(h, "alias-lookup-self"))
		dent_add(h, D_ID, "up", D_ID);
	if (is(h, "alias-lookup-ancestor"))
		dent_add(h, SUB_ID, "up", D_ID);
	if (is(h, "alias-lookup-root"))
		dent_add(h, SUB_ID, "top", ROOT);
}

/* ---- several threads and processes on one connection ----------------- */

struct worker {
	struct hs *h;
	unsigned int q;
};

static void *worker_thread(void *arg)
{
	struct worker *w = arg;

	serve_queue(w->h, w->q);
	return NULL;
}

/* A CLONE_VM process: shares the window's mm, so it may ENTER. */
static int worker_proc(void *arg)
{
	struct worker *w = arg;

	serve_queue(w->h, w->q);
	return 0;
}

/* A forked process (own mm, no window): every ENTER must be refused. */
static void fork_prober(struct hs *h)
{
	int i, ret;

	for (i = 0; i < 200; i++) {
		ret = rs_enter(&h->c, i % h->c.s.nr_queues, 0);
		if (ret >= 0)
			__atomic_fetch_add(&sh->child_enters_ok, 1,
					   __ATOMIC_SEQ_CST);
		if (ret == -ENODEV || ret == -ENOTCONN)
			break;
		usleep(20000);
	}
	_exit(0);
}

static int serve_concurrent(struct hs *h)
{
	struct worker w[4];
	pthread_t th[4];
	pid_t procs[2], prober;
	int i, st;

	prober = fork();
	if (prober == 0)
		fork_prober(h);
	for (i = 0; i < 4; i++) {
		w[i] = (struct worker){ .h = h, .q = i % h->c.s.nr_queues };
		pthread_create(&th[i], NULL, worker_thread, &w[i]);
	}
	for (i = 0; i < 2; i++) {
		size_t sz = 256 << 10;
		char *stack = mmap(NULL, sz, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		procs[i] = clone(worker_proc, stack + sz,
				 CLONE_VM | CLONE_FS | CLONE_FILES | SIGCHLD,
				 &w[i]);
		if (procs[i] < 0)
			die("clone");
	}
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 2; i++)
		waitpid(procs[i], &st, 0);
	waitpid(prober, &st, 0);
	if (sh->child_enters_ok)
		finding("%d ENTERs from a forked process without the window worked",
			sh->child_enters_ok);
	return ENODEV;
}

/* ---- the server process ---------------------------------------------- */

static void hold(int stage)
{
	__atomic_store_n(&sh->stage, stage, __ATOMIC_SEQ_CST);
	for (;;)
		pause();
}

static int server_main(struct hs *h)
{
	unsigned int nq = (h->hc->flags & HC_CONC) ? 2 : 1;
	int err;

	rs_probe_init();
	tree_init(h);
	if (is(h, "kill-before-setup")) {
		h->c.fd = open("/dev/vfsd", O_RDWR);
		hold(STAGE_HELD);
	}
	if (pin_case(h))
		open_channels();
	err = rs_setup_flags(&h->c, nq, 16, 4 << 20,
			     (is(h, "interrupt") ? VFSD_SETUP_INTERRUPT : 0) |
			     (pin_mode ? VFSD_SETUP_PIN : 0) |
			     (slots_mode ? VFSD_SETUP_READ_SLOTS : 0));
	if (!err)
		err = rs_map(&h->c);
	if (err) {
		errno = -err;
		die("setup");
	}
	sh->conn_id = h->c.s.conn_id;
	if (is(h, "kill-after-setup"))
		hold(STAGE_HELD);
	err = rs_mount(&h->c, h->mnt,
		       is(h, "kill-fd-kept") ? "request_timeout=3" :
		       !strncmp(h->hc->name, "bg-cap", 6) ?
		       "max_read=4096,max_background=2" : NULL);
	if (err) {
		errno = -err;
		die("mount");
	}
	__atomic_store_n(&sh->stage, STAGE_MOUNTED, __ATOMIC_SEQ_CST);
	if (is(h, "kill-after-mount"))
		hold(STAGE_HELD);
	if (is(h, "kill-fd-kept")) {
		/* A child keeps the fd (not the window) after we die. */
		pid_t holder = fork();

		if (holder == 0)
			for (;;)
				pause();
		sh->holder = holder;
		hold(STAGE_HELD);
	}
	if (h->hc->flags & HC_ALIAS)
		prep_alias(h);
	if (h->hc->prepare)
		h->hc->prepare(h);
	__atomic_store_n(&sh->stage, STAGE_READY, __ATOMIC_SEQ_CST);
	if (h->hc->flags & HC_CONC)
		return serve_concurrent(h);
	return serve_queue(h, 0);
}

/* ---- applications ---------------------------------------------------- */

static const char *app_mnt;

static void app_at(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sh->app_op, sizeof(sh->app_op), fmt, ap);
	va_end(ap);
}

static char *path_of(const char *rel)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", app_mnt, rel);
	return buf[i];
}

/* Compare @len bytes of @p with the pattern of @id from file offset @off. */
static int check_pat(const uint8_t *p, size_t len, uint64_t id, uint64_t off,
		     const char *what)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != pat(id, off + i)) {
			finding("%s: byte %zu is 0x%02x, want 0x%02x", what,
				i, p[i], pat(id, off + i));
			return 1;
		}
	}
	return 0;
}

/* Read /s (one page), then again once the server probed its window. */
static int app_read_small(void)
{
	uint8_t buf[RS_PAGE];
	int fd, i, bad = 0;
	ssize_t n;

	app_at("open s");
	fd = open(path_of("s"), O_RDONLY);
	if (fd < 0) {
		finding("open s: %s", strerror(errno));
		return 1;
	}
	app_at("read s");
	n = pread(fd, buf, sizeof(buf), 0);
	if (n != RS_PAGE) {
		finding("read of /s returned %zd (%s), want 4096", n,
			n < 0 ? strerror(errno) : "short");
		close(fd);
		return 1;
	}
	bad += check_pat(buf, n, S_ID, 0, "read of /s");
	for (i = 0; i < 200 && !__atomic_load_n(&sh->probed, __ATOMIC_SEQ_CST);
	     i++)
		usleep(50000);
	if (!sh->probed)
		fprintf(stderr, "hostile: server did not probe its window (%ld probes skipped)\n",
			sh->skipped_probes);
	app_at("read s again");
	n = pread(fd, buf, sizeof(buf), 0);
	if (n != RS_PAGE)
		finding("second read of /s returned %zd", n);
	else
		bad += check_pat(buf, n, S_ID, 0,
				 "re-read of /s after the server stored into its old window page");
	/* More traffic through the window after the attack. */
	app_at("read f");
	close(fd);
	fd = open(path_of("f"), O_RDONLY);
	if (fd >= 0) {
		static uint8_t big[65536];

		n = read(fd, big, sizeof(big));
		if (n != sizeof(big))
			finding("read of /f after the attack returned %zd (%s)",
				n, n < 0 ? strerror(errno) : "short");
		else
			bad += check_pat(big, n, F_ID, 0, "read of /f");
		close(fd);
	}
	return bad;
}

/* Read /s: the result does not matter, only that it comes back. */
static int app_read_any(void)
{
	uint8_t buf[RS_PAGE];
	int fd;
	ssize_t n;

	app_at("read s");
	fd = open(path_of("s"), O_RDONLY);
	if (fd < 0)
		return 0;
	n = pread(fd, buf, sizeof(buf), 0);
	fprintf(stderr, "hostile: app read returned %zd (%s)\n", n,
		n < 0 ? strerror(errno) : "data");
	app_at("read f");
	close(fd);
	fd = open(path_of("f"), O_RDONLY);
	if (fd >= 0) {
		n = pread(fd, buf, sizeof(buf), 8192);
		fprintf(stderr, "hostile: app second read returned %zd (%s)\n",
			n, n < 0 ? strerror(errno) : "data");
		close(fd);
	}
	return 0;
}

static int app_writeback(void)
{
	static uint8_t buf[8192], back[8192];
	int fd, bad = 0;
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = pat(W_ID, i);
	app_at("write w");
	fd = open(path_of("w"), O_RDWR);
	if (fd < 0 || pwrite(fd, buf, sizeof(buf), 0) != sizeof(buf)) {
		finding("write of /w: %s", strerror(errno));
		return 1;
	}
	app_at("fsync w");
	if (fsync(fd))
		finding("fsync of /w: %s", strerror(errno));
	app_at("read w back");
	if (pread(fd, back, sizeof(back), 0) != sizeof(back))
		finding("read back /w: %s", strerror(errno));
	else if (memcmp(back, buf, sizeof(buf)))
		bad += check_pat(back, sizeof(back), W_ID, 0,
				 "page cache of /w after the server stored into its read-only WRITE pages");
	close(fd);
	return bad;
}

static int app_dio_write(void)
{
	size_t len = 8192, i;
	uint8_t *buf = aligned_alloc(RS_PAGE, len), *m;
	int fd, rfd, bad = 0;

	for (i = 0; i < len; i++)
		buf[i] = pat(W_ID, i);
	app_at("O_DIRECT write w from the heap");
	fd = open(path_of("w"), O_WRONLY | O_DIRECT);
	if (fd < 0 || pwrite(fd, buf, len, 0) != (ssize_t)len) {
		finding("O_DIRECT write of /w: %s", strerror(errno));
		return 1;
	}
	bad += check_pat(buf, len, W_ID, 0,
			 "the application's O_DIRECT source buffer after the write");
	app_at("O_DIRECT write w from a read-only mapping");
	rfd = open(sh->ro_path, O_RDONLY);
	m = rfd < 0 ? MAP_FAILED :
		mmap(NULL, len, PROT_READ, MAP_SHARED, rfd, 0);
	if (m == MAP_FAILED) {
		finding("map %s: %s", sh->ro_path, strerror(errno));
		return 1;
	}
	if (pwrite(fd, m, len, 0) != (ssize_t)len)
		finding("O_DIRECT write of /w from a mapping: %s",
			strerror(errno));
	bad += check_pat(m, len, W_ID, 0,
			 "a read-only root-owned file the application wrote from");
	munmap(m, len);
	close(rfd);
	close(fd);
	return bad;
}

static void fill_canary(uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 8 <= len; i += 8)
		memcpy(p + i, CANARY, 8);
}

/* Everything but [off, off+len) of @buf must still be canary. */
static int check_canary_kept(const uint8_t *buf, size_t size, size_t off,
			     size_t len, const char *what)
{
	size_t i;

	for (i = 0; i + 8 <= size; i += 8) {
		if (i + 8 > off && i < off + len)
			continue;
		if (memcmp(buf + i, CANARY, 8)) {
			finding("%s: the application's memory at buffer%+zd changed",
				what, (ssize_t)i - (ssize_t)off);
			return 1;
		}
	}
	return 0;
}

struct dio_io {
	size_t boff, len;
	uint64_t foff;
};

/* Unaligned reads and writes with canaries around the buffer. */
static int app_canary(bool write, bool odirect)
{
	static const struct dio_io ios[] = {
		{ 100, 1000, 0 }, { 4000, 1000, 8197 }, { 100, 100, 300 },
	};
	size_t size = 3 * RS_PAGE, i, k;
	uint8_t *buf = aligned_alloc(RS_PAGE, size);
	uint64_t id = write ? W_ID : F_ID;
	int fd, bad = 0;
	ssize_t n;

	fd = open(path_of(write ? "w" : "f"),
		  (write ? O_WRONLY : O_RDONLY) | (odirect ? O_DIRECT : 0));
	if (fd < 0) {
		finding("open: %s", strerror(errno));
		return 1;
	}
	for (k = 0; k < 3; k++) {
		const struct dio_io *io = &ios[k];

		fill_canary(buf, size);
		if (write)
			for (i = 0; i < io->len; i++)
				buf[io->boff + i] = pat(id, io->foff + i);
		app_at("%s %zu bytes at buffer+%zu", write ? "write" : "read",
		       io->len, io->boff);
		n = write ? pwrite(fd, buf + io->boff, io->len, io->foff) :
			    pread(fd, buf + io->boff, io->len, io->foff);
		if (n != (ssize_t)io->len) {
			finding("%s of %zu bytes returned %zd (%s)",
				write ? "write" : "read", io->len, n,
				n < 0 ? strerror(errno) : "short");
			bad++;
			continue;
		}
		bad += check_pat(buf + io->boff, io->len, id, io->foff,
				 write ? "source buffer after write" :
					 "data read");
		bad += check_canary_kept(buf, size, io->boff, io->len,
					 write ? "write" : "read");
	}
	close(fd);
	return bad;
}

static int app_dio_read(void) { return app_canary(false, true); }
static int app_dio_wr(void) { return app_canary(true, true); }
static int app_fdio_read(void) { return app_canary(false, false); }
static int app_fdio_wr(void) { return app_canary(true, false); }

/* Dirty a lot of memory and free it, so fresh pages are likely stale. */
static void churn_memory(void)
{
	size_t sz = 128 << 20;
	uint8_t *p = mmap(NULL, sz, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return;
	memset(p, 0xee, sz);
	munmap(p, sz);
}

static int app_zero(void)
{
	static uint8_t buf[1 << 20];
	int fd, bad = 0;
	ssize_t n, i;

	churn_memory();
	app_at("read z");
	fd = open(path_of("z"), O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));
	if (n != sizeof(buf))
		finding("read of /z returned %zd (%s)", n, strerror(errno));
	else
		bad += check_pat(buf, n, Z_ID, 0, "read of /z");
	close(fd);
	churn_memory();
	app_at("read n");
	fd = open(path_of("n"), O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, 65536);
	if (n != 65536) {
		finding("read of /n returned %zd (%s)", n, strerror(errno));
		bad++;
	}
	for (i = 0; i < n; i++) {
		if (buf[i]) {
			finding("a page the server never wrote reads 0x%02x at %zd, want zero (stale memory as file data)",
				buf[i], i);
			bad++;
			break;
		}
	}
	close(fd);
	return bad;
}

/* Try a call through aliased names: any result, but it must return. */
#define TRY(call) do {							\
	app_at("%s", #call);						\
	errno = 0;							\
	long r_ = (long)(call);						\
	fprintf(stderr, "hostile:   %-52s = %ld %s\n", #call, r_,	\
		r_ < 0 ? strerror(errno) : "");				\
} while (0)

static void list_dir(const char *p)
{
	DIR *d = opendir(p);

	if (!d)
		return;
	while (readdir(d))
		;
	closedir(d);
}

static int app_alias(void)
{
	struct stat st;
	int fd;

	/* The aliasing calls. */
	TRY(mkdir(path_of("d/x"), 0755));
	TRY(mkdir(path_of("d/sub/x"), 0755));
	TRY(fd = open(path_of("d/c"), O_CREAT | O_EXCL | O_RDWR, 0644));
	if (fd >= 0)
		close(fd);
	TRY(mknod(path_of("d/p"), S_IFIFO | 0644, 0));
	TRY(symlink("target", path_of("d/l")));
	TRY(link(path_of("f"), path_of("d/h")));
	/* Everything else through those names. */
	TRY(stat(path_of("d/x"), &st));
	TRY(stat(path_of("d/up/up/up/sub"), &st));
	TRY(stat(path_of("d/sub/up/sub/up"), &st));
	TRY(stat(path_of("d/sub/top/d/sub/top"), &st));
	TRY(stat(path_of("t"), &st));
	TRY(stat(path_of("t/x"), &st));
	TRY(open(path_of("t"), O_RDONLY));
	list_dir(path_of("d"));
	list_dir(path_of("d/x"));
	list_dir(path_of("t"));
	TRY(rename(path_of("d/x"), path_of("d/y")));
	TRY(rename(path_of("d/y"), path_of("e/y")));
	TRY(rename(path_of("d/sub/x"), path_of("d/x2")));
	TRY(rename(path_of("d/up"), path_of("e/up")));
	TRY(rename(path_of("d/sub/up"), path_of("d/up2")));
	TRY(rename(path_of("d"), path_of("d/x/z")));
	TRY(rename(path_of("d/c"), path_of("d/x/c")));
	TRY(rename(path_of("d/p"), path_of("d")));
	TRY(rename(path_of("e"), path_of("d/x")));
	TRY(rename(path_of("t"), path_of("t2")));
	TRY(rename(path_of("t2"), path_of("t")));
	TRY(rmdir(path_of("d/x")));
	TRY(rmdir(path_of("e/y")));
	TRY(rmdir(path_of("d/x2")));
	TRY(rmdir(path_of("e/up")));
	TRY(rmdir(path_of("d/sub/x")));
	TRY(unlink(path_of("d/c")));
	TRY(unlink(path_of("d/p")));
	TRY(unlink(path_of("d/l")));
	TRY(unlink(path_of("d/h")));
	TRY(rmdir(path_of("t")));
	TRY(unlink(path_of("t")));
	TRY(stat(path_of("d"), &st));
	TRY(stat(path_of("e"), &st));
	list_dir(path_of(""));
	return 0;
}

/* Concurrent: each process creates, writes, reads back and unlinks. */
static int app_conc_one(int p)
{
	static uint8_t buf[16384], back[16384];
	uint8_t *dbuf = aligned_alloc(RS_PAGE, sizeof(buf));
	char name[64];
	struct stat st;
	int i, fd, bad = 0;
	size_t k;

	for (i = 0; i < 20 && !bad; i++) {
		snprintf(name, sizeof(name), "c%d_%d", p, i);
		app_at("create %s", name);
		fd = open(path_of(name), O_CREAT | O_RDWR, 0644);
		if (fd < 0 || fstat(fd, &st)) {
			finding("create %s: %s", name, strerror(errno));
			return 1;
		}
		for (k = 0; k < sizeof(buf); k++)
			buf[k] = pat(st.st_ino, k);
		if (pwrite(fd, buf, sizeof(buf), 0) != sizeof(buf) || fsync(fd))
			finding("write %s: %s", name, strerror(errno)), bad++;
		if (pread(fd, back, sizeof(back), 0) != sizeof(back) ||
		    memcmp(buf, back, sizeof(buf)))
			finding("read back %s differs", name), bad++;
		close(fd);
		fd = open(path_of(name), O_RDONLY | O_DIRECT);
		if (fd < 0 || pread(fd, dbuf, sizeof(buf), 0) != sizeof(buf))
			finding("O_DIRECT read %s: %s", name, strerror(errno)), bad++;
		else
			bad += check_pat(dbuf, sizeof(buf), st.st_ino, 0,
					 "O_DIRECT read");
		close(fd);
		fd = open(path_of("f"), O_RDONLY | O_DIRECT);
		if (fd < 0 || pread(fd, dbuf, sizeof(buf), 4096 * (i % 12)) !=
		    sizeof(buf))
			finding("O_DIRECT read f: %s", strerror(errno)), bad++;
		else
			bad += check_pat(dbuf, sizeof(buf), F_ID, 4096 * (i % 12),
					 "O_DIRECT read of f");
		close(fd);
		list_dir(path_of(""));
		if (unlink(path_of(name)))
			finding("unlink %s: %s", name, strerror(errno)), bad++;
	}
	return bad;
}

static int app_concurrent(void)
{
	pid_t kids[4];
	int i, st, bad = 0;

	for (i = 0; i < 4; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			_exit(app_conc_one(i) ? 1 : 0);
	}
	for (i = 0; i < 4; i++) {
		waitpid(kids[i], &st, 0);
		bad += !WIFEXITED(st) || WEXITSTATUS(st);
	}
	return bad;
}

/* After the server's death: calls must fail, and fast. */
static int app_after_death(void)
{
	double t0 = rs_now();
	int fd;

	app_at("open f after the server died");
	fd = open(path_of("f"), O_RDONLY);
	if (fd >= 0) {
		finding("open after the server died succeeded");
		close(fd);
	}
	app_at("mkdir after the server died");
	if (!mkdir(path_of("newdir"), 0755))
		finding("mkdir after the server died succeeded");
	if (rs_now() - t0 > 10)
		finding("calls after the server died took %.1f s", rs_now() - t0);
	return 0;
}

/* The application whose request the server holds when it is killed. */
static int app_killed_server(void)
{
	static uint8_t buf[8192];
	struct stat st;
	double t0 = rs_now();
	int fd, ret = 0;

	fd = open(path_of(strcmp(sh->ro_path, "w") ? "s" : "w"), O_RDWR);
	if (!strcmp(sh->ro_path, "stall")) {
		app_at("stat stall");
		ret = stat(path_of("stall"), &st);
	} else if (!strcmp(sh->ro_path, "w")) {
		app_at("write + fsync w");
		if (fd >= 0) {
			ret = pwrite(fd, buf, sizeof(buf), 0) < 0;
			ret = ret || fsync(fd);
		}
	} else if (fd >= 0) {
		app_at("read s");
		ret = pread(fd, buf, 4096, 0) != 4096;
	}
	fprintf(stderr, "hostile: application call returned %s after %.1f s\n",
		ret ? strerror(errno) : "success", rs_now() - t0);
	app_at("close");
	if (fd >= 0)
		close(fd);
	if (!ret)
		finding("the held call succeeded although the server was killed");
	return 0;
}

/*
 * Two applications open the file first (the server still answers), then
 * the first reads (or writes and fsyncs) into the request the server
 * hangs on, and the second does the same once it hangs: it waits for the
 * page lock (or the writeback) the first request holds.
 */
static int app_stuck(void)
{
	static uint8_t buf[8192];
	bool write = !strcmp(sh->ro_path, "w");
	int role = __atomic_fetch_add(&sh->roles, 1, __ATOMIC_SEQ_CST);
	int fd = open(path_of(write ? "w" : "s"), O_RDWR);

	if (fd < 0)
		return 1;
	__atomic_fetch_add(&sh->opened, 1, __ATOMIC_SEQ_CST);
	while (role && __atomic_load_n(&sh->stage, __ATOMIC_SEQ_CST) < STAGE_HELD)
		usleep(10000);
	while (!role && __atomic_load_n(&sh->opened, __ATOMIC_SEQ_CST) < 2)
		usleep(10000);
	if (write) {
		app_at("write + fsync w");
		if (pwrite(fd, buf, sizeof(buf), 0) > 0)
			fsync(fd);
	} else {
		app_at("read s");
		if (pread(fd, buf, 4096, 0) < 0)
			return 1;
	}
	close(fd);
	return 0;
}

/* Wait up to @secs for *@p to reach @want. */
/* ---- pin-* applications: what each mode must show ---- */

/* HOSTILE_PIN: 1 pinnable pages, 2 read slots, else neither. */
static int pin_env(void)
{
	const char *v = getenv("HOSTILE_PIN");

	return v ? atoi(v) : 0;
}

static long pins_caught(void)
{
	return rs_counter(sh->conn_id, "pins_caught");
}

/* Read all of /f (64 KiB) with @flags; returns bytes read or -errno. */
static ssize_t read_f(int flags, uint8_t *buf)
{
	int fd = open(path_of("f"), O_RDONLY | flags);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pread(fd, buf, 65536, 0);
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

static int app_pin_dma_read(void)
{
	static uint8_t buf[65536];
	ssize_t n;

	app_at("read f");
	n = read_f(0, buf);
	if (!pin_mode) {
		if (n >= 0)
			finding("without VFSD_SETUP_PIN a READ page was pinned by the DMA driver");
		if (sh->pin_errno != EFAULT)
			finding("the DMA driver's pin failed with %s, want EFAULT",
				strerror(sh->pin_errno));
		return 0;
	}
	if (n != 65536) {
		finding("read of /f filled by DMA returned %zd (%s); the driver said %s",
			n, n < 0 ? strerror((int)-n) : "short",
			strerror(sh->pin_errno));
		return 1;
	}
	if (sh->pin_moved < 65536)
		finding("only %ld bytes moved by the DMA driver", sh->pin_moved);
	return check_pat(buf, 65536, F_ID, 0, "/f filled by DMA into the page cache");
}

/*
 * Write 8 KiB of /w's pattern and fsync it: 0 when fsync worked, its errno
 * when it failed, -1 (after a finding) when the write itself did not.
 */
#define PIN_W_LEN	8192
static int write_w_fsync(void)
{
	static uint8_t buf[PIN_W_LEN];
	int fd, err = 0;
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = pat(W_ID, i);
	app_at("write w");
	fd = open(path_of("w"), O_RDWR);
	if (fd < 0 || pwrite(fd, buf, sizeof(buf), 0) != sizeof(buf)) {
		finding("write of /w: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	app_at("fsync w");
	if (fsync(fd))
		err = errno;
	close(fd);
	return err;
}

static int app_pin_dma_write(void)
{
	int err = write_w_fsync();

	if (err < 0)
		return 1;
	if (!pin_mode) {
		if (!err)
			finding("without VFSD_SETUP_PIN a writeback page was pinned by the DMA driver");
		if (sh->pin_errno != EFAULT)
			finding("the DMA driver's pin failed with %s, want EFAULT",
				strerror(sh->pin_errno));
		return 0;
	}
	if (err)
		finding("fsync of /w moved by DMA: %s (driver: %s)",
			strerror(err), strerror(sh->pin_errno));
	if (sh->pin_moved < PIN_W_LEN)
		finding("only %ld bytes moved by the DMA driver", sh->pin_moved);
	return 0;
}

static int app_pin_held_read(void)
{
	static uint8_t buf[65536];
	ssize_t n;

	app_at("read f");
	n = read_f(0, buf);
	if (n != 65536) {
		finding("read of /f returned %zd (%s) after %ld READs", n,
			n < 0 ? strerror((int)-n) : "short", sh->reads);
		return 1;
	}
	if (check_pat(buf, n, F_ID, 0, "/f after a READ answered with pages still pinned"))
		return 1;
	usleep(200000);
	app_at("read f again");
	n = read_f(0, buf);
	if (n != 65536 ||
	    check_pat(buf, n, F_ID, 0, "/f from the page cache after the late DMA"))
		return 1;
	if (pin_mode) {
		if (sh->hold_errno)
			finding("could not pin a READ page: %s", strerror(sh->hold_errno));
		else if (pins_caught() < 1)
			finding("pins_caught is %ld after a READ answered while pinned",
				pins_caught());
	} else if (sh->hold_errno != EFAULT) {
		finding("without VFSD_SETUP_PIN, pinning a READ page gave %s, want EFAULT",
			strerror(sh->hold_errno));
	}
	return 0;
}

static int app_pin_held_write(void)
{
	int err = write_w_fsync();

	if (err < 0)
		return 1;
	if (!pin_mode) {
		if (err)
			finding("fsync of /w: %s", strerror(err));
		if (sh->hold_errno != EFAULT)
			finding("without VFSD_SETUP_PIN, pinning a WRITE page gave %s, want EFAULT",
				strerror(sh->hold_errno));
		return 0;
	}
	if (sh->hold_errno)
		finding("could not pin a WRITE page for reading: %s",
			strerror(sh->hold_errno));
	else if (err != EIO)
		finding("fsync after a WRITE answered while its pages were pinned returned %s, want EIO",
			err ? strerror(err) : "success");
	else if (pins_caught() < 1)
		finding("pins_caught is %ld", pins_caught());
	return 0;
}

static int app_pin_app_dio(void)
{
	uint8_t *buf;
	ssize_t n;
	int bad;

	if (posix_memalign((void **)&buf, RS_PAGE, 65536))
		return 1;
	app_at("O_DIRECT read f");
	n = read_f(O_DIRECT, buf);
	bad = n != 65536 ? 1 :
	      check_pat(buf, n, F_ID, 0, "/f read with O_DIRECT");
	if (n != 65536)
		finding("O_DIRECT read of /f returned %zd", n);
	/* EFAULT from a PFNMAP window, EEXIST for a special PTE. */
	if (!sh->dio_hold_errno)
		finding("an application's O_DIRECT page was pinned by the server");
	else
		fprintf(stderr, "hostile: pinning an O_DIRECT page: %s\n",
			strerror(sh->dio_hold_errno));
	free(buf);
	return bad;
}

static bool wait_for(const long *p, long want, double secs)
{
	double end = rs_now() + secs;

	while (__atomic_load_n(p, __ATOMIC_SEQ_CST) < want && rs_now() < end)
		usleep(10000);
	return __atomic_load_n(p, __ATOMIC_SEQ_CST) >= want;
}

/*
 * A caller killed while the server holds its LOOKUP: the server gets an
 * INTERRUPT naming it, and the entry it then answers is forgotten.
 */
static int app_interrupt(void)
{
	struct stat sb;
	long seen;
	pid_t c;
	int st;

	c = fork();
	if (c == 0)
		_exit(stat(path_of("intr"), &sb) ? 1 : 0);
	app_at("wait for the held LOOKUP");
	if (!wait_for(&sh->lookup_held, 1, 10)) {
		finding("the server never got LOOKUP intr");
		kill(c, SIGKILL);
		waitpid(c, &st, 0);
		return 1;
	}
	usleep(200000);
	app_at("kill -9 the caller of the held LOOKUP");
	kill(c, SIGKILL);
	if (!rs_wait_deadline(c, 5, &st)) {
		finding("the killed caller did not end within 5 s (state %c)",
			rs_task_state(c));
		return 1;
	}
	app_at("wait for INTERRUPT");
	seen = 0;
	for (double end = rs_now() + 5; !seen && rs_now() < end;
	     usleep(10000))
		seen = __atomic_load_n(&sh->intr_seen, __ATOMIC_SEQ_CST);
	if (!seen) {
		finding("no INTERRUPT within 5 s of kill -9 of the caller");
		return 1;
	}
	if (sh->intr_arg != VFSD_OP_LOOKUP)
		finding("INTERRUPT arg %d, want the LOOKUP opcode %d",
			sh->intr_arg, VFSD_OP_LOOKUP);
	app_at("wait for the FORGET of the late reply");
	wait_for(&sh->intr_forgets, 1, 5);
	if (sh->intr_forgets != 1)
		finding("the late LOOKUP reply got %ld FORGETs of its nodeid, want 1",
			sh->intr_forgets);
	app_at("stat f after the interrupt");
	if (stat(path_of("f"), &sb) || sb.st_size != 65536)
		finding("stat f after the interrupt failed: %s", strerror(errno));
	return 0;
}

/*
 * max_background=2, one page per READ: readahead past two unanswered
 * READs is skipped (and counted), never queued; the pages it skipped
 * still read right once the server answers.
 */
static int app_bg_cap(void)
{
	static uint8_t buf[1 << 20];
	int fz = open(path_of("z"), O_RDONLY), ff = open(path_of("f"), O_RDONLY);
	long reads, bg, thr, max;
	struct statvfs sv;
	double end;
	ssize_t n;

	if (fz < 0 || ff < 0) {
		finding("open z, f: %s", strerror(errno));
		return 1;
	}
	app_at("fadvise WILLNEED z and f");
	posix_fadvise(fz, 0, 16384, POSIX_FADV_WILLNEED);
	posix_fadvise(fz, 65536, 16384, POSIX_FADV_WILLNEED);
	posix_fadvise(fz, 131072, 16384, POSIX_FADV_WILLNEED);
	posix_fadvise(ff, 0, 16384, POSIX_FADV_WILLNEED);
	usleep(500000);
	reads = __atomic_load_n(&sh->reads, __ATOMIC_SEQ_CST);
	bg = rs_counter(sh->conn_id, "background");
	thr = rs_counter(sh->conn_id, "bg_throttled");
	max = rs_counter(sh->conn_id, "max_background");
	fprintf(stderr, "hostile: readahead held: %ld READs, background %ld of %ld, throttled %ld\n",
		reads, bg, max, thr);
	if (max != 2)
		finding("max_background reads %ld, mounted with 2", max);
	if (reads != 2)
		finding("%ld readahead READs reached the server, the limit is 2",
			reads);
	if (bg != 2)
		finding("background is %ld with 2 READs held", bg);
	if (thr < 1)
		finding("bg_throttled is %ld: no readahead was held back", thr);

	__atomic_store_n(&sh->release, 1, __ATOMIC_SEQ_CST);
	app_at("statfs (the server answers the held READs)");
	if (statvfs(app_mnt, &sv))
		finding("statfs: %s", strerror(errno));
	app_at("read z");
	n = pread(fz, buf, sizeof(buf), 0);
	if (n != (ssize_t)sizeof(buf))
		finding("read of z after held-back readahead: %zd", n);
	else
		check_pat(buf, n, Z_ID, 0, "z after held-back readahead");
	app_at("read f");
	n = pread(ff, buf, 65536, 0);
	if (n != 65536)
		finding("read of f after held-back readahead: %zd", n);
	else
		check_pat(buf, n, F_ID, 0, "f after held-back readahead");
	end = rs_now() + 2;
	while (rs_counter(sh->conn_id, "background") && rs_now() < end)
		usleep(10000);
	bg = rs_counter(sh->conn_id, "background");
	if (bg)
		finding("background is %ld after every READ was answered", bg);
	close(fz);
	close(ff);
	return 0;
}

#define AIO_N	8

/* Submit AIO_N one-page O_DIRECT reads of z one by one, then reap them. */
static int aio_reader(void)
{
	static uint8_t buf[AIO_N][RS_PAGE] __attribute__((aligned(4096)));
	struct io_event ev[AIO_N];
	struct timespec ts = { .tv_sec = 20 };
	aio_context_t ctx = 0;
	struct iocb cb[AIO_N];
	int fd, i, got = 0, bad = 0;

	fd = open(path_of("z"), O_RDONLY | O_DIRECT);
	if (fd < 0 || syscall(SYS_io_setup, AIO_N, &ctx))
		return 1;
	for (i = 0; i < AIO_N; i++) {
		struct iocb *p = &cb[i];

		memset(p, 0, sizeof(*p));
		p->aio_lio_opcode = IOCB_CMD_PREAD;
		p->aio_fildes = fd;
		p->aio_buf = (uintptr_t)buf[i];
		p->aio_nbytes = RS_PAGE;
		p->aio_offset = (int64_t)i * 8 * RS_PAGE;
		p->aio_data = i;
		if (syscall(SYS_io_submit, ctx, 1, &p) != 1)
			return 2;
	}
	while (got < AIO_N) {
		int n = syscall(SYS_io_getevents, ctx, 1, AIO_N - got, ev, &ts);

		if (n <= 0)
			return 3;
		for (i = 0; i < n; i++) {
			unsigned int k = ev[i].data;

			if (ev[i].res != RS_PAGE ||
			    check_pat(buf[k], RS_PAGE, Z_ID,
				      (uint64_t)k * 8 * RS_PAGE, "AIO read of z"))
				bad = 1;
		}
		got += n;
	}
	return bad ? 4 : 0;
}

/*
 * max_background=2, async O_DIRECT (Linux AIO) while the server holds
 * every READ: two go out asynchronously, the third submission waits in
 * its caller, pinning nothing more; all complete once answered.
 */
static int app_bg_cap_dio(void)
{
	long reads, bg, thr;
	struct statvfs sv;
	pid_t c;
	int st;

	c = fork();
	if (c == 0)
		_exit(aio_reader());
	app_at("AIO O_DIRECT reads against held READs");
	sleep(1);
	reads = __atomic_load_n(&sh->reads, __ATOMIC_SEQ_CST);
	bg = rs_counter(sh->conn_id, "background");
	thr = rs_counter(sh->conn_id, "bg_throttled");
	fprintf(stderr, "hostile: AIO held: %ld READs, background %ld, throttled %ld, submitter state %c\n",
		reads, bg, thr, rs_task_state(c));
	if (reads != 3)
		finding("%ld O_DIRECT READs reached the server, want 2 async + 1 waiting in io_submit",
			reads);
	if (bg != 2)
		finding("background is %ld with 2 async READs held", bg);
	if (thr < 1)
		finding("bg_throttled is %ld: the third AIO was not held back", thr);
	__atomic_store_n(&sh->release, 1, __ATOMIC_SEQ_CST);
	app_at("statfs (the server answers the held READs)");
	if (statvfs(app_mnt, &sv))
		finding("statfs: %s", strerror(errno));
	if (!rs_wait_deadline(c, 20, &st)) {
		finding("the AIO reader did not finish (state %c)",
			rs_task_state(c));
		kill(c, SIGKILL);
		rs_wait_deadline(c, 20, &st);
		return 1;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		finding("the AIO reader failed (status %#x)", st);
	return 0;
}

/* ---- cases ----------------------------------------------------------- */

static const struct hcase cases[] = {
	{ "fork-enter", prep_fork_enter, app_read_small, HC_PROBE,
	  "ENTER from a forked child (no window) is EPERM" },
	{ "fork-complete", NULL, app_read_small, HC_PROBE,
	  "a READ completed by a forked child: the parent's page is gone, the app's data unchanged" },
	{ "mremap-fixed", prep_mremap, app_read_small, HC_PROBE,
	  "mremap(MAYMOVE|FIXED) is EINVAL; READs work and pages go after completion" },
	{ "mremap-shrink", prep_mremap, app_read_small, HC_PROBE,
	  "mremap shrink fails or is harmless" },
	{ "mremap-grow", prep_mremap, app_read_small, HC_PROBE,
	  "mremap grow fails or is harmless" },
	{ "munmap-part", prep_mremap, app_read_small, HC_PROBE,
	  "munmap of one window page fails or is harmless" },
	{ "mmap-twice", prep_mremap, app_read_small, HC_PROBE,
	  "a second mmap of the window fails or is zapped as well" },
	{ "madvise-dofork", prep_mremap, app_read_small, 0,
	  "MADV_DOFORK then fork: the child's window copy loses a completed READ's page too" },
	{ "munmap-inflight", NULL, app_read_any, 0,
	  "munmap of the whole window under a READ: the app gets data or an error" },
	{ "inval-locked-page", NULL, app_read_any, 0,
	  "INVAL_INODE from a server thread while its own READ holds the page lock returns" },
	{ "mprotect", prep_mprotect, app_read_small, HC_PROBE,
	  "mprotect/pkey_mprotect of the window are EACCES" },
	{ "ro-writeback", NULL, app_writeback, 0,
	  "writeback pages are read-only: a store SIGBUSes, the page cache is unchanged" },
	{ "ro-dio-write", NULL, app_dio_write, 0,
	  "O_DIRECT source pages are read-only, even those of a 0444 file" },
	{ "dio-unaligned-read", NULL, app_dio_read, 0,
	  "O_DIRECT read into an unaligned buffer shows only its bytes" },
	{ "dio-unaligned-write", NULL, app_dio_wr, 0,
	  "O_DIRECT write from an unaligned buffer shows only its bytes" },
	{ "forced-dio-read", NULL, app_fdio_read, 0,
	  "server-forced DIRECT_IO maps no application pages (read)" },
	{ "forced-dio-write", NULL, app_fdio_wr, 0,
	  "server-forced DIRECT_IO maps no application pages (write)" },
	{ "zero-pages", NULL, app_zero, 0,
	  "fresh READ pages are zero; a page the server never writes reads as zero" },
	{ "concurrent", NULL, app_concurrent, HC_CONC,
	  "4 threads + 2 CLONE_VM processes serve 2 queues; a forked one is refused" },
	{ "kill-before-setup", NULL, NULL, HC_KILL, "kill -9 after open" },
	{ "kill-after-setup", NULL, NULL, HC_KILL, "kill -9 after SETUP and mmap" },
	{ "kill-after-mount", NULL, app_after_death, HC_KILL, "kill -9 after mount, idle" },
	{ "kill-fd-kept", NULL, app_after_death, HC_KILL,
	  "kill -9 of the window's owner while a forked child keeps the fd: calls fail within request_timeout" },
	{ "kill-posted", NULL, app_killed_server, HC_KILL, "kill -9 with a LOOKUP posted" },
	{ "kill-mapped", NULL, app_killed_server, HC_KILL, "kill -9 with READ pages mapped" },
	{ "kill-dma", NULL, app_killed_server, HC_KILL, "kill -9 with READ pages DMA-mapped" },
	{ "kill-writeback", NULL, app_killed_server, HC_KILL, "kill -9 with WRITE pages mapped during fsync" },
	{ "stuck-read", NULL, app_stuck, HC_STUCK,
	  "a server that never answers a READ: kill -9 of the reader and of a second reader of the page works, umount -f ends it" },
	{ "stuck-write", NULL, app_stuck, HC_STUCK,
	  "a server that never answers writeback: kill -9 of the task in fsync works, umount -f ends it" },
	{ "interrupt", NULL, app_interrupt, 0,
	  "kill -9 of a caller whose LOOKUP the server holds: an INTERRUPT names it, the late reply is forgotten" },
	{ "bg-cap", NULL, app_bg_cap, 0,
	  "max_background=2: readahead past two unanswered READs is skipped, not queued; the data reads right" },
	{ "bg-cap-dio", NULL, app_bg_cap_dio, 0,
	  "max_background=2: a third async O_DIRECT read waits in io_submit, pinning nothing more; all complete" },
	{ "pin-dma-read", NULL, app_pin_dma_read, 0,
	  "READ filled by a DMA driver pinning the window (stand-in): page cache right; EFAULT without VFSD_SETUP_PIN" },
	{ "pin-dma-write", NULL, app_pin_dma_write, 0,
	  "writeback moved by a DMA driver pinning the window: on the card; EFAULT without VFSD_SETUP_PIN" },
	{ "pin-held-read", NULL, app_pin_held_read, 0,
	  "a READ answered while its pages are pinned, then scribbled on by a late DMA, never becomes file data" },
	{ "pin-held-write", NULL, app_pin_held_write, 0,
	  "a WRITE answered while its pages are pinned fails with EIO; WRITE pages cannot be pinned for writing" },
	{ "pin-app-dio", NULL, app_pin_app_dio, 0,
	  "an application's O_DIRECT pages cannot be pinned, in either mode" },
	{ "alias-mkdir-parent", NULL, app_alias, HC_ALIAS, "MKDIR answers the parent's nodeid" },
	{ "alias-mkdir-root", NULL, app_alias, HC_ALIAS, "MKDIR answers VFSD_ROOT_ID" },
	{ "alias-mkdir-sibling", NULL, app_alias, HC_ALIAS, "MKDIR answers a sibling dir's nodeid" },
	{ "alias-mkdir-ancestor", NULL, app_alias, HC_ALIAS, "MKDIR answers the grandparent's nodeid" },
	{ "alias-create-file", NULL, app_alias, HC_ALIAS, "CREATE/MKNOD answer another file's nodeid" },
	{ "alias-create-dir", NULL, app_alias, HC_ALIAS, "CREATE/MKNOD answer a dir's nodeid typed as a file" },
	{ "alias-mknod", NULL, app_alias, HC_ALIAS, "MKNOD answers a dir's nodeid typed as a fifo" },
	{ "alias-symlink", NULL, app_alias, HC_ALIAS, "SYMLINK answers the parent's nodeid typed as a link" },
	{ "alias-link", NULL, app_alias, HC_ALIAS, "LINK answers a dir's nodeid" },
	{ "alias-lookup-self", NULL, app_alias, HC_ALIAS, "d/up resolves to d" },
	{ "alias-lookup-ancestor", NULL, app_alias, HC_ALIAS, "d/sub/up resolves to d" },
	{ "alias-lookup-root", NULL, app_alias, HC_ALIAS, "d/sub/top resolves to the root" },
	{ "type-flip", NULL, app_alias, HC_ALIAS, "/t flips between dir and file on every reply" },
	{ NULL, NULL, NULL, 0, NULL },
};

/* ---- main ------------------------------------------------------------ */

static pid_t server_pid, app_pid;
static const char *mountpoint;

static void cleanup(void)
{
	if (app_pid > 0)
		kill(app_pid, SIGKILL);
	if (server_pid > 0)
		kill(server_pid, SIGKILL);
	if (mountpoint)
		umount2(mountpoint, MNT_DETACH);
}

static bool wait_stage(int stage, double secs)
{
	double end = rs_now() + secs;
	int st;

	while (__atomic_load_n(&sh->stage, __ATOMIC_SEQ_CST) < stage) {
		if (waitpid(server_pid, &st, WNOHANG) == server_pid) {
			fprintf(stderr, "hostile: the server ended early (%s %d)\n",
				WIFSIGNALED(st) ? "signal" : "exit",
				WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
			server_pid = 0;
			return false;
		}
		if (rs_now() > end)
			return false;
		usleep(20000);
	}
	return true;
}

static char ro_tmp[] = "/tmp/hostile-ro.XXXXXX";

static void make_ro_file(void)
{
	uint8_t buf[8192];
	size_t i;
	int fd = mkstemp(ro_tmp);

	if (fd < 0)
		die("mkstemp");
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = pat(W_ID, i);
	if (write(fd, buf, sizeof(buf)) != sizeof(buf))
		die("write ro file");
	fchown(fd, 0, 0);
	fchmod(fd, 0444);
	close(fd);
	snprintf(sh->ro_path, sizeof(sh->ro_path), "%s", ro_tmp);
}

static void check_ro_file(void)
{
	uint8_t buf[8192];
	int fd = open(ro_tmp, O_RDONLY);

	if (fd < 0 || read(fd, buf, sizeof(buf)) != sizeof(buf))
		finding("cannot read back %s", ro_tmp);
	else
		check_pat(buf, sizeof(buf), W_ID, 0,
			  "the 0444 file after the server had its pages");
	close(fd);
	unlink(ro_tmp);
}

/* Run the application with a deadline; a stuck one is a finding. */
static void run_app(const struct hcase *hc, const char *mnt, double secs)
{
	double t0 = rs_now();
	int st;

	app_pid = fork();
	if (app_pid < 0)
		die("fork");
	if (app_pid == 0) {
		app_mnt = mnt;
		_exit(hc->app() ? 1 : 0);
	}
	if (!rs_wait_deadline(app_pid, secs, &st)) {
		char state = rs_task_state(app_pid);

		finding("application stuck for %.0f s in '%s' (state %c%s)",
			secs, sh->app_op, state,
			state == 'D' ? ": uninterruptible, the attack hangs tasks" : "");
		rs_dump_task(app_pid);
		if (sh->conn_id)
			rs_abort_conn(sh->conn_id);
		kill(app_pid, SIGKILL);
		if (!rs_wait_deadline(app_pid, 20, &st)) {
			finding("application unkillable after abort (state %c)",
				rs_task_state(app_pid));
			rs_dump_task(app_pid);
			app_pid = 0;	/* do not wait for it */
			return;
		}
	} else if (WIFSIGNALED(st)) {
		finding("application killed by signal %d in '%s'",
			WTERMSIG(st), sh->app_op);
	}
	fprintf(stderr, "hostile: application done in %.1f s\n", rs_now() - t0);
	app_pid = 0;
}

static int run_kill(const struct hcase *hc, const char *mnt)
{
	int st;

	if (!strcmp(hc->name, "kill-posted"))
		snprintf(sh->ro_path, sizeof(sh->ro_path), "stall");
	else if (!strcmp(hc->name, "kill-writeback"))
		snprintf(sh->ro_path, sizeof(sh->ro_path), "w");
	else
		sh->ro_path[0] = 0;
	if (hc->app && strcmp(hc->name, "kill-after-mount") &&
	    strcmp(hc->name, "kill-fd-kept")) {
		/* The application runs into the held request. */
		if (!wait_stage(STAGE_READY, 30))
			return finding("server did not start"), 1;
		app_pid = fork();
		if (app_pid == 0) {
			app_mnt = mnt;
			_exit(hc->app() ? 1 : 0);
		}
	}
	if (!wait_stage(STAGE_HELD, 60)) {
		finding("server never reached the stage to kill it at");
		return 1;
	}
	if (server_pid > 0) {
		kill(server_pid, SIGKILL);
		waitpid(server_pid, &st, 0);
	}
	server_pid = 0;
	if (app_pid > 0) {
		pid_t p = app_pid;

		app_pid = 0;
		if (!rs_wait_deadline(p, 15, &st)) {
			finding("application still waiting 15 s after kill -9 of the server in '%s' (state %c)",
				sh->app_op, rs_task_state(p));
			rs_dump_task(p);
			kill(p, SIGKILL);
			rs_wait_deadline(p, 15, &st);
		}
	}
	if (!strcmp(hc->name, "kill-after-mount") ||
	    !strcmp(hc->name, "kill-fd-kept"))
		run_app(hc, mnt, 30);
	if (sh->holder > 0) {
		kill(sh->holder, SIGKILL);
		waitpid(sh->holder, &st, 0);
	}
	return 0;
}

/* kill -9 of @pid must end it within a bounded time. */
static void kill_bounded(pid_t pid, const char *who)
{
	int st;

	kill(pid, SIGKILL);
	if (rs_wait_deadline(pid, 15, &st))
		return;
	finding("%s still alive 15 s after kill -9 while the server hangs (state %c%s)",
		who, rs_task_state(pid),
		rs_task_state(pid) == 'D' ? ": an unkillable wait" : "");
	rs_dump_task(pid);
}

/*
 * The server hangs on a READ (or writeback WRITE) and stays alive: the
 * waiting applications must die on kill -9, and umount -f must end the
 * connection, each within a bounded time.
 */
static int run_stuck(const struct hcase *hc, const char *mnt)
{
	pid_t a, b, u;
	int st;

	snprintf(sh->ro_path, sizeof(sh->ro_path), "%s",
		 strcmp(hc->name, "stuck-write") ? "" : "w");
	if (!wait_stage(STAGE_READY, 30))
		return finding("server did not start"), 1;
	app_mnt = mnt;
	a = fork();
	if (a == 0)
		_exit(hc->app());
	/* A second task that needs the same page (or waits for writeback). */
	b = fork();
	if (b == 0)
		_exit(hc->app());
	if (!wait_stage(STAGE_HELD, 60)) {
		finding("server never got the request to hang on");
		kill(a, SIGKILL);
		kill(b, SIGKILL);
		return 1;
	}
	sleep(2);
	kill_bounded(a, "the application waiting for the server");
	kill_bounded(b, "a second application waiting for the same page");
	u = fork();
	if (u == 0)
		_exit(umount2(mnt, MNT_FORCE) ? errno : 0);
	if (!rs_wait_deadline(u, 20, &st)) {
		finding("umount -f of a hung server's mount took more than 20 s (state %c)",
			rs_task_state(u));
		rs_dump_task(u);
		rs_abort_conn(sh->conn_id);
		rs_wait_deadline(u, 20, &st);
	} else if (WEXITSTATUS(st)) {
		fprintf(stderr, "hostile: umount -f: %s\n",
			strerror(WEXITSTATUS(st)));
	}
	/* umount -f may leave the mount (busy): end the connection now. */
	if (sh->conn_id)
		rs_abort_conn(sh->conn_id);
	if (server_pid > 0) {
		kill(server_pid, SIGKILL);
		waitpid(server_pid, &st, 0);
	}
	server_pid = 0;
	return 0;
}

int main(int argc, char **argv)
{
	const struct hcase *c;
	struct hs *h;
	int st, i;
	pid_t pid;

	if (argc == 2 && !strcmp(argv[1], "list")) {
		for (c = cases; c->name; c++)
			printf("%s\n", c->name);
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: hostile CASE|list MOUNTPOINT\n");
		return 2;
	}
	for (c = cases; c->name && strcmp(c->name, argv[1]); c++)
		;
	if (!c->name) {
		fprintf(stderr, "hostile: unknown case %s\n", argv[1]);
		return 2;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	h = calloc(1, sizeof(*h));
	if (sh == MAP_FAILED || !h)
		die("alloc");
	sh->pci_dev = rs_some_pci_dev();
	pin_mode = pin_env() == 1;
	slots_mode = pin_env() == 2;
	h->hc = c;
	h->mnt = argv[2];
	if (!strcmp(c->name, "ro-dio-write"))
		make_ro_file();
	atexit(cleanup);

	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		_exit(server_main(h));
	server_pid = pid;
	mountpoint = h->mnt;
	if (c->flags & HC_KILL) {
		run_kill(c, h->mnt);
	} else if (c->flags & HC_STUCK) {
		run_stuck(c, h->mnt);
	} else if (!wait_stage(STAGE_READY, 30)) {
		fprintf(stderr, "hostile: %s: server failed to start\n", c->name);
		return 2;
	} else {
		run_app(c, h->mnt, (c->flags & HC_CONC) ? 4 * APP_SECS : APP_SECS);
	}
	if (!strcmp(c->name, "ro-dio-write"))
		check_ro_file();

	if (strstr(c->name, "setup")) {
		mountpoint = NULL;
	} else {
		for (i = 0; i < 50 && umount2(h->mnt, 0) && errno != EINVAL; i++)
			usleep(100000);
		if (i == 50)
			finding("umount after the case: %s", strerror(errno));
		else
			mountpoint = NULL;
	}
	if (server_pid > 0) {
		if (!rs_wait_deadline(server_pid, 20, &st)) {
			finding("server did not end after umount");
			kill(server_pid, SIGKILL);
			waitpid(server_pid, &st, 0);
		} else if (WIFSIGNALED(st)) {
			finding("server killed by signal %d (a probe it did not expect?)",
				WTERMSIG(st));
		}
		server_pid = 0;
	}
	if (sh->fails) {
		for (i = 0; i < sh->nmsg && i < 24; i++)
			printf("FAIL %s: %s\n", c->name, sh->msg[i]);
		return 1;
	}
	printf("ok %s%s: %s (reads %ld, writes %ld", c->name,
	       pin_mode ? " (VFSD_SETUP_PIN)" :
	       slots_mode ? " (VFSD_SETUP_READ_SLOTS)" : "", c->what,
	       sh->reads, sh->writes);
	if (slots_mode)
		printf(", %ld in read slots", sh->slot_reads);
	printf(")\n");
	return 0;
}
