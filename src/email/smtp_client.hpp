#pragma once
// SmtpClient: sends one rendered e-mail (storage/email_store.hpp OutgoingEmail) over SMTP
// with libcurl — curl speaks the protocol (EHLO, STARTTLS, AUTH, MAIL/RCPT/DATA) and builds
// the MIME body (curl_mime: a multipart/alternative of the text/plain and text/html parts,
// quoted-printable); nothing here writes SMTP or MIME by hand.
//
// TLS: `smtps://` is TLS from the first byte; `smtp://` upgrades with STARTTLS when the server
// offers it (CURLUSESSL_TRY), or must (CURLUSESSL_ALL) with require_tls. Certificates are
// always verified (peer and host name), against the system's CAs or `ca_file`.
//
// The result says what to do with the e-mail (RFC 5321 §4.2.1 reply classes):
//   done         the server took it (250 after DATA);
//   retry_later  a transient failure: a 4yz reply, no connection, a timeout, a TLS or
//                authentication failure (the operator's to fix, not the recipient's);
//   give_up      a permanent 5yz reply about the message or a recipient (e.g. 550).
// `reply` is the server's last reply line (or curl's error) for logs and the user's
// notification; it never holds the password.
//
// Threads: send() blocks (up to the timeouts) and is called from the sender's thread; the
// object is immutable after construction.
#include <chrono>
#include <string>

#include "core/outcome.hpp"
#include "storage/email_store.hpp"

namespace todo::email {

struct SmtpOptions {
  std::string url;  // smtp://host:port or smtps://host:port
  std::string user;
  std::string password;
  std::string envelope_from;  // the bare address of TODO_SMTP_FROM (MAIL FROM)
  bool require_tls = false;
  // PEM file of the CA certificates to trust instead of the system's (CURLOPT_CAINFO): a
  // mail server with a private CA; empty: the system store.
  std::string ca_file;
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds timeout{60000};
};

struct SendResult {
  Outcome outcome = Outcome::retry_later;
  long reply_code = 0;  // the last SMTP reply code, 0 when there was none
  std::string reply;
};

class SmtpClient {
 public:
  explicit SmtpClient(SmtpOptions options) : options_(std::move(options)) {}
  SendResult send(const storage::OutgoingEmail& email) const;

 private:
  SmtpOptions options_;
};

// The bare address of "Name <addr>" or "addr" (RFC 5322 §3.4 name-addr / addr-spec).
std::string bare_address(std::string_view mailbox);
// The header lines of a stored e-mail as separate fields (a line starting with a space or
// tab continues the previous one: folding, RFC 5322 §2.2.3).
std::vector<std::string> header_fields(std::string_view headers);
// The outcome of an SMTP reply code (see the header comment); 0 = no reply at all.
Outcome classify_reply(long code);

}  // namespace todo::email
