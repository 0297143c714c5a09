#include "workers/decode/mime_checks.h"

#include <gmime/gmime.h>

#include <algorithm>

#include "ipc/records.h"
#include "workers/decode/text_util.h"

namespace qscan::workers::decode {
namespace {

constexpr std::size_t kMaxBlockLines = 2000;
constexpr std::size_t kMaxBoundary = 250;
constexpr std::size_t kMaxNesting = 256;

bool is_ws(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (is_ws(s.front()) || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (is_ws(s.back()) || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 32 && u < 127 && c != ':';
  });
}

// "Content-T(xx)ype" with the comments removed, or "" when it has none.
std::string strip_comments(std::string_view name) {
  if (name.find('(') == std::string_view::npos) return "";
  std::string out;
  int level = 0;
  for (char c : name) {
    if (c == '(') {
      ++level;
    } else if (c == ')') {
      if (level > 0) --level;
    } else if (level == 0) {
      out += c;
    }
  }
  return out;
}

bool is_mime_header(std::string_view name) {
  return istarts_with(name, "content-") || iequals(name, "mime-version");
}

// The headers whose repetition makes MUAs disagree about how to read a part.
// (Content-Disposition is left alone: real MUAs repeat it, e.g. "inline" then
// "attachment", and the file name checks see every declared name anyway.)
bool is_renamed_on_repeat(std::string_view name) {
  return iequals(name, "content-type") || iequals(name, "content-transfer-encoding");
}

// The first word of a line, up to whitespace or a colon.
std::string_view first_word(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && !is_ws(line[i]) && line[i] != ':') ++i;
  return line.substr(0, i);
}

// "name=..." at column 0: a parameter that lost its folding whitespace.
bool looks_like_parameter(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '-' ||
                             line[i] == '_' || line[i] == '*' || line[i] == '.'))
    ++i;
  while (i < line.size() && is_ws(line[i])) ++i;
  return i > 0 && i < line.size() && line[i] == '=';
}

}  // namespace

void MimeChecks::finding(std::string_view check, std::string_view detail, std::size_t offset) {
  ctx_.finding(check, std::string(detail) + " (offset " + std::to_string(offset) + ")", "");
}

std::string MimeChecks::run(bool top, std::string_view prefix) {
  scan_block(0, false);
  if (!top || renames_.empty() || ctx_.arena_dead()) return {};
  std::sort(renames_.begin(), renames_.end());
  std::string out;
  out.reserve(prefix.size() + raw_.size() + renames_.size() * kRenamePrefix.size());
  out += prefix;
  std::size_t pos = 0;
  for (std::size_t at : renames_) {
    out.append(raw_.substr(pos, at - pos));
    out += kRenamePrefix;
    pos = at;
  }
  out.append(raw_.substr(pos));
  // The rewrite competes with the parts for arena space: give up on it rather than
  // overflowing (the original is then delivered, the finding still logged).
  if (out.size() + kArenaReserve / 2 >= ctx_.arena().free_bytes() ||
      !ipc::write_rewritten_message(
          ctx_.arena(), std::span(reinterpret_cast<const std::byte*>(out.data()), out.size())))
    return {};
  return out.substr(prefix.size());
}

void MimeChecks::check_line_shape(std::string_view line, std::size_t offset, const Header* prev,
                                  bool part_block) {
  std::size_t colon = line.find(':');
  std::string_view name = colon == std::string_view::npos ? line : line.substr(0, colon);
  std::string stripped = strip_comments(name);
  if (colon != std::string_view::npos && !stripped.empty() && valid_name(trim(stripped)) &&
      is_mime_header(trim(stripped))) {
    finding("header_comment", "comment inside header name \"" + bounded_utf8(name, 80) + "\"",
            offset);
    return;
  }
  if (colon != std::string_view::npos && valid_name(name)) return;
  // Only a MIME header losing its folding matters: it changes how the part is read.
  bool prev_mime = prev != nullptr && is_mime_header(prev->name);
  bool prev_open = prev_mime && !trim(prev->value).empty() && trim(prev->value).back() == ';';
  if (prev_mime && (prev_open || looks_like_parameter(line))) {
    finding("broken_continuation",
            "header continued without leading whitespace: \"" + bounded_utf8(line, 80) + "\"",
            offset);
  } else if (part_block && is_mime_header(first_word(line))) {
    finding("broken_part_header", "not a header line: \"" + bounded_utf8(line, 80) + "\"", offset);
  }
}

