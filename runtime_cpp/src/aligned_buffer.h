// A heap byte buffer aligned to 64 bytes (cache line / widest SIMD vector).
// Contents are uninitialised (pages of a large arena are only touched when used).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "error.h"

namespace sparsecc::detail {

class AlignedBuffer {
 public:
  static constexpr size_t kAlign = 64;
  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t size) : size_(size) {
    if (size == 0) return;
    size_t rounded = (size + kAlign - 1) / kAlign * kAlign;
    if (rounded < size) raise_error("cannot allocate " + std::to_string(size) + " bytes");
    ptr_ = static_cast<uint8_t*>(::operator new(rounded, std::align_val_t(kAlign), std::nothrow));
    if (!ptr_) raise_error("cannot allocate " + std::to_string(size) + " bytes");
  }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  AlignedBuffer(AlignedBuffer&& o) noexcept : ptr_(o.ptr_), size_(o.size_) { o.ptr_ = nullptr; o.size_ = 0; }
  AlignedBuffer& operator=(AlignedBuffer&& o) noexcept {
    if (this != &o) {
      release();
      ptr_ = o.ptr_;
      size_ = o.size_;
      o.ptr_ = nullptr;
      o.size_ = 0;
    }
    return *this;
  }
  ~AlignedBuffer() { release(); }

  uint8_t* data() { return ptr_; }
  const uint8_t* data() const { return ptr_; }
  size_t size() const { return size_; }

 private:
  void release() {
    if (ptr_) ::operator delete(ptr_, std::align_val_t(kAlign));
    ptr_ = nullptr;
  }
  uint8_t* ptr_ = nullptr;
  size_t size_ = 0;
};

}  // namespace sparsecc::detail
