// Archives and compressed files via libarchive, read from memory in chunks so that a
// bomb costs bounded memory and time. Only in-process filters and formats are enabled:
// filter_all/format_all would allow external programs (lrzip, lzop...) and mtree,
// whose entries name files on disk.
#include <archive.h>
#include <archive_entry.h>

#include <string>

#include "workers/decode/blob.h"
#include "workers/decode/containers.h"
#include "workers/decode/text_util.h"

namespace qscan::workers::decode {
namespace {

constexpr std::size_t kChunk = 64 * 1024;
// Ratios are judged only past this much output: tiny members compress absurdly well.
constexpr std::uint64_t kRatioFloor = 1 << 20;

bool is_compressor(std::string_view t) {
  return t == "gzip" || t == "bzip2" || t == "xz" || t == "zstd";
}

struct ArchiveRef {
  archive* a = archive_read_new();
  ~ArchiveRef() { archive_read_free(a); }
};

void enable(archive* a, bool raw) {
  archive_read_support_filter_gzip(a);
  archive_read_support_filter_bzip2(a);
  archive_read_support_filter_xz(a);
  archive_read_support_filter_lzma(a);
  archive_read_support_filter_lzip(a);
  archive_read_support_filter_zstd(a);
  archive_read_support_filter_compress(a);
  archive_read_support_format_7zip(a);
  archive_read_support_format_ar(a);
  archive_read_support_format_cab(a);
  archive_read_support_format_cpio(a);
  archive_read_support_format_iso9660(a);
  archive_read_support_format_lha(a);
  archive_read_support_format_rar(a);
  archive_read_support_format_rar5(a);
  archive_read_support_format_tar(a);
  archive_read_support_format_xar(a);
  archive_read_support_format_zip(a);
  if (raw) archive_read_support_format_raw(a);
}

// "clam.exe.bz2" -> "clam.exe": the name a single compressed file stands for.
std::string strip_compression_suffix(const Blob& b) {
  std::string name = b.filenames.empty() ? std::string() : b.filenames.front();
  for (std::string_view s : {".gz", ".bz2", ".xz", ".zst", ".z", ".tgz", ".lzma"}) {
    if (iends_with(name, s)) {
      name.resize(name.size() - s.size());
      if (s == ".tgz") name += ".tar";
      return name;
    }
  }
  return name.empty() ? "data" : name;
}

}  // namespace

Opened expand_archive(Context& ctx, const Blob& parent, std::string_view type) {
  if (!ctx.depth_ok(parent.depth + 1, parent.path)) return Opened::kYes;
  ArchiveRef ref;
  archive* a = ref.a;
  enable(a, is_compressor(type));
  if (archive_read_open_memory(a, parent.data.data(), parent.data.size()) != ARCHIVE_OK)
    return Opened::kNo;
  const std::uint64_t in_size = std::max<std::uint64_t>(parent.data.size(), 1);
  std::uint64_t out_total = 0;
  std::uint64_t entries = 0;
  bool opened = false;
  bool partly = false;
  std::vector<char> chunk(kChunk);
  while (!ctx.arena_dead()) {
    archive_entry* e = nullptr;
    int rc = archive_read_next_header(a, &e);
    if (rc == ARCHIVE_EOF) {
      opened = true;
      break;
    }
    if (rc < ARCHIVE_WARN) break;  // FATAL or RETRY: what we have is all we get
    opened = true;
    if (++entries > ctx.options().max_archive_entries) {
      ctx.limit("max_archive_entries",
                "archive with more than " + std::to_string(ctx.options().max_archive_entries) +
                    " entries",
                parent.path);
      break;
    }
    if (archive_entry_filetype(e) != AE_IFREG) continue;
    const char* pn = archive_entry_pathname_utf8(e);
    if (pn == nullptr) pn = archive_entry_pathname(e);
    bool raw = archive_format(a) == ARCHIVE_FORMAT_RAW;
    std::string name = raw ? strip_compression_suffix(parent) : (pn != nullptr ? pn : "");
    Blob b;
    b.path = child_path(parent.path, name.empty() ? "entry" + std::to_string(entries) : name);
    if (!name.empty()) b.filenames.push_back(name);
    b.content_type = "application/octet-stream";
    const char* fmt = archive_format_name(a);
    b.encoding = fmt != nullptr ? lower(fmt) : "";
    b.decoder = "archive";
    b.depth = parent.depth + 1;
    if (archive_entry_is_encrypted(e)) {
      b.flags |= 1;  // kPartEncrypted: recorded, not decoded
      b.size = archive_entry_size_is_set(e) ? static_cast<std::uint64_t>(archive_entry_size(e)) : 0;
      ctx.crypto(type == "zip" ? "ZIP(encrypted)" : lower(type) + "(encrypted)");
      if (ctx.options().block_password_protected)
        ctx.finding("password_protected_zip", "encrypted archive member " + name, b.path);
      process_blob(ctx, std::move(b));
      continue;
    }
    const std::uint64_t budget = ctx.leaf_budget();
    bool stop_archive = false;
    for (;;) {
      la_ssize_t n = archive_read_data(a, chunk.data(), chunk.size());
      if (n < 0 && b.size == 0) {
        // A compression method libarchive lacks (deflate64, implode...): the member is
        // recorded as unsupported and the archive goes to the scanner whole.
        b.flags |= 8;
        if (archive_entry_size_is_set(e))
          b.size = static_cast<std::uint64_t>(archive_entry_size(e));
        partly = true;
      }
      if (n <= 0) break;  // end of entry, or a damaged one: keep what was read
      out_total += static_cast<std::uint64_t>(n);
      b.size += static_cast<std::uint64_t>(n);
      std::size_t take = std::min<std::uint64_t>(static_cast<std::uint64_t>(n),
                                                 budget - std::min(budget, b.data.size()));
      const auto* p = reinterpret_cast<const std::byte*>(chunk.data());
      b.data.insert(b.data.end(), p, p + take);
      if (out_total > kRatioFloor && out_total / in_size > ctx.options().max_compression_ratio) {
        ctx.limit(
            "max_compression_ratio",
            "expands more than " + std::to_string(ctx.options().max_compression_ratio) + " times",
            b.path);
        stop_archive = true;
        break;
      }
      if (b.size > budget) {
        ctx.limit(budget < ctx.options().max_file_bytes ? "max_decoded_bytes" : "max_file_bytes",
                  "archive member over the byte limit", b.path);
        break;
      }
    }
    if (b.size > b.data.size() && !(b.flags & 8)) b.flags |= 2;  // kPartTruncated
    process_blob(ctx, std::move(b));
    if (stop_archive) break;
  }
  if (!opened || entries == 0) return Opened::kNo;
  return partly ? Opened::kPartly : Opened::kYes;
}

}  // namespace qscan::workers::decode
