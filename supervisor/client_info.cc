#include "supervisor/client_info.h"

#include <cstdlib>
#include <cstring>

namespace qscan::supervisor {
namespace {

// Environment values end up in headers and logs: keep them short and printable.
std::string clean_env(const char* name, std::size_t max) {
  const char* v = std::getenv(name);
  if (!v) return {};
  std::string out;
  for (const char* p = v; *p && out.size() < max; ++p) {
    unsigned char c = static_cast<unsigned char>(*p);
    if (c > 0x20 && c < 0x7f && c != '(' && c != ')') out.push_back(static_cast<char>(c));
  }
  return out;
}

}  // namespace

ClientInfo client_from_environment() {
  ClientInfo c;
  c.relay_client = std::getenv("RELAYCLIENT") != nullptr;
  std::string ip = clean_env("TCPREMOTEIP", 64);
  if (!ip.empty()) c.remote_ip = ip;
  c.remote_host = clean_env("TCPREMOTEHOST", 255);
  c.remote_info = clean_env("TCPREMOTEINFO", 64);
  const char* qs = std::getenv("QS_SPAMASSASSIN");
  c.force_spamassassin = qs && std::strcmp(qs, "on") == 0;
  return c;
}

}  // namespace qscan::supervisor
