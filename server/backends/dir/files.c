// SPDX-License-Identifier: MIT
/* The dir backend's file handle table; see backends/dir/files.h. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "backends/dir/files.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct dir_file **files;	/* by slot; NULL: free */
static uint32_t *gens;		/* generation of each slot */
static uint32_t nslots, cap;
static uint32_t *free_slots;
static uint32_t nfree;

#define NO_SLOT	UINT32_MAX

struct dir_file *dir_file_wrap(int fd, int host_flags)
{
	struct dir_file *f = malloc(sizeof(*f));

	if (!f) {
		close(fd);
		return NULL;
	}
	f->fd = fd;
	f->flags = host_flags & O_ACCMODE;
	f->refs = 1;
	f->slot = NO_SLOT;
	f->direct_fd = DIR_DIRECT_UNTRIED;
	f->dio_mem_align = 0;
	f->dio_off_align = 0;
	return f;
}

static int grow(void)
{
	uint32_t ncap = cap ? cap * 2 : 64;
	void *a = realloc(files, ncap * sizeof(*files));

	if (!a)
		return -ENOMEM;
	files = a;
	a = realloc(gens, ncap * sizeof(*gens));
	if (!a)
		return -ENOMEM;
	gens = a;
	a = realloc(free_slots, ncap * sizeof(*free_slots));
	if (!a)
		return -ENOMEM;
	free_slots = a;
	cap = ncap;
	return 0;
}

uint64_t dir_file_publish(struct dir_file *f)
{
	uint32_t slot;
	uint64_t fh = 0;

	pthread_mutex_lock(&lock);
	if (nfree) {
		slot = free_slots[--nfree];
	} else if (nslots < cap || grow() == 0) {
		slot = nslots++;
		gens[slot] = 0;
	} else {
		goto out;
	}
	files[slot] = f;
	f->slot = slot;
	fh = (uint64_t)++gens[slot] << 32 | (slot + 1);
out:
	pthread_mutex_unlock(&lock);
	if (!fh)
		dir_file_put(f);
	return fh;
}

/* The slot of fh if it names a live file; lock held. */
static struct dir_file *lookup(uint64_t fh)
{
	uint32_t slot = (uint32_t)fh - 1;

	if ((uint32_t)fh == 0 || slot >= nslots || !files[slot] ||
	    gens[slot] != (uint32_t)(fh >> 32))
		return NULL;
	return files[slot];
}

struct dir_file *dir_file_get(uint64_t fh)
{
	struct dir_file *f;

	pthread_mutex_lock(&lock);
	f = lookup(fh);
	if (f)
		__atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&lock);
	return f;
}

void dir_file_put(struct dir_file *f)
{
	if (!f || __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL))
		return;
	close(f->fd);
	if (f->direct_fd >= 0)
		close(f->direct_fd);
	free(f);
}

void dir_file_unpublish(uint64_t fh)
{
	struct dir_file *f;

	pthread_mutex_lock(&lock);
	f = lookup(fh);
	if (f) {
		files[f->slot] = NULL;
		free_slots[nfree++] = f->slot;
	}
	pthread_mutex_unlock(&lock);
	dir_file_put(f);	/* the table's ref */
}
