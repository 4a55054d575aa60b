#include "plugin_host/live_services.hpp"

#include "plugin_host/abi_struct.hpp"
#include "plugin_host/host_call.hpp"
#include "plugin_host/json_object_check.hpp"
#include "plugin_host/plugin_instance.hpp"

#include <algorithm>
#include <cstring>

namespace omnigate::plugin_host {

bool valid_signal_kind(std::string_view kind) {
  return !kind.empty() && kind.size() <= 32 && std::all_of(kind.begin(), kind.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || c == '_' || c == '.';
  });
}

// ---- PluginInstance members of this service (declared in plugin_instance.hpp)

og_status PluginInstance::signal(const og_conversation_signal& signal, std::string& error) {
  const std::string_view kind = view_of(signal.kind);
  const std::string_view data = view_of(signal.data_json);
  if (!valid_signal_kind(kind)) {
    error = "signal kind must be 1..32 of [a-z_.]";
    return OG_PERMANENT;
  }
  if (!data.empty() && !is_json_object(data)) {
    error = "signal data_json must be a JSON object or empty";
    return OG_PERMANENT;
  }
  const int64_t id = signal.conversation_id;
  if (!own_conversations_.contains(id)) {
    // A conversation this process has not seen go through the instance (one from before a
    // restart): a read, never a write, and remembered.
    const auto conversation = id > 0 ? services_.store.get_conversation(id) : std::nullopt;
    if (!conversation || conversation->channel_instance != config_.instance) {
      error = "instance " + config_.instance + " has no conversation " + std::to_string(id);
      return OG_NOT_FOUND;
    }
    own_conversations_.add(id);
  }
  if (services_.live.signalled)
    services_.live.signalled(config_.instance, id, std::string(kind), std::string(data));
  return OG_OK;
}

og_status PluginInstance::channel_availability(const std::vector<og_skill_requirement>& skills,
                                               og_channel_availability& out, std::string& error) {
  SkillNeeds needs;
  for (std::size_t i = 0; i < skills.size(); ++i) {
    const og_skill_requirement& s = skills[i];
    if (s.skill.len == 0) {
      error = "skills[" + std::to_string(i) + "].skill is empty";
      return OG_PERMANENT;
    }
    if (s.min_level < 1 || s.min_level > 5) {
      error = "skills[" + std::to_string(i) + "].min_level must be 1..5";
      return OG_PERMANENT;
    }
    needs.emplace_back(copy_of(s.skill), s.min_level);
  }
  if (!services_.live.availability) {
    error = "routing is not running";
    return OG_RETRY;
  }
  const ChannelAvailability a = services_.live.availability(config_.instance, channel_kind_, needs);
  out.agents_online = a.agents_online;
  out.agents_free = a.agents_free;
  out.queued = a.queued;
  out.expected_wait_ms = a.expected_wait_ms;
  return OG_OK;
}

namespace {

og_status host_signal(og_host_ctx* ctx, const og_conversation_signal* signal, og_error* err) {
  return host_call(ctx, err, [&](PluginInstance& inst, std::string& error) {
    const auto s = read_abi_struct(signal);
    if (!s) {
      error = "og_conversation_signal is NULL or its struct_size is too small";
      return OG_PERMANENT;
    }
    return inst.signal(*s, error);
  });
}

og_status host_channel_availability(og_host_ctx* ctx, const og_skill_requirement* skills,
                                    size_t skill_count, og_channel_availability* out,
                                    og_error* err) {
  return host_call(ctx, err, [&](PluginInstance& inst, std::string& error) {
    if (out == nullptr || out->struct_size < sizeof(uint32_t)) {
      error = "og_channel_availability is NULL or its struct_size is too small";
      return OG_PERMANENT;
    }
    std::string array_error;
    const auto needs = read_abi_array(skills, skill_count, array_error);
    if (!needs) {
      error = "skills" + array_error;
      return OG_PERMANENT;
    }
    auto answer = make_abi_struct<og_channel_availability>();
    const og_status status = inst.channel_availability(*needs, answer, error);
    if (status != OG_OK) return status;
    // Caller-owned: written only as far as its struct_size covers, which it keeps.
    const uint32_t size = out->struct_size;
    std::memcpy(out, &answer, std::min<std::size_t>(size, sizeof answer));
    out->struct_size = size;
    return OG_OK;
  });
}

}  // namespace

void install_live_functions(og_host_api& api) {
  api.signal = &host_signal;
  api.channel_availability = &host_channel_availability;
}

}  // namespace omnigate::plugin_host
