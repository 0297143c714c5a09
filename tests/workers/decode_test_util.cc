#include "tests/workers/decode_test_util.h"

#include <gmime/gmime.h>

#include <fstream>
#include <sstream>

#include "ipc/arena_reader.h"

namespace qscan::workers::testing {

const ipc::PartRecord* Decoded::part(std::string_view path) const {
  for (const auto& p : out.parts)
    if (p.path == path) return &p;
  return nullptr;
}

std::vector<std::string> Decoded::finding_names() const {
  std::vector<std::string> v;
  for (const auto& f : out.findings) v.push_back(f.check);
  return v;
}

bool Decoded::has_finding(std::string_view check) const {
  for (const auto& f : out.findings)
    if (f.check == check) return true;
  return false;
}

bool Decoded::has_crypto(std::string_view fact) const {
  for (const auto& c : out.crypto)
    if (c == fact) return true;
  return false;
}

std::string Decoded::header(std::string_view name) const {
  for (const auto& h : out.headers)
    if (h.name == name) return h.value;
  return {};
}

Decoded decode(std::string_view message, const DecodeOptions& options, std::size_t arena_bytes) {
  init_decoders();
  Decoded d;
  if (arena_bytes == 0) arena_bytes = message.size() * 4 + (8u << 20);
  d.region.resize(arena_bytes);
  ipc::ArenaWriter w(d.region);
  run_decode(std::span(reinterpret_cast<const std::byte*>(message.data()), message.size()), options,
             w);
  ipc::ArenaLimits limits;
  limits.max_records = 1000000;
  ipc::ArenaReadResult r = ipc::read_arena(d.region, limits);
  ipc::DecodeLimits dl;
  dl.max_parts = 1000000;
  d.error = ipc::decode_records(r, dl, d.out);
  return d;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string md5_hex(std::span<const std::byte> data) {
  gchar* h = g_compute_checksum_for_data(G_CHECKSUM_MD5,
                                         reinterpret_cast<const guchar*>(data.data()), data.size());
  std::string out = h;
  g_free(h);
  return out;
}

std::string as_string(std::span<const std::byte> data) {
  return std::string(reinterpret_cast<const char*>(data.data()), data.size());
}

std::string base64(std::string_view data) {
  gchar* b = g_base64_encode(reinterpret_cast<const guchar*>(data.data()), data.size());
  std::string s = b;
  g_free(b);
  std::string out;
  for (std::size_t i = 0; i < s.size(); i += 76) out += s.substr(i, 76) + "\n";
  return out;
}

std::string wrap_attachment(std::string_view payload, std::string_view filename,
                            std::string_view content_type) {
  std::string m =
      "From: a@example.org\nTo: b@example.net\nSubject: test\nMessage-ID: <t@x>\n"
      "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"BOUND\"\n\n"
      "--BOUND\nContent-Type: text/plain\n\nsee attachment\n--BOUND\n";
  m += "Content-Type: " + std::string(content_type) + "; name=\"" + std::string(filename) + "\"\n";
  m += "Content-Disposition: attachment; filename=\"" + std::string(filename) + "\"\n";
  m += "Content-Transfer-Encoding: base64\n\n" + base64(payload) + "--BOUND--\n";
  return m;
}

}  // namespace qscan::workers::testing
