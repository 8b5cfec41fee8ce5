#include "http/content_coding.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include "http/response_rules.hpp"

namespace todo::http {
namespace {

std::string gunzip(const std::string& data) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

TEST(AcceptsGzip, ListsWeightsAndWildcard) {
  EXPECT_TRUE(accepts_gzip("gzip, deflate, br"));
  EXPECT_TRUE(accepts_gzip("br;q=1.0, GZIP;q=0.5"));
  EXPECT_TRUE(accepts_gzip("gzip;q=0.001"));
  EXPECT_TRUE(accepts_gzip("x-gzip"));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_TRUE(accepts_gzip("br, *;q=0.1"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip; q=0.000"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0, *"));  // the explicit entry wins over "*"
  EXPECT_FALSE(accepts_gzip("*;q=0"));
  EXPECT_FALSE(accepts_gzip("br, deflate"));
  EXPECT_FALSE(accepts_gzip("identity"));
  EXPECT_FALSE(accepts_gzip(""));
}

TEST(Gzip, RoundTrips) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "{\"id\":" + std::to_string(i) + ",\"title\":\"task\"},";
  std::string packed = gzip(text);
  EXPECT_LT(packed.size(), text.size() / 4);
  EXPECT_EQ(static_cast<unsigned char>(packed[0]), 0x1f);  // gzip magic (RFC 1952)
  EXPECT_EQ(static_cast<unsigned char>(packed[1]), 0x8b);
  EXPECT_EQ(gunzip(packed), text);
  EXPECT_EQ(gunzip(gzip("")), "");
}

Request get(std::string accept_encoding) {
  Request req{beast_http::verb::get, "/api/u/tasks", 11};
  if (!accept_encoding.empty()) req.set(beast_http::field::accept_encoding, accept_encoding);
  return req;
}

Response json(std::size_t size, std::string type = "application/json") {
  Response res{beast_http::status::ok, 11};
  res.set(beast_http::field::content_type, type);
  res.body() = "[" + std::string(size - 2, ' ') + "]";
  res.prepare_payload();
  return res;
}

TEST(MaybeCompress, LargeJsonWhenAccepted) {
  Response res = json(4096);
  maybe_compress(get("gzip"), res);
  EXPECT_EQ(res[beast_http::field::content_encoding], "gzip");
  EXPECT_EQ(res[beast_http::field::vary], "Accept-Encoding");
  EXPECT_EQ(res[beast_http::field::content_length], std::to_string(res.body().size()));
  EXPECT_EQ(gunzip(res.body()), json(4096).body());
  Response problem = json(4096, "application/problem+json; charset=utf-8");
  maybe_compress(get("gzip"), problem);
  EXPECT_EQ(problem[beast_http::field::content_encoding], "gzip");
}

TEST(MaybeCompress, NotWhenRefusedTinyOtherTypeOrAlreadyEncoded) {
  Response refused = json(4096);
  maybe_compress(get("gzip;q=0"), refused);
  EXPECT_EQ(refused.count(beast_http::field::content_encoding), 0u);
  EXPECT_EQ(refused[beast_http::field::vary], "Accept-Encoding");  // the answer depends on it
  Response none = json(4096);
  maybe_compress(get(""), none);
  EXPECT_EQ(none.count(beast_http::field::content_encoding), 0u);
  Response tiny = json(kCompressMinBytes - 1);
  maybe_compress(get("gzip"), tiny);
  EXPECT_EQ(tiny.count(beast_http::field::content_encoding), 0u);
  EXPECT_EQ(tiny.count(beast_http::field::vary), 0u);
  Response html = json(4096, "text/html");
  maybe_compress(get("gzip"), html);
  EXPECT_EQ(html.count(beast_http::field::content_encoding), 0u);
  Response encoded = json(4096);
  encoded.set(beast_http::field::content_encoding, "br");
  maybe_compress(get("gzip"), encoded);
  EXPECT_EQ(encoded[beast_http::field::content_encoding], "br");
  Response tagged = json(4096);
  tagged.set(beast_http::field::etag, "\"3\"");
  maybe_compress(get("gzip"), tagged);
  EXPECT_EQ(tagged.count(beast_http::field::content_encoding), 0u);
}

TEST(FinishResponse, HeadKeepsGetHeadersWithoutBody) {
  Request head{beast_http::verb::head, "/api/u/tasks", 11};
  head.set(beast_http::field::accept_encoding, "gzip");
  Response res = json(4096);
  finish_response(head, res);
  EXPECT_TRUE(res.body().empty());
  EXPECT_EQ(res[beast_http::field::content_encoding], "gzip");
  Response get_res = json(4096);
  finish_response(get("gzip"), get_res);
  EXPECT_EQ(res[beast_http::field::content_length], std::to_string(get_res.body().size()));
  EXPECT_EQ(res["X-Content-Type-Options"], "nosniff");
  EXPECT_FALSE(res[beast_http::field::date].empty());
}

TEST(HttpDate, IsImfFixdate) {
  std::string date = http_date_now();
  // "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 §5.6.7)
  ASSERT_EQ(date.size(), 29u) << date;
  EXPECT_EQ(date.substr(3, 2), ", ");
  EXPECT_TRUE(date.ends_with(" GMT"));
}

}  // namespace
}  // namespace todo::http
