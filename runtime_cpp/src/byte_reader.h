// Bounded little-endian cursor over a byte range. Every read is checked against
// the end of the range and throws Error naming the field being read; nothing is
// ever read past `end`. Used by the model loader for the meta section.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "error.h"

namespace sparsecc::detail {

class ByteReader {
 public:
  ByteReader(const uint8_t* begin, size_t size, std::string section)
      : p_(begin), size_(size), pos_(0), section_(std::move(section)) {}

  size_t remaining() const { return size_ - pos_; }
  size_t position() const { return pos_; }

  uint8_t u8(const char* field) { return read_le<uint8_t>(field); }
  uint32_t u32(const char* field) { return read_le<uint32_t>(field); }
  uint64_t u64(const char* field) { return read_le<uint64_t>(field); }
  int64_t i64(const char* field) { return static_cast<int64_t>(read_le<uint64_t>(field)); }
  float f32(const char* field) {
    uint32_t bits = read_le<uint32_t>(field);
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
  }

  // str = u32 length (<= max_len) + bytes.
  std::string str(const char* field, uint32_t max_len = 4096) {
    uint32_t len = u32(field);
    if (len > max_len)
      fail(field, "string length " + std::to_string(len) + " exceeds the limit " + std::to_string(max_len));
    require(len, field);
    std::string s(reinterpret_cast<const char*>(p_ + pos_), len);
    pos_ += len;
    return s;
  }

  // Checks that `count` items of at least `item_bytes` bytes each can still be
  // read, before the caller allocates anything sized by `count`.
  void require_items(uint64_t count, uint64_t item_bytes, const char* field) const {
    if (item_bytes != 0 && count > remaining() / item_bytes)
      fail(field, "count " + std::to_string(count) + " needs at least " + std::to_string(item_bytes) +
                      " bytes each but only " + std::to_string(remaining()) + " bytes remain");
  }

  [[noreturn]] void fail(const char* field, const std::string& why) const {
    raise_error(section_ + ": field '" + field + "' at byte " + std::to_string(pos_) + ": " + why);
  }

 private:
  void require(uint64_t n, const char* field) const {
    if (n > remaining())
      fail(field, "needs " + std::to_string(n) + " bytes but only " + std::to_string(remaining()) +
                      " remain (truncated)");
  }

  template <typename T>
  T read_le(const char* field) {
    require(sizeof(T), field);
    T v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(static_cast<T>(p_[pos_ + i]) << (8 * i));
    pos_ += sizeof(T);
    return v;
  }

  const uint8_t* p_;
  size_t size_;
  size_t pos_;
  std::string section_;
};

}  // namespace sparsecc::detail
