#pragma once
// How tasks are searched (`q`) and ordered by title (`sort=title`): the keys both backends
// store beside each task, and the matching rule. Pure; tests in tests/unit/task_search_test.cpp
// and, through each backend, tests/storage/search_storage_test.cpp.
//
// The matching rule (documented in openapi/openapi.json and the README):
//   - the title and the description are folded (core/text_fold.hpp: case, accents and
//     compatibility forms removed, in every script) and cut into words (runs of letters,
//     marks and digits); the search document is " " + the words joined by single spaces;
//   - `q` is folded and cut the same way; a task matches when the document contains every
//     term of `q`:
//       * a term of 3 or more characters anywhere, also inside a word ("port" finds
//         "Report", "测试任务" finds "中文测试任务");
//       * a shorter term at the start of a word ("pa" finds "Pay" but not "Spa"),
//       * unless it holds a letter of a script written without spaces (Han, kana, Thai, Lao,
//         Khmer, Myanmar…), where words are not delimited: then anywhere ("测试" finds
//         "中文测试任务").
//   Each term is therefore a needle the document must contain as a substring, with a leading
//   space for "at the start of a word"; storage tests substrings only.
#include <string>
#include <string_view>
#include <vector>

namespace todo {

// Bytes of a title sort key at most: keys longer than that (titles of ~130+ characters that
// agree up to there) order by id. Keeps index entries and cursors small on both backends.
constexpr std::size_t kMaxTitleKeyBytes = 512;

// The stored sort key of sort=title: the folded title, truncated to kMaxTitleKeyBytes on a
// code point boundary; compared as bytes (code point order). title_sort_key(title_sort_key(t))
// == title_sort_key(t), so a key read back from a cursor can be passed through it again.
std::string title_sort_key(std::string_view title);

// The stored search document of a task (see the rule above).
std::string search_document(std::string_view title, std::string_view description);

// The needles of the words of `q` (folded, split, deduplicated, in order); empty when `q`
// has no word. The caller checks sizes first (tasks/task_query.cpp).
std::vector<std::string> search_needles(std::string_view q);

// The needle of one folded word: the word itself, or " " + word for a short word of a
// spaced script (see the rule above).
std::string search_needle(std::string_view folded_word);

}  // namespace todo
