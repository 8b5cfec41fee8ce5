#include "mcp/stdio.hpp"

#include <curl/curl.h>

#include <boost/algorithm/string.hpp>
#include <boost/json.hpp>
#include <iostream>
#include <memory>
#include <sstream>

namespace todo::mcp {
namespace {

namespace json = boost::json;

struct Reply {
  long status = 0;
  std::string body;
  std::string session_id;
  std::string error;  // transport failure
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  std::string_view line(data, size * n);
  auto colon = line.find(':');
  if (colon != std::string_view::npos &&
      boost::iequals(line.substr(0, colon), std::string_view("Mcp-Session-Id"))) {
    std::string value(line.substr(colon + 1));
    boost::trim(value);
    *static_cast<std::string*>(user) = value;
  }
  return size * n;
}

class Bridge {
 public:
  explicit Bridge(const StdioOptions& o)
      : options_(o), endpoint_(boost::trim_right_copy_if(o.url, boost::is_any_of("/")) + "/mcp") {}

  Reply post(const std::string& message) {
    Reply reply;
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) return Reply{0, {}, {}, "cannot create a libcurl handle"};
    curl_slist* headers = nullptr;
    auto add = [&headers](const std::string& h) {
      headers = curl_slist_append(headers, h.c_str());
    };
    add("Content-Type: application/json");
    add("Accept: application/json, text/event-stream");
    add("Authorization: Bearer " + options_.token);
    if (!session_.empty()) add("Mcp-Session-Id: " + session_);
    if (!version_.empty()) add("MCP-Protocol-Version: " + version_);
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, endpoint_.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, message.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(message.size()));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &reply.session_id);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, options_.timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
      reply.error = curl_easy_strerror(rc);
      return reply;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.status);
    return reply;
  }

  // One line of stdin: forwards it and writes the answer, if any, to stdout.
  void handle(const std::string& line) {
    boost::system::error_code ec;
    json::value message = json::parse(line, ec);
    json::value id = nullptr;
    bool is_request = false;
    if (!ec && message.is_object()) {
      const auto& o = message.get_object();
      is_request = o.contains("method") && o.contains("id");
      if (is_request) id = o.at("id");
    }
    Reply reply = post(line);
    if (!reply.error.empty()) {
      std::cerr << "todo mcp: " << endpoint_ << ": " << reply.error << "\n";
      if (is_request) write_error(id, -32000, "the todo server is unreachable: " + reply.error);
      return;
    }
    if (reply.status >= 200 && reply.status < 300) {
      if (!reply.session_id.empty()) session_ = reply.session_id;
      if (reply.body.empty()) return;
      json::value answer = json::parse(sse_data(reply.body), ec);
      if (ec) {
        std::cerr << "todo mcp: unreadable answer from the server\n";
        if (is_request) write_error(id, -32000, "unreadable answer from the server");
        return;
      }
      remember_version(answer);
      write_line(json::serialize(answer));
      return;
    }
    // A JSON-RPC error body (parse errors, refused batches) goes through as it is.
    json::value body = json::parse(reply.body, ec);
    if (!ec && body.is_object() && body.get_object().contains("jsonrpc")) {
      write_line(json::serialize(body));
      return;
    }
    std::string detail = "HTTP " + std::to_string(reply.status);
    if (!ec && body.is_object())
      if (const auto* d = body.get_object().if_contains("detail"); d && d->is_string())
        detail += ": " + std::string(d->get_string());
    std::cerr << "todo mcp: " << detail << "\n";
    if (reply.status == 404) session_.clear();  // ended: the client must initialize again
    if (is_request)
      write_error(id, reply.status == 401 || reply.status == 403 ? -32001 : -32000, detail);
  }

 private:
  // An answer sent as an event stream: the data of its event (one event per answer).
  static std::string sse_data(const std::string& body) {
    if (body.empty() || body.front() == '{' || body.front() == '[') return body;
    std::string data;
    std::istringstream lines(body);
    std::string l;
    while (std::getline(lines, l))
      if (l.rfind("data:", 0) == 0) data += l.substr(l.size() > 5 && l[5] == ' ' ? 6 : 5);
    return data;
  }

  void remember_version(const json::value& answer) {
    const auto* o = answer.if_object();
    const auto* result = o ? o->if_contains("result") : nullptr;
    const auto* r = result ? result->if_object() : nullptr;
    const auto* v = r ? r->if_contains("protocolVersion") : nullptr;
    if (v && v->is_string()) version_ = std::string(v->get_string());
  }

  static void write_line(const std::string& text) { std::cout << text << '\n' << std::flush; }

  static void write_error(const json::value& id, int code, const std::string& message) {
    json::object error{{"jsonrpc", "2.0"},
                       {"id", id},
                       {"error", json::object{{"code", code}, {"message", message}}}};
    write_line(json::serialize(error));
  }

  StdioOptions options_;
  std::string endpoint_;
  std::string session_;
  std::string version_;
};

}  // namespace

int run_stdio_bridge(const StdioOptions& options) {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    std::cerr << "todo mcp: cannot initialise libcurl\n";
    return 1;
  }
  Bridge bridge(options);
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    bridge.handle(line);
  }
  curl_global_cleanup();
  return 0;
}

}  // namespace todo::mcp
