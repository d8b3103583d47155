// SPDX-License-Identifier: MIT
/* Logging: one line per message, to stderr unless the server redirects it. */
#include <stdio.h>

#include "vfsd_i.h"

static void default_log(enum vfsd_log_level level, const char *fmt,
			va_list ap)
{
	char line[1024];

	(void)level;
	vsnprintf(line, sizeof(line), fmt, ap);
	/* One call: lines from different queue threads do not interleave. */
	fprintf(stderr, "vfsd: %s\n", line);
}

static vfsd_log_func_t log_func = default_log;

VFSD_API void vfsd_set_log_func(vfsd_log_func_t func)
{
	log_func = func ? func : default_log;
}

VFSD_API void vfsd_log(enum vfsd_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_func(level, fmt, ap);
	va_end(ap);
}
