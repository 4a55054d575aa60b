/* The frozen x86-64 layout of every plugin ABI 2 struct, as one X-macro table checked from C
 * (abi_layout_c.c) and C++ (abi_layout.cpp). A failing check means an ABI break: fields may
 * only be appended, never moved, resized or removed. ABI 2.0 is frozen: a later minor only
 * adds OG_OFFSET lines after a struct's last one and changes its OG_SIZE. */
#ifndef OMNIGATE_ABI_LAYOUT_EXPECTATIONS_H
#define OMNIGATE_ABI_LAYOUT_EXPECTATIONS_H

/* OG_OFFSET(type, field, offset)  OG_SIZE(type, size) */
#define OG_ABI_LAYOUT(OG_OFFSET, OG_SIZE)                   \
  OG_OFFSET(og_str, ptr, 0)                                 \
  OG_OFFSET(og_str, len, 8)                                 \
  OG_SIZE(og_str, 16)                                       \
  OG_OFFSET(og_error, status, 4)                            \
  OG_OFFSET(og_error, message, 8)                           \
  OG_SIZE(og_error, 520)                                    \
  OG_OFFSET(og_header, name, 8)                             \
  OG_OFFSET(og_header, value, 24)                           \
  OG_SIZE(og_header, 40)                                    \
  OG_OFFSET(og_http_request, request_id, 8)                 \
  OG_OFFSET(og_http_request, method, 16)                    \
  OG_OFFSET(og_http_request, target, 32)                    \
  OG_OFFSET(og_http_request, path, 48)                      \
  OG_OFFSET(og_http_request, query, 64)                     \
  OG_OFFSET(og_http_request, headers, 80)                   \
  OG_OFFSET(og_http_request, header_count, 88)              \
  OG_OFFSET(og_http_request, body, 96)                      \
  OG_OFFSET(og_http_request, remote_addr, 112)              \
  OG_SIZE(og_http_request, 128)                             \
  OG_OFFSET(og_http_response, status, 4)                    \
  OG_OFFSET(og_http_response, content_type, 8)              \
  OG_OFFSET(og_http_response, body, 24)                     \
  OG_OFFSET(og_http_response, headers, 40)                  \
  OG_OFFSET(og_http_response, header_count, 48)             \
  OG_SIZE(og_http_response, 56)                             \
  OG_OFFSET(og_route_options, max_body_bytes, 8)            \
  OG_OFFSET(og_route_options, respond_timeout_ms, 16)       \
  OG_SIZE(og_route_options, 24)                             \
  OG_OFFSET(og_ws_handlers, user, 8)                        \
  OG_OFFSET(og_ws_handlers, on_open, 16)                    \
  OG_OFFSET(og_ws_handlers, on_message, 24)                 \
  OG_OFFSET(og_ws_handlers, on_close, 32)                   \
  OG_SIZE(og_ws_handlers, 40)                               \
  OG_OFFSET(og_attachment, filename, 8)                     \
  OG_OFFSET(og_attachment, content_type, 24)                \
  OG_OFFSET(og_attachment, data, 40)                        \
  OG_OFFSET(og_attachment, url, 56)                         \
  OG_OFFSET(og_attachment, blob_ref, 72)                    \
  OG_OFFSET(og_attachment, size, 88)                        \
  OG_OFFSET(og_attachment, content_id, 96)                  \
  OG_OFFSET(og_attachment, disposition, 112)                \
  OG_SIZE(og_attachment, 128)                               \
  OG_OFFSET(og_skill_requirement, skill, 8)                 \
  OG_OFFSET(og_skill_requirement, min_level, 24)            \
  OG_SIZE(og_skill_requirement, 32)                         \
  OG_OFFSET(og_inbound_message, provider_message_id, 8)     \
  OG_OFFSET(og_inbound_message, from_kind, 24)              \
  OG_OFFSET(og_inbound_message, from_address, 40)           \
  OG_OFFSET(og_inbound_message, from_name, 56)              \
  OG_OFFSET(og_inbound_message, to_address, 72)             \
  OG_OFFSET(og_inbound_message, thread_key, 88)             \
  OG_OFFSET(og_inbound_message, subject, 104)               \
  OG_OFFSET(og_inbound_message, body_text, 120)             \
  OG_OFFSET(og_inbound_message, body_html, 136)             \
  OG_OFFSET(og_inbound_message, attachments, 152)           \
  OG_OFFSET(og_inbound_message, attachment_count, 160)      \
  OG_OFFSET(og_inbound_message, skills, 168)                \
  OG_OFFSET(og_inbound_message, skill_count, 176)           \
  OG_OFFSET(og_inbound_message, priority, 184)              \
  OG_OFFSET(og_inbound_message, flags, 188)                 \
  OG_OFFSET(og_inbound_message, sent_at_ms, 192)            \
  OG_OFFSET(og_inbound_message, raw, 200)                   \
  OG_OFFSET(og_inbound_message, metadata_json, 216)         \
  OG_SIZE(og_inbound_message, 232)                          \
  OG_OFFSET(og_delivery_report, provider_message_id, 8)     \
  OG_OFFSET(og_delivery_report, state, 24)                  \
  OG_OFFSET(og_delivery_report, error_code, 32)             \
  OG_OFFSET(og_delivery_report, error_text, 48)             \
  OG_OFFSET(og_delivery_report, raw, 64)                    \
  OG_SIZE(og_delivery_report, 80)                           \
  OG_OFFSET(og_channel_event, provider_event_id, 8)         \
  OG_OFFSET(og_channel_event, kind, 24)                     \
  OG_OFFSET(og_channel_event, from_kind, 40)                \
  OG_OFFSET(og_channel_event, from_address, 56)             \
  OG_OFFSET(og_channel_event, to_address, 72)               \
  OG_OFFSET(og_channel_event, thread_key, 88)               \
  OG_OFFSET(og_channel_event, data_json, 104)               \
  OG_OFFSET(og_channel_event, attachments, 120)             \
  OG_OFFSET(og_channel_event, attachment_count, 128)        \
  OG_SIZE(og_channel_event, 136)                            \
  OG_OFFSET(og_outbound_message, idempotency_key, 8)        \
  OG_OFFSET(og_outbound_message, thread_key, 24)            \
  OG_OFFSET(og_outbound_message, to_kind, 40)               \
  OG_OFFSET(og_outbound_message, to_address, 56)            \
  OG_OFFSET(og_outbound_message, from_address, 72)          \
  OG_OFFSET(og_outbound_message, subject, 88)               \
  OG_OFFSET(og_outbound_message, body_text, 104)            \
  OG_OFFSET(og_outbound_message, body_html, 120)            \
  OG_OFFSET(og_outbound_message, in_reply_to, 136)          \
  OG_OFFSET(og_outbound_message, attachments, 152)          \
  OG_OFFSET(og_outbound_message, attachment_count, 160)     \
  OG_OFFSET(og_outbound_message, author_name, 168)          \
  OG_OFFSET(og_outbound_message, metadata_json, 184)        \
  OG_OFFSET(og_outbound_message, conversation_id, 200)      \
  OG_SIZE(og_outbound_message, 208)                         \
  OG_OFFSET(og_send_result, status, 4)                      \
  OG_OFFSET(og_send_result, provider_message_id, 8)         \
  OG_OFFSET(og_send_result, error_code, 24)                 \
  OG_OFFSET(og_send_result, error_text, 40)                 \
  OG_OFFSET(og_send_result, retry_after_ms, 56)             \
  OG_SIZE(og_send_result, 64)                               \
  OG_OFFSET(og_send_lookup, attempts, 4)                    \
  OG_OFFSET(og_send_lookup, enqueued_at_ms, 8)              \
  OG_OFFSET(og_send_lookup, taken_ids, 16)                  \
  OG_OFFSET(og_send_lookup, taken_id_count, 24)             \
  OG_SIZE(og_send_lookup, 32)                               \
  OG_OFFSET(og_unsettled_send, state, 4)                    \
  OG_OFFSET(og_unsettled_send, outbox_id, 8)                \
  OG_OFFSET(og_unsettled_send, provider_message_id, 16)     \
  OG_OFFSET(og_unsettled_send, sent_at_ms, 32)              \
  OG_SIZE(og_unsettled_send, 40)                            \
  OG_OFFSET(og_fetch_request, method, 8)                    \
  OG_OFFSET(og_fetch_request, url, 24)                      \
  OG_OFFSET(og_fetch_request, headers, 40)                  \
  OG_OFFSET(og_fetch_request, header_count, 48)             \
  OG_OFFSET(og_fetch_request, body, 56)                     \
  OG_OFFSET(og_fetch_request, basic_auth_user, 72)          \
  OG_OFFSET(og_fetch_request, basic_auth_password, 88)      \
  OG_OFFSET(og_fetch_request, timeout_ms, 104)              \
  OG_OFFSET(og_fetch_request, flags, 108)                   \
  OG_SIZE(og_fetch_request, 112)                            \
  OG_OFFSET(og_fetch_response, http_status, 4)              \
  OG_OFFSET(og_fetch_response, headers, 8)                  \
  OG_OFFSET(og_fetch_response, header_count, 16)            \
  OG_OFFSET(og_fetch_response, body, 24)                    \
  OG_OFFSET(og_fetch_response, error, 40)                   \
  OG_SIZE(og_fetch_response, 56)                            \
  OG_OFFSET(og_conversation_state, conversation_id, 8)      \
  OG_OFFSET(og_conversation_state, thread_key, 16)          \
  OG_OFFSET(og_conversation_state, customer_kind, 32)       \
  OG_OFFSET(og_conversation_state, customer_address, 48)    \
  OG_OFFSET(og_conversation_state, status, 64)              \
  OG_OFFSET(og_conversation_state, priority, 80)            \
  OG_OFFSET(og_conversation_state, queue_position, 84)      \
  OG_OFFSET(og_conversation_state, expected_wait_ms, 88)    \
  OG_OFFSET(og_conversation_state, agent_id, 96)            \
  OG_OFFSET(og_conversation_state, agent_display_name, 112) \
  OG_OFFSET(og_conversation_state, agent_contact_json, 128) \
  OG_SIZE(og_conversation_state, 144)                       \
  OG_OFFSET(og_conversation_notice, change, 4)              \
  OG_OFFSET(og_conversation_notice, state, 8)               \
  OG_OFFSET(og_conversation_notice, previous_agent_id, 16)  \
  OG_OFFSET(og_conversation_notice, detail_json, 32)        \
  OG_SIZE(og_conversation_notice, 48)                       \
  OG_OFFSET(og_host_info, instance_name, 8)                 \
  OG_OFFSET(og_host_info, mount_path, 24)                   \
  OG_OFFSET(og_host_info, public_base_url, 40)              \
  OG_OFFSET(og_host_info, gateway_version, 56)              \
  OG_SIZE(og_host_info, 72)                                 \
  OG_OFFSET(og_conversation_signal, conversation_id, 8)     \
  OG_OFFSET(og_conversation_signal, kind, 16)               \
  OG_OFFSET(og_conversation_signal, data_json, 32)          \
  OG_SIZE(og_conversation_signal, 48)                       \
  OG_OFFSET(og_channel_availability, agents_online, 4)      \
  OG_OFFSET(og_channel_availability, agents_free, 8)        \
  OG_OFFSET(og_channel_availability, queued, 12)            \
  OG_OFFSET(og_channel_availability, expected_wait_ms, 16)  \
  OG_SIZE(og_channel_availability, 24)                      \
  OG_OFFSET(og_conversation_action, kind, 4)                \
  OG_OFFSET(og_conversation_action, conversation_id, 8)     \
  OG_OFFSET(og_conversation_action, thread_key, 16)         \
  OG_OFFSET(og_conversation_action, agent_id, 32)           \
  OG_OFFSET(og_conversation_action, reason, 48)             \
  OG_OFFSET(og_conversation_action, data_json, 64)          \
  OG_SIZE(og_conversation_action, 80)                       \
  OG_OFFSET(og_customer_info, customer_id, 8)               \
  OG_OFFSET(og_customer_info, display_name, 16)             \
  OG_OFFSET(og_customer_info, tier, 32)                     \
  OG_OFFSET(og_customer_info, open_conversations, 48)       \
  OG_SIZE(og_customer_info, 56)                             \
  OG_OFFSET(og_channel_command, conversation_id, 8)         \
  OG_OFFSET(og_channel_command, thread_key, 16)             \
  OG_OFFSET(og_channel_command, command, 32)                \
  OG_OFFSET(og_channel_command, data_json, 48)              \
  OG_OFFSET(og_channel_command, agent_id, 64)               \
  OG_SIZE(og_channel_command, 80)                           \
  OG_OFFSET(og_host_api, abi_major, 4)                      \
  OG_OFFSET(og_host_api, abi_minor, 8)                      \
  OG_OFFSET(og_host_api, log, 16)                           \
  OG_OFFSET(og_host_api, register_http_route, 24)           \
  OG_OFFSET(og_host_api, register_ws_route, 32)             \
  OG_OFFSET(og_host_api, respond, 40)                       \
  OG_OFFSET(og_host_api, submit_inbound, 48)                \
  OG_OFFSET(og_host_api, submit_delivery, 56)               \
  OG_OFFSET(og_host_api, submit_event, 64)                  \
  OG_OFFSET(og_host_api, send_result, 72)                   \
  OG_OFFSET(og_host_api, ws_send, 80)                       \
  OG_OFFSET(og_host_api, ws_close, 88)                      \
  OG_OFFSET(og_host_api, set_timer, 96)                     \
  OG_OFFSET(og_host_api, cancel_timer, 104)                 \
  OG_OFFSET(og_host_api, http_fetch, 112)                   \
  OG_OFFSET(og_host_api, kv_get, 120)                       \
  OG_OFFSET(og_host_api, kv_put, 128)                       \
  OG_OFFSET(og_host_api, kv_delete, 136)                    \
  OG_OFFSET(og_host_api, list_unsettled_sends, 144)         \
  OG_OFFSET(og_host_api, post, 152)                         \
  OG_OFFSET(og_host_api, host_info, 160)                    \
  OG_OFFSET(og_host_api, get_conversation, 168)             \
  OG_OFFSET(og_host_api, blob_begin, 176)                   \
  OG_OFFSET(og_host_api, blob_write, 184)                   \
  OG_OFFSET(og_host_api, blob_finish, 192)                  \
  OG_OFFSET(og_host_api, blob_abort, 200)                   \
  OG_OFFSET(og_host_api, blob_read, 208)                    \
  OG_OFFSET(og_host_api, metric_register, 216)              \
  OG_OFFSET(og_host_api, metric_record, 224)                \
  OG_OFFSET(og_host_api, signal, 232)                       \
  OG_OFFSET(og_host_api, channel_availability, 240)         \
  OG_OFFSET(og_host_api, conversation_action, 248)          \
  OG_OFFSET(og_host_api, customer_lookup, 256)              \
  OG_SIZE(og_host_api, 264)                                 \
  OG_OFFSET(og_plugin_api, abi_major, 4)                    \
  OG_OFFSET(og_plugin_api, abi_minor, 8)                    \
  OG_OFFSET(og_plugin_api, name, 16)                        \
  OG_OFFSET(og_plugin_api, version, 24)                     \
  OG_OFFSET(og_plugin_api, channel_kind, 32)                \
  OG_OFFSET(og_plugin_api, description, 40)                 \
  OG_OFFSET(og_plugin_api, config_schema_json, 48)          \
  OG_OFFSET(og_plugin_api, create, 56)                      \
  OG_OFFSET(og_plugin_api, start, 64)                       \
  OG_OFFSET(og_plugin_api, stop, 72)                        \
  OG_OFFSET(og_plugin_api, destroy, 80)                     \
  OG_OFFSET(og_plugin_api, send_message, 88)                \
  OG_OFFSET(og_plugin_api, on_timer, 96)                    \
  OG_OFFSET(og_plugin_api, lookup_send, 104)                \
  OG_OFFSET(og_plugin_api, on_conversation, 112)            \
  OG_OFFSET(og_plugin_api, on_command, 120)                 \
  OG_SIZE(og_plugin_api, 128)

#endif
