#include "workers/decode/text_util.h"

#include <algorithm>

namespace qscan::workers::decode {

std::string bounded_utf8(std::string_view s, std::size_t max) {
  std::size_t n = std::min(s.size(), max);
  if (n < s.size()) {
    // Step back over continuation bytes so a multi-byte sequence is not split.
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  }
  std::string out(s.substr(0, n));
  std::replace(out.begin(), out.end(), '\0', '?');
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && lower(a) == lower(b);
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool iends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

}  // namespace qscan::workers::decode
