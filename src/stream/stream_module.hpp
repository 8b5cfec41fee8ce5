#pragma once
// stream: live updates to browsers (issue 11 item 1). GET /api/{user_id}/stream
// (text/event-stream; cookie or bearer auth; another user's stream -> 403) sends the user's
// task events (`event: task`), new in-app notifications (`event: notification`) and unread
// counts (`event: notifications`) as they commit, each with `id: <seq>` from the user's
// log (storage/stream_store.hpp); `Last-Event-ID` (or `?last_event_id=`) resumes, `event:
// reset` says the client must reload (its id was pruned); a heartbeat comment keeps proxies
// from closing idle streams. See src/stream/README.md.
//   - the consumer "stream" of task-events appends task events (stream/stream_consumer.hpp);
//   - reminders (firing, notification routes) append notifications, and say so through
//     Platform::stream_signal;
//   - the hub (stream/hub.hpp) feeds this process's open streams; on PostgreSQL a LISTEN
//     todo_stream connection wakes it for appends committed by any process;
//   - the worker prunes rows older than --stream-retention, in bounded batches, and every
//     second closes the streams whose session ended (sign-out, expiry).
// Options: --stream-retention (TODO_STREAM_RETENTION, 24h), --stream-heartbeat
// (TODO_STREAM_HEARTBEAT, 15s), --stream-max-open (TODO_STREAM_MAX_OPEN, 10000).
// Metrics: todo_stream_open, todo_stream_messages_total, todo_stream_lag_seconds,
// todo_stream_pruned_total.
#include <memory>
#include <string>

#include "app/module.hpp"

namespace todo::stream {

struct StreamOptions {
  std::string retention = "24h";
  std::string heartbeat = "15s";
  int max_open = 10000;
};

std::unique_ptr<app::ModuleSpec> module_spec();

}  // namespace todo::stream
