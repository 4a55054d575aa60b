// og_host_api.blob_* entry points: each finds the instance's BlobStreams (blob_streams.hpp).
#include "plugin_host/abi_struct.hpp"
#include "plugin_host/blob_streams.hpp"
#include "plugin_host/host_call.hpp"
#include "plugin_host/plugin_instance.hpp"

#include <cstring>

namespace omnigate::plugin_host {

namespace {

og_status host_blob_begin(og_host_ctx* ctx, uint64_t* writer_id, og_error* err) {
  return host_call(ctx, err, [&](PluginInstance& inst, std::string& error) {
    if (writer_id == nullptr) {
      error = "writer_id is NULL";
      return OG_PERMANENT;
    }
    return inst.blobs().begin(*writer_id, error);
  });
}

og_status host_blob_write(og_host_ctx* ctx, uint64_t writer_id, og_str chunk, og_error* err) {
  return host_call(ctx, err, [&](PluginInstance& inst, std::string& error) {
    if (chunk.len != 0 && chunk.ptr == nullptr) {
      error = "chunk has a length but no pointer";
      return OG_PERMANENT;
    }
    return inst.blobs().write(writer_id, view_of(chunk), error);
  });
}

og_status host_blob_finish(og_host_ctx* ctx, uint64_t writer_id, char* ref, size_t ref_capacity,
                           uint64_t* size, og_error* err) {
  return host_call(ctx, err, [&](PluginInstance& inst, std::string& error) {
    if (ref == nullptr || ref_capacity < OG_BLOB_REF_MAX) {
      inst.blobs().abort(writer_id);
      error = "ref needs room for OG_BLOB_REF_MAX bytes";
      return OG_PERMANENT;
    }
    std::string written;
    std::uint64_t bytes = 0;
    const og_status status = inst.blobs().finish(writer_id, written, bytes, error);
    if (status != OG_OK) return status;
    std::memcpy(ref, written.c_str(), written.size() + 1);
    if (size != nullptr) *size = bytes;
    return OG_OK;
  });
}

void host_blob_abort(og_host_ctx* ctx, uint64_t writer_id) {
  host_call(ctx, nullptr, [&](PluginInstance& inst, std::string&) {
    inst.blobs().abort(writer_id);
    return OG_OK;
  });
}

og_status host_blob_read(og_host_ctx* ctx, og_str ref, uint64_t offset, void* buffer,
                         size_t capacity, size_t* got, uint64_t* total, og_error* err) {
  return host_call(ctx, err, [&](PluginInstance& inst, std::string& error) {
    std::size_t n = 0;
    std::uint64_t size = 0;
    const og_status status =
        inst.blobs().read(view_of(ref), offset, buffer, capacity, n, size, error);
    if (got != nullptr) *got = n;
    if (total != nullptr && status == OG_OK) *total = size;
    return status;
  });
}

}  // namespace

void install_blob_functions(og_host_api& api) {
  api.blob_begin = &host_blob_begin;
  api.blob_write = &host_blob_write;
  api.blob_finish = &host_blob_finish;
  api.blob_abort = &host_blob_abort;
  api.blob_read = &host_blob_read;
}

}  // namespace omnigate::plugin_host
