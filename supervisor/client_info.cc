#include "supervisor/client_info.h"

#include <cstdlib>
#include <cstring>

namespace qscan::supervisor {
namespace {

// Environment values end up in headers and logs: keep them short and printable.
std::string clean_value(const char* v, std::size_t max) {
  std::string out;
  for (const char* p = v; *p && out.size() < max; ++p) {
    unsigned char c = static_cast<unsigned char>(*p);
    if (c > 0x20 && c < 0x7f && c != '(' && c != ')') out.push_back(static_cast<char>(c));
  }
  return out;
}

template <typename Get>
ClientInfo client_from(Get get) {
  ClientInfo c;
  c.relay_client = get("RELAYCLIENT") != nullptr;
  const char* ip = get("TCPREMOTEIP");
  if (ip && *clean_value(ip, 64).c_str()) c.remote_ip = clean_value(ip, 64);
  if (const char* v = get("TCPREMOTEHOST")) c.remote_host = clean_value(v, 255);
  if (const char* v = get("TCPREMOTEINFO")) c.remote_info = clean_value(v, 64);
  const char* qs = get("QS_SPAMASSASSIN");
  c.force_spamassassin = qs && std::strcmp(qs, "on") == 0;
  return c;
}

}  // namespace

ClientInfo client_from_environment() {
  return client_from([](const char* name) -> const char* { return std::getenv(name); });
}

ClientInfo client_from_pairs(const std::vector<std::pair<std::string, std::string>>& env) {
  return client_from([&](const char* name) -> const char* {
    for (const auto& [k, v] : env) {
      if (k == name) return v.c_str();
    }
    return nullptr;
  });
}

}  // namespace qscan::supervisor
