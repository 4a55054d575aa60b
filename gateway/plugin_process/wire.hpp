// The byte encoding of ABI values between the gateway and a plugin-host process.
//
// Only values cross: strings, integers, and the ABI structs (og_http_request, og_inbound_message,
// ...) written field by field, arrays element by element. Pointers never cross; a callback the
// plugin passed (commit done, fetch done, a visitor) crosses as a number the sending side looks
// up again.
//
// Encoding: little-endian fixed-width integers; a string is a u64 length then its bytes. A
// decoded og_str points into the frame it was read from (no copy), so a decoded struct lives
// as long as that frame and the WireArena that holds its arrays. A struct is written from a
// value the sender normalised with read_abi_struct (the plugin's struct_size rules), and read
// back as the reader's full struct: a field a later minor adds is appended to the field list.
//
// The gateway reads what a plugin-host process sends as untrusted input: every read is bounds
// checked and a bad frame throws WireError (the gateway then treats the process as broken).
#pragma once

#include <omnigate/plugin_abi.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace omnigate::plugin_process {

struct WireError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class WireWriter {
 public:
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(std::uint32_t v) { fixed(v); }
  void u64(std::uint64_t v) { fixed(v); }
  void i32(std::int32_t v) { fixed(static_cast<std::uint32_t>(v)); }
  void i64(std::int64_t v) { fixed(static_cast<std::uint64_t>(v)); }
  void f64(double v);
  void str(std::string_view s);
  void str(og_str s);
  std::string& bytes() { return out_; }
  std::string take() { return std::move(out_); }

 private:
  template <class T>
  void fixed(T v) {
    for (std::size_t i = 0; i < sizeof v; ++i) out_.push_back(static_cast<char>(v >> (8 * i)));
  }
  std::string out_;
};

class WireReader {
 public:
  explicit WireReader(std::string_view in) : in_(in) {}
  std::uint8_t u8();
  std::uint32_t u32() { return fixed<std::uint32_t>(); }
  std::uint64_t u64() { return fixed<std::uint64_t>(); }
  std::int32_t i32() { return static_cast<std::int32_t>(fixed<std::uint32_t>()); }
  std::int64_t i64() { return static_cast<std::int64_t>(fixed<std::uint64_t>()); }
  double f64();
  std::string_view str();  // points into the input
  og_str og();             // the same, as an og_str
  // An element count that cannot be larger than the bytes left (each element takes at least
  // `min_element_bytes`): a forged count never makes the reader allocate more than a small
  // multiple of the frame (the decoded elements' size over their smallest encoding).
  std::size_t count(std::size_t min_element_bytes);
  bool at_end() const { return pos_ == in_.size(); }

 private:
  template <class T>
  T fixed() {
    need(sizeof(T));
    T v = 0;
    for (std::size_t i = 0; i < sizeof v; ++i)
      v |= static_cast<T>(static_cast<unsigned char>(in_[pos_ + i])) << (8 * i);
    pos_ += sizeof v;
    return v;
  }
  void need(std::size_t n) const;
  std::string_view in_;
  std::size_t pos_ = 0;
};

// Owns the arrays of decoded structs (their og_str still point into the frame).
class WireArena {
 public:
  template <class T>
  T* make(std::size_t n) {
    auto block = std::make_shared<std::vector<T>>(n);
    T* data = block->data();
    blocks_.push_back(std::move(block));
    return data;
  }
  // A string the arena keeps (for values built while decoding).
  std::string_view keep(std::string s);

 private:
  std::vector<std::shared_ptr<void>> blocks_;
};

// Write a struct (normalised: struct_size == sizeof) and read one back. Arrays inside are
// written from the normalised elements the caller passes (see the .cpp: every array field is
// re-read with read_abi_array first, so a plugin's bad array is refused before it crosses).
// write_* throws WireError with the field's name when an array the plugin gave is malformed.
void write_http_request(WireWriter& w, const og_http_request& v);
og_http_request read_http_request(WireReader& r, WireArena& a);
void write_http_response(WireWriter& w, const og_http_response& v);
og_http_response read_http_response(WireReader& r, WireArena& a);
void write_route_options(WireWriter& w, const og_route_options& v);
og_route_options read_route_options(WireReader& r);
void write_inbound_message(WireWriter& w, const og_inbound_message& v);
og_inbound_message read_inbound_message(WireReader& r, WireArena& a);
void write_delivery_report(WireWriter& w, const og_delivery_report& v);
og_delivery_report read_delivery_report(WireReader& r);
void write_channel_event(WireWriter& w, const og_channel_event& v);
og_channel_event read_channel_event(WireReader& r, WireArena& a);
void write_outbound_message(WireWriter& w, const og_outbound_message& v);
og_outbound_message read_outbound_message(WireReader& r, WireArena& a);
void write_send_result(WireWriter& w, const og_send_result& v);
og_send_result read_send_result(WireReader& r);
void write_send_lookup(WireWriter& w, const og_send_lookup& v);
og_send_lookup read_send_lookup(WireReader& r, WireArena& a);
void write_unsettled_send(WireWriter& w, const og_unsettled_send& v);
og_unsettled_send read_unsettled_send(WireReader& r);
void write_fetch_request(WireWriter& w, const og_fetch_request& v);
og_fetch_request read_fetch_request(WireReader& r, WireArena& a);
void write_fetch_response(WireWriter& w, const og_fetch_response& v);
og_fetch_response read_fetch_response(WireReader& r, WireArena& a);
void write_conversation_state(WireWriter& w, const og_conversation_state& v);
og_conversation_state read_conversation_state(WireReader& r);
void write_conversation_notice(WireWriter& w, const og_conversation_notice& v);
og_conversation_notice read_conversation_notice(WireReader& r, WireArena& a);
void write_conversation_action(WireWriter& w, const og_conversation_action& v);
og_conversation_action read_conversation_action(WireReader& r);
void write_customer_info(WireWriter& w, const og_customer_info& v);
og_customer_info read_customer_info(WireReader& r);
void write_channel_command(WireWriter& w, const og_channel_command& v);
og_channel_command read_channel_command(WireReader& r);

}  // namespace omnigate::plugin_process
