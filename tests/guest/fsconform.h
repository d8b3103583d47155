// SPDX-License-Identifier: GPL-2.0
/*
 * fsconform's shared pieces: options, reporting, file helpers, and the
 * check groups (fsconform-ns.c: names; fsconform-attr.c: attributes;
 * fsconform-data.c: data paths).
 */
#ifndef FSCONFORM_H
#define FSCONFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define PAGE 4096

struct fsconform_opts {
	bool no_rename_flags, no_xattr, no_fallocate, no_odirect, keep;
	bool no_search_check;
	const char *xdev;
	const char *only;
};
extern struct fsconform_opts opt;
extern int n_ok, n_fail, n_skip;

/* Reporting: one line per check. */
void ok(const char *name);
void skipped(const char *name, const char *why);
__attribute__((format(printf, 2, 3)))
bool failf(const char *name, const char *fmt, ...);
const char *ename(int e);
bool expect_err(const char *name, long rc, int err);
bool expect_ok(const char *name, long rc);

/* CHECK(name, cond, fmt, ...): one reported check; evaluates to cond. */
#define CHECK(name, cond, ...) \
	((cond) ? (ok(name), true) : failf(name, __VA_ARGS__))

/*
 * TRY(name, expr): a step the rest of the group depends on; a negative
 * result reports a failure and leaves the group.
 */
#define TRY(name, expr) do { \
	if ((long)(expr) < 0) { \
		failf(name, "%s: %s", #expr, strerror(errno)); \
		return; \
	} \
} while (0)

/* File helpers. */
void fill(unsigned char *buf, size_t len, unsigned int seed);
ssize_t pwrite_all(int fd, const void *buf, size_t len, off_t off);
ssize_t pread_all(int fd, void *buf, size_t len, off_t off);
int put_file(int dfd, const char *name, const void *buf, size_t len,
	     mode_t mode);
long first_diff_fd(int fd, const unsigned char *want, size_t len);
long first_diff(int dfd, const char *name, const unsigned char *want,
		size_t len);
bool check_content(const char *name, int dfd, const char *file,
		   const void *want, size_t len);
bool all_zero(const unsigned char *p, size_t len, size_t *at);
off_t size_of(int dfd, const char *name);
bool exists(int dfd, const char *name);
bool dir_has(int d, const char *name);
const char *path_in(const char *rel);
int group_dir(int wd, const char *name);

/* The check groups; each runs in its own subdirectory of wd. */
void t_create(int wd);
void t_readdir(int wd);
void t_mknod(int wd);
void t_dirs(int wd);
void t_unlink(int wd);
void t_rename(int wd);
void t_link(int wd);
void t_symlink(int wd);
void t_errors(int wd);
void t_eacces(int wd);
void t_exdev(int wd);
void t_setattr(int wd);
void t_statfs(int wd);
void t_xattr(int wd);
void t_sync(int wd);
void t_fallocate(int wd);
void t_seek(int wd);
void t_mmap(int wd);
void t_odirect(int wd);

#endif
