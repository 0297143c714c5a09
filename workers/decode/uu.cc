// uuencoded blocks inside text parts ("begin 644 name" ... "end"), as Qmail-Scanner
// finds them with uudecode. The block is located here; GMime decodes it.
#include <gmime/gmime.h>

#include <cctype>
#include <string_view>

#include "workers/decode/blob.h"
#include "workers/decode/containers.h"

namespace qscan::workers::decode {
namespace {

constexpr int kMaxBlocks = 1000;

// "begin <octal mode> <name>": returns the name, or "" when the line is not a header.
std::string_view begin_line(std::string_view line) {
  if (!line.starts_with("begin ")) return {};
  std::string_view rest = line.substr(6);
  std::size_t i = 0;
  while (i < rest.size() && rest[i] >= '0' && rest[i] <= '7') ++i;
  if (i < 3 || i > 4 || i >= rest.size() || rest[i] != ' ') return {};
  std::string_view name = rest.substr(i + 1);
  while (!name.empty() && (name.back() == '\r' || name.back() == '\n')) name.remove_suffix(1);
  return name;
}

}  // namespace

bool expand_uuencoded(Context& ctx, const Blob& text) {
  std::string_view s(reinterpret_cast<const char*>(text.data.data()), text.data.size());
  bool found = false;
  int blocks = 0;
  std::size_t pos = 0;
  while (pos < s.size() && blocks < kMaxBlocks && !ctx.arena_dead()) {
    std::size_t eol = s.find('\n', pos);
    std::size_t next = eol == std::string_view::npos ? s.size() : eol + 1;
    std::string_view name = begin_line(s.substr(pos, next - pos));
    pos = next;
    if (name.empty()) continue;
    // The block runs to the "end" line (or the end of the text, as uudecode tolerates).
    std::size_t end = pos;
    while (end < s.size()) {
      std::size_t e = s.find('\n', end);
      std::size_t n = e == std::string_view::npos ? s.size() : e + 1;
      std::string_view l = s.substr(end, n - end);
      if (l.starts_with("end") && (l.size() == 3 || l[3] == '\n' || l[3] == '\r')) break;
      end = n;
    }
    ++blocks;
    found = true;
    Blob b;
    b.path = child_path(text.path, name);
    b.filenames.emplace_back(name);
    b.content_type = "application/octet-stream";
    b.encoding = "x-uuencode";
    b.decoder = "uu";
    b.depth = text.depth + 1;
    if (ctx.depth_ok(b.depth, b.path)) {
      // uudecoding only shrinks: the output fits in the input's size.
      b.data.resize(end - pos + 3);
      int state = GMIME_UUDECODE_STATE_BEGIN;
      guint32 save = 0;
      std::size_t n = g_mime_encoding_uudecode_step(
          reinterpret_cast<const unsigned char*>(s.data() + pos), end - pos,
          reinterpret_cast<unsigned char*>(b.data.data()), &state, &save);
      b.data.resize(n);
      b.size = n;
      if (b.data.size() > ctx.leaf_budget()) {
        b.data.resize(ctx.leaf_budget());
        b.flags |= 2;
        ctx.limit("max_file_bytes", "uuencoded file over the limit", b.path);
      }
      process_blob(ctx, std::move(b));
    }
    pos = end;
  }
  return found;
}

}  // namespace qscan::workers::decode
