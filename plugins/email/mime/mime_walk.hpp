// Walks a parsed message's MIME tree once and decides what each part is: the text and HTML
// bodies (multipart/alternative keeps both; text parts a client split around an image are
// joined), attachments and inline parts (cid: images of multipart/related, attached
// message/rfc822 mails), or an alternative rendering of the body that is not kept (text/enriched,
// Apple's text/watch-html). Stops at ReadLimits::max_parts and ::max_depth.
#pragma once

#include "read_context.hpp"

#include <gmime/gmime.h>

#include <string>

namespace omnigate::email {

struct MessageBodies {
  std::string plain;  // UTF-8, LF line ends
  std::string html;   // UTF-8, not yet sanitised
  bool has_plain = false;
  bool has_html = false;
};

// Fills `bodies`, context.out.attachments and context.out.charsets.
void read_mime_tree(GMimeMessage* message, ReadContext& context, MessageBodies& bodies);

}  // namespace omnigate::email
