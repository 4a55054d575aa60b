// What the plugin host parses from outside: response header lines of fetched URLs (any server),
// and the records plugins submit (their strings carry provider data: JSON metadata, addresses).
// Neither may crash, hang or read out of bounds, whatever the bytes.
#include "plugin_host/record_mapping.hpp"
#include "plugin_host/response_header_line.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>
#include <vector>

namespace {

og_str as_og_str(const std::string& s) {
  return og_str{s.data(), s.size()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const omnigate::plugin_host::RecordSource source{"fuzz", "sms", 1};

  omnigate::http::HeaderList headers;
  const int header_lines = in.ConsumeIntegralInRange(0, 8);
  for (int i = 0; i < header_lines; ++i) {
    omnigate::plugin_host::add_response_header_line(in.ConsumeRandomLengthString(256), headers);
  }

  std::vector<std::string> fields;
  for (int i = 0; i < 8; ++i) fields.push_back(in.ConsumeRandomLengthString(512));
  std::vector<og_attachment> attachments(in.ConsumeIntegralInRange(0, 2));
  for (auto& a : attachments) {
    a = og_attachment{};
    a.struct_size = sizeof a;
    a.filename = as_og_str(fields[6]);
    a.data = as_og_str(fields[7]);
  }
  og_skill_requirement skill{sizeof(og_skill_requirement), as_og_str(fields[5]),
                             in.ConsumeIntegral<int32_t>()};

  og_inbound_message m{};
  m.struct_size = sizeof m;
  m.provider_message_id = as_og_str(fields[0]);
  m.from_kind = as_og_str(fields[1]);
  m.from_address = as_og_str(fields[2]);
  m.metadata_json = as_og_str(fields[3]);
  m.raw = as_og_str(fields[4]);
  m.skills = &skill;
  m.skill_count = in.ConsumeBool() ? 1 : 0;
  m.attachments = attachments.data();
  m.attachment_count = attachments.size();
  m.priority = in.ConsumeIntegral<int32_t>();
  m.flags = in.ConsumeIntegral<int32_t>();
  omnigate::store::InboundRecord inbound;
  (void)omnigate::plugin_host::to_inbound_record(m, source, inbound);

  og_delivery_report d{};
  d.struct_size = sizeof d;
  d.provider_message_id = as_og_str(fields[0]);
  d.state = in.ConsumeIntegral<int32_t>();
  omnigate::store::DeliveryRecord delivery;
  (void)omnigate::plugin_host::to_delivery_record(d, source, delivery);

  og_channel_event e{};
  e.struct_size = sizeof e;
  e.kind = as_og_str(fields[4]);
  e.from_kind = as_og_str(fields[1]);
  e.from_address = as_og_str(fields[2]);
  e.data_json = as_og_str(fields[3]);
  e.attachments = attachments.data();
  e.attachment_count = attachments.size();
  omnigate::store::ChannelEventRecord event;
  (void)omnigate::plugin_host::to_channel_event_record(e, source, event);
  return 0;
}
