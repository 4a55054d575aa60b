// Names (skills, teams, channel kinds) interned to dense ids 0, 1, 2, ... in the order they
// are first seen (private to the routing engine), so what the engine keeps per name lives in
// vectors indexed by id, and its hot paths compare ints instead of strings.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

namespace omnigate::routing {

class NameTable {
 public:
  // The id of no name: interning "" gives it, so an unset team or skill stays "none".
  static constexpr int kNoName = -1;

  // The name's id; a name seen for the first time gets the next one (size() before the call).
  int intern(const std::string& name) {
    if (name.empty()) return kNoName;
    const auto [it, inserted] = ids_.emplace(name, static_cast<int>(names_.size()));
    if (inserted) names_.push_back(name);
    return it->second;
  }

  // The id of a name interned before, or kNoName.
  int find(const std::string& name) const {
    const auto it = ids_.find(name);
    return it == ids_.end() ? kNoName : it->second;
  }

  const std::string& name(int id) const { return names_[id]; }
  int size() const { return static_cast<int>(names_.size()); }

 private:
  std::unordered_map<std::string, int> ids_;
  std::vector<std::string> names_;
};

}  // namespace omnigate::routing
