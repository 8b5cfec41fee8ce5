#include "http/sse.hpp"

namespace todo::http {
namespace {

void append_without(std::string& out, std::string_view text, std::string_view banned) {
  for (char c : text)
    if (banned.find(c) == std::string_view::npos) out += c;
}

}  // namespace

std::string sse_message(std::string_view id, std::string_view event, std::string_view data) {
  std::string out;
  out.reserve(id.size() + event.size() + data.size() + 32);
  if (!id.empty()) {
    out += "id: ";
    append_without(out, id, std::string_view("\r\n\0", 3));
    out += '\n';
  }
  if (!event.empty()) {
    out += "event: ";
    append_without(out, event, "\r\n");
    out += '\n';
  }
  // "data: " + each line; a CR followed by LF is one line end, not two.
  std::size_t start = 0;
  for (;;) {
    std::size_t end = data.find_first_of("\r\n", start);
    out += "data: ";
    out.append(data.substr(start, end == std::string_view::npos ? end : end - start));
    out += '\n';
    if (end == std::string_view::npos) break;
    start = end + 1;
    if (data[end] == '\r' && start < data.size() && data[start] == '\n') ++start;
  }
  out += '\n';
  return out;
}

std::string sse_comment(std::string_view text) {
  std::string out = ": ";
  append_without(out, text, "\r\n");
  out += "\n\n";
  return out;
}

}  // namespace todo::http
