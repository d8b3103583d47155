// SPDX-License-Identifier: MIT
/* The fake kernel of the unit tests; see fake_kernel.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_kernel.h"

#define PAGE		4096u
#define PAGE_ALIGN(x)	(((x) + PAGE - 1) & ~(PAGE - 1))

char fk_last_log[512];
int fk_log_count;

static void capture(enum vfsd_log_level level, const char *fmt, va_list ap)
{
	(void)level;
	vsnprintf(fk_last_log, sizeof(fk_last_log), fmt, ap);
	fk_log_count++;
}

void fk_log_capture(void)
{
	fk_last_log[0] = '\0';
	fk_log_count = 0;
	vfsd_set_log_func(capture);
}

static void layout(struct vfsd_setup *st, uint32_t depth, enum fk_layout l)
{
	uint32_t off = sizeof(struct vfsd_ring_hdr);

	memset(st, 0, sizeof(*st));
	st->abi_version = VFSD_ABI_VERSION;
	st->nr_queues = 1;
	st->depth = depth;
	st->window_size = FK_WINDOW_SIZE;
	st->max_io = FK_WINDOW_SIZE / 2;	/* as the module */
	st->inline_size = VFSD_INLINE_SIZE;
	if (l == FK_LAYOUT_KERNEL) {
		st->sqe_off = off;
		off += depth * sizeof(struct vfsd_sqe);
		st->cqe_off = off;
		off += depth * sizeof(struct vfsd_cqe);
		off = PAGE_ALIGN(off);
		st->inline_off = off;
		off += depth * VFSD_INLINE_SIZE;
	} else {
		off = PAGE;
		st->inline_off = off;
		off += depth * VFSD_INLINE_SIZE;
		st->cqe_off = off;
		off += depth * sizeof(struct vfsd_cqe);
		st->sqe_off = off;
		off += depth * sizeof(struct vfsd_sqe);
	}
	st->ring_size = PAGE_ALIGN(off);
}

