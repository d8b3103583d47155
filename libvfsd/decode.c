// SPDX-License-Identifier: MIT
/* Parsing of request payloads: strings packed NUL-terminated in the slot. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "vfsd_i.h"

/*
 * The NUL-terminated string at the start of buf[0..len): non-empty and at
 * most max bytes. *used counts the NUL too. Returns its length or -EINVAL.
 */
int vfsd_decode_str(const char *buf, size_t len, size_t max,
		    const char **str, size_t *used)
{
	const char *nul = memchr(buf, '\0', len);
	size_t n;

	if (!nul)
		return -EINVAL;
	n = nul - buf;
	if (n == 0 || n > max)
		return -EINVAL;
	*str = buf;
	*used = n + 1;
	return (int)n;
}

/* A path component: a string of at most NAME_MAX bytes without '/'. */
int vfsd_decode_name(const char *buf, size_t len, const char **name,
		     size_t *used)
{
	int n = vfsd_decode_str(buf, len, NAME_MAX, name, used);

	if (n > 0 && memchr(*name, '/', n))
		return -EINVAL;
	return n;
}
