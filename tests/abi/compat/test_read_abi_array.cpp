// read_abi_array (gateway/plugin_host/abi_struct.hpp): how the host reads every array a plugin
// sends. It steps by the sender's element size, zero-extends smaller elements, ignores what
// larger ones add, and refuses, naming the element, what cannot be one C array.
#include "plugin_host/abi_struct.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

using Catch::Matchers::Equals;
using omnigate::plugin_host::read_abi_array;
using omnigate::plugin_host::view_of;

namespace {

// An og_header of a later minor: the 2.0 fields, then two it added.
struct LaterHeader {
  og_header base;
  uint64_t added[2];
};

// An og_attachment of a minor before blob_ref existed: what 2.0 has up to `url`.
struct EarlierAttachment {
  uint32_t struct_size;
  og_str filename, content_type, data, url;
};

og_str str(const char* s) {
  return og_str{s, std::strlen(s)};
}

// `n` og_headers in a buffer with elements `stride` bytes apart, each with struct_size `stride`.
std::vector<uint64_t> header_buffer(std::size_t n, std::size_t stride) {
  std::vector<uint64_t> buffer((n * stride + sizeof(og_header)) / sizeof(uint64_t) + 1, 0);
  auto* bytes = reinterpret_cast<unsigned char*>(buffer.data());
  for (std::size_t i = 0; i < n; ++i) {
    og_header h{};
    h.struct_size = static_cast<uint32_t>(stride);
    h.name = str("X-Name");
    std::memcpy(bytes + i * stride, &h, std::min(stride, sizeof h));
  }
  return buffer;
}

}  // namespace

TEST_CASE("read_abi_array steps through larger elements by their struct_size") {
  LaterHeader items[3];
  std::memset(items, 0xAB, sizeof items);  // what the reader does not know is junk to it
  const char* names[3] = {"A", "Bb", "Ccc"};
  const char* values[3] = {"1", "22", "333"};
  for (int i = 0; i < 3; ++i) {
    items[i].base.struct_size = sizeof(LaterHeader);
    items[i].base.name = str(names[i]);
    items[i].base.value = str(values[i]);
  }
  std::string error;
  const auto read = read_abi_array(&items[0].base, 3, error);
  REQUIRE(read.has_value());
  REQUIRE(read->size() == 3);
  for (int i = 0; i < 3; ++i) {
    CHECK(view_of((*read)[i].name) == names[i]);
    CHECK(view_of((*read)[i].value) == values[i]);
    CHECK((*read)[i].struct_size == sizeof(og_header));  // the copy is the reader's struct
  }
}

TEST_CASE("read_abi_array zero-extends smaller elements: fields the sender lacks read as zero") {
  EarlierAttachment items[2];
  std::memset(items, 0, sizeof items);
  items[0] = {sizeof(EarlierAttachment), str("a.txt"), str("text/plain"), str("alpha"), {}};
  items[1] = {sizeof(EarlierAttachment), str("b.mp4"), str("video/mp4"), {}, str("https://x/b")};
  std::string error;
  const auto read = read_abi_array(reinterpret_cast<const og_attachment*>(&items[0]), 2, error);
  REQUIRE(read.has_value());
  REQUIRE(read->size() == 2);
  CHECK(view_of((*read)[0].data) == "alpha");
  CHECK(view_of((*read)[1].filename) == "b.mp4");
  CHECK(view_of((*read)[1].url) == "https://x/b");
  for (const og_attachment& a : *read) {
    CHECK(a.blob_ref.len == 0);
    CHECK(a.size == 0);
    CHECK(a.content_id.len == 0);
    CHECK(a.disposition.len == 0);
  }
}

TEST_CASE("read_abi_array refuses an element whose struct_size differs from the first's") {
  auto buffer = header_buffer(4, sizeof(og_header));
  auto* items = reinterpret_cast<og_header*>(buffer.data());
  items[2].struct_size = sizeof(og_header) + 8;
  std::string error;
  CHECK_FALSE(read_abi_array(static_cast<const og_header*>(items), 4, error).has_value());
  CHECK_THAT(error,
             Equals("[2]: struct_size " + std::to_string(sizeof(og_header) + 8) +
                    " differs from the first element's " + std::to_string(sizeof(og_header))));
}

TEST_CASE("read_abi_array refuses an element size that is too small or misaligned") {
  for (const uint32_t bad : {0u, 2u, 3u, static_cast<uint32_t>(sizeof(og_header) + 4)}) {
    INFO("struct_size " << bad);
    auto buffer = header_buffer(1, sizeof(og_header) + 8);
    reinterpret_cast<og_header*>(buffer.data())->struct_size = bad;
    std::string error;
    CHECK_FALSE(
        read_abi_array(reinterpret_cast<const og_header*>(buffer.data()), 2, error).has_value());
    CHECK_THAT(error,
               Equals("[0]: struct_size " + std::to_string(bad) + " is not a valid element size"));
  }
}

TEST_CASE("read_abi_array refuses NULL with a count, and reads no elements as none") {
  std::string error;
  CHECK_FALSE(read_abi_array(static_cast<const og_skill_requirement*>(nullptr), 3, error));
  CHECK_THAT(error, Equals(" is NULL but its count is 3"));
  error.clear();
  const auto none = read_abi_array(static_cast<const og_skill_requirement*>(nullptr), 0, error);
  REQUIRE(none.has_value());
  CHECK(none->empty());
  CHECK(error.empty());
}
