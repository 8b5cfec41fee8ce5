#pragma once
// Rendering e-mails (pure functions, unit-tested in tests/email/message_test.cpp).
//
// A rendered e-mail is what the e-mail outbox stores (storage/email_store.hpp): the header
// lines of an RFC 5322 message (From, To, Subject, Date, Message-ID and, for reminders,
// List-Unsubscribe + List-Unsubscribe-Post of RFC 8058) and the two bodies of its
// multipart/alternative (RFC 2046 §5.1.4) text/plain and text/html parts. The MIME structure
// itself (boundaries, transfer encoding) is libcurl's (curl_mime, email/smtp_client.hpp), so
// nothing here writes MIME by hand.
#include <optional>
#include <string>
#include <string_view>

#include "core/time.hpp"

namespace todo::email {

struct MailSettings {
  std::string from;        // TODO_SMTP_FROM, a bare address or "Name <addr>"
  std::string public_url;  // TODO_PUBLIC_URL without a trailing slash: base of every link
};

struct RenderedEmail {
  std::string recipient;  // the bare address (RCPT TO)
  std::string headers;    // header lines, CRLF-separated, no trailing CRLF
  std::string text;
  std::string html;
};

// What a reminder e-mail says.
struct ReminderContent {
  std::string event_id;  // of the reminders event: makes the Message-ID
  std::string to_email;
  std::string to_name;
  std::int64_t task_id = 0;
  std::string title;
  std::optional<Millis> due_at;
  Millis remind_at = 0;
  std::string timezone;           // the user's preferences timezone (IANA)
  std::string unsubscribe_token;  // email/unsubscribe_token.hpp
};

// What a completion notice says: a task completed by something else than the user's browser.
struct NoticeContent {
  std::string event_id;  // of the completed event
  std::string to_email;
  std::string to_name;
  std::int64_t task_id = 0;
  std::string title;
  std::string source;  // the event's source: "api", "chat", "mcp"
  Millis completed_at = 0;
  std::string timezone;
};

// The reminder e-mail; `now` is its Date.
RenderedEmail render_reminder(const MailSettings& settings, const ReminderContent& content,
                              Millis now);
// The completion notice; `now` is its Date. No List-Unsubscribe: the notice is opt-in and
// its text says where to turn it off (the settings page).
RenderedEmail render_completion_notice(const MailSettings& settings, const NoticeContent& content,
                                       Millis now);

// --- The pieces (exposed for the tests) ---

// RFC 5322 §3.3 date-time in UTC: "Tue, 01 Dec 2026 08:00:00 +0000".
std::string rfc5322_date(Millis t);
// A time for people, in `timezone` (IANA): "Tue 1 Dec 2026, 09:00 CET". A zone libical does
// not know falls back to UTC.
std::string human_time(Millis t, std::string_view timezone);
// &, <, >, " and ' as character references (HTML 5 §13.1.2.6 escaping).
std::string html_escape(std::string_view text);
// A header field body: CR, LF and other controls become spaces (no header injection);
// non-ASCII text becomes RFC 2047 encoded-words (=?UTF-8?B?...?=, each at most 75 bytes).
std::string header_text(std::string_view text);
// The domain of Message-IDs: the host of `public_url` ("localhost" when it has none).
std::string message_id_domain(std::string_view public_url);
// The link to a task in the web UI: <public_url>/tasks?task=<id>.
std::string task_link(std::string_view public_url, std::int64_t task_id);
// The one-click unsubscribe URL (RFC 8058): <public_url>/api/email/unsubscribe?token=<token>.
std::string unsubscribe_url(std::string_view public_url, std::string_view token);

}  // namespace todo::email
