#include "email/message.hpp"

#include <sodium.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <ctime>

#include <boost/url/parse.hpp>

#include "core/random.hpp"
#include "tasks/recurrence.hpp"

namespace todo::email {
namespace {

constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// "+05:30" for an offset in seconds.
std::string offset_text(int seconds) {
  char buf[16];
  int m = seconds < 0 ? -seconds / 60 : seconds / 60;
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", seconds < 0 ? '-' : '+', m / 60, m % 60);
  return buf;
}

bool is_ascii(std::string_view text) {
  for (unsigned char c : text)
    if (c >= 0x80) return false;
  return true;
}

// The longest prefix of `text` of at most `limit` bytes that does not cut a UTF-8 sequence.
std::size_t utf8_prefix(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return text.size();
  std::size_t n = limit;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return n;
}

std::string base64(std::string_view bytes) {
  ensure_sodium();
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

// A safe msg-id left part (RFC 5322 §3.6.4 dot-atom-text) from an event id.
std::string id_atom(std::string_view id) {
  std::string out;
  for (char c : id)
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.') ? c : '_';
  return out.empty() ? "x" : out;
}

// A display name for an address header: quoted-string when ASCII (quotes and backslashes
// escaped), an encoded-word otherwise; empty names give the bare address.
std::string mailbox(std::string_view name, std::string_view address) {
  std::string clean = header_text(name);
  if (clean.empty()) return std::string(address);
  std::string out;
  if (is_ascii(name)) {
    out = "\"";
    for (char c : clean) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += "\"";
  } else {
    out = clean;
  }
  return out + " <" + std::string(address) + ">";
}

void add_header(std::string& headers, std::string_view name, std::string_view value) {
  if (!headers.empty()) headers += "\r\n";
  headers += name;
  headers += ": ";
  headers += value;
}

std::string common_headers(const MailSettings& s, std::string_view to_name,
                           std::string_view to_email, std::string_view subject,
                           std::string_view message_id, Millis now) {
  std::string h;
  add_header(h, "From", header_text(s.from));
  add_header(h, "To", mailbox(to_name, header_text(to_email)));
  add_header(h, "Subject", header_text(subject));
  add_header(h, "Date", rfc5322_date(now));
  add_header(h, "Message-ID", message_id);
  // RFC 3834: machine-generated, so auto-responders stay quiet.
  add_header(h, "Auto-Submitted", "auto-generated");
  return h;
}

std::string greeting(std::string_view name) {
  return name.empty() ? "Hello," : "Hello " + std::string(name) + ",";
}

}  // namespace

std::string rfc5322_date(Millis t) {
  std::time_t seconds = static_cast<std::time_t>(t >= 0 ? t / 1000 : (t - 999) / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::string human_time(Millis t, std::string_view timezone) {
  auto z = zoned_time(t, timezone);
  if (!z) z = zoned_time(t, "UTC");
  std::string zone = z->abbreviation;
  // Zones without letters ("+0530"), or none at all: say the offset.
  if (zone.empty() || zone[0] == '+' || zone[0] == '-')
    zone = "UTC" + (z->utc_offset_seconds ? offset_text(z->utc_offset_seconds) : "");
  char buf[80];
  std::snprintf(buf, sizeof buf, "%s %d %s %04d, %02d:%02d %s", kDays[std::size_t(z->weekday % 7)],
                z->day, kMonths[std::size_t((z->month + 11) % 12)], z->year, z->hour, z->minute,
                zone.c_str());
  return buf;
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string header_text(std::string_view text) {
  std::string clean;
  clean.reserve(text.size());
  for (char c : text) clean += (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) ? ' ' : c;
  if (is_ascii(clean)) return clean;
  // RFC 2047 §2: an encoded-word is at most 75 characters; "=?UTF-8?B?" + "?=" leave 63 for
  // base64, i.e. 45 bytes of text, cut between UTF-8 sequences (§5: each word decodes alone).
  // Words are joined by folding whitespace (RFC 5322 §2.2.3), which decoders drop.
  std::string out;
  std::string_view rest = clean;
  while (!rest.empty()) {
    std::size_t n = utf8_prefix(rest, 45);
    if (n == 0) n = 1;  // not UTF-8 at all: still make progress
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64(rest.substr(0, n)) + "?=";
    rest.remove_prefix(n);
  }
  return out;
}

std::string message_id_domain(std::string_view public_url) {
  auto url = boost::urls::parse_uri(public_url);
  if (!url || url->encoded_host().empty()) return "localhost";
  std::string host(url->encoded_host());
  if (host.front() == '[') return "localhost";  // an IP literal is no msg-id domain
  return host;
}

std::string task_link(std::string_view public_url, std::int64_t task_id) {
  return std::string(public_url) + "/tasks?task=" + std::to_string(task_id);
}

std::string unsubscribe_url(std::string_view public_url, std::string_view token) {
  // The token is base64url and '.': nothing in it needs percent-encoding.
  return std::string(public_url) + "/api/email/unsubscribe?token=" + std::string(token);
}

RenderedEmail render_reminder(const MailSettings& s, const ReminderContent& c, Millis now) {
  const std::string link = task_link(s.public_url, c.task_id);
  const std::string unsubscribe = unsubscribe_url(s.public_url, c.unsubscribe_token);
  const std::string due = c.due_at ? human_time(*c.due_at, c.timezone) : std::string("no due date");
  const std::string message_id =
      "<reminder." + id_atom(c.event_id) + "@" + message_id_domain(s.public_url) + ">";

  RenderedEmail e;
  e.recipient = c.to_email;
  e.headers = common_headers(s, c.to_name, c.to_email, "Reminder: " + c.title, message_id, now);
  // RFC 2369 / RFC 8058: the one-click unsubscribe a mail client offers (a POST to the URL).
  add_header(e.headers, "List-Unsubscribe", "<" + unsubscribe + ">");
  add_header(e.headers, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click");

  e.text = greeting(c.to_name) + "\n\nReminder: " + c.title + "\nDue: " + due +
           "\n\nOpen the task: " + link +
           "\n\n-- \nYou get this e-mail because reminder e-mails are on for your account.\n"
           "Turn them off with one click: " +
           unsubscribe + "\n";
  e.html = "<!DOCTYPE html>\n<html><body>\n<p>" + html_escape(greeting(c.to_name)) +
           "</p>\n<p>Reminder: <strong>" + html_escape(c.title) +
           "</strong><br>\nDue: " + html_escape(due) + "</p>\n<p><a href=\"" + html_escape(link) +
           "\">Open the task</a></p>\n<hr>\n<p><small>You get this e-mail because reminder "
           "e-mails are on for your account. <a href=\"" +
           html_escape(unsubscribe) + "\">Turn them off</a>.</small></p>\n</body></html>\n";
  return e;
}

RenderedEmail render_completion_notice(const MailSettings& s, const NoticeContent& c, Millis now) {
  const std::string link = task_link(s.public_url, c.task_id);
  const std::string when = human_time(c.completed_at, c.timezone);
  const std::string by = c.source == "api"    ? "through the API"
                         : c.source == "chat" ? "by the chat assistant"
                         : c.source == "mcp"  ? "by an AI tool (MCP)"
                                              : "by " + c.source;
  const std::string message_id =
      "<notice." + id_atom(c.event_id) + "@" + message_id_domain(s.public_url) + ">";

  RenderedEmail e;
  e.recipient = c.to_email;
  e.headers = common_headers(s, c.to_name, c.to_email, "Completed: " + c.title, message_id, now);
  e.text = greeting(c.to_name) + "\n\nYour task \"" + c.title + "\" was completed " + by + " on " +
           when + ".\n\nOpen the task: " + link +
           "\n\n-- \nYou get this e-mail because completion notices are on for your account.\n"
           "Turn them off in your settings: " +
           s.public_url + "/settings\n";
  e.html = "<!DOCTYPE html>\n<html><body>\n<p>" + html_escape(greeting(c.to_name)) +
           "</p>\n<p>Your task <strong>" + html_escape(c.title) + "</strong> was completed " +
           html_escape(by) + " on " + html_escape(when) + ".</p>\n<p><a href=\"" +
           html_escape(link) +
           "\">Open the task</a></p>\n<hr>\n<p><small>You get this e-mail because completion "
           "notices are on for your account. <a href=\"" +
           html_escape(s.public_url + "/settings") +
           "\">Turn them off in your settings</a>.</small></p>\n</body></html>\n";
  return e;
}

}  // namespace todo::email
