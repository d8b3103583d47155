// SPDX-License-Identifier: MIT
/*
 * vfsd: the operator's tool.
 *
 *   vfsd list [--json]            every connection: mount, server, counters
 *   vfsd stats MOUNT|ID [--json]  one connection's counters and requests by op
 *   vfsd abort MOUNT|ID           end a connection: waiting calls fail at once
 *
 * It reads /proc/self/mountinfo, /sys/fs/vfsd/ID/ and /proc/PID/fdinfo.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/conns.h"

static void usage(FILE *out)
{
	fputs("usage: vfsd list [--json]\n"
	      "       vfsd stats MOUNTPOINT|ID [--json]\n"
	      "       vfsd abort MOUNTPOINT|ID\n"
	      "  list the vfsd connections (mount point, type, source, server\n"
	      "  pids and counters), show one's counters, or abort it (every\n"
	      "  waiting and later call on the mount fails). See vfsd(8).\n", out);
}

static void json_string(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void json_conn(const struct conn *c)
{
	int i;

	printf("{\"id\": %d, \"mountpoint\": ", c->id);
	json_string(c->mountpoint);
	fputs(", \"type\": ", stdout);
	json_string(c->type);
	fputs(", \"source\": ", stdout);
	json_string(c->source);
	fputs(", \"pids\": [", stdout);
	for (i = 0; i < c->nr_pids; i++)
		printf("%s%d", i ? ", " : "", c->pids[i]);
	putchar(']');
	for (i = 0; i < CONN_COUNTERS; i++) {
		printf(", \"%s\": ", conn_counter_names[i]);
		if (c->counters[i] < 0)
			fputs("null", stdout);
		else
			printf("%lld", c->counters[i]);
	}
}

/* Counter i, or "-" if unreadable. */
static const char *counter(const struct conn *c, int i, char *buf, size_t size)
{
	if (c->counters[i] < 0)
		return "-";
	snprintf(buf, size, "%lld", c->counters[i]);
	return buf;
}

enum { C_CONNECTED, C_QUEUES, C_WAITING, C_REQUESTS, C_MAPPED, C_COPIED };

static int max_width(int w, const char *s)
{
	int n = s ? (int)strlen(s) : 1;

	return n > w ? n : w;
}

static int cmd_list(struct conn_list *l, bool json)
{
	int w_mp = 10, w_type = 4, w_src = 6, i;
	char b[6][32], pid[16];

	if (json) {
		fputs("[", stdout);
		for (i = 0; i < l->nr; i++) {
			fputs(i ? ",\n " : "", stdout);
			json_conn(&l->conns[i]);
			putchar('}');
		}
		puts("]");
		return 0;
	}
	for (i = 0; i < l->nr; i++) {
		const struct conn *c = &l->conns[i];

		w_mp = max_width(w_mp, c->mountpoint);
		w_type = max_width(w_type, c->type);
		w_src = max_width(w_src, c->source);
	}
	printf("%-4s %-*s %-*s %-*s %-8s %-4s %6s %7s %10s %13s %13s\n", "ID",
	       w_mp, "MOUNTPOINT", w_type, "TYPE", w_src, "SOURCE", "PID",
	       "CONN", "QUEUES", "WAITING", "REQUESTS", "BYTES_MAPPED",
	       "BYTES_COPIED");
	for (i = 0; i < l->nr; i++) {
		const struct conn *c = &l->conns[i];

		snprintf(pid, sizeof(pid), "%d", c->nr_pids ? c->pids[0] : 0);
		printf("%-4d %-*s %-*s %-*s %-8s %-4s %6s %7s %10s %13s %13s\n",
		       c->id, w_mp, c->mountpoint ? c->mountpoint : "-",
		       w_type, c->type ? c->type : "-",
		       w_src, c->source ? c->source : "-",
		       c->nr_pids ? pid : "-",
		       counter(c, C_CONNECTED, b[0], sizeof(b[0])),
		       counter(c, C_QUEUES, b[1], sizeof(b[1])),
		       counter(c, C_WAITING, b[2], sizeof(b[2])),
		       counter(c, C_REQUESTS, b[3], sizeof(b[3])),
		       counter(c, C_MAPPED, b[4], sizeof(b[4])),
		       counter(c, C_COPIED, b[5], sizeof(b[5])));
	}
	return 0;
}

