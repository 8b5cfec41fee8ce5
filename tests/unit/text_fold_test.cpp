// core/text_fold.hpp: folding in every script, idempotence over every code point, words.
#include "core/text_fold.hpp"

#include <gtest/gtest.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <string>
#include <vector>

namespace todo {
namespace {

std::string utf8_of(char32_t c) {
  char buf[4];
  int32_t n = 0;
  UBool error = false;
  U8_APPEND(reinterpret_cast<uint8_t*>(buf), n, 4, static_cast<UChar32>(c), error);
  return error ? std::string() : std::string(buf, n);
}

TEST(Fold, CaseAndAccentsInEveryCasedScript) {
  const std::pair<const char*, const char*> cases[] = {
      {"Ärger", "arger"},
      {"ÉCOLE", "ecole"},
      {"école", "ecole"},
      {"Straße", "strasse"},  // full case folding: ß -> ss
      {"STRASSE", "strasse"},
      {"Crème Brûlée", "creme brulee"},
      {"Ångström", "angstrom"},
      {"Łódź", "łodz"},  // ł is a letter of its own, not l + mark
      {"Tiếng Việt", "tieng viet"},
      {"İstanbul", "istanbul"},  // İ folds to i + U+0307, whose dot then goes
      {"ΣΟΦΊΑ", "σοφια"},        // Greek: case and tonos
      {"Οδός", "οδοσ"},          // final sigma folds to σ
      {"ΆΈΉΊΌΎΏ", "αεηιουω"},
      {"ЁЛКА", "елка"},  // Cyrillic: case and diaeresis
      {"Йогурт", "иогурт"},
      {"ԱՐԵՎ", "արեվ"},    // Armenian
      {"שָׁלוֹם", "שלום"},    // Hebrew points are optional in writing
      {"مَدْرَسَة", "مدرسة"},  // so are Arabic harakat
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(fold(in), want) << in;
}

TEST(Fold, CompatibilityForms) {
  EXPECT_EQ(fold("ＡＢＣ１２３"), "abc123");  // full-width
  EXPECT_EQ(fold("ﬁle"), "file");             // ligature
  EXPECT_EQ(fold("ｶﾀｶﾅ"), "カタカナ");        // half-width katakana
  EXPECT_EQ(fold("①"), "1");
  EXPECT_EQ(fold("soft\u00ADhyphen"), "softhyphen");  // default ignorables vanish
}

TEST(Fold, MarksThatAreLettersStay) {
  // Thai vowels and tone marks, Devanagari vowel signs and virama, kana voicing marks: part
  // of the letter, not an accent.
  EXPECT_EQ(fold("ที่นี่"), "ที่นี่");
  EXPECT_EQ(fold("हिन्दी"), "हिन्दी");
  EXPECT_EQ(fold("がぎぐ"), "がぎぐ");
  EXPECT_NE(fold("が"), fold("か"));
  EXPECT_EQ(fold("中文测试任务"), "中文测试任务");
  EXPECT_EQ(fold("한국어"), "한국어");
}

TEST(Fold, AsciiIsLowerCased) {
  for (char32_t c = 0; c < 0x80; ++c) {
    const std::string s = utf8_of(c);
    const std::string want = (c >= 'A' && c <= 'Z') ? std::string(1, char(c - 'A' + 'a')) : s;
    EXPECT_EQ(fold(s), want) << int(c);
  }
}

TEST(Fold, IsIdempotentOnEveryCodePoint) {
  // A stored key folded again (a cursor's title key) must not move.
  int checked = 0;
  for (char32_t c = 0x80; c <= 0x10FFFF; ++c) {
    if ((c >= 0xD800 && c <= 0xDFFF) || u_charType(c) == U_UNASSIGNED) continue;
    const std::string once = fold("a" + utf8_of(c) + "B");
    ASSERT_EQ(fold(once), once) << std::hex << uint32_t(c);
    ++checked;
  }
  EXPECT_GT(checked, 100000);
}

TEST(SplitWords, LettersMarksAndNumbersMakeWords) {
  EXPECT_EQ(split_words("pay the rent, now!"),
            (std::vector<std::string>{"pay", "the", "rent", "now"}));
  EXPECT_EQ(split_words("party-planning_2026"),
            (std::vector<std::string>{"party", "planning", "2026"}));
  EXPECT_EQ(split_words("中文测试任务"), (std::vector<std::string>{"中文测试任务"}));
  EXPECT_EQ(split_words("日本語、テスト。"), (std::vector<std::string>{"日本語", "テスト"}));
  EXPECT_EQ(split_words("ที่นี่ ภาษา"), (std::vector<std::string>{"ที่นี่", "ภาษา"}));
  EXPECT_EQ(split_words("\u00a0 \u3000"), std::vector<std::string>{});  // Unicode spaces
  EXPECT_TRUE(split_words("").empty());
}

TEST(UnspacedScripts, HanKanaThaiAndNeighbours) {
  for (const char* s : {"中", "テスト", "ひらがな", "ไทย", "ລາວ", "ខ្មែរ", "မြန်မာ", "ab中"})
    EXPECT_TRUE(has_unspaced_script(s)) << s;
  for (const char* s : {"abc", "ελληνικά", "русский", "한국어", "עברית", "हिन्दी", "123", ""})
    EXPECT_FALSE(has_unspaced_script(s)) << s;
}

TEST(TruncateUtf8, EndsOnACodePointBoundary) {
  EXPECT_EQ(truncate_utf8("abc", 5), "abc");
  EXPECT_EQ(truncate_utf8("abc", 2), "ab");
  EXPECT_EQ(truncate_utf8("aé", 2), "a");  // é is 2 bytes
  EXPECT_EQ(truncate_utf8("中文", 5), "中");
  EXPECT_EQ(code_points("中文ab"), 4u);
}

}  // namespace
}  // namespace todo