void fk_init(struct fake_kernel *k, struct vfsd_session *s, uint32_t depth,
	     uint32_t start, enum fk_layout l)
{
	void *rings[1], *windows[1];

	memset(k, 0, sizeof(*k));
	layout(&k->setup, depth, l);
	k->ring = mmap(NULL, k->setup.ring_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	k->window = mmap(NULL, FK_WINDOW_SIZE, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(k->ring != MAP_FAILED && k->window != MAP_FAILED);
	/* Stale garbage in the slots, so nothing relies on zeroed memory. */
	memset(k->ring + k->setup.inline_off, 0x5a,
	       (size_t)depth * k->setup.inline_size);
	k->hdr = (struct vfsd_ring_hdr *)k->ring;
	k->sq = (struct vfsd_sqe *)(k->ring + k->setup.sqe_off);
	k->cq = (struct vfsd_cqe *)(k->ring + k->setup.cqe_off);
	k->hdr->depth = depth;
	k->hdr->mask = depth - 1;
	k->hdr->sq_head = k->hdr->sq_tail = start;
	k->hdr->cq_head = k->hdr->cq_tail = start;
	k->sq_tail = k->cq_head = start;

	k->s = s;
	rings[0] = k->ring;
	windows[0] = k->window;
	assert_int_equal(vfsd_session_attach(s, &k->setup, rings, windows), 0);
	k->q = &s->queues[0];
}

void fk_fini(struct fake_kernel *k)
{
	vfsd_session_detach(k->s);
	munmap(k->ring, k->setup.ring_size);
	munmap(k->window, FK_WINDOW_SIZE);
}

struct vfsd_sqe fk_sqe(uint8_t opcode, uint64_t nodeid)
{
	struct vfsd_sqe sqe;

	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = opcode;
	sqe.nodeid = nodeid;
	sqe.uid = 1000;
	sqe.gid = 100;
	sqe.pid = 4242;
	return sqe;
}

static void window_access(struct fake_kernel *k, uint32_t off, uint32_t len,
			  int prot)
{
	uint32_t start = off & ~(PAGE - 1);

	if (len)
		assert_int_equal(mprotect(k->window + start,
					  PAGE_ALIGN(off + len) - start, prot), 0);
}

uint64_t fk_post(struct fake_kernel *k, struct vfsd_sqe *sqe,
		 const void *payload, uint32_t plen, bool noreply)
{
	uint32_t depth = k->setup.depth;
	uint16_t tag = VFSD_TAG_NONE;

	assert_true(k->sq_tail - __atomic_load_n(&k->hdr->sq_head,
						 __ATOMIC_ACQUIRE) < depth);
	if (!noreply) {
		for (tag = 0; tag < depth && k->live[tag].id; tag++)
			;
		assert_true(tag < depth);
	}
	sqe->tag = tag;
	sqe->id = (++k->seq << 16) | tag;
	if (!noreply) {
		k->live[tag].id = sqe->id;
		if (payload) {
			memcpy(k->ring + k->setup.inline_off +
			       (size_t)tag * k->setup.inline_size, payload, plen);
			sqe->len = plen;
		}
		/* Malformed ranges (tests of refusal) get no pages at all. */
		if ((sqe->opcode == VFSD_OP_READ || sqe->opcode == VFSD_OP_WRITE) &&
		    (uint64_t)sqe->win_off + sqe->len <= FK_WINDOW_SIZE) {
			k->live[tag].window = true;
			k->live[tag].win_off = sqe->win_off;
			k->live[tag].len = sqe->len;
			window_access(k, sqe->win_off, sqe->len,
				      sqe->opcode == VFSD_OP_READ ?
				      PROT_READ | PROT_WRITE : PROT_READ);
		}
	}
	k->sq[k->sq_tail & (depth - 1)] = *sqe;
	k->sq_tail++;
	__atomic_store_n(&k->hdr->sq_tail, k->sq_tail, __ATOMIC_RELEASE);
	return sqe->id;
}

void fk_post_raw(struct fake_kernel *k, const struct vfsd_sqe *sqe)
{
	k->sq[k->sq_tail & (k->setup.depth - 1)] = *sqe;
	k->sq_tail++;
	__atomic_store_n(&k->hdr->sq_tail, k->sq_tail, __ATOMIC_RELEASE);
}

bool fk_reap_raw(struct fake_kernel *k, struct vfsd_cqe *cqe)
{
	if (fk_pending(k) == 0)
		return false;
	*cqe = k->cq[k->cq_head & (k->setup.depth - 1)];
	k->cq_head++;
	__atomic_store_n(&k->hdr->cq_head, k->cq_head, __ATOMIC_RELEASE);
	return true;
}

void fk_window_peek(struct fake_kernel *k, uint32_t off, void *out,
		    uint32_t len)
{
	window_access(k, off, len, PROT_READ);
	memcpy(out, k->window + off, len);
	window_access(k, off, len, PROT_NONE);
}

void fk_window_poke(struct fake_kernel *k, uint32_t off, const void *in,
		    uint32_t len)
{
	window_access(k, off, len, PROT_READ | PROT_WRITE);
	memcpy(k->window + off, in, len);
	window_access(k, off, len, PROT_NONE);
}

int fk_run(struct fake_kernel *k)
{
	int n = vfsd_queue_process(k->q);

	/* As the queue thread: an async backend finishes its I/O first. */
	while (vfsd_queue_batch_end(k->q, true) > 0)
		;
	return n;
}

uint32_t fk_pending(struct fake_kernel *k)
{
	return __atomic_load_n(&k->hdr->cq_tail, __ATOMIC_ACQUIRE) - k->cq_head;
}

bool fk_reap(struct fake_kernel *k, struct vfsd_cqe *cqe, uint16_t *tag)
{
	uint32_t tail = __atomic_load_n(&k->hdr->cq_tail, __ATOMIC_ACQUIRE);
	uint16_t t;

	if (tail == k->cq_head)
		return false;
	assert_true(tail - k->cq_head <= k->setup.depth);
	*cqe = k->cq[k->cq_head & (k->setup.depth - 1)];
	k->cq_head++;
	__atomic_store_n(&k->hdr->cq_head, k->cq_head, __ATOMIC_RELEASE);
	assert_int_equal(cqe->flags, 0);

	/* As the module: the tag is the id's low 16 bits, checked. */
	t = cqe->id & 0xffff;
	assert_true(t < k->setup.depth);
	assert_true(k->live[t].id == cqe->id);
	if (k->live[t].window) {
		window_access(k, k->live[t].win_off, k->live[t].len, PROT_NONE);
		k->live[t].window = false;
	}
	k->live[t].id = 0;
	if (tag)
		*tag = t;
	return true;
}

const void *fk_slot(struct fake_kernel *k, uint16_t tag)
{
	return k->ring + k->setup.inline_off + (size_t)tag * k->setup.inline_size;
}

int32_t fk_call(struct fake_kernel *k, struct vfsd_sqe *sqe,
		const void *payload, uint32_t plen, void *out, size_t outsz)
{
	struct vfsd_cqe cqe;
	uint64_t id = fk_post(k, sqe, payload, plen, false);
	uint16_t tag;

	assert_int_equal(fk_run(k), 1);
	assert_true(fk_reap(k, &cqe, &tag));
	assert_true(cqe.id == id);
	assert_false(fk_reap(k, &cqe, &tag) && "one completion per request");
	if (out)
		memcpy(out, fk_slot(k, tag), outsz);
	return cqe.result;
}

void fk_call_noreply(struct fake_kernel *k, struct vfsd_sqe *sqe)
{
	struct vfsd_cqe cqe;

	fk_post(k, sqe, NULL, 0, true);
	assert_int_equal(fk_run(k), 1);
	assert_false(fk_reap(k, &cqe, NULL));
}
