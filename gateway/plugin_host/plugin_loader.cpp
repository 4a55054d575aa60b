#include "plugin_host/plugin_loader.hpp"

#include <dlfcn.h>

#include <cstddef>
#include <cstring>
#include <utility>

namespace omnigate::plugin_host {

LoadedPlugin::LoadedPlugin(std::shared_ptr<void> library, std::string path,
                           const og_plugin_api& api, std::optional<ConfigSchema> config_schema)
    : library_(std::move(library)),
      path_(std::move(path)),
      api_(api),
      config_schema_(std::move(config_schema)) {}

namespace {

bool empty_string(const char* s) {
  return s == nullptr || *s == '\0';
}

// The reason a plugin's description is unusable, or "" when it is fine.
std::string check_api(const og_plugin_api* raw) {
  if (raw == nullptr) return "og_plugin_entry() returned NULL";
  // abi_major/abi_minor are the fields right after struct_size; without them nothing is known.
  constexpr std::size_t version_end = offsetof(og_plugin_api, abi_minor) + sizeof(uint32_t);
  if (raw->struct_size < version_end) {
    return "og_plugin_api.struct_size " + std::to_string(raw->struct_size) +
           " is too small to hold the ABI version";
  }
  if (raw->abi_major != OG_ABI_MAJOR) {
    return "plugin ABI " + std::to_string(raw->abi_major) + "." + std::to_string(raw->abi_minor) +
           " has another major version than the host's " + std::to_string(OG_ABI_MAJOR) + "." +
           std::to_string(OG_ABI_MINOR);
  }
  if (raw->abi_minor > OG_ABI_MINOR) {
    return "plugin needs ABI " + std::to_string(raw->abi_major) + "." +
           std::to_string(raw->abi_minor) + " but the host has " + std::to_string(OG_ABI_MAJOR) +
           "." + std::to_string(OG_ABI_MINOR) + " (upgrade the gateway)";
  }
  // Every field of 2.0 must be present; a 2.x plugin is at least that large.
  constexpr std::size_t v2_0_size =
      offsetof(og_plugin_api, on_conversation) + sizeof(raw->on_conversation);
  if (raw->struct_size < v2_0_size) {
    return "og_plugin_api.struct_size " + std::to_string(raw->struct_size) +
           " is smaller than the ABI 2.0 size " + std::to_string(v2_0_size);
  }
  if (empty_string(raw->name)) return "og_plugin_api.name is missing";
  if (empty_string(raw->version)) return "og_plugin_api.version is missing";
  if (empty_string(raw->channel_kind)) return "og_plugin_api.channel_kind is missing";
  if (raw->create == nullptr) return "required callback og_plugin_api.create is missing";
  if (raw->destroy == nullptr) return "required callback og_plugin_api.destroy is missing";
  if (raw->send_message == nullptr) {
    return "required callback og_plugin_api.send_message is missing";
  }
  return {};
}

}  // namespace

LoadResult load_plugin(const std::string& path) {
  // dlopen() searches the library path for names without a '/'; a plugin file is always a path.
  const std::string open_path = path.find('/') == std::string::npos ? "./" + path : path;
  dlerror();
  void* handle = dlopen(open_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return {nullptr, path + ": cannot load: " + (why ? why : "unknown dlopen error")};
  }
  dlerror();
  void* symbol = dlsym(handle, OG_PLUGIN_ENTRY_SYMBOL);
  if (symbol == nullptr) {
    dlclose(handle);
    return {nullptr, path + ": not an omnigate plugin: exported symbol " OG_PLUGIN_ENTRY_SYMBOL
                            " not found"};
  }
  og_plugin_entry_fn entry = nullptr;
  static_assert(sizeof entry == sizeof symbol);
  std::memcpy(&entry, &symbol, sizeof entry);  // object → function pointer, as POSIX allows
  const og_plugin_api* raw = entry();
  if (std::string reason = check_api(raw); !reason.empty()) {
    dlclose(handle);
    return {nullptr, path + ": " + reason};
  }
  // A schema the host cannot apply would let every config through: refuse the plugin instead.
  std::optional<ConfigSchema> schema;
  if (!empty_string(raw->config_schema_json)) {
    std::string why;
    schema = ConfigSchema::compile(raw->config_schema_json, why);
    if (!schema) {
      dlclose(handle);
      return {nullptr, path + ": og_plugin_api.config_schema_json " + why};
    }
  }
  og_plugin_api api;
  std::memset(&api, 0, sizeof api);
  std::memcpy(&api, raw, std::min<std::size_t>(raw->struct_size, sizeof api));
  std::shared_ptr<void> library(handle, [](void* h) { dlclose(h); });
  return {std::make_shared<LoadedPlugin>(std::move(library), path, api, std::move(schema)), {}};
}

}  // namespace omnigate::plugin_host
