// TLS: verification is on by default (a self-signed server is refused, as give_up naming
// the certificate), and a CA file makes the same server trusted.
#include <gtest/gtest.h>

#include "net/http_client.hpp"
#include "test_server.hpp"

namespace todo::net {
namespace {

using namespace std::chrono_literals;
using test::Reply;
using test::SeenRequest;
using test::TestServer;

class Tls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { cert_ = new test::SelfSignedCert(); }
  static void TearDownTestSuite() {
    delete cert_;
    cert_ = nullptr;
  }
  static test::SelfSignedCert* cert_;
};
test::SelfSignedCert* Tls::cert_ = nullptr;

Request get(const TestServer& server) {
  Request r;
  r.url = server.url("/secure");
  r.timeout = 20s;
  return r;
}

TEST_F(Tls, SelfSignedServerIsRefusedByDefault) {
  TestServer server([](const SeenRequest&) { return Reply{.body = "secret"}; },
                    cert_->server_context());
  HttpClient client;
  Response r = client.send_and_wait(get(server));
  EXPECT_EQ(r.outcome, Outcome::give_up) << r.reason;
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.reason.find("certificate"), std::string::npos) << r.reason;
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(server.requests(), 0);
}

TEST_F(Tls, SelfSignedServerIsTrustedWhenItsCertificateIsTheCaFile) {
  TestServer server([](const SeenRequest&) { return Reply{.body = "secret"}; },
                    cert_->server_context());
  HttpClient client(HttpClientOptions{.ca_file = cert_->cert_file});
  Response r = client.send_and_wait(get(server));
  EXPECT_EQ(r.outcome, Outcome::done) << r.reason;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "secret");
}

}  // namespace
}  // namespace todo::net
