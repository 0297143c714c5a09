#include "supervisor/custom_reply.h"

#include <fcntl.h>
#include <unistd.h>

#include "supervisor/exit_codes.h"

namespace qscan::supervisor {

std::string make_custom_text(bool permanent, const std::string& text) {
  std::string out(1, permanent ? 'D' : 'Z');
  for (char c : text) {
    if (out.size() >= 255) break;
    unsigned char u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
  }
  return out;
}

int finish_with_reply(const policy::Config& config, int code, const std::string& custom_text) {
  if (custom_text.empty() || config.custom_error == "none") return code;
  const int fd = config.custom_error == "fd6" ? 6 : 4;
  if (::fcntl(fd, F_GETFD) < 0) return code;  // the caller did not open it: plain code
  ssize_t w = ::write(fd, custom_text.data(), custom_text.size());
  ::close(fd);
  return w == static_cast<ssize_t>(custom_text.size()) ? exit_code::kCustomReply : code;
}

}  // namespace qscan::supervisor
