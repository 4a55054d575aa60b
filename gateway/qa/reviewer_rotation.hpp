// Giving a sample's conversations to reviewers in turn (round-robin), never to the agent whose
// work it is.
#pragma once

#include <string>
#include <vector>

namespace omnigate::qa {

struct Reviewer {
  std::string user;      // the reviewer's user name (what the review records)
  std::string agent_id;  // the agent the user works as, "" when none
};

// One reviewer user name per entry of `agents` (the agent of each conversation, in draw order):
// the next reviewer in turn who is not that agent; "" when every reviewer is (a conversation of
// the only reviewer's own). The turn moves on past whoever was given one.
std::vector<std::string> assign_reviewers(const std::vector<std::string>& agents,
                                          const std::vector<Reviewer>& reviewers);

}  // namespace omnigate::qa
