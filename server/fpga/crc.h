/* SPDX-License-Identifier: MIT */
/* CRC32C (Castagnoli) of the fpga card's metadata records. */
#ifndef VFSD_SERVER_FPGA_CRC_H
#define VFSD_SERVER_FPGA_CRC_H

#include <stddef.h>
#include <stdint.h>

uint32_t fpga_crc32c(uint32_t crc, const void *buf, size_t len);

#endif /* VFSD_SERVER_FPGA_CRC_H */
