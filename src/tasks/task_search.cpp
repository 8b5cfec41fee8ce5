#include "tasks/task_search.hpp"

#include <algorithm>

#include "core/text_fold.hpp"

namespace todo {
namespace {

// Terms shorter than this match at the start of a word only (in spaced scripts).
constexpr std::size_t kSubstringTermChars = 3;

void append_words(std::string& document, std::string_view text) {
  for (const std::string& word : split_words(fold(text))) {
    document += ' ';
    document += word;
  }
}

}  // namespace

std::string title_sort_key(std::string_view title) {
  return std::string(truncate_utf8(fold(title), kMaxTitleKeyBytes));
}

std::string search_document(std::string_view title, std::string_view description) {
  std::string document;
  document.reserve(title.size() + description.size() + 2);
  append_words(document, title);
  append_words(document, description);
  return document;
}

std::string search_needle(std::string_view folded_word) {
  if (code_points(folded_word) >= kSubstringTermChars || has_unspaced_script(folded_word))
    return std::string(folded_word);
  return " " + std::string(folded_word);
}

std::vector<std::string> search_needles(std::string_view q) {
  std::vector<std::string> needles;
  for (const std::string& word : split_words(fold(q))) {
    std::string needle = search_needle(word);
    if (std::find(needles.begin(), needles.end(), needle) == needles.end())
      needles.push_back(std::move(needle));
  }
  return needles;
}

}  // namespace todo
