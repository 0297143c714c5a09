#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "ipc/arena_reader.h"
#include "ipc/arena_writer.h"

namespace qscan::ipc {
namespace {

std::span<const std::byte> bytes_of(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

std::string text_of(std::span<const std::byte> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

TEST(Arena, RoundTripsRecordsAndFields) {
  std::vector<std::byte> region(4096);
  ArenaWriter w(region);
  ASSERT_TRUE(w.begin_record(RecordKind::kHeader));
  ASSERT_TRUE(w.add_string(FieldTag::kName, "Subject"));
  ASSERT_TRUE(w.add_string(FieldTag::kValue, "hello world"));
  ASSERT_TRUE(w.end_record());
  ASSERT_TRUE(w.begin_record(RecordKind::kCrypto));
  ASSERT_TRUE(w.add_u64(FieldTag::kSize, 42));
  ASSERT_TRUE(w.end_record());
  w.finish();

  ArenaReadResult r = read_arena(region, {});
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[0].kind, RecordKind::kHeader);
  ASSERT_EQ(r.records[0].fields.size(), 2u);
  EXPECT_EQ(text_of(r.records[0].fields[1].bytes), "hello world");
  EXPECT_EQ(r.records[1].fields[0].bytes.size(), 8u);
}

TEST(Arena, UnfinishedArenaIsRejected) {
  std::vector<std::byte> region(1024);
  ArenaWriter w(region);
  w.begin_record(RecordKind::kHeader);
  w.add_string(FieldTag::kName, "x");
  w.end_record();
  EXPECT_FALSE(read_arena(region, {}).ok());
  w.finish();
  EXPECT_TRUE(read_arena(region, {}).ok());
}

TEST(Arena, FullArenaDropsTheOpenRecordOnly) {
  std::vector<std::byte> region(200);
  ArenaWriter w(region);
  ASSERT_TRUE(w.begin_record(RecordKind::kHeader));
  ASSERT_TRUE(w.add_string(FieldTag::kName, "a"));
  ASSERT_TRUE(w.end_record());
  std::string big(500, 'x');
  ASSERT_TRUE(w.begin_record(RecordKind::kHeader));
  EXPECT_FALSE(w.add_bytes(FieldTag::kValue, bytes_of(big)));
  EXPECT_TRUE(w.full());
  EXPECT_FALSE(w.end_record());
  w.finish();
  ArenaReadResult r = read_arena(region, {});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.records.size(), 1u);
}

class CorruptArena : public ::testing::Test {
 protected:
  void SetUp() override {
    region_.resize(1024);
    ArenaWriter w(region_);
    w.begin_record(RecordKind::kHeader);
    w.add_string(FieldTag::kName, "Subject");
    w.add_string(FieldTag::kValue, "v");
    w.end_record();
    w.finish();
    ASSERT_TRUE(read_arena(region_, {}).ok());
  }
  ArenaHeader header() {
    ArenaHeader h;
    std::memcpy(&h, region_.data(), sizeof h);
    return h;
  }
  void set_header(const ArenaHeader& h) { std::memcpy(region_.data(), &h, sizeof h); }
  RecordHeader record() {
    RecordHeader r;
    std::memcpy(&r, region_.data() + kArenaRecordsOffset, sizeof r);
    return r;
  }
  void set_record(const RecordHeader& r) {
    std::memcpy(region_.data() + kArenaRecordsOffset, &r, sizeof r);
  }
  std::vector<std::byte> region_;
};

TEST_F(CorruptArena, BadMagic) {
  auto h = header();
  h.magic ^= 1;
  set_header(h);
  EXPECT_EQ(read_arena(region_, {}).error, "bad arena magic");
}

TEST_F(CorruptArena, UsedBeyondRegion) {
  auto h = header();
  h.used = region_.size() + 8;
  set_header(h);
  EXPECT_FALSE(read_arena(region_, {}).ok());
}

TEST_F(CorruptArena, CapacityMismatch) {
  auto h = header();
  h.capacity = 1 << 30;
  set_header(h);
  EXPECT_FALSE(read_arena(region_, {}).ok());
}

TEST_F(CorruptArena, RecordLengthOutOfRange) {
  auto r = record();
  r.length = ~std::uint64_t{0} - 7;
  set_record(r);
  EXPECT_EQ(read_arena(region_, {}).error, "record length out of range");
}

TEST_F(CorruptArena, HugeRecordCount) {
  auto h = header();
  h.record_count = 0xffffffffu;
  set_header(h);
  EXPECT_FALSE(read_arena(region_, {}).ok());
}

TEST_F(CorruptArena, TooManyFields) {
  auto r = record();
  r.field_count = 3;
  set_record(r);
  EXPECT_FALSE(read_arena(region_, {}).ok());
}

TEST_F(CorruptArena, FieldLengthOverlapsNextRecord) {
  FieldHeader f;
  std::size_t off = kArenaRecordsOffset + sizeof(RecordHeader);
  std::memcpy(&f, region_.data() + off, sizeof f);
  f.length = 1000;
  std::memcpy(region_.data() + off, &f, sizeof f);
  EXPECT_EQ(read_arena(region_, {}).error, "field length out of range");
}

TEST_F(CorruptArena, RecordsMustTileUsedArea) {
  auto h = header();
  h.used += 16;
  set_header(h);
  EXPECT_FALSE(read_arena(region_, {}).ok());
}

}  // namespace
}  // namespace qscan::ipc
