/* SPDX-License-Identifier: MIT */
/*
 * A fake vfsd kernel for one queue, in the test process: it lays out the
 * ring region exactly as VFSD_IOC_SETUP does (kmod/conn.c), posts SQEs
 * with their inline payloads, runs the library's queue step in place of
 * VFSD_IOC_ENTER, and consumes the CQEs. The window is PROT_NONE except
 * for the pages of live READ/WRITE requests, as with the real module
 * (which raises SIGBUS there), so a stray access crashes the test.
 */
#ifndef VFSD_TESTS_FAKE_KERNEL_H
#define VFSD_TESTS_FAKE_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "vfsd_i.h"

#define FK_WINDOW_SIZE	(64u << 10)

struct fk_live {
	uint64_t id;
	bool window;		/* holds a window range */
	uint32_t win_off;
	uint32_t len;
};

struct fake_kernel {
	struct vfsd_setup setup;
	char *ring;
	char *window;
	struct vfsd_ring_hdr *hdr;
	struct vfsd_sqe *sq;
	struct vfsd_cqe *cq;
	uint32_t sq_tail;	/* the kernel's own copies */
	uint32_t cq_head;
	uint64_t seq;
	struct fk_live live[VFSD_MAX_DEPTH];	/* by tag; id 0 = free */
	struct vfsd_session *s;
	struct vfsd_queue *q;
};

enum fk_layout {
	FK_LAYOUT_KERNEL,	/* header, SQ, CQ, inline slots */
	FK_LAYOUT_SHUFFLED,	/* header, inline slots, CQ, SQ */
};

/* start: the initial value of all four ring indices (test wrap-around). */
void fk_init(struct fake_kernel *k, struct vfsd_session *s, uint32_t depth,
	     uint32_t start, enum fk_layout layout);
void fk_fini(struct fake_kernel *k);

/* A zeroed SQE for opcode/nodeid with a plausible caller. */
struct vfsd_sqe fk_sqe(uint8_t opcode, uint64_t nodeid);

/*
 * Post a request: takes the lowest free tag (or VFSD_TAG_NONE when
 * noreply), copies payload into its slot, sets sqe.len = plen when
 * payload is given. READ/WRITE get window pages. Returns the id.
 */
uint64_t fk_post(struct fake_kernel *k, struct vfsd_sqe *sqe,
		 const void *payload, uint32_t plen, bool noreply);
/* Post sqe exactly as given, tag and id included (malformed requests). */
void fk_post_raw(struct fake_kernel *k, const struct vfsd_sqe *sqe);
/* Consume one CQE without the tag bookkeeping of fk_reap(). */
bool fk_reap_raw(struct fake_kernel *k, struct vfsd_cqe *cqe);
/* Read or fill window bytes as the kernel would (it owns the pages). */
void fk_window_peek(struct fake_kernel *k, uint32_t off, void *out,
		    uint32_t len);
void fk_window_poke(struct fake_kernel *k, uint32_t off, const void *in,
		    uint32_t len);
/* The library's half of VFSD_IOC_ENTER: process the SQ, then let an
 * asynchronous backend (ops.batch_end) finish all its I/O. */
int fk_run(struct fake_kernel *k);
/* Consume one CQE if there is one; its tag's slot stays readable until
 * the next fk_post. Returns false when the CQ is empty. */
bool fk_reap(struct fake_kernel *k, struct vfsd_cqe *cqe, uint16_t *tag);
const void *fk_slot(struct fake_kernel *k, uint16_t tag);
/* CQEs the library posted that the kernel has not consumed. */
uint32_t fk_pending(struct fake_kernel *k);

/*
 * One round trip: post, run, reap exactly one completion for it (fails
 * the test otherwise), copy up to outsz reply bytes. Returns the result.
 */
int32_t fk_call(struct fake_kernel *k, struct vfsd_sqe *sqe,
		const void *payload, uint32_t plen, void *out, size_t outsz);
/* Same for a no-reply request: asserts no completion. */
void fk_call_noreply(struct fake_kernel *k, struct vfsd_sqe *sqe);

/* libvfsd log capture: the last message, and how many were logged. */
void fk_log_capture(void);
extern char fk_last_log[512];
extern int fk_log_count;

#endif /* VFSD_TESTS_FAKE_KERNEL_H */
