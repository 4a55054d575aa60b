// A GMime memory stream over bytes the caller keeps alive, without copying them
// (g_mime_stream_mem_new_with_buffer would copy the whole message). GMime's parser cuts every
// part's content out of it as a window (a substream sharing the same buffer), so a part's
// encoded bytes can be read straight from the caller's buffer as well.
#pragma once

#include <gmime/gmime.h>

#include <optional>
#include <string_view>

namespace omnigate::email {

class BorrowedStream {
 public:
  // `bytes` must outlive this stream and every GMime object parsed from it.
  explicit BorrowedStream(std::string_view bytes);
  ~BorrowedStream();
  BorrowedStream(const BorrowedStream&) = delete;
  BorrowedStream& operator=(const BorrowedStream&) = delete;

  GMimeStream* get() const { return stream_; }

 private:
  GByteArray* array_;
  GMimeStream* stream_;
};

// The bytes a memory stream (or a window of one) covers; nullopt for other kinds of stream.
std::optional<std::string_view> memory_stream_bytes(GMimeStream* stream);

}  // namespace omnigate::email
