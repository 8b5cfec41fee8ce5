#pragma once
// Text folding for matching and ordering, the same on every backend because it is computed
// here (ICU) and stored, never left to a database's collation or unaccent dictionary.
//
// fold(s) = NFC(strip_accents(NFD(NFKC_Casefold(s)))) — Unicode case folding with the
// compatibility forms of UAX #15 (full-width "ＡＢ" -> "ab", ligatures "ﬁ" -> "fi",
// "ß" -> "ss", final sigma -> sigma), then the non-spacing and enclosing marks removed from
// letters of the scripts where they are accents or optional vowel points (Latin, Greek,
// Cyrillic, Armenian, Hebrew, Arabic: "Ärger" -> "arger", "ÉCOLE" -> "ecole", "Ёлка" ->
// "елка"). Marks that are part of a letter's identity elsewhere (Thai vowels and tones,
// Indic vowel signs and virama, the kana voicing marks of Japanese) are kept.
// fold is idempotent: fold(fold(s)) == fold(s) (tests/unit/text_fold_test.cpp).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace todo {

// `utf8` folded as described above; malformed UTF-8 sequences become U+FFFD.
std::string fold(std::string_view utf8);

// The words of `utf8` (which should be folded already): maximal runs of letters, marks and
// numbers (Unicode general categories L, M, N); everything else separates words.
std::vector<std::string> split_words(std::string_view utf8);

// True when `utf8` holds a letter of a script written without spaces between words
// (ICU's uscript_breaksBetweenLetters: Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar…),
// where a "word" of split_words is a whole run of text rather than one word.
bool has_unspaced_script(std::string_view utf8);

// Number of code points of valid UTF-8.
std::size_t code_points(std::string_view utf8);

// The longest prefix of `utf8` of at most `max_bytes` bytes that ends on a code point
// boundary.
std::string_view truncate_utf8(std::string_view utf8, std::size_t max_bytes);

}  // namespace todo
