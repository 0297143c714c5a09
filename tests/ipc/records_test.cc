#include <gtest/gtest.h>

#include <vector>

#include "ipc/records.h"

namespace qscan::ipc {
namespace {

std::span<const std::byte> bytes_of(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

TEST(Records, PartRoundTrip) {
  std::vector<std::byte> region(1 << 16);
  ArenaWriter w(region);
  PartRecord p;
  p.path = "2/1/eicar.com";
  p.content_type = "application/octet-stream";
  p.filenames = {"eicar.com", "other.com"};
  p.encoding = "base64";
  p.decoder = "mime";
  p.detected_type = "text";
  p.size = 5;
  p.depth = 2;
  p.data = bytes_of("hello");
  ASSERT_TRUE(write_part(w, p));
  ASSERT_TRUE(write_finding(w, {"long_boundary", "boundary of 300 characters", ""}));
  ASSERT_TRUE(write_scan_hit(w, {"clamav", "Eicar-Test-Signature", "2/1/eicar.com"}));
  ASSERT_TRUE(write_scan_done(w, "clamav", 3));
  w.finish();
  DecodedArena d;
  ASSERT_EQ(decode_records(read_arena(region, {}), {}, d), "");
  ASSERT_EQ(d.parts.size(), 1u);
  EXPECT_EQ(d.parts[0].path, "2/1/eicar.com");
  EXPECT_EQ(d.parts[0].filenames.size(), 2u);
  EXPECT_EQ(
      std::string(reinterpret_cast<const char*>(d.parts[0].data.data()), d.parts[0].data.size()),
      "hello");
  EXPECT_EQ(d.findings.at(0).check, "long_boundary");
  EXPECT_EQ(d.hits.at(0).name, "Eicar-Test-Signature");
  EXPECT_TRUE(d.scan_done);
  EXPECT_EQ(d.items_scanned, 3u);
}

TEST(Records, PartClaimingMoreDataThanSizeIsRejected) {
  std::vector<std::byte> region(4096);
  ArenaWriter w(region);
  PartRecord p;
  p.path = "1";
  p.size = 2;
  p.data = bytes_of("hello");
  ASSERT_TRUE(write_part(w, p));
  w.finish();
  DecodedArena d;
  EXPECT_NE(decode_records(read_arena(region, {}), {}, d), "");
}

TEST(Records, ShortDataMustBeMarkedTruncated) {
  std::vector<std::byte> region(4096);
  ArenaWriter w(region);
  PartRecord p;
  p.path = "1";
  p.size = 100;
  p.data = bytes_of("hello");
  ASSERT_TRUE(write_part(w, p));
  w.finish();
  DecodedArena d;
  EXPECT_NE(decode_records(read_arena(region, {}), {}, d), "");
}

TEST(Records, NulInsideANameIsRejected) {
  std::vector<std::byte> region(4096);
  ArenaWriter w(region);
  ASSERT_TRUE(write_header(w, {std::string("Sub\0ject", 8), "v"}));
  w.finish();
  DecodedArena d;
  EXPECT_NE(decode_records(read_arena(region, {}), {}, d), "");
}

TEST(Records, OverlongStringIsRejected) {
  std::vector<std::byte> region(1 << 20);
  ArenaWriter w(region);
  ASSERT_TRUE(write_scan_hit(w, {"clamav", std::string(kMaxStringField + 1, 'x'), ""}));
  w.finish();
  DecodedArena d;
  EXPECT_NE(decode_records(read_arena(region, {}), {}, d), "");
}

TEST(Records, UnknownKindIsRejected) {
  std::vector<std::byte> region(4096);
  ArenaWriter w(region);
  ASSERT_TRUE(w.begin_record(static_cast<RecordKind>(77)));
  ASSERT_TRUE(w.end_record());
  w.finish();
  DecodedArena d;
  EXPECT_EQ(decode_records(read_arena(region, {}), {}, d), "unknown record kind 77");
}

TEST(Records, PartCountOverLimitIsRejected) {
  std::vector<std::byte> region(1 << 16);
  ArenaWriter w(region);
  for (int i = 0; i < 5; ++i) {
    PartRecord p;
    p.path = std::to_string(i);
    ASSERT_TRUE(write_part(w, p));
  }
  w.finish();
  DecodedArena d;
  DecodeLimits limits;
  limits.max_parts = 4;
  EXPECT_EQ(decode_records(read_arena(region, {}), limits, d), "more part records than max_parts");
}

}  // namespace
}  // namespace qscan::ipc
