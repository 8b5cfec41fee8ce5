#include "web/static_path.hpp"

#include <gtest/gtest.h>

namespace todo::web {
namespace {

using Names = std::vector<std::string>;

TEST(CandidateFiles, PagesOfTheExport) {
  EXPECT_EQ(candidate_files("/"), Names{"index.html"});
  EXPECT_EQ(candidate_files("/tasks"), (Names{"tasks", "tasks.html", "tasks/index.html"}));
  EXPECT_EQ(candidate_files("/tasks/"), (Names{"tasks/index.html", "tasks.html"}));
  EXPECT_EQ(candidate_files("/_next/static/chunks/app-1a2b.js"),
            (Names{"_next/static/chunks/app-1a2b.js", "_next/static/chunks/app-1a2b.js.html",
                   "_next/static/chunks/app-1a2b.js/index.html"}));
  EXPECT_EQ(candidate_files("/a%20b.txt")->front(), "a b.txt");
}

TEST(CandidateFiles, TraversalAndHiddenNamesAreRefused) {
  for (auto path : {"/..",
                    "/../etc/passwd",
                    "/a/../../etc/passwd",
                    "/%2e%2e/etc/passwd",
                    "/%2E%2E%2Fetc%2Fpasswd",
                    "/..%2fetc%2fpasswd",
                    "/a/%2e%2e/b",
                    "/./index.html",
                    "/.git/config",
                    "/a/.env",
                    "/a%5c..%5cb",
                    "/a%00.html",
                    "/a\\..\\b",
                    "//etc/passwd",
                    "/a//b",
                    "/%zz",
                    "/a%2fb",
                    "",
                    "relative",
                    "/a%0ab"}) {
    EXPECT_FALSE(candidate_files(path)) << path;
  }
}

TEST(ContentType, ByExtension) {
  EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("_next/static/chunks/x.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("_next/static/css/x.CSS"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("tasks.txt"), "text/plain; charset=utf-8");
  EXPECT_EQ(content_type_for("favicon.ico"), "image/x-icon");
  EXPECT_EQ(content_type_for("icon.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("font.woff2"), "font/woff2");
  EXPECT_EQ(content_type_for("dir.v2/README"), "application/octet-stream");
}

TEST(CacheControl, HashedAssetsAreImmutablePagesRevalidate) {
  EXPECT_EQ(cache_control_for("_next/static/chunks/x.js"), "public, max-age=31536000, immutable");
  EXPECT_EQ(cache_control_for("tasks.html"), "no-cache");
  EXPECT_EQ(cache_control_for("index.txt"), "no-cache");
  EXPECT_EQ(cache_control_for("favicon.ico"), "no-cache");
}

TEST(Negotiation, IfNoneMatch) {
  EXPECT_TRUE(etag_matches("\"abc\"", "\"abc\""));
  EXPECT_TRUE(etag_matches("W/\"abc\"", "\"abc\""));
  EXPECT_TRUE(etag_matches("\"x\", \"abc\"", "\"abc\""));
  EXPECT_TRUE(etag_matches("*", "\"abc\""));
  EXPECT_FALSE(etag_matches("\"abd\"", "\"abc\""));
  EXPECT_FALSE(etag_matches("", "\"abc\""));
}

TEST(Negotiation, PagesForBrowsers) {
  EXPECT_TRUE(prefers_html("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"));
  EXPECT_FALSE(prefers_html("*/*"));
  EXPECT_FALSE(prefers_html("application/json"));
  EXPECT_FALSE(prefers_html(""));
}

TEST(ContentSecurityPolicy, HashesOnlyInlineScripts) {
  // echo -n 'alert(1)' | openssl dgst -sha256 -binary | base64
  const std::string html =
      "<html><head><script src=\"/_next/static/a.js\" async></script>"
      "<SCRIPT>alert(1)</SCRIPT><script type=\"module\" src=/b.js></script></head>"
      "<body><script>alert(1)</script><script id=\"x\">self.__next_f=[]</script></body></html>";
  auto hashes = inline_script_hashes(html);
  ASSERT_EQ(hashes.size(), 2u);  // the repeated one once
  EXPECT_EQ(hashes[0], "sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI=");
  auto csp = content_security_policy(html);
  EXPECT_NE(csp.find("script-src 'self' 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI=' "
                     "'sha256-"),
            std::string::npos)
      << csp;
  EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_NE(csp.find("object-src 'none'"), std::string::npos);
}

TEST(ContentSecurityPolicy, DataSrcAttributeIsNotSrc) {
  auto hashes = inline_script_hashes("<script data-src=\"x\">run()</script>");
  EXPECT_EQ(hashes.size(), 1u);
}

}  // namespace
}  // namespace todo::web
