#include "http/content_coding.hpp"

#include <zlib.h>

#include <boost/beast/core/string.hpp>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <stdexcept>

#include "http/ows.hpp"

namespace todo::http {
namespace {

// The weight of one list member "coding;q=0.5" (RFC 9110 §12.4.2): 1 without a q.
double weight_of(std::string_view params) {
  while (!params.empty()) {
    auto semi = params.find(';');
    std::string_view param = trim_ows(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    auto eq = param.find('=');
    if (eq == std::string_view::npos || !boost::beast::iequals(trim_ows(param.substr(0, eq)), "q"))
      continue;
    std::string value(trim_ows(param.substr(eq + 1)));
    return std::strtod(value.c_str(), nullptr);
  }
  return 1;
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) {
  std::optional<double> gzip_weight, any_weight;
  while (!accept_encoding.empty()) {
    auto comma = accept_encoding.find(',');
    std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding =
        comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    auto semi = item.find(';');
    std::string_view coding = trim_ows(item.substr(0, semi));
    double weight = semi == std::string_view::npos ? 1.0 : weight_of(item.substr(semi + 1));
    if (boost::beast::iequals(coding, "gzip") || boost::beast::iequals(coding, "x-gzip"))
      gzip_weight = std::max(gzip_weight.value_or(0), weight);
    else if (coding == "*")
      any_weight = weight;
  }
  if (gzip_weight) return *gzip_weight > 0;
  return any_weight && *any_weight > 0;
}

std::string gzip(std::string_view data, int level) {
  z_stream z{};
  // windowBits 15 + 16: a gzip wrapper (RFC 1952) rather than zlib's own (RFC 1950).
  if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("zlib: deflateInit2 failed");
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);  // deflateBound guarantees one call is enough
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("zlib: deflate failed");
  return out;
}

}  // namespace todo::http
