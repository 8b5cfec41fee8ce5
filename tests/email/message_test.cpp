// The e-mail builder (email/message.hpp): what a recipient sees in the headers and both parts.
#include "email/message.hpp"

#include <gtest/gtest.h>

#include "email/smtp_client.hpp"

namespace todo::email {
namespace {

// 2026-12-01T08:00:00Z: 09:00 in Berlin (CET, winter), 03:00 in New York (EST).
constexpr Millis kDue = 1796112000000;
// 2026-07-01T08:00:00Z: 10:00 in Berlin (CEST, summer).
constexpr Millis kSummer = 1782892800000;

MailSettings settings() {
  return {"Todo <todo@example.com>", "https://todo.example.com"};
}

ReminderContent reminder() {
  ReminderContent c;
  c.event_id = "0192f0c4-1c2b-7def-8abc-0123456789ab";
  c.to_email = "ada@example.com";
  c.to_name = "Ada";
  c.task_id = 42;
  c.title = "Pay rent";
  c.due_at = kDue;
  c.remind_at = kDue - 1800000;
  c.timezone = "Europe/Berlin";
  c.unsubscribe_token = "dV9hZGE.abc";
  return c;
}

std::string header(const RenderedEmail& e, std::string_view name) {
  for (const auto& field : header_fields(e.headers))
    if (field.starts_with(std::string(name) + ": ")) return field.substr(name.size() + 2);
  return "<missing " + std::string(name) + ">";
}

TEST(EmailMessage, ReminderHasTheHeadersOfRfc5322AndRfc8058) {
  auto e = render_reminder(settings(), reminder(), kDue - 1800000);
  EXPECT_EQ(e.recipient, "ada@example.com");
  EXPECT_EQ(header(e, "From"), "Todo <todo@example.com>");
  EXPECT_EQ(header(e, "To"), "\"Ada\" <ada@example.com>");
  EXPECT_EQ(header(e, "Subject"), "Reminder: Pay rent");
  EXPECT_EQ(header(e, "Date"), "Tue, 01 Dec 2026 07:30:00 +0000");
  EXPECT_EQ(header(e, "Message-ID"),
            "<reminder.0192f0c4-1c2b-7def-8abc-0123456789ab@todo.example.com>");
  EXPECT_EQ(header(e, "List-Unsubscribe"),
            "<https://todo.example.com/api/email/unsubscribe?token=dV9hZGE.abc>");
  EXPECT_EQ(header(e, "List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
}

TEST(EmailMessage, MessageIdIsStablePerEventAndDiffersBetweenEvents) {
  auto a = render_reminder(settings(), reminder(), 1);
  auto again = render_reminder(settings(), reminder(), 2);
  auto other_event = reminder();
  other_event.event_id = "0192f0c4-1c2b-7def-8abc-0123456789ac";
  auto b = render_reminder(settings(), other_event, 1);
  EXPECT_EQ(header(a, "Message-ID"), header(again, "Message-ID"));
  EXPECT_NE(header(a, "Message-ID"), header(b, "Message-ID"));
}

TEST(EmailMessage, BothPartsCarryTitleLocalDueTimeAndTaskLink) {
  auto e = render_reminder(settings(), reminder(), 0);
  for (const std::string* body : {&e.text, &e.html}) {
    EXPECT_NE(body->find("Pay rent"), std::string::npos) << *body;
    EXPECT_NE(body->find("Tue 1 Dec 2026, 09:00 CET"), std::string::npos) << *body;
    EXPECT_NE(body->find("https://todo.example.com/tasks?task=42"), std::string::npos) << *body;
    EXPECT_NE(body->find("https://todo.example.com/api/email/unsubscribe?token=dV9hZGE.abc"),
              std::string::npos);
  }
  EXPECT_NE(e.html.find("<a href=\"https://todo.example.com/tasks?task=42\">"), std::string::npos);
}

TEST(EmailMessage, HtmlPartEscapesTheTitleAndTextPartKeepsIt) {
  auto c = reminder();
  c.title = "<script>alert('x')</script> & \"more\"";
  auto e = render_reminder(settings(), c, 0);
  EXPECT_EQ(e.html.find("<script>"), std::string::npos);
  EXPECT_NE(e.html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;more&quot;"),
            std::string::npos);
  EXPECT_NE(e.text.find(c.title), std::string::npos);
}

TEST(EmailMessage, TitleCannotInjectHeaders) {
  auto c = reminder();
  c.title = "Hi\r\nBcc: victim@example.com";
  auto e = render_reminder(settings(), c, 0);
  for (const auto& field : header_fields(e.headers)) EXPECT_FALSE(field.starts_with("Bcc:"));
  EXPECT_EQ(header(e, "Subject"), "Reminder: Hi  Bcc: victim@example.com");
}

TEST(EmailMessage, NonAsciiSubjectIsEncodedWordsOfAtMost75Characters) {
  std::string subject =
      header_text("Reminder: Zahnarzt anrufen – Müller, Köln, Düsseldorf, München");
  EXPECT_EQ(subject.rfind("=?UTF-8?B?", 0), 0u);
  std::size_t start = 0;
  while (start < subject.size()) {
    auto end = subject.find("\r\n ", start);
    std::string word = subject.substr(start, end == std::string::npos ? end : end - start);
    EXPECT_LE(word.size(), 75u) << word;
    EXPECT_TRUE(word.starts_with("=?UTF-8?B?") && word.ends_with("?=")) << word;
    if (end == std::string::npos) break;
    start = end + 3;
  }
  EXPECT_EQ(header_text("plain ascii"), "plain ascii");
}

TEST(EmailMessage, DueTimeIsInTheUsersZoneWithItsAbbreviation) {
  EXPECT_EQ(human_time(kDue, "Europe/Berlin"), "Tue 1 Dec 2026, 09:00 CET");
  EXPECT_EQ(human_time(kSummer, "Europe/Berlin"), "Wed 1 Jul 2026, 10:00 CEST");
  EXPECT_EQ(human_time(kDue, "America/New_York"), "Tue 1 Dec 2026, 03:00 EST");
  EXPECT_EQ(human_time(kDue, "UTC"), "Tue 1 Dec 2026, 08:00 UTC");
  EXPECT_EQ(human_time(kDue, "Asia/Kolkata"), "Tue 1 Dec 2026, 13:30 IST");
  EXPECT_EQ(human_time(kDue, "Not/AZone"), "Tue 1 Dec 2026, 08:00 UTC");
}

TEST(EmailMessage, ReminderWithoutDueDateSaysSo) {
  auto c = reminder();
  c.due_at.reset();
  auto e = render_reminder(settings(), c, 0);
  EXPECT_NE(e.text.find("Due: no due date"), std::string::npos);
}

TEST(EmailMessage, CompletionNoticeSaysWhoCompletedItAndHasNoUnsubscribeHeader) {
  NoticeContent c;
  c.event_id = "e1";
  c.to_email = "ada@example.com";
  c.task_id = 7;
  c.title = "Ship <it>";
  c.source = "api";
  c.completed_at = kDue;
  c.timezone = "Europe/Berlin";
  auto e = render_completion_notice(settings(), c, kDue);
  EXPECT_EQ(header(e, "Subject"), "Completed: Ship <it>");
  EXPECT_EQ(header(e, "To"), "ada@example.com");
  EXPECT_EQ(header(e, "Message-ID"), "<notice.e1@todo.example.com>");
  EXPECT_EQ(header(e, "List-Unsubscribe"), "<missing List-Unsubscribe>");
  EXPECT_NE(e.text.find("completed through the API on Tue 1 Dec 2026, 09:00 CET"),
            std::string::npos);
  EXPECT_NE(e.html.find("Ship &lt;it&gt;"), std::string::npos);
}

TEST(EmailMessage, DisplayNamesAreQuotedOrEncoded) {
  auto c = reminder();
  c.to_name = "Ada \"the\" Countess";
  EXPECT_EQ(header(render_reminder(settings(), c, 0), "To"),
            "\"Ada \\\"the\\\" Countess\" <ada@example.com>");
  c.to_name = "Zoë";
  EXPECT_EQ(header(render_reminder(settings(), c, 0), "To"),
            "=?UTF-8?B?Wm/Dqw==?= <ada@example.com>");
}

}  // namespace
}  // namespace todo::email
