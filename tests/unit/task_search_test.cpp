// tasks/task_search.hpp: the search document, the needles of `q` (the matching rule) and the
// title sort key. The rule is applied here as storage applies it (a substring test), so
// these tests state which query finds which title without a database.
#include "tasks/task_search.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace todo {
namespace {

bool finds(std::string_view q, std::string_view title, std::string_view description = "") {
  const std::string document = search_document(title, description);
  const std::vector<std::string> needles = search_needles(q);
  if (needles.empty()) return true;
  for (const std::string& n : needles)
    if (document.find(n) == std::string::npos) return false;
  return true;
}

TEST(SearchDocument, FoldedWordsWithALeadingSpace) {
  EXPECT_EQ(search_document("Pay RENT!", "for the flat, now"), " pay rent for the flat now");
  EXPECT_EQ(search_document("Ärger", ""), " arger");
  EXPECT_EQ(search_document("中文测试任务", "说明"), " 中文测试任务 说明");
  EXPECT_EQ(search_document("!!!", ""), "");
}

TEST(SearchNeedles, LongTermsAnywhereShortOnesAtWordStarts) {
  EXPECT_EQ(search_needles("Pay the RENT, now! rent"),
            (std::vector<std::string>{"pay", "the", "rent", "now"}));
  EXPECT_EQ(search_needles("pa x"), (std::vector<std::string>{" pa", " x"}));
  EXPECT_EQ(search_needles("测试 中"), (std::vector<std::string>{"测试", "中"}));
  EXPECT_EQ(search_needles("ß"), (std::vector<std::string>{" ss"}));
  EXPECT_EQ(search_needles("Straße-Müller"), (std::vector<std::string>{"strasse", "muller"}));
  EXPECT_TRUE(search_needles("").empty());
  EXPECT_TRUE(search_needles(" - ").empty());
}

// Scripts and queries: what is found and what is not.
TEST(SearchRule, FindsWordsInEveryScript) {
  struct Case {
    const char* title;
    const char* q;
    bool found;
  };
  const Case cases[] = {
      {"中文测试任务", "测试", true},  // the example: inside a run of Han
      {"中文测试任务", "任务", true},
      {"中文测试任务", "中", true},
      {"中文测试任务", "测验", false},
      {"日本語のテスト", "テスト", true},
      {"日本語のテスト", "本語", true},
      {"日本語のテスト", "テスツ", false},
      {"ทดสอบภาษาไทย", "ภาษา", true},  // Thai: no spaces between words
      {"ทดสอบภาษาไทย", "ไทย", true},
      {"ทดสอบภาษาไทย", "ลาว", false},
      {"Ärger im Büro", "arger", true},
      {"Ärger im Büro", "ÄRGER", true},
      {"Ärger im Büro", "buro", true},
      {"Arger", "ärger", true},
      {"ÉCOLE", "ecole", true},
      {"école", "ÉCOLE", true},
      {"Σοφία", "ΣΟΦΙΑ", true},
      {"ΟΔΟΣ", "οδός", true},
      {"Ёлка", "елка", true},
      {"ёлка", "ЁЛКА", true},
      {"Москва", "москв", true},
      {"Straße", "strasse", true},
      {"STRASSE", "straße", true},
      {"한국어 공부", "공부", true},
      {"한국어 공부", "부", false},  // Hangul is written with spaces: a short term starts a word
      {"Report bug", "port", true},  // 3+ characters: anywhere, inside words too
      {"Report bug", "REPORT bug", true},
      {"Report bug", "rep", true},
      {"Pay rent", "pa", true},  // 1-2 characters: at the start of a word
      {"Spa day", "pa", false},
      {"Buy milk", "ilk", true},
      {"Buy milk", "il", false},
      {"Pay rent", "pay rent flat", false},  // every term must match
      {"party-planning", "plan", true},
      {"ＦＵＬＬ width", "full", true},
      {"ﬁle cabinet", "file", true},
  };
  for (const Case& c : cases)
    EXPECT_EQ(finds(c.q, c.title), c.found) << "q=" << c.q << " title=" << c.title;
}

TEST(SearchRule, TitleAndDescriptionAreBothSearchedButNotAcrossThem) {
  EXPECT_TRUE(finds("flat", "Pay rent", "for the flat"));
  EXPECT_TRUE(finds("rent flat", "Pay rent", "for the flat"));
  EXPECT_FALSE(finds("rentfor", "Pay rent", "for the flat"));
}

TEST(TitleSortKey, FoldedCappedAndStable) {
  EXPECT_EQ(title_sort_key("Banana"), "banana");
  EXPECT_LT(title_sort_key("apple"), title_sort_key("Banana"));
  EXPECT_EQ(title_sort_key("Éclair"), title_sort_key("eclair"));
  EXPECT_LT(title_sort_key("Zebra"), title_sort_key("Ωmega"));
  const std::string long_title(400, 'x');
  const std::string key = title_sort_key(long_title + "中文中文中文中文中文" + long_title);
  EXPECT_LE(key.size(), kMaxTitleKeyBytes);
  EXPECT_EQ(title_sort_key(key), key);  // a cursor's key passes through unchanged
  std::string many_han;
  for (int i = 0; i < 200; ++i) many_han += "中";  // 600 bytes: cut between characters
  EXPECT_EQ(title_sort_key(many_han).size(), 510u);
}

}  // namespace
}  // namespace todo
