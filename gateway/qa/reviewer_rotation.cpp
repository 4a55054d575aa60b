#include "qa/reviewer_rotation.hpp"

namespace omnigate::qa {
namespace {

bool is_own(const Reviewer& r, const std::string& agent) {
  return !agent.empty() && (r.agent_id == agent || r.user == agent);
}

}  // namespace

std::vector<std::string> assign_reviewers(const std::vector<std::string>& agents,
                                          const std::vector<Reviewer>& reviewers) {
  std::vector<std::string> out;
  out.reserve(agents.size());
  std::size_t next = 0;
  for (const auto& agent : agents) {
    std::string given;
    for (std::size_t tried = 0; tried < reviewers.size(); ++tried) {
      const std::size_t i = (next + tried) % reviewers.size();
      if (is_own(reviewers[i], agent)) continue;
      given = reviewers[i].user;
      next = i + 1;
      break;
    }
    out.push_back(std::move(given));
  }
  return out;
}

}  // namespace omnigate::qa
