#include "email/smtp_client.hpp"

#include <curl/curl.h>

#include <memory>

namespace todo::email {
namespace {

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct MimeDeleter {
  void operator()(curl_mime* m) const { curl_mime_free(m); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

// Keeps the server's last error reply line (4yz, 5yz; CURLINFO_HEADER_IN carries the SMTP
// replies), which curl's own message does not include. Later replies (QUIT's 221) do not
// replace it.
int on_debug(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  if (type != CURLINFO_HEADER_IN) return 0;
  std::string_view line(data, size);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (!line.empty() && (line.front() == '4' || line.front() == '5'))
    *static_cast<std::string*>(user) = std::string(line.substr(0, 300));
  return 0;
}

// Body text with CRLF line ends (RFC 5322 §2.3), which the quoted-printable encoder keeps as
// line breaks.
std::string crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 40);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

void add_part(curl_mime* mime, const std::string& body, const char* type) {
  curl_mimepart* part = curl_mime_addpart(mime);
  curl_mime_data(part, body.data(), body.size());
  curl_mime_type(part, type);
  curl_mime_encoder(part, "quoted-printable");
}

bool is_auth_reply(long code) {
  return code == 530 || code == 534 || code == 535 || code == 538;
}

}  // namespace

std::string bare_address(std::string_view mailbox) {
  auto open = mailbox.rfind('<');
  auto close = mailbox.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open)
    return std::string(mailbox.substr(open + 1, close - open - 1));
  while (!mailbox.empty() && mailbox.front() == ' ') mailbox.remove_prefix(1);
  while (!mailbox.empty() && mailbox.back() == ' ') mailbox.remove_suffix(1);
  return std::string(mailbox);
}

std::vector<std::string> header_fields(std::string_view headers) {
  std::vector<std::string> fields;
  while (!headers.empty()) {
    auto end = headers.find("\r\n");
    std::string_view line = headers.substr(0, end);
    if (!fields.empty() && !line.empty() && (line.front() == ' ' || line.front() == '\t'))
      fields.back() += "\r\n" + std::string(line);  // a folded continuation
    else if (!line.empty())
      fields.emplace_back(line);
    if (end == std::string_view::npos) break;
    headers.remove_prefix(end + 2);
  }
  return fields;
}

Outcome classify_reply(long code) {
  if (code >= 500 && code < 600 && !is_auth_reply(code)) return Outcome::give_up;
  if (code >= 200 && code < 300) return Outcome::done;
  return Outcome::retry_later;  // 4yz, auth, none (no connection, timeout)
}

SendResult SmtpClient::send(const storage::OutgoingEmail& email) const {
  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (!curl) return {Outcome::retry_later, 0, "curl_easy_init failed"};
  CURL* c = curl.get();
  std::string last_reply;  // the last 4yz/5yz reply line
  char error[CURL_ERROR_SIZE] = {};

  curl_easy_setopt(c, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, long(options_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, long(options_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (options_.url.starts_with("smtp://"))
    curl_easy_setopt(c, CURLOPT_USE_SSL,
                     options_.require_tls ? long(CURLUSESSL_ALL) : long(CURLUSESSL_TRY));
  if (!options_.user.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, options_.user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, options_.password.c_str());
  }
  curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
  curl_easy_setopt(c, CURLOPT_DEBUGDATA, &last_reply);
  curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);  // feeds on_debug; curl writes nothing itself

  const std::string from = "<" + options_.envelope_from + ">";
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  std::unique_ptr<curl_slist, ListDeleter> rcpt(
      curl_slist_append(nullptr, ("<" + email.recipient + ">").c_str()));
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());

  // The message's header fields; the top-level Content-Type makes curl's MIME root a
  // multipart/alternative (curl adds the boundary and MIME-Version).
  std::unique_ptr<curl_slist, ListDeleter> headers;
  for (const auto& field : header_fields(email.headers))
    headers.reset(curl_slist_append(headers.release(), field.c_str()));
  headers.reset(curl_slist_append(headers.release(), "Content-Type: multipart/alternative"));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());

  std::unique_ptr<curl_mime, MimeDeleter> mime(curl_mime_init(c));
  const std::string text = crlf(email.text_body);
  const std::string html = crlf(email.html_body);
  // RFC 2046 §5.1.4: the last part is the preferred one.
  add_part(mime.get(), text, "text/plain; charset=utf-8");
  add_part(mime.get(), html, "text/html; charset=utf-8");
  curl_easy_setopt(c, CURLOPT_MIMEPOST, mime.get());

  CURLcode rc = curl_easy_perform(c);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  if (rc == CURLE_OK) return {Outcome::done, code, {}};
  std::string reply = !last_reply.empty() ? last_reply
                      : error[0]          ? std::string(error)
                                          : curl_easy_strerror(rc);
  // A failed transfer whose last reply was not an error (e.g. the connection dropped after
  // DATA, the last reply being RCPT's 250) may or may not have delivered: send again.
  Outcome outcome = classify_reply(code);
  if (outcome == Outcome::done) outcome = Outcome::retry_later;
  return {outcome, code, std::move(reply)};
}

}  // namespace todo::email
