#include "workers/decode/mime_walker.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "workers/decode/blob.h"
#include "workers/decode/gmime_util.h"
#include "workers/decode/mime_checks.h"
#include "workers/decode/text_util.h"
#include "workers/decode/top_headers.h"

namespace qscan::workers::decode {
namespace {

constexpr std::size_t kReadChunk = std::size_t{64} * 1024;

// An mbox "From " envelope line is not a header; skip it so GMime sees the message.
std::span<const std::byte> skip_mbox_line(std::span<const std::byte> m) {
  static constexpr std::string_view kFrom = "From ";
  if (m.size() < kFrom.size() || std::memcmp(m.data(), kFrom.data(), kFrom.size()) != 0) return m;
  const auto* nl = static_cast<const std::byte*>(std::memchr(m.data(), '\n', m.size()));
  if (nl == nullptr) return m;
  return m.subspan(static_cast<std::size_t>(nl - m.data()) + 1);
}

// Decoded content of a leaf, at most `budget` bytes kept; `full` counts them all
// (bounded by the input: transfer encodings only shrink or keep the size).
std::vector<std::byte> decode_content(GMimePart* part, std::uint64_t budget, std::uint64_t& full) {
  std::vector<std::byte> out;
  full = 0;
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (content == nullptr) return out;
  GMimeStream* raw = g_mime_data_wrapper_get_stream(content);
  if (raw == nullptr) return out;
  g_mime_stream_reset(raw);
  GRef<GMimeStream> filtered(g_mime_stream_filter_new(raw));
  GMimeContentEncoding enc = g_mime_data_wrapper_get_encoding(content);
  if (enc == GMIME_CONTENT_ENCODING_BASE64 || enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
      enc == GMIME_CONTENT_ENCODING_UUENCODE) {
    GRef<GMimeFilter> f(g_mime_filter_basic_new(enc, FALSE));
    g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered.get()), f.get());
  }
  std::vector<char> buf(kReadChunk);
  for (;;) {
    ssize_t n = g_mime_stream_read(filtered.get(), buf.data(), buf.size());
    if (n <= 0) break;
    full += static_cast<std::uint64_t>(n);
    if (out.size() < budget) {
      std::size_t take = std::min<std::uint64_t>(static_cast<std::size_t>(n), budget - out.size());
      const auto* b = reinterpret_cast<const std::byte*>(buf.data());
      out.insert(out.end(), b, b + take);
    }
  }
  return out;
}

std::string encoding_of(GMimeObject* obj) {
  std::string e = lower(header_of(obj, "Content-Transfer-Encoding"));
  e.erase(std::remove_if(e.begin(), e.end(), [](char c) { return c == ' ' || c == '\t'; }),
          e.end());
  return e;
}

void note_crypto(Context& ctx, GMimeObject* obj, const std::string& type) {
  std::string protocol = lower(g_mime_object_get_content_type_parameter(obj, "protocol") != nullptr
                                   ? g_mime_object_get_content_type_parameter(obj, "protocol")
                                   : "");
  if (type == "multipart/signed") {
    if (protocol.find("pgp") != std::string::npos) ctx.crypto("PGP(signed)");
    if (protocol.find("pkcs7") != std::string::npos) ctx.crypto("SMIME(signed)");
  } else if (type == "multipart/encrypted") {
    if (protocol.find("pgp") != std::string::npos) ctx.crypto("PGP(encrypted)");
  } else if (type == "application/pkcs7-mime" || type == "application/x-pkcs7-mime") {
    const char* st = g_mime_object_get_content_type_parameter(obj, "smime-type");
    ctx.crypto(st != nullptr && lower(st) == "signed-data" ? "SMIME(signed)" : "SMIME(encrypted)");
  } else if (type == "application/pkcs7-signature" || type == "application/x-pkcs7-signature") {
    ctx.crypto("SMIME(signed)");
  }
}

void note_inline_pgp(Context& ctx, const Blob& b) {
  if (b.content_type.rfind("text/", 0) != 0) return;
  std::string_view text(reinterpret_cast<const char*>(b.data.data()), b.data.size());
  if (text.find("-----BEGIN PGP SIGNED MESSAGE-----") != std::string_view::npos)
    ctx.crypto("PGP(old-signed)");
  if (text.find("-----BEGIN PGP MESSAGE-----") != std::string_view::npos)
    ctx.crypto("PGP(old-encrypted)");
}

class Walker {
 public:
  Walker(Context& ctx, std::string_view raw) : ctx_(ctx), raw_(raw) {}

