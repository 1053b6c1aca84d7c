// CRC-32 (IEEE 802.3 polynomial, reflected 0xEDB88320), identical to zlib's crc32().
#pragma once

#include <cstddef>
#include <cstdint>

namespace sparsecc::detail {

// crc32(0, data, size) gives the CRC of one buffer; pass a previous result as
// `crc` to continue over several buffers.
uint32_t crc32(uint32_t crc, const void* data, size_t size);

}  // namespace sparsecc::detail
