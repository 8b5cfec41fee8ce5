// The default classification table, including the curl results a local server cannot easily
// provoke (DNS failure, TLS errors).
#include "net/classify.hpp"

#include <gtest/gtest.h>

namespace todo::net {
namespace {

Classification of(CURLcode code, int status = 0, std::string_view location = {}) {
  TransferResult r;
  r.code = code;
  r.status = status;
  r.max_response_bytes = 100;
  r.location = location;
  return classify(r);
}

TEST(Classify, StatusClasses) {
  EXPECT_EQ(of(CURLE_OK, 200).outcome, Outcome::done);
  EXPECT_EQ(of(CURLE_OK, 204).reason, "HTTP 204");
  for (int s : {500, 503, 599, 429, 408})
    EXPECT_EQ(of(CURLE_OK, s).outcome, Outcome::retry_later) << s;
  for (int s : {400, 401, 403, 404, 409, 410, 422})
    EXPECT_EQ(of(CURLE_OK, s).outcome, Outcome::give_up) << s;
  EXPECT_EQ(of(CURLE_OK, 404).reason, "HTTP 404 (client error)");
}

TEST(Classify, RedirectNotFollowedNamesItsLocation) {
  Classification c = of(CURLE_OK, 302, "https://example.org/next");
  EXPECT_EQ(c.outcome, Outcome::give_up);
  EXPECT_EQ(c.reason, "redirect not followed: Location https://example.org/next");
  EXPECT_EQ(of(CURLE_OK, 304).outcome, Outcome::give_up);
}

TEST(Classify, TransientNetworkFailuresAreRetryLater) {
  for (CURLcode c : {CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT,
                     CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING})
    EXPECT_EQ(of(c).outcome, Outcome::retry_later) << curl_easy_strerror(c);
}

TEST(Classify, CertificateProblemsAreGiveUp) {
  for (CURLcode c : {CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE}) {
    Classification r = of(c);
    EXPECT_EQ(r.outcome, Outcome::give_up);
    EXPECT_NE(r.reason.find("certificate"), std::string::npos) << r.reason;
  }
}

TEST(Classify, OversizeBodyIsGiveUpWhateverTheCurlCode) {
  TransferResult r;
  r.code = CURLE_WRITE_ERROR;
  r.status = 200;
  r.too_large = true;
  r.max_response_bytes = 100;
  EXPECT_EQ(classify(r).outcome, Outcome::give_up);
  EXPECT_EQ(classify(r).reason, "response too large (over 100 bytes)");
  EXPECT_EQ(of(CURLE_FILESIZE_EXCEEDED, 200).reason, "response too large (over 100 bytes)");
}

TEST(Classify, MalformedUrlIsGiveUp) {
  EXPECT_EQ(of(CURLE_URL_MALFORMAT).outcome, Outcome::give_up);
  EXPECT_EQ(of(CURLE_UNSUPPORTED_PROTOCOL).outcome, Outcome::give_up);
}

}  // namespace
}  // namespace todo::net
