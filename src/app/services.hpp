#pragma once
// What route modules share: built once in main, passed by reference. No globals.
#include <boost/asio/thread_pool.hpp>

#include "auth/sign_in_limiter.hpp"
#include "bus/outbox_relay.hpp"
#include "config/config.hpp"
#include "ops/metrics.hpp"
#include "storage/database.hpp"
#include "tasks/list_cache.hpp"

namespace todo {

struct Services {
  const Config& config;
  storage::Database& db;
  ops::Metrics& metrics;
  SignInLimiter& sign_in_limiter;
  // CPU-heavy work (Argon2id hashing) runs here, never on I/O threads; its size bounds
  // the memory Argon2 may take at once.
  boost::asio::thread_pool& cpu_pool;
  // Task-list response cache; null when disabled (PostgreSQL: replicas share the data).
  ListCache* list_cache = nullptr;
  // Addresses events to the relay's targets (bus/outbox_writer.hpp); set before serving.
  const bus::OutboxWriter* outbox = nullptr;
  // The embedded bus, for health and metrics; null in roles without one.
  bus::OutboxRelay* relay = nullptr;
};

}  // namespace todo
