// SPDX-License-Identifier: MIT
/*
 * Which transport a session mounts with: what the options asked for, or
 * for AUTO the environment (so examples switch without code changes),
 * else the module's device if it is there, else FUSE.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vfsd_i.h"

#define TRANSPORT_ENV	"VFSD_TRANSPORT"

const char *vfsd_transport_name(enum vfsd_transport t)
{
	switch (t) {
	case VFSD_TRANSPORT_VFSD:
		return "vfsd";
	case VFSD_TRANSPORT_FUSE:
		return "fuse";
	default:
		return "auto";
	}
}

int vfsd_transport_pick(enum vfsd_transport asked, const char *env,
			bool have_device, const char **why)
{
	switch (asked) {
	case VFSD_TRANSPORT_VFSD:
	case VFSD_TRANSPORT_FUSE:
		*why = "asked for by the server";
		return asked;
	case VFSD_TRANSPORT_AUTO:
		break;
	default:
		*why = "unknown transport in the session options";
		return -EINVAL;
	}
	if (env && *env) {
		*why = TRANSPORT_ENV " in the environment";
		if (!strcmp(env, "vfsd"))
			return VFSD_TRANSPORT_VFSD;
		if (!strcmp(env, "fuse"))
			return VFSD_TRANSPORT_FUSE;
		*why = TRANSPORT_ENV " is neither vfsd nor fuse";
		return -EINVAL;
	}
	if (have_device) {
		*why = "/dev/vfsd exists";
		return VFSD_TRANSPORT_VFSD;
	}
	*why = "/dev/vfsd not found";
	return VFSD_TRANSPORT_FUSE;
}

/* Decide once, at mount, and say why. */
int vfsd_session_choose(struct vfsd_session *s)
{
	const char *why;
	int t;

	t = vfsd_transport_pick(s->opts.transport, getenv(TRANSPORT_ENV),
				access("/dev/vfsd", F_OK) == 0, &why);
	if (t < 0) {
		vfsd_err("transport: %s", why);
		return t;
	}
	s->transport = t;
	vfsd_log(VFSD_LOG_INFO, "transport: %s (%s)", vfsd_transport_name(t),
		 why);
	return 0;
}

VFSD_API const char *vfsd_session_transport(const struct vfsd_session *s)
{
	if (s->transport != VFSD_TRANSPORT_AUTO)
		return vfsd_transport_name(s->transport);
	return vfsd_transport_name(s->opts.transport);
}
