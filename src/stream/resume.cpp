#include "stream/resume.hpp"

#include <charconv>

namespace todo::stream {

Result<std::optional<std::int64_t>> parse_last_event_id(std::string_view text,
                                                        std::string_view field) {
  if (text.empty()) return std::optional<std::int64_t>();
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.size() > 18 || ec != std::errc() || end != text.data() + text.size() || v < 0 ||
      text.front() == '+' || text.front() == '-')
    return Error::field(ErrorKind::bad_request, std::string(field),
                        "must be the id of an event this stream sent (a non-negative integer)");
  return std::optional<std::int64_t>(v);
}

ResumePlan plan_resume(std::optional<std::int64_t> last_event_id,
                       const storage::StreamPosition& position) {
  if (!last_event_id) return {false, position.last_seq};
  std::int64_t id = *last_event_id;
  if (id == position.last_seq) return {false, id};
  if (id > position.last_seq) return {true, position.last_seq};
  // Below the floor: the user stopped listening after it, so events may be missing.
  if (id < position.floor) return {true, position.last_seq};
  // id < last_seq: rows id+1 .. last_seq must all still be there.
  if (position.oldest_seq && *position.oldest_seq <= id + 1) return {false, id};
  return {true, position.last_seq};
}

}  // namespace todo::stream
