// Name interning: dense, stable ids that the engine's per-name vectors are indexed by.
#include <catch2/catch.hpp>

#include "name_table.hpp"

using omnigate::routing::NameTable;

TEST_CASE("names get dense ids in the order they are first seen") {
  NameTable names;
  CHECK(names.intern("billing") == 0);
  CHECK(names.intern("french") == 1);
  CHECK(names.intern("vip") == 2);
  CHECK(names.size() == 3);
  CHECK(names.name(1) == "french");
}

TEST_CASE("interning a name again gives the same id and adds nothing") {
  NameTable names;
  const int billing = names.intern("billing");
  names.intern("french");
  CHECK(names.intern("billing") == billing);
  CHECK(names.size() == 2);
}

TEST_CASE("the empty name is no name and takes no id") {
  NameTable names;
  CHECK(names.intern("") == NameTable::kNoName);
  CHECK(names.size() == 0);
  CHECK(names.intern("sms") == 0);
}

TEST_CASE("find names a known id and never interns") {
  NameTable names;
  names.intern("sms");
  CHECK(names.find("sms") == 0);
  CHECK(names.find("voice") == NameTable::kNoName);
  CHECK(names.size() == 1);
}

TEST_CASE("names are case-sensitive") {
  NameTable names;
  CHECK(names.intern("Sales") != names.intern("sales"));
}
