#include "borrowed_stream.hpp"

#include <algorithm>

namespace omnigate::email {

BorrowedStream::BorrowedStream(std::string_view bytes) : array_(g_byte_array_new()) {
  // The array only lends GMime the caller's pointer: the stream is told it does not own the
  // array, and the destructor takes the pointer back before freeing the (empty) array.
  array_->data = reinterpret_cast<guint8*>(const_cast<char*>(bytes.data()));
  array_->len = static_cast<guint>(bytes.size());
  stream_ = g_mime_stream_mem_new_with_byte_array(array_);
  g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream_), FALSE);
}

BorrowedStream::~BorrowedStream() {
  g_object_unref(stream_);
  array_->data = nullptr;
  array_->len = 0;
  g_byte_array_free(array_, TRUE);
}

std::optional<std::string_view> memory_stream_bytes(GMimeStream* stream) {
  if (stream == nullptr || !GMIME_IS_STREAM_MEM(stream)) return std::nullopt;
  GByteArray* array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
  if (array == nullptr || array->data == nullptr) return std::string_view();
  const gint64 size = array->len;
  const gint64 start = std::clamp<gint64>(stream->bound_start, 0, size);
  const gint64 end =
      stream->bound_end < 0 ? size : std::clamp<gint64>(stream->bound_end, start, size);
  return std::string_view(reinterpret_cast<const char*>(array->data) + start,
                          static_cast<std::size_t>(end - start));
}

}  // namespace omnigate::email
