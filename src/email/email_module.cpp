#include "email/email_module.hpp"

#include <boost/url/parse.hpp>

#include <cstdlib>

#include "app/platform.hpp"
#include "config/duration.hpp"
#include "core/log.hpp"
#include "email/email_consumers.hpp"
#include "email/email_routes.hpp"
#include "email/sender.hpp"
#include "storage/email_store.hpp"
#include "storage/sync.hpp"

namespace todo::email {
namespace {

std::chrono::milliseconds seconds_option(const std::string& text) {
  return std::chrono::seconds(*parse_duration_seconds(text));
}

class EmailModule final : public app::Module {
 public:
  EmailModule(app::Platform& p, const EmailOptions& o)
      : db_(p.db),
        tokens_(std::make_shared<const UnsubscribeTokens>(p.config.jwt_secret)),
        routes_{p.db, p.metrics, p.authenticator, *tokens_} {
    std::string public_url = o.public_url;
    while (public_url.ends_with('/')) public_url.pop_back();
    context_.settings = {o.smtp_from, public_url};
    context_.tokens = tokens_;
    if (o.smtp_url.empty()) {
      log::info("e-mail is off: no --smtp-url (TODO_SMTP_URL); preferences are still served");
      return;
    }
    const char* password = std::getenv("TODO_SMTP_PASSWORD");
    SmtpOptions smtp{o.smtp_url, o.smtp_user, password ? password : "", bare_address(o.smtp_from),
                     o.smtp_require_tls};
    smtp.ca_file = o.smtp_ca_file;
    RetryPolicy policy{seconds_option(o.retry_base), seconds_option(o.retry_max), o.max_attempts,
                       seconds_option(o.max_age)};
    sender_ = std::make_unique<EmailSender>(p.db, p.metrics, SmtpClient(std::move(smtp)), policy);
    context_.enqueued = [this] { sender_->wake(); };
    reminders_ = std::make_shared<ReminderEmails>(context_);
    notices_ = std::make_shared<CompletionNotices>(context_);
    log::info("e-mail is on: SMTP {} as {}, links to {}", o.smtp_url, o.smtp_from, public_url);
  }

  std::string_view name() const override { return "email"; }
  void add_routes(http::Router& router) override { add_email_routes(router, routes_); }
  std::vector<std::shared_ptr<bus::Consumer>> consumers() override {
    if (!sender_) return {};
    return {reminders_, notices_};
  }
  std::vector<app::Worker*> workers() override {
    if (!sender_) return {};
    return {sender_.get()};
  }
  std::vector<app::ReadinessCheck> readiness_checks() override {
    if (!sender_) return {};
    return {{"email", [this] {
               std::int64_t pending = 0;
               auto status = storage::read_and_wait(db_, [&](storage::Tx& tx) {
                 pending = storage::email_outbox(tx).pending_count();
               });
               (void)status;  // the database's own check reports it unreachable
               return app::Readiness{app::Readiness::Level::ok, "ok", "emails_pending", pending};
             }}};
  }

 private:
  storage::Database& db_;
  std::shared_ptr<const UnsubscribeTokens> tokens_;
  RouteDeps routes_;
  EnqueueContext context_;
  std::unique_ptr<EmailSender> sender_;
  std::shared_ptr<ReminderEmails> reminders_;
  std::shared_ptr<CompletionNotices> notices_;
};

void validate(const EmailOptions& o) {
  if (!o.smtp_url.empty()) {
    auto url = boost::urls::parse_absolute_uri(o.smtp_url);
    if (!url || (url->scheme() != "smtp" && url->scheme() != "smtps") ||
        url->encoded_host().empty())
      throw std::invalid_argument("--smtp-url must look like smtp://host:587 or smtps://host:465");
    // Credentials in the URL would end up in logs: they have options of their own.
    if (url->has_userinfo())
      throw std::invalid_argument(
          "--smtp-url must not hold credentials: use --smtp-user and TODO_SMTP_PASSWORD");
  }
  auto from = bare_address(o.smtp_from);
  if (from.find('@') == std::string::npos || from.find_first_of("\r\n<> ") != std::string::npos)
    throw std::invalid_argument("--smtp-from must be an address, e.g. \"Todo <todo@example.com>\"");
  // Used as the From header as written: plain ASCII keeps it a valid header without encoding.
  for (unsigned char c : o.smtp_from)
    if (c < 0x20 || c >= 0x7F)
      throw std::invalid_argument(
          "--smtp-from must be printable ASCII, e.g. \"Todo <todo@example.com>\"");
  auto public_url = boost::urls::parse_absolute_uri(o.public_url);
  if (!public_url || (public_url->scheme() != "http" && public_url->scheme() != "https"))
    throw std::invalid_argument(
        "--public-url must be an http(s) URL, e.g. https://todo.example.com");
  for (const auto& [flag, value] : {std::pair{"--smtp-retry-base", o.retry_base},
                                    {"--smtp-retry-max", o.retry_max},
                                    {"--smtp-max-age", o.max_age}})
    if (!parse_duration_seconds(value))
      throw std::invalid_argument(std::string(flag) + " must look like 30s, 5m or 24h, got '" +
                                  value + "'");
}

}  // namespace

std::unique_ptr<app::ModuleSpec> module_spec() {
  return std::make_unique<app::FunctionSpec<EmailOptions>>(
      "email", "E-mail over SMTP and preferences (email module)",
      [](app::OptionGroup& g, EmailOptions& o) {
        g.text("--smtp-url", "TODO_SMTP_URL", o.smtp_url,
               "SMTP server: smtp://host:587 (STARTTLS when offered) or smtps://host:465; empty: "
               "e-mail is off");
        g.text("--smtp-user", "TODO_SMTP_USER", o.smtp_user,
               "SMTP login; its password comes from the environment variable TODO_SMTP_PASSWORD "
               "only (never logged)");
        g.text("--smtp-from", "TODO_SMTP_FROM", o.smtp_from, "From of every e-mail");
        g.flag("--smtp-require-tls", "TODO_SMTP_REQUIRE_TLS", o.smtp_require_tls,
               "With smtp://: refuse to send unless the server offers STARTTLS");
        g.text("--smtp-ca-file", "TODO_SMTP_CA_FILE", o.smtp_ca_file,
               "PEM file of the CA certificates that sign the SMTP server's certificate "
               "(default: the system's)");
        g.text("--public-url", "TODO_PUBLIC_URL", o.public_url,
               "Base URL of the links in e-mails (the web UI as users reach it)");
        g.text("--smtp-retry-base", "TODO_SMTP_RETRY_BASE", o.retry_base,
               "First delay after a transient SMTP failure; doubles with each try");
        g.text("--smtp-retry-max", "TODO_SMTP_RETRY_MAX", o.retry_max,
               "Longest delay between tries");
        g.integer("--smtp-max-attempts", "TODO_SMTP_MAX_ATTEMPTS", o.max_attempts,
                  "Tries of one e-mail before it is given up", 1, 100);
        g.text("--smtp-max-age", "TODO_SMTP_MAX_AGE", o.max_age,
               "An e-mail not sent this long after it was enqueued is given up");
      },
      validate,
      [](app::Platform& p, const EmailOptions& o) -> std::unique_ptr<app::Module> {
        return std::make_unique<EmailModule>(p, o);
      });
}

}  // namespace todo::email
