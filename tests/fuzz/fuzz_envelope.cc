// The qmail-queue envelope as read from fd 1 (supervisor/envelope.h). Accepted envelopes must
// survive encode_envelope() -> parse_envelope() unchanged.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "supervisor/envelope.h"
#include "tests/fuzz/fuzz_check.h"

using namespace qscan::supervisor;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  EnvelopeParse p = parse_envelope(bytes);
  if (p.exit_code == 0) {
    FUZZ_CHECK(p.error.empty());
    EnvelopeParse again = parse_envelope(encode_envelope(p.envelope));
    FUZZ_CHECK(again.exit_code == 0);
    FUZZ_CHECK(again.envelope.sender == p.envelope.sender);
    FUZZ_CHECK(again.envelope.recipients == p.envelope.recipients);
  }
  return 0;
}
