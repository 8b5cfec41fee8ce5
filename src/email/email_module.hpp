#pragma once
// email: per-user preferences and e-mail over SMTP (issue 11, item 3). See README.md.
//   - GET/PUT /api/{user_id}/preferences, GET/POST /api/email/unsubscribe (email_routes.hpp);
//   - with --smtp-url: the consumers "email-reminders" (topic reminders) and "email-notices"
//     (topic task-events) fill the e-mail outbox (email_consumers.hpp), the worker
//     "email-sender" sends it (sender.hpp); /readyz check "email" (pending e-mails, never
//     failing: mail waits in the outbox).
// Without --smtp-url the module only serves its routes and says at start-up that e-mail is
// off. The SMTP password is read from the environment (TODO_SMTP_PASSWORD) only: it is no
// command-line option, so it never shows in the process list or the start-up log.
#include <memory>
#include <string>

#include "app/module.hpp"

namespace todo::email {

struct EmailOptions {
  std::string smtp_url;
  std::string smtp_user;
  std::string smtp_from = "Todo <todo@localhost>";
  bool smtp_require_tls = false;
  std::string smtp_ca_file;
  std::string public_url = "http://127.0.0.1:8080";
  std::string retry_base = "30s";
  std::string retry_max = "1h";
  int max_attempts = 10;
  std::string max_age = "24h";
};

std::unique_ptr<app::ModuleSpec> module_spec();

}  // namespace todo::email
