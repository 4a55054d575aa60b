#include "multipart_form.hpp"

#include "gmime_runtime.hpp"

#include <gmime/gmime.h>

#include <memory>

namespace omnigate::email {
namespace {

template <class T>
struct GObjectUnref {
  void operator()(T* p) const { g_object_unref(p); }
};
template <class T>
using GPtr = std::unique_ptr<T, GObjectUnref<T>>;

std::string part_content(GMimePart* part) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);  // owned by the part
  if (content == nullptr) return {};
  GPtr<GMimeStream> out(g_mime_stream_mem_new());
  g_mime_data_wrapper_write_to_stream(content, out.get());  // undoes the transfer encoding
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out.get()));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

}  // namespace

MultipartForm parse_multipart_form(std::string_view content_type, std::string_view body,
                                   int max_fields) {
  ensure_gmime();
  MultipartForm out;
  if (content_type.find_first_of("\r\n") != std::string_view::npos) {
    out.problem = "Content-Type spans lines";
    return out;
  }
  // GMime parses an entity: its header (the request's Content-Type) and then the body.
  std::string entity;
  entity.reserve(content_type.size() + body.size() + 20);
  entity.append("Content-Type: ").append(content_type).append("\r\n\r\n").append(body);
  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(entity.data(), entity.size()));
  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  GPtr<GMimeObject> root(g_mime_parser_construct_part(parser.get(), nullptr));
  if (!root || !GMIME_IS_MULTIPART(root.get())) {
    out.problem = "not a multipart/form-data body";
    return out;
  }
  GMimeMultipart* multipart = GMIME_MULTIPART(root.get());
  const int count = g_mime_multipart_get_count(multipart);
  if (count > max_fields) out.problem = "more than " + std::to_string(max_fields) + " fields";
  for (int i = 0; i < count && i < max_fields; ++i) {
    GMimeObject* field = g_mime_multipart_get_part(multipart, i);  // owned by the multipart
    if (!GMIME_IS_PART(field)) continue;
    GMimeContentDisposition* disposition = g_mime_object_get_content_disposition(field);
    if (disposition == nullptr) continue;
    const char* name = g_mime_content_disposition_get_parameter(disposition, "name");
    if (name == nullptr) continue;
    if (g_mime_content_disposition_get_parameter(disposition, "filename") != nullptr) continue;
    out.fields.emplace_back(name, part_content(GMIME_PART(field)));
  }
  return out;
}

}  // namespace omnigate::email
