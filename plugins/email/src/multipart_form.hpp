// multipart/form-data (RFC 7578), the body Mailgun routes and SendGrid Inbound Parse post, read
// with GMime's MIME parser rather than by hand. Text fields only: file fields (a provider's
// parsed attachments) are skipped, since the raw mail the plugin reads carries them anyway.
#pragma once

#include <omnigate/common/form.hpp>

#include <string>
#include <string_view>

namespace omnigate::email {

struct MultipartForm {
  form::Fields fields;  // in body order; a field's value is its decoded content
  std::string problem;  // empty when the body was a readable multipart/form-data
};

// `content_type` is the request's Content-Type header value (with its boundary parameter).
MultipartForm parse_multipart_form(std::string_view content_type, std::string_view body,
                                   int max_fields = 200);

}  // namespace omnigate::email
