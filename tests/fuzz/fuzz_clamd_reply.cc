// clamd's replies (workers/daemons/clamd_reply.h), plain and inside an IDSESSION, and the
// log sanitiser applied to them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tests/fuzz/fuzz_check.h"
#include "workers/daemons/clamd_reply.h"

using namespace qscan::daemons;

static void check(const ClamdReply& r) {
  (void)r.version_string();
  if (r.kind == ClamdReplyKind::kFound) {
    FUZZ_CHECK(!r.signature.empty());
    for (char c : r.signature) FUZZ_CHECK(c > ' ' && c < 0x7f);
  }
  if (r.kind == ClamdReplyKind::kError) FUZZ_CHECK(!r.error.empty());
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view reply(reinterpret_cast<const char*>(data), size);
  check(parse_clamd_reply(reply));
  unsigned id = 12345;
  ClamdReply s = parse_clamd_session_reply(reply, &id);
  check(s);
  if (id == 0) FUZZ_CHECK(s.kind == ClamdReplyKind::kError);
  std::string log = sanitize_for_log(reply, 64);
  FUZZ_CHECK(log.size() <= 64 + 3);  // room for an ellipsis marker, if any
  for (char c : log) FUZZ_CHECK(c >= ' ' && c < 0x7f);
  return 0;
}
