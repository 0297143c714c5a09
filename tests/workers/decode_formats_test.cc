// Archive formats and compression filters, each written with libarchive around one
// member and decoded back out of a MIME attachment.
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include "tests/workers/decode_test_util.h"

namespace qscan::workers::testing {
namespace {

constexpr std::string_view kPayload = "payload bytes for the format round trip\n";

struct Format {
  const char* name;
  int (*set_format)(archive*);
  int (*add_filter)(archive*);  // may be null
  bool single_file;             // raw compressed file, no archive around it
};

int raw_format(archive* a) { return archive_write_set_format_raw(a); }

std::string build(const Format& f) {
  std::vector<char> buf(1 << 20);
  size_t used = 0;
  archive* a = archive_write_new();
  f.set_format(a);
  if (f.add_filter != nullptr) f.add_filter(a);
  archive_write_open_memory(a, buf.data(), buf.size(), &used);
  archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, "dir/member.txt");
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_entry_set_size(e, static_cast<la_int64_t>(kPayload.size()));
  archive_write_header(a, e);
  archive_write_data(a, kPayload.data(), kPayload.size());
  archive_entry_free(e);
  archive_write_close(a);
  archive_write_free(a);
  return std::string(buf.data(), used);
}

class DecodeFormats : public ::testing::TestWithParam<Format> {};

TEST_P(DecodeFormats, MemberComesBackOut) {
  const Format& f = GetParam();
  std::string bytes = build(f);
  ASSERT_FALSE(bytes.empty()) << f.name;
  Decoded d = decode(wrap_attachment(bytes, std::string("a.") + f.name));
  ASSERT_EQ(d.error, "");
  const ipc::PartRecord* member = nullptr;
  for (const auto& p : d.out.parts)
    if (p.decoder == "archive" && as_string(p.data) == kPayload) member = &p;
  ASSERT_NE(member, nullptr) << f.name;
  EXPECT_EQ(member->depth, 2u);
  if (!f.single_file) {
    // ar keeps base names only.
    EXPECT_EQ(member->path, std::string(f.name) == "ar" ? "2/member.txt" : "2/dir_member.txt");
  }
  EXPECT_TRUE(d.out.findings.empty());
}

INSTANTIATE_TEST_SUITE_P(
    All, DecodeFormats,
    ::testing::Values(
        Format{"zip", archive_write_set_format_zip, nullptr, false},
        Format{"7z", archive_write_set_format_7zip, nullptr, false},
        Format{"tar", archive_write_set_format_pax_restricted, nullptr, false},
        Format{"tgz", archive_write_set_format_ustar, archive_write_add_filter_gzip, false},
        Format{"tbz2", archive_write_set_format_ustar, archive_write_add_filter_bzip2, false},
        Format{"txz", archive_write_set_format_ustar, archive_write_add_filter_xz, false},
        Format{"tzst", archive_write_set_format_ustar, archive_write_add_filter_zstd, false},
        Format{"cpio", archive_write_set_format_cpio_newc, nullptr, false},
        Format{"iso", archive_write_set_format_iso9660, nullptr, false},
        Format{"ar", archive_write_set_format_ar_svr4, nullptr, false},
        Format{"xar", archive_write_set_format_xar, nullptr, false},
        Format{"gz", raw_format, archive_write_add_filter_gzip, true},
        Format{"bz2", raw_format, archive_write_add_filter_bzip2, true},
        Format{"xz", raw_format, archive_write_add_filter_xz, true}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace qscan::workers::testing
