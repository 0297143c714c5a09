// The thin client <-> qscand protocol (ipc/daemon_protocol.h): the daemon decodes requests,
// the client decodes replies. Both must round-trip through their encoder.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ipc/daemon_protocol.h"
#include "tests/fuzz/fuzz_check.h"

using namespace qscan::ipc;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto req = decode_request(bytes)) {
    FUZZ_CHECK(size <= kMaxRequestBytes);
    auto again = decode_request(encode_request(*req));
    FUZZ_CHECK(again && *again == *req);
  }
  if (auto rep = decode_reply(bytes)) {
    FUZZ_CHECK(size <= kMaxReplyBytes);
    auto again = decode_reply(encode_reply(*rep));
    FUZZ_CHECK(again && again->exit_code == rep->exit_code &&
               again->custom_text == rep->custom_text);
  }
  return 0;
}
