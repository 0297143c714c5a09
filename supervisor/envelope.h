// The qmail-queue envelope on fd 1: F<sender>\0 (T<recipient>\0)* \0.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace qscan::supervisor {

struct Envelope {
  std::string sender;  // may be empty (bounces)
  std::vector<std::string> recipients;
};

struct EnvelopeParse {
  int exit_code = 0;  // 0 = ok; else the qmail-queue exit code that fits
  std::string error;
  Envelope envelope;
};

// qmail-queue's limit: an address of this many bytes or more is refused with exit 11.
inline constexpr std::size_t kMaxAddressBytes = 1003;

EnvelopeParse parse_envelope(std::string_view bytes);

// The bytes parse_envelope accepts for `e` (used by release and notifications).
std::string encode_envelope(const Envelope& e);

}  // namespace qscan::supervisor
