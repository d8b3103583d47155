// SPDX-License-Identifier: MIT
/* The library's version at run time (the header's is VFSD_VERSION_NUM). */
#include "vfsd_i.h"

VFSD_API unsigned int vfsd_version(void)
{
	return VFSD_VERSION_NUM;
}