/* The "NAME COUNT" lines of ops (root only), as JSON members or text. */
static void print_ops(const struct conn *c, bool json)
{
	char path[PATH_MAX], name[64];
	long long n;
	bool first = true;
	FILE *f;

	if (conn_sysfs_path(path, sizeof(path), c->id, "ops") < 0)
		return;
	f = fopen(path, "r");
	if (json)
		fputs(", \"ops\": ", stdout);
	if (!f) {
		fputs(json ? "null" : "ops: unreadable (root only)\n", stdout);
		return;
	}
	if (json)
		putchar('{');
	while (fscanf(f, "%63s %lld", name, &n) == 2) {
		if (json)
			printf("%s\"%s\": %lld", first ? "" : ", ", name, n);
		else if (n)
			printf("op_%s %lld\n", name, n);
		first = false;
	}
	if (json)
		putchar('}');
	fclose(f);
}

static int cmd_stats(const struct conn *c, bool json)
{
	int i;

	if (json) {
		json_conn(c);
		print_ops(c, true);
		puts("}");
		return 0;
	}
	printf("id %d\nmountpoint %s\ntype %s\nsource %s\npids", c->id,
	       c->mountpoint ? c->mountpoint : "-", c->type ? c->type : "-",
	       c->source ? c->source : "-");
	for (i = 0; i < c->nr_pids; i++)
		printf(" %d", c->pids[i]);
	putchar('\n');
	for (i = 0; i < CONN_COUNTERS; i++)
		if (c->counters[i] >= 0)
			printf("%s %lld\n", conn_counter_names[i], c->counters[i]);
	print_ops(c, false);
	return 0;
}

static int cmd_abort(const struct conn *c)
{
	char path[PATH_MAX];
	FILE *f;
	int err = 0;

	if (conn_sysfs_path(path, sizeof(path), c->id, "abort") < 0)
		return 1;
	f = fopen(path, "w");
	if (!f || fputs("1\n", f) < 0)
		err = errno;
	if (f && fclose(f) && !err)
		err = errno;
	if (err) {
		fprintf(stderr, "vfsd: abort connection %d: %s\n", c->id, strerror(err));
		return 1;
	}
	printf("vfsd: aborted connection %d%s%s\n", c->id,
	       c->mountpoint ? " on " : "", c->mountpoint ? c->mountpoint : "");
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = NULL, *target = NULL;
	struct conn_list l;
	struct conn *c;
	bool json = false;
	int i, rc = 1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "vfsd: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		} else if (!cmd) {
			cmd = argv[i];
		} else if (!target) {
			target = argv[i];
		} else {
			fprintf(stderr, "vfsd: unexpected argument '%s'\n", argv[i]);
			return 2;
		}
	}
	if (!cmd || (strcmp(cmd, "list") && strcmp(cmd, "stats") && strcmp(cmd, "abort")) ||
	    (!strcmp(cmd, "list") == !!target)) {
		usage(stderr);
		return 2;
	}
	/* abort must be quick: no walk over every process. */
	if (conns_load(&l, strcmp(cmd, "abort") != 0) < 0) {
		if (!strcmp(cmd, "list")) {
			/* No module, no connections. */
			puts(json ? "[]" : "vfsd: the vfsd module is not loaded");
			return 0;
		}
		fprintf(stderr, "vfsd: no /sys/fs/vfsd: the vfsd module is not loaded\n");
		return 1;
	}
	if (!strcmp(cmd, "list")) {
		rc = cmd_list(&l, json);
		goto out;
	}
	c = conns_find(&l, target);
	if (!c) {
		fprintf(stderr, "vfsd: %s is not a vfsd mount or connection id (see vfsd list)\n",
			target);
		goto out;
	}
	rc = !strcmp(cmd, "stats") ? cmd_stats(c, json) : cmd_abort(c);
out:
	conns_free(&l);
	return rc;
}
