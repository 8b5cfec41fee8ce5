#pragma once
// The e-mail module's two consumers (bus/consumer.hpp). Each turns an event into at most one
// row of the e-mail outbox (storage/email_store.hpp), rendered (email/message.hpp) and
// enqueued inside the transaction the consumer is given: with the contract's dedupe row and
// the outbox's unique source_key, one event is one e-mail across redeliveries and restarts.
// After the commit, `enqueued` wakes the sender.
//
//   ReminderEmails  "email-reminders" of topic `reminders` (reminders/firing.hpp): a fired
//                   reminder -> a reminder e-mail, if the user's email_reminders is on.
//   CompletionNotices "email-notices" of topic `task-events`: a `completed` event whose
//                   source is not "web" (the API, later the chat or MCP) -> a completion
//                   notice, if the user's completion_notices is on. wants() skips every other
//                   event, so they are never even addressed to it over the embedded bus.
//
// An event that is not a JSON object with the fields used is given up (poison); a user
// deleted meanwhile, or with the preference off, is done without an e-mail.
// Threads: handle() on the driver's database thread; committed() on the driver's thread.
#include <functional>
#include <memory>
#include <string>

#include "bus/consumer.hpp"
#include "email/message.hpp"
#include "email/unsubscribe_token.hpp"

namespace todo::email {

// What both consumers share; owned by the module, outlives them.
struct EnqueueContext {
  MailSettings settings;
  std::shared_ptr<const UnsubscribeTokens> tokens;
  std::function<void()> enqueued;  // wakes the sender; any thread, non-blocking
};

class ReminderEmails final : public bus::Consumer {
 public:
  explicit ReminderEmails(const EnqueueContext& context) : context_(context) {}
  const std::string& name() const override { return name_; }
  const std::string& topic() const override { return topic_; }
  // An e-mail queued 25 ms later leaves at the same time (bus/consumer.hpp, gather()).
  std::chrono::milliseconds gather() const override { return std::chrono::milliseconds(25); }
  std::vector<Outcome> handle(storage::Tx& tx, std::span<const bus::Event> events) override;
  void committed(std::span<const bus::Event> events, std::span<const Outcome> outcomes,
                 Millis now) override;

 private:
  std::string name_ = "email-reminders";
  std::string topic_ = "reminders";
  const EnqueueContext& context_;
};

class CompletionNotices final : public bus::Consumer {
 public:
  explicit CompletionNotices(const EnqueueContext& context) : context_(context) {}
  const std::string& name() const override { return name_; }
  const std::string& topic() const override { return topic_; }
  // `completed` events with a source other than "web"; anything unreadable too (to give it up).
  bool wants(const bus::Event& event) const override;
  // An e-mail queued 25 ms later leaves at the same time (bus/consumer.hpp, gather()).
  std::chrono::milliseconds gather() const override { return std::chrono::milliseconds(25); }
  std::vector<Outcome> handle(storage::Tx& tx, std::span<const bus::Event> events) override;
  void committed(std::span<const bus::Event> events, std::span<const Outcome> outcomes,
                 Millis now) override;

 private:
  std::string name_ = "email-notices";
  std::string topic_ = "task-events";
  const EnqueueContext& context_;
};

}  // namespace todo::email
