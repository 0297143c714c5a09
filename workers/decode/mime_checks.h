// Format checks on the raw header syntax of a message and of every MIME part in it:
// broken_continuation, header_comment, repeated_mime_header (with the rewrite),
// broken_part_header, nul_in_header, cr_in_header, long_boundary, boundary_twice.
//
// They look at bytes GMime normalises away, so they walk the raw text: the top header
// block, then the block after every delimiter line of every boundary any block
// declares, and the header block of every message/rfc822 body. Content-Type values are
// parsed with GMime.
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "workers/decode/context.h"

namespace qscan::workers::decode {

// Renamed later duplicates of a MIME header get this prefix in the delivered message.
inline constexpr std::string_view kRenamePrefix = "X-Qmail-Scanner-Renamed-";

class MimeChecks {
 public:
  MimeChecks(Context& ctx, std::string_view raw) : ctx_(ctx), raw_(raw) {}

  std::string_view raw() const { return raw_; }

  // Runs every check. For the top-level message (`prefix` = bytes before raw, e.g. an
  // mbox line) it also writes the kRewrittenMessage when a header was renamed, and
  // returns the rewritten text (without the prefix) so that what is decoded and scanned
  // is what will be delivered; "" when nothing was rewritten.
  std::string run(bool top, std::string_view prefix);

 private:
  struct Header {
    std::size_t offset = 0;
    std::string name;
    std::string value;  // unfolded
  };

  void scan_block(std::size_t start, bool part_block);
  void check_line_shape(std::string_view line, std::size_t offset, const Header* prev,
                        bool part_block);
  void after_block(const std::vector<Header>& headers, std::size_t block_end);
  bool is_delimiter(std::string_view line) const;
  void follow_boundary(const std::string& boundary, std::size_t from);
  void finding(std::string_view check, std::string_view detail, std::size_t offset);

  Context& ctx_;
  std::string_view raw_;
  std::set<std::size_t> blocks_;                   // header blocks already scanned
  std::map<std::string, std::size_t> boundaries_;  // boundary -> defining block
  std::vector<std::size_t> renames_;               // offsets of header names to rename
  std::size_t block_budget_ = 20000;               // bounds the walk on hostile input
  std::size_t nesting_ = 0;                        // recursion depth of scan_block
};

}  // namespace qscan::workers::decode
