#include "ipc/records.h"

#include <algorithm>
#include <cstring>

namespace qscan::ipc {
namespace {

bool put_strings(ArenaWriter& w, std::initializer_list<std::pair<FieldTag, std::string_view>> fs) {
  for (const auto& [tag, s] : fs) {
    if (!w.add_string(tag, s)) return false;
  }
  return true;
}

bool simple_record(ArenaWriter& w, RecordKind kind,
                   std::initializer_list<std::pair<FieldTag, std::string_view>> fs) {
  return w.begin_record(kind) && put_strings(w, fs) && w.end_record();
}

// Field payload as a bounded string; NUL bytes are refused (they would truncate logs).
bool read_string(const FieldView& f, std::size_t bound, std::string& out) {
  if (f.bytes.size() > bound) return false;
  const char* p = reinterpret_cast<const char*>(f.bytes.data());
  if (std::memchr(p, '\0', f.bytes.size()) != nullptr) return false;
  out.assign(p, f.bytes.size());
  return true;
}

bool read_u64(const FieldView& f, std::uint64_t& out) {
  if (f.bytes.size() != sizeof out) return false;
  std::memcpy(&out, f.bytes.data(), sizeof out);
  return true;
}

std::string bad(const char* what, FieldTag tag) {
  return std::string("bad field ") + std::to_string(static_cast<std::uint32_t>(tag)) + " in " +
         what;
}

std::string decode_part(const RecordView& r, PartRecord& p) {
  bool has_data = false;
  for (const FieldView& f : r.fields) {
    bool ok = true;
    switch (f.tag) {
      case FieldTag::kPath:
        ok = read_string(f, kMaxStringField, p.path);
        break;
      case FieldTag::kContentType:
        ok = read_string(f, kMaxStringField, p.content_type);
        break;
      case FieldTag::kFilename: {
        if (p.filenames.size() >= 64) return "part record has too many filenames";
        std::string s;
        ok = read_string(f, kMaxStringField, s);
        p.filenames.push_back(std::move(s));
        break;
      }
      case FieldTag::kEncoding:
        ok = read_string(f, kMaxStringField, p.encoding);
        break;
      case FieldTag::kDecoder:
        ok = read_string(f, kMaxStringField, p.decoder);
        break;
      case FieldTag::kDetectedType:
        ok = read_string(f, kMaxStringField, p.detected_type);
        break;
      case FieldTag::kSize:
        ok = read_u64(f, p.size);
        break;
      case FieldTag::kFlags:
        ok = read_u64(f, p.flags) && p.flags < 16;
        break;
      case FieldTag::kDepth:
        ok = read_u64(f, p.depth);
        break;
      case FieldTag::kData:
        ok = !has_data;
        has_data = true;
        p.data = f.bytes;
        break;
      default:
        ok = false;
    }
    if (!ok) return bad("part record", f.tag);
  }
  if (p.path.empty()) return "part record without a path";
  if (p.data.size() > p.size) return "part record carries more data than its size";
  if (p.data.size() < p.size && !(p.flags & (kPartTruncated | kPartEncrypted | kPartUnsupported)))
    return "part record data shorter than its size but not marked truncated";
  return {};
}

template <typename Fn>
std::string decode_strings(const RecordView& r, const char* what, Fn&& assign) {
  for (const FieldView& f : r.fields) {
    std::string s;
    if (!read_string(f, kMaxValueField, s) || !assign(f.tag, std::move(s))) return bad(what, f.tag);
  }
  return {};
}

}  // namespace

bool write_part(ArenaWriter& w, const PartRecord& p) {
  if (!w.begin_record(RecordKind::kPart)) return false;
  if (!put_strings(w, {{FieldTag::kPath, p.path},
                       {FieldTag::kContentType, p.content_type},
                       {FieldTag::kEncoding, p.encoding},
                       {FieldTag::kDecoder, p.decoder},
                       {FieldTag::kDetectedType, p.detected_type}}))
    return false;
  for (const std::string& n : p.filenames) {
    if (!w.add_string(FieldTag::kFilename, n)) return false;
  }
  return w.add_u64(FieldTag::kSize, p.size) && w.add_u64(FieldTag::kFlags, p.flags) &&
         w.add_u64(FieldTag::kDepth, p.depth) && w.add_bytes(FieldTag::kData, p.data) &&
         w.end_record();
}

bool write_finding(ArenaWriter& w, const FindingRecord& f) {
  return simple_record(
      w, RecordKind::kFinding,
      {{FieldTag::kCheck, f.check}, {FieldTag::kDetail, f.detail}, {FieldTag::kPath, f.path}});
}

bool write_header(ArenaWriter& w, const HeaderRecord& h) {
  return simple_record(w, RecordKind::kHeader,
                       {{FieldTag::kName, h.name}, {FieldTag::kValue, h.value}});
}

bool write_crypto(ArenaWriter& w, std::string_view fact) {
  return simple_record(w, RecordKind::kCrypto, {{FieldTag::kValue, fact}});
}

bool write_rewritten_message(ArenaWriter& w, std::span<const std::byte> bytes) {
  return w.begin_record(RecordKind::kRewrittenMessage) && w.add_bytes(FieldTag::kData, bytes) &&
         w.end_record();
}

bool write_scan_hit(ArenaWriter& w, const ScanHitRecord& h) {
  return simple_record(
      w, RecordKind::kScanHit,
      {{FieldTag::kScanner, h.scanner}, {FieldTag::kName, h.name}, {FieldTag::kPath, h.path}});
}

bool write_scanner_info(ArenaWriter& w, const ScannerInfoRecord& i) {
  return simple_record(w, RecordKind::kScannerInfo,
                       {{FieldTag::kScanner, i.scanner}, {FieldTag::kVersion, i.version}});
}

bool write_scan_error(ArenaWriter& w, const ScanErrorRecord& e) {
  return simple_record(
      w, RecordKind::kScanError,
      {{FieldTag::kScanner, e.scanner}, {FieldTag::kDetail, e.detail}, {FieldTag::kPath, e.path}});
}

bool write_scan_done(ArenaWriter& w, std::string_view scanner, std::uint64_t items) {
  return w.begin_record(RecordKind::kScanDone) && w.add_string(FieldTag::kScanner, scanner) &&
         w.add_u64(FieldTag::kCount, items) && w.end_record();
}

std::string decode_records(const ArenaReadResult& arena, const DecodeLimits& limits,
                           DecodedArena& out) {
  if (!arena.ok()) return arena.error;
  for (const RecordView& r : arena.records) {
    std::string err;
    switch (r.kind) {
      case RecordKind::kPart: {
        if (out.parts.size() >= limits.max_parts) return "more part records than max_parts";
        PartRecord p;
        err = decode_part(r, p);
        if (err.empty() && p.depth > limits.max_depth) err = "part deeper than max_depth";
        if (err.empty()) out.parts.push_back(std::move(p));
        break;
      }
      case RecordKind::kFinding: {
        if (out.findings.size() >= limits.max_findings) return "too many finding records";
        FindingRecord f;
        err = decode_strings(r, "finding record", [&](FieldTag t, std::string s) {
          if (t == FieldTag::kCheck)
            f.check = std::move(s);
          else if (t == FieldTag::kDetail)
            f.detail = std::move(s);
          else if (t == FieldTag::kPath)
            f.path = std::move(s);
          else
            return false;
          return true;
        });
        if (err.empty() && (f.check.empty() || f.check.size() > kMaxStringField))
          err = "finding record without a check name";
        if (err.empty()) out.findings.push_back(std::move(f));
        break;
      }
      case RecordKind::kHeader: {
        if (out.headers.size() >= limits.max_headers) return "too many header records";
        HeaderRecord h;
        err = decode_strings(r, "header record", [&](FieldTag t, std::string s) {
          if (t == FieldTag::kName)
            h.name = std::move(s);
          else if (t == FieldTag::kValue)
            h.value = std::move(s);
          else
            return false;
          return true;
        });
        if (err.empty() && (h.name.empty() || h.name.size() > kMaxStringField))
          err = "header record with a bad name";
        if (err.empty()) out.headers.push_back(std::move(h));
        break;
      }
      case RecordKind::kCrypto: {
        if (out.crypto.size() >= 64) return "too many crypto records";
        std::string v;
        if (r.fields.size() != 1 || r.fields[0].tag != FieldTag::kValue ||
            !read_string(r.fields[0], kMaxStringField, v))
          return "bad crypto record";
        out.crypto.push_back(std::move(v));
        break;
      }
      case RecordKind::kRewrittenMessage:
        if (out.rewritten_message || r.fields.size() != 1 || r.fields[0].tag != FieldTag::kData)
          return "bad rewritten-message record";
        out.rewritten_message = r.fields[0].bytes;
        break;
      case RecordKind::kScanHit: {
        if (out.hits.size() >= limits.max_findings) return "too many scan hits";
        ScanHitRecord h;
        err = decode_strings(r, "scan hit", [&](FieldTag t, std::string s) {
          if (s.size() > kMaxStringField) return false;
          if (t == FieldTag::kScanner)
            h.scanner = std::move(s);
          else if (t == FieldTag::kName)
            h.name = std::move(s);
          else if (t == FieldTag::kPath)
            h.path = std::move(s);
          else
            return false;
          return true;
        });
        if (err.empty() && (h.name.empty() || h.scanner.empty())) err = "scan hit without a name";
        if (err.empty()) out.hits.push_back(std::move(h));
        break;
      }
      case RecordKind::kScannerInfo: {
        if (out.scanners.size() >= 64) return "too many scanner records";
        ScannerInfoRecord i;
        err = decode_strings(r, "scanner info", [&](FieldTag t, std::string s) {
          if (s.size() > kMaxStringField) return false;
          if (t == FieldTag::kScanner)
            i.scanner = std::move(s);
          else if (t == FieldTag::kVersion)
            i.version = std::move(s);
          else
            return false;
          return true;
        });
        if (err.empty()) out.scanners.push_back(std::move(i));
        break;
      }
      case RecordKind::kScanError: {
        if (out.scan_errors.size() >= limits.max_findings) return "too many scan errors";
        ScanErrorRecord e;
        err = decode_strings(r, "scan error", [&](FieldTag t, std::string s) {
          if (t == FieldTag::kScanner)
            e.scanner = std::move(s);
          else if (t == FieldTag::kDetail)
            e.detail = std::move(s);
          else if (t == FieldTag::kPath)
            e.path = std::move(s);
          else
            return false;
          return true;
        });
        if (err.empty()) out.scan_errors.push_back(std::move(e));
        break;
      }
      case RecordKind::kScanDone: {
        std::string scanner;
        std::uint64_t n = 0;
        if (out.scan_done || r.fields.size() != 2 || r.fields[0].tag != FieldTag::kScanner ||
            !read_string(r.fields[0], kMaxStringField, scanner) ||
            r.fields[1].tag != FieldTag::kCount || !read_u64(r.fields[1], n))
          return "bad scan-done record";
        out.scan_done = true;
        out.items_scanned = n;
        break;
      }
      default:
        return "unknown record kind " + std::to_string(static_cast<std::uint32_t>(r.kind));
    }
    if (!err.empty()) return err;
  }
  return {};
}

}  // namespace qscan::ipc
