// Every limit: hit, recorded as "limit:<key>", branch stopped, arena still valid.
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>

#include "tests/workers/decode_test_util.h"

namespace qscan::workers::testing {
namespace {

std::string corpus(const char* name) {
  return read_file(std::string(QSCAN_CORPUS_DIR) + "/public/msg/constructed/" + name);
}

long peak_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

// A zip with `n` small stored members, built with libarchive.
std::string zip_with_entries(int n, std::size_t member_size = 16) {
  std::vector<char> buf(1 << 22);
  size_t used = 0;
  archive* a = archive_write_new();
  archive_write_set_format_zip(a);
  archive_write_open_memory(a, buf.data(), buf.size(), &used);
  std::string data(member_size, 'z');
  for (int i = 0; i < n; ++i) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, ("f" + std::to_string(i) + ".txt").c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
    archive_write_header(a, e);
    archive_write_data(a, data.data(), data.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return std::string(buf.data(), used);
}

TEST(DecodeLimits, MaxDepth) {
  Decoded d = decode(corpus("limit-depth-100.eml"));
  ASSERT_EQ(d.error, "");
  EXPECT_TRUE(d.has_finding("limit:max_depth"));
  for (const auto& p : d.out.parts) EXPECT_LE(p.depth, 20u);
  DecodeOptions o;
  o.max_depth = 1;
  Decoded z = decode(wrap_attachment(zip_with_entries(1), "a.zip"), o);
  EXPECT_TRUE(z.has_finding("limit:max_depth"));
  Decoded ok = decode(corpus("limit-depth-16.eml"));
  EXPECT_FALSE(ok.has_finding("limit:max_depth"));
}

TEST(DecodeLimits, MaxParts) {
  std::string m = corpus("limit-1000-parts.eml");
  Decoded all = decode(m);
  EXPECT_TRUE(all.out.findings.empty());
  EXPECT_EQ(all.out.parts.size(), 1000u);
  DecodeOptions o;
  o.max_parts = 100;
  Decoded d = decode(m, o);
  ASSERT_EQ(d.error, "");
  EXPECT_TRUE(d.has_finding("limit:max_parts"));
  EXPECT_EQ(d.out.parts.size(), 100u);
}

TEST(DecodeLimits, MaxFileBytes) {
  DecodeOptions o;
  o.max_file_bytes = 1000;
  Decoded d = decode(wrap_attachment(std::string(5000, 'x'), "big.txt"), o);
  ASSERT_EQ(d.error, "");
  EXPECT_TRUE(d.has_finding("limit:max_file_bytes"));
  const auto* p = d.part("2");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->data.size(), 1000u);
  EXPECT_EQ(p->size, 5000u);
  EXPECT_TRUE(p->flags & ipc::kPartTruncated);
}

TEST(DecodeLimits, MaxDecodedBytes) {
  DecodeOptions o;
  o.max_decoded_bytes = 3000;
  Decoded d = decode(wrap_attachment(std::string(5000, 'x'), "big.txt"), o);
  ASSERT_EQ(d.error, "");
  EXPECT_TRUE(d.has_finding("limit:max_decoded_bytes"));
  std::uint64_t total = 0;
  for (const auto& p : d.out.parts) total += p.data.size();
  EXPECT_LE(total, 3000u);
}

TEST(DecodeLimits, ArenaTooSmallEndsInALimitNotAnOverflow) {
  // The supervisor sizes the arena from max_decoded_bytes; if it is short anyway the
  // worker still finishes a valid arena and says why data is missing.
  Decoded d = decode(wrap_attachment(std::string(2 << 20, 'x'), "big.txt"), {}, 1 << 20);
  ASSERT_EQ(d.error, "");
  EXPECT_TRUE(d.has_finding("limit:max_decoded_bytes"));
}

TEST(DecodeLimits, MaxCompressionRatioZipBomb) {
  long before = peak_rss_kib();
  auto t0 = std::chrono::steady_clock::now();
  Decoded d = decode(corpus("limit-zip-ratio-100MiB.eml"));
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  ASSERT_EQ(d.error, "");
  EXPECT_TRUE(d.has_finding("limit:max_compression_ratio"));
  EXPECT_LT(ms, 5000);
  std::cout << "zip bomb: " << ms << " ms, peak RSS " << peak_rss_kib() << " KiB (before " << before
            << ")\n";
}

TEST(DecodeLimits, MaxArchiveEntries) {
  DecodeOptions o;
  o.max_archive_entries = 10;
  Decoded d = decode(wrap_attachment(zip_with_entries(50), "many.zip"), o);
  ASSERT_EQ(d.error, "");
  EXPECT_TRUE(d.has_finding("limit:max_archive_entries"));
  int members = 0;
  for (const auto& p : d.out.parts) members += p.decoder == "archive";
  EXPECT_EQ(members, 10);
  Decoded ok = decode(wrap_attachment(zip_with_entries(50), "many.zip"));
  EXPECT_TRUE(ok.out.findings.empty());
}

TEST(DecodeLimits, MaxHeaderBytes) {
  std::string m = corpus("limit-header-100k.eml");
  Decoded ok = decode(m);
  EXPECT_TRUE(ok.out.findings.empty());
  DecodeOptions o;
  o.max_header_bytes = 50000;
  Decoded d = decode(m, o);
  ASSERT_EQ(d.error, "");
  EXPECT_TRUE(d.has_finding("limit:max_header_bytes"));
  for (const auto& h : d.out.headers) EXPECT_LE(h.value.size(), ipc::kMaxValueField);
}

}  // namespace
}  // namespace qscan::workers::testing
