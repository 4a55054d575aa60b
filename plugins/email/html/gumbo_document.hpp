// A document parsed by gumbo, and a walk over its tree that never recurses.
//
// Mail is hostile input: a message can nest elements a million deep. gumbo's own
// gumbo_destroy_output() frees the tree recursively, so such a message would overflow the stack.
// The parse therefore allocates from an arena that is released in one piece (gumbo_destroy_output
// is never called), and walk_tree() keeps its own stack: nothing here is bounded by the C stack.
// The depth itself is bounded first (html_nesting_limit.hpp), because gumbo's time is not.
#pragma once

#include <gumbo.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace omnigate::email {

// The memory of one parse. gumbo frees as it goes; those frees are ignored and the whole arena
// goes at once. gumbo grows its buffers geometrically, so the arena stays a small multiple of
// the input.
class GumboArena {
 public:
  void* allocate(std::size_t size);

 private:
  std::vector<std::unique_ptr<std::byte[]>> blocks_;
  std::byte* next_ = nullptr;
  std::size_t remaining_ = 0;
};

class GumboDocument {
 public:
  explicit GumboDocument(std::string_view html);
  GumboDocument(const GumboDocument&) = delete;
  GumboDocument& operator=(const GumboDocument&) = delete;

  const GumboNode* root() const { return output_->root; }  // the <html> element

 private:
  std::optional<std::string> limited_;  // the input without its too deep start tags, if any
  std::string_view input_;              // what gumbo parsed; its tree points into it
  GumboArena arena_;
  GumboOptions options_;
  GumboOutput* output_;
};

// What a visitor wants done with an element's children.
enum class Descend { kYes, kNo };

// Depth-first, in document order: visitor.enter(node) for every node (its return value decides
// whether an element's children are visited), visitor.leave(node) after an element's children
// for every element that was descended into.
template <typename Visitor>
void walk_tree(const GumboNode* root, Visitor& visitor) {
  struct Frame {
    const GumboNode* element;
    unsigned next_child;
  };
  std::vector<Frame> stack;
  if (visitor.enter(root) == Descend::kNo || root->type != GUMBO_NODE_ELEMENT) return;
  stack.push_back({root, 0});
  while (!stack.empty()) {
    Frame& top = stack.back();
    const GumboVector& children = top.element->v.element.children;
    if (top.next_child == children.length) {
      const GumboNode* done = top.element;
      stack.pop_back();
      visitor.leave(done);
      continue;
    }
    const auto* child = static_cast<const GumboNode*>(children.data[top.next_child++]);
    const bool has_children =
        child->type == GUMBO_NODE_ELEMENT || child->type == GUMBO_NODE_TEMPLATE;
    if (visitor.enter(child) == Descend::kYes && has_children) stack.push_back({child, 0});
  }
}

}  // namespace omnigate::email
