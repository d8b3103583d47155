// SPDX-License-Identifier: MIT
/* The vfsd connections on this machine: mounts, counters, servers. */
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/conns.h"

#define SYSFS_DIR "/sys/fs/vfsd"

const char *const conn_counter_names[CONN_COUNTERS] = {
	"connected", "queues", "waiting", "requests", "bytes_mapped",
	"bytes_copied", "bytes_direct", "protocol_errors", "timeouts", "max_io",
};

int conn_sysfs_path(char *buf, unsigned long size, int id, const char *name)
{
	int n = snprintf(buf, size, SYSFS_DIR "/%d/%s", id, name);

	return n < 0 || (unsigned long)n >= size ? -1 : 0;
}

static long long read_counter(int id, const char *name)
{
	char path[PATH_MAX];
	long long v = -1;
	FILE *f;

	if (conn_sysfs_path(path, sizeof(path), id, name) < 0)
		return -1;
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *unescape(const char *s)
{
	char *out = malloc(strlen(s) + 1), *p = out;

	if (!out)
		return NULL;
	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*p++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*p++ = *s++;
		}
	}
	*p = '\0';
	return out;
}

static struct conn *find_id(struct conn_list *l, int id)
{
	int i;

	for (i = 0; i < l->nr; i++)
		if (l->conns[i].id == id)
			return &l->conns[i];
	return NULL;
}

static int load_ids(struct conn_list *l)
{
	DIR *d = opendir(SYSFS_DIR);
	struct dirent *e;
	struct conn *c;
	int cap = 0, i;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (!all_digits(e->d_name))
			continue;
		if (l->nr == cap) {
			cap = cap ? cap * 2 : 8;
			c = realloc(l->conns, (size_t)cap * sizeof(*c));
			if (!c)
				break;
			l->conns = c;
		}
		c = &l->conns[l->nr++];
		memset(c, 0, sizeof(*c));
		c->id = atoi(e->d_name);
		for (i = 0; i < CONN_COUNTERS; i++)
			c->counters[i] = read_counter(c->id, conn_counter_names[i]);
	}
	closedir(d);
	return 0;
}

/* "... - vfsd.mem none rw,conn=3,..." : the fields after the separator. */
static void load_mounts(struct conn_list *l)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char *line = NULL, *sep, *mp, *type, *src, *opts, *save, *o;
	size_t len = 0;
	struct conn *c;

	if (!f)
		return;
	while (getline(&line, &len, f) > 0) {
		sep = strstr(line, " - ");
		if (!sep)
			continue;
		*sep = '\0';
		type = strtok_r(sep + 3, " \n", &save);
		src = strtok_r(NULL, " \n", &save);
		opts = strtok_r(NULL, " \n", &save);
		if (!type || !src || !opts ||
		    (strcmp(type, "vfsd") && strncmp(type, "vfsd.", 5)))
			continue;
		/* Field 5 is the mount point. */
		mp = line;
		for (int i = 0; i < 4 && mp; i++) {
			mp = strchr(mp, ' ');
			mp = mp ? mp + 1 : NULL;
		}
		if (!mp)
			continue;
		*strchrnul(mp, ' ') = '\0';
		c = NULL;
		for (o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save))
			if (!strncmp(o, "conn=", 5))
				c = find_id(l, atoi(o + 5));
		if (!c || c->mountpoint)
			continue;
		c->mountpoint = unescape(mp);
		c->type = strdup(type);
		c->source = unescape(src);
	}
	free(line);
	fclose(f);
}

static int fdinfo_conn(const char *pid, const char *fd)
{
	char path[PATH_MAX], line[128];
	int id = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/fdinfo/%s", pid, fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "vfsd_conn: %d", &id) == 1)
			break;
	fclose(f);
	return id;
}

/* Which processes hold which connection: their open /dev/vfsd. */
static void load_pids(struct conn_list *l)
{
	char path[PATH_MAX], target[64];
	DIR *proc = opendir("/proc"), *fds;
	struct dirent *p, *e;
	struct conn *c;
	ssize_t n;

	if (!proc)
		return;
	while ((p = readdir(proc))) {
		if (!all_digits(p->d_name))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		fds = opendir(path);
		if (!fds)
			continue;
		while ((e = readdir(fds))) {
			snprintf(path, sizeof(path), "/proc/%s/fd/%s", p->d_name, e->d_name);
			n = readlink(path, target, sizeof(target) - 1);
			if (n <= 0)
				continue;
			target[n] = '\0';
			if (strcmp(target, "/dev/vfsd"))
				continue;
			c = find_id(l, fdinfo_conn(p->d_name, e->d_name));
			if (c && c->nr_pids < CONN_MAX_PIDS &&
			    (!c->nr_pids || c->pids[c->nr_pids - 1] != atoi(p->d_name)))
				c->pids[c->nr_pids++] = atoi(p->d_name);
		}
		closedir(fds);
	}
	closedir(proc);
}

static int by_id(const void *a, const void *b)
{
	return ((const struct conn *)a)->id - ((const struct conn *)b)->id;
}

int conns_load(struct conn_list *l, bool want_pids)
{
	memset(l, 0, sizeof(*l));
	if (load_ids(l) < 0)
		return -1;
	if (l->nr)
		qsort(l->conns, (size_t)l->nr, sizeof(*l->conns), by_id);
	load_mounts(l);
	if (want_pids)
		load_pids(l);
	return 0;
}

void conns_free(struct conn_list *l)
{
	int i;

	for (i = 0; i < l->nr; i++) {
		free(l->conns[i].mountpoint);
		free(l->conns[i].type);
		free(l->conns[i].source);
	}
	free(l->conns);
	memset(l, 0, sizeof(*l));
}

/*
 * path with its directory made canonical but its last component not
 * looked at: stat() of a hung mount's root would wait for its server.
 */
static char *canonical_parent(const char *path)
{
	char *copy = strdup(path), *slash, *dir, *out = NULL;
	const char *base;

	if (!copy)
		return NULL;
	while (strlen(copy) > 1 && copy[strlen(copy) - 1] == '/')
		copy[strlen(copy) - 1] = '\0';
	slash = strrchr(copy, '/');
	if (slash) {
		*slash = '\0';
		base = slash + 1;
		dir = realpath(*copy ? copy : "/", NULL);
	} else {
		base = copy;
		dir = realpath(".", NULL);
	}
	if (dir && asprintf(&out, "%s/%s", strcmp(dir, "/") ? dir : "", base) < 0)
		out = NULL;
	free(dir);
	free(copy);
	return out;
}

struct conn *conns_find(struct conn_list *l, const char *what)
{
	struct conn *found = NULL;
	char *real;
	int i;

	if (all_digits(what))
		return find_id(l, atoi(what));
	real = canonical_parent(what);
	for (i = 0; i < l->nr && !found; i++) {
		const char *mp = l->conns[i].mountpoint;

		if (mp && (!strcmp(mp, what) || (real && !strcmp(mp, real))))
			found = &l->conns[i];
	}
	free(real);
	return found;
}
