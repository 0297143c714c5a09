// spamd's answer to a HEADERS request (workers/daemons/spamd_reply.h): the response, the
// X-Spam-* headers of its body (and of the raw bytes as a header block), the version.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fuzz/fuzz_check.h"
#include "workers/daemons/spamd_reply.h"

using namespace qscan;
using namespace qscan::daemons;

static void headers_of(std::string_view block) {
  std::vector<ipc::HeaderRecord> headers;
  std::string error;
  if (extract_spam_headers(block, headers, &error)) {
    FUZZ_CHECK(headers.size() <= kMaxSpamHeaders);
    for (const auto& h : headers) FUZZ_CHECK(h.value.find('\r') == std::string::npos);
    (void)spamassassin_version(headers);
  }
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  SpamdResponse r = parse_spamd_response(bytes);
  if (r.ok) {
    FUZZ_CHECK(valid_spamd_number(r.score));
    FUZZ_CHECK(valid_spamd_number(r.threshold));
    headers_of(r.body);
  }
  headers_of(bytes);
  (void)valid_spamd_number(bytes);
  return 0;
}
