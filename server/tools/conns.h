/* SPDX-License-Identifier: MIT */
/*
 * The vfsd connections on this machine, for the vfsd tool: their mounts
 * (/proc/self/mountinfo, conn=ID), counters (/sys/fs/vfsd/ID/) and server
 * processes (/proc/PID/fdinfo of an open /dev/vfsd names its connection).
 */
#ifndef VFSD_SERVER_CONNS_H
#define VFSD_SERVER_CONNS_H

#include <stdbool.h>

#define CONN_MAX_PIDS 8

/* The counters of /sys/fs/vfsd/ID/, in this order. */
extern const char *const conn_counter_names[];
#define CONN_COUNTERS 10

struct conn {
	int id;
	char *mountpoint;	/* NULL: not mounted (in this namespace) */
	char *type;		/* "vfsd.mem" */
	char *source;
	int pids[CONN_MAX_PIDS];
	int nr_pids;
	long long counters[CONN_COUNTERS];	/* -1: unreadable */
};

struct conn_list {
	struct conn *conns;
	int nr;
};

/*
 * Returns 0, or -1 if /sys/fs/vfsd is missing (the module is not loaded).
 * want_pids: also find the servers (a walk over every process's fds).
 */
int conns_load(struct conn_list *l, bool want_pids);
void conns_free(struct conn_list *l);
/* A connection by id ("3") or by mount point path; NULL if none. */
struct conn *conns_find(struct conn_list *l, const char *what);
/* The connection's sysfs file NAME, e.g. "abort" or "ops". */
int conn_sysfs_path(char *buf, unsigned long size, int id, const char *name);

#endif /* VFSD_SERVER_CONNS_H */