void MimeChecks::scan_block(std::size_t start, bool part_block) {
  if (start > raw_.size() || block_budget_ == 0 || nesting_ >= kMaxNesting ||
      !blocks_.insert(start).second)
    return;
  --block_budget_;
  // Each nested multipart or message recurses once; the MIME walk reports the depth limit.
  struct Nest {
    std::size_t& n;
    explicit Nest(std::size_t& v) : n(++v) {}
    ~Nest() { --n; }
  } nest(nesting_);
  std::vector<Header> headers;
  std::map<std::string, int> seen;
  std::size_t pos = start;
  std::size_t end = raw_.size();
  std::size_t bytes = 0;
  for (std::size_t n = 0; pos < raw_.size() && n < kMaxBlockLines; ++n) {
    std::size_t eol = raw_.find('\n', pos);
    std::size_t next = eol == std::string_view::npos ? raw_.size() : eol + 1;
    std::string_view line =
        raw_.substr(pos, (eol == std::string_view::npos ? raw_.size() : eol) - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      end = next;
      break;
    }
    bytes += line.size();
    if (bytes > ctx_.options().max_header_bytes) {
      ctx_.limit("max_header_bytes",
                 "header block over " + std::to_string(ctx_.options().max_header_bytes) + " bytes",
                 "");
      return;
    }
    if (is_delimiter(line)) {
      end = pos;  // a part whose headers run straight into the next delimiter
      break;
    }
    if (line.find('\0') != std::string_view::npos)
      finding("nul_in_header", "NUL byte in a header", pos);
    if (line.find('\r') != std::string_view::npos)
      finding("cr_in_header", "bare CR in a header", pos);
    if (is_ws(line.front())) {
      if (!headers.empty()) headers.back().value += line;
    } else {
      check_line_shape(line, pos, headers.empty() ? nullptr : &headers.back(), part_block);
      std::size_t colon = line.find(':');
      if (colon != std::string_view::npos && valid_name(line.substr(0, colon))) {
        Header h{pos, std::string(line.substr(0, colon)), std::string(line.substr(colon + 1))};
        if (is_renamed_on_repeat(h.name) && ++seen[lower(h.name)] > 1 &&
            ctx_.enabled("repeated_mime_header")) {
          renames_.push_back(pos);
          ctx_.finding("repeated_mime_header",
                       "repeated " + bounded_utf8(h.name, 80) + " renamed to " +
                           std::string(kRenamePrefix) + bounded_utf8(h.name, 80),
                       "");
        }
        headers.push_back(std::move(h));
      } else if (!headers.empty() && looks_like_parameter(line)) {
        // Read it as the continuation it was meant to be, so a lost boundary= still counts.
        headers.back().value += line;
      } else {
        // Like GMime: the first line that is no header ends the block (body text
        // without the blank line).
        end = pos;
        break;
      }
    }
    pos = next;
    end = next;
  }
  after_block(headers, end);
}

void MimeChecks::after_block(const std::vector<Header>& headers, std::size_t block_end) {
  const Header* ct = nullptr;
  for (const Header& h : headers)
    if (iequals(h.name, "content-type") && ct == nullptr) ct = &h;
  if (ct == nullptr) return;
  GMimeContentType* type = g_mime_content_type_parse(nullptr, ct->value.c_str());
  if (type == nullptr) return;
  bool multipart = g_mime_content_type_is_type(type, "multipart", "*");
  bool message = g_mime_content_type_is_type(type, "message", "rfc822");
  const char* b = g_mime_content_type_get_parameter(type, "boundary");
  std::string boundary = b != nullptr ? b : "";
  g_object_unref(type);
  if (message) {
    // Only an unencoded embedded message has its header block in the raw text.
    std::string cte;
    for (const Header& h : headers)
      if (iequals(h.name, "content-transfer-encoding")) cte = lower(trim(h.value));
    if (cte.empty() || cte == "7bit" || cte == "8bit" || cte == "binary")
      scan_block(block_end, false);
  }
  if (!multipart || boundary.empty()) return;
  if (boundary.size() > kMaxBoundary)
    finding("long_boundary", "boundary of " + std::to_string(boundary.size()) + " characters",
            ct->offset);
  auto [it, fresh] = boundaries_.emplace(boundary, ct->offset);
  if (!fresh) {
    if (it->second != ct->offset)
      finding("boundary_twice", "boundary \"" + bounded_utf8(boundary, 80) + "\" defined again",
              ct->offset);
    return;
  }
  follow_boundary(boundary, block_end);
}

bool MimeChecks::is_delimiter(std::string_view line) const {
  if (!line.starts_with("--")) return false;
  std::string_view b = trim(line.substr(2));
  if (boundaries_.contains(std::string(b))) return true;
  return b.ends_with("--") && boundaries_.contains(std::string(b.substr(0, b.size() - 2)));
}

void MimeChecks::follow_boundary(const std::string& boundary, std::size_t from) {
  std::string delim = "--" + boundary;
  std::size_t pos = from;
  while (pos < raw_.size()) {
    std::size_t at = raw_.find(delim, pos);
    if (at == std::string_view::npos) return;
    pos = at + delim.size();
    if (at != 0 && raw_[at - 1] != '\n') continue;  // only at the start of a line
    std::string_view rest = raw_.substr(pos);
    if (rest.starts_with("--")) continue;  // closing delimiter
    std::size_t eol = rest.find('\n');
    if (!trim(rest.substr(0, eol)).empty()) continue;  // a longer boundary, not this one
    if (eol == std::string_view::npos) return;
    scan_block(pos + eol + 1, true);
    if (ctx_.arena_dead()) return;
  }
}

}  // namespace qscan::workers::decode