  // Parses `raw` (which must outlive the walker) and walks it.
  void run(const std::string& path, std::uint64_t depth, bool top) {
    std::string_view raw = raw_;
    // The stream borrows `raw` instead of copying it (g_mime_stream_mem_new_with_buffer
    // would duplicate the whole message in the worker): the array is not the stream's to
    // free, and only the parser reads it. Freeing the array struct below keeps the bytes.
    GByteArray* borrowed =
        g_byte_array_new_take(reinterpret_cast<guint8*>(const_cast<char*>(raw.data())), raw.size());
    GRef<GMimeStream> stream(g_mime_stream_mem_new_with_byte_array(borrowed));
    g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream.get()), FALSE);
    struct ReleaseBorrowed {
      GByteArray* a;
      ~ReleaseBorrowed() { g_byte_array_free(a, FALSE); }
    } release{borrowed};
    GRef<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
    g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
    GMimeParserOptions* opts = g_mime_parser_options_new();
    g_mime_parser_options_set_warning_callback(opts, &Walker::on_warning, this);
    GRef<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), opts));
    if (!message) {
      g_mime_parser_options_free(opts);
      Blob b;
      b.path = child_path(path, "1");
      b.content_type = "text/plain";
      b.decoder = "mime";
      b.depth = depth;
      b.data.assign(reinterpret_cast<const std::byte*>(raw.data()),
                    reinterpret_cast<const std::byte*>(raw.data() + raw.size()));
      b.size = b.data.size();
      process_blob(ctx_, std::move(b));
      return;
    }
    if (top) write_top_headers(ctx_, message.get());
    walk_root(message.get(), path, depth);
    g_mime_parser_options_free(opts);
  }

 private:
  static void on_warning(gint64 /*offset*/, GMimeParserWarning code, const gchar* /*item*/,
                         gpointer self) {
    auto* w = static_cast<Walker*>(self);
    if (code == GMIME_CRIT_NESTING_OVERFLOW)
      w->ctx_.limit("max_depth", "MIME nesting overflow in the parser", "");
  }

  void walk_root(GMimeMessage* msg, const std::string& prefix, std::uint64_t depth) {
    GMimeObject* root = g_mime_message_get_mime_part(msg);
    if (root == nullptr) return;
    if (GMIME_IS_MULTIPART(root)) {
      note_crypto(ctx_, root, mime_type_of(root));
      children(GMIME_MULTIPART(root), prefix, depth);
    } else {
      object(root, child_path(prefix, "1"), depth);
    }
  }

  void children(GMimeMultipart* mp, const std::string& prefix, std::uint64_t depth) {
    int n = g_mime_multipart_get_count(mp);
    if (n > 0 && !ctx_.depth_ok(depth + 1, prefix)) return;
    for (int i = 0; i < n && !ctx_.arena_dead(); ++i) {
      object(g_mime_multipart_get_part(mp, i), child_path(prefix, std::to_string(i + 1)),
             depth + 1);
    }
  }

  void object(GMimeObject* obj, const std::string& path, std::uint64_t depth) {
    if (obj == nullptr) return;
    std::string type = mime_type_of(obj);
    note_crypto(ctx_, obj, type);
    if (GMIME_IS_MULTIPART(obj)) {
      children(GMIME_MULTIPART(obj), path, depth);
    } else if (GMIME_IS_MESSAGE_PART(obj)) {
      GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
      if (inner != nullptr && ctx_.depth_ok(depth + 1, path)) walk_root(inner, path, depth + 1);
    } else if (GMIME_IS_PART(obj)) {
      leaf(GMIME_PART(obj), type, path, depth);
    }
  }

  void leaf(GMimePart* part, const std::string& type, const std::string& path,
            std::uint64_t depth) {
    Blob b;
    b.path = path;
    b.content_type = type;
    b.filenames = declared_filenames(GMIME_OBJECT(part));
    b.encoding = encoding_of(GMIME_OBJECT(part));
    b.decoder = "mime";
    b.depth = depth;
    b.from_mime = true;
    std::uint64_t budget = ctx_.leaf_budget();
    b.data = decode_content(part, budget, b.size);
    if (b.size > b.data.size()) {
      b.flags |= 2;  // kPartTruncated
      if (b.size > ctx_.options().max_file_bytes)
        ctx_.limit("max_file_bytes",
                   "part over " + std::to_string(ctx_.options().max_file_bytes) + " bytes", path);
      else
        ctx_.limit("max_decoded_bytes",
                   "decoded bytes over " + std::to_string(ctx_.options().max_decoded_bytes), path);
    }
    note_inline_pgp(ctx_, b);
    process_blob(ctx_, std::move(b));
  }

  Context& ctx_;
  std::string_view raw_;
};

}  // namespace

void walk_message(Context& ctx, std::span<const std::byte> message) {
  std::span<const std::byte> m = skip_mbox_line(message);
  std::string_view raw(reinterpret_cast<const char*>(m.data()), m.size());
  std::string_view prefix(reinterpret_cast<const char*>(message.data()), message.size() - m.size());
  // Checks first: after a repeated-header rewrite, MUAs read the rewritten message, so
  // that is the one to decode (GMime alone would let the later header win).
  MimeChecks checks(ctx, raw);
  std::string rewritten = checks.run(true, prefix);
  Walker w(ctx, rewritten.empty() ? raw : std::string_view(rewritten));
  w.run("", 0, true);
}

void walk_embedded_message(Context& ctx, std::span<const std::byte> message,
                           const std::string& path, std::uint64_t depth) {
  if (!ctx.depth_ok(depth + 1, path)) return;
  std::string_view raw(reinterpret_cast<const char*>(message.data()), message.size());
  MimeChecks(ctx, raw).run(false, {});
  Walker w(ctx, raw);
  w.run(path, depth + 1, false);
}

}  // namespace qscan::workers::decode
