#include "core/text_fold.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <stdexcept>

namespace todo {
namespace {

struct Normalizers {
  const icu::Normalizer2* nfkc_casefold;
  const icu::Normalizer2* nfd;
  const icu::Normalizer2* nfc;
};

// ICU's normalizers are immutable singletons, safe to share between threads.
const Normalizers& normalizers() {
  static const Normalizers instance = [] {
    UErrorCode status = U_ZERO_ERROR;
    Normalizers n{icu::Normalizer2::getNFKCCasefoldInstance(status),
                  icu::Normalizer2::getNFDInstance(status),
                  icu::Normalizer2::getNFCInstance(status)};
    if (U_FAILURE(status)) throw std::runtime_error("ICU normalization data is missing");
    return n;
  }();
  return instance;
}

// Scripts whose non-spacing marks are accents (Latin, Greek, Cyrillic, Armenian) or optional
// vowel points (Hebrew, Arabic): writers often leave them out, so a search must too. Common
// and Inherited cover marks after digits, punctuation or at the start.
bool marks_are_accents(UScriptCode base) {
  switch (base) {
    case USCRIPT_LATIN:
    case USCRIPT_GREEK:
    case USCRIPT_CYRILLIC:
    case USCRIPT_ARMENIAN:
    case USCRIPT_HEBREW:
    case USCRIPT_ARABIC:
    case USCRIPT_COMMON:
    case USCRIPT_INHERITED:
      return true;
    default:
      return false;
  }
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool is_word_char(UChar32 c) {
  return (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_M_MASK | U_GC_N_MASK)) != 0;
}

}  // namespace

std::string fold(std::string_view utf8) {
  if (is_ascii(utf8)) {  // NFKC_Casefold of ASCII is its lower case: skip ICU on the hot path
    std::string out(utf8);
    for (char& c : out)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
  }
  const Normalizers& n = normalizers();
  UErrorCode status = U_ZERO_ERROR;
  const icu::UnicodeString text = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  const icu::UnicodeString decomposed =
      n.nfd->normalize(n.nfkc_casefold->normalize(text, status), status);
  icu::UnicodeString kept;
  UScriptCode base = USCRIPT_COMMON;
  for (int32_t i = 0; i < decomposed.length();) {
    const UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    const auto type = static_cast<UCharCategory>(u_charType(c));
    if (type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK) {
      if (marks_are_accents(base)) continue;
    } else {
      base = uscript_getScript(c, &status);
    }
    kept.append(c);
  }
  std::string out;
  n.nfc->normalize(kept, status).toUTF8String(out);
  if (U_FAILURE(status)) throw std::runtime_error("ICU normalization failed");
  return out;
}

std::vector<std::string> split_words(std::string_view utf8) {
  std::vector<std::string> words;
  std::string word;
  const auto* bytes = reinterpret_cast<const uint8_t*>(utf8.data());
  const auto length = static_cast<int32_t>(utf8.size());
  for (int32_t i = 0; i < length;) {
    const int32_t start = i;
    UChar32 c = 0;
    U8_NEXT(bytes, i, length, c);
    if (c >= 0 && is_word_char(c)) {
      word.append(utf8.substr(start, i - start));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

bool has_unspaced_script(std::string_view utf8) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(utf8.data());
  const auto length = static_cast<int32_t>(utf8.size());
  for (int32_t i = 0; i < length;) {
    UChar32 c = 0;
    U8_NEXT(bytes, i, length, c);
    if (c < 0x80) continue;
    UErrorCode status = U_ZERO_ERROR;
    const UScriptCode script = uscript_getScript(c, &status);
    if (U_SUCCESS(status) && uscript_breaksBetweenLetters(script)) return true;
  }
  return false;
}

std::size_t code_points(std::string_view utf8) {
  std::size_t n = 0;
  for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
  return n;
}

std::string_view truncate_utf8(std::string_view utf8, std::size_t max_bytes) {
  if (utf8.size() <= max_bytes) return utf8;
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(utf8[end]) & 0xC0) == 0x80) --end;
  return utf8.substr(0, end);
}

}  // namespace todo
