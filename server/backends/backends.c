// SPDX-License-Identifier: MIT
/* The registry of vfsd-server backends. */
#include <string.h>

#include "backends/backend.h"

static const struct backend *const backends[] = {
	&backend_dir,
	&backend_mem,
	&backend_fpga,
};

#define NR_BACKENDS (sizeof(backends) / sizeof(backends[0]))

const struct backend *backend_find(const char *name)
{
	size_t i;

	for (i = 0; i < NR_BACKENDS; i++)
		if (!strcmp(backends[i]->name, name))
			return backends[i];
	return NULL;
}

void backend_list(FILE *out)
{
	size_t i;

	for (i = 0; i < NR_BACKENDS; i++)
		fprintf(out, "  %-8s %s\n", backends[i]->name,
			backends[i]->summary);
}
