#include "supervisor/host_name.h"

#include <unistd.h>

namespace qscan::supervisor {
namespace {

std::string& cached() {
  static std::string name = [] {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return std::string("localhost");
    return std::string(buf);
  }();
  return name;
}

}  // namespace

const std::string& host_name() { return cached(); }

void set_host_name(const std::string& name) {
  if (!name.empty()) cached() = name;
}

}  // namespace qscan::supervisor
