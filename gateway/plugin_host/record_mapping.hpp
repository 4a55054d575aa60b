// Translation between the plugin ABI's borrowed C structs and the store's owning records.
// Everything a plugin hands over is copied here (it is only borrowed for the call) and checked,
// so bad input is refused at submit time with a message instead of failing in the store.
#pragma once

#include "store/model.hpp"

#include <omnigate/plugin_abi.h>

#include <string>
#include <vector>

namespace omnigate::plugin_host {

class BlobStreams;

// Who is submitting: stamped on every record.
struct RecordSource {
  std::string instance;
  std::string channel_kind;
  store::UnixMs now = 0;
  const BlobStreams* blobs = nullptr;  // where an attachment's blob_ref must be stored
};

// Each returns "" and fills `out`, or returns why the struct is unacceptable.
std::string to_inbound_record(const og_inbound_message& in, const RecordSource& source,
                              store::InboundRecord& out);
std::string to_delivery_record(const og_delivery_report& in, const RecordSource& source,
                               store::DeliveryRecord& out);
std::string to_channel_event_record(const og_channel_event& in, const RecordSource& source,
                                    store::ChannelEventRecord& out);

// An og_outbound_message that borrows from an OutboxItem, plus the attachment array it points
// to. Valid while the item and this object live.
class OutboundView {
 public:
  explicit OutboundView(const store::OutboxItem& item);
  OutboundView(const OutboundView&) = delete;
  OutboundView& operator=(const OutboundView&) = delete;
  const og_outbound_message* get() const { return &message_; }

 private:
  std::vector<og_attachment> attachments_;
  std::vector<std::string> refs_;  // "sha256:<hex>" of the stored ones
  og_outbound_message message_;
};

// "queued" ... "failed" for an og_delivery_state; "" for an unknown value.
const char* delivery_state_name(og_delivery_state state);

}  // namespace omnigate::plugin_host
