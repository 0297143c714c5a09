// Every ClamAV test container, wrapped as an attachment, decodes down to clam.exe or is
// recorded as a container we do not decode.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "tests/workers/decode_test_util.h"

namespace qscan::workers::testing {
namespace {

constexpr std::string_view kClamExeMd5 = "aa15bcf478d165efd2065190eb473bcb";
constexpr std::string_view kTestFiles = "/usr/share/clamav-testfiles";

// Not containers: packed executables, documents and scripts that embed clam.exe in
// their own format. libclamav unpacks them; the decoder passes them through as leaves.
const std::set<std::string> kScannerFormats = {
    "clam-aspack.exe",    "clam-fsg.exe",       "clam-mew.exe",       "clam-nsis.exe",
    "clam-pespin.exe",    "clam-petite.exe",    "clam-upack.exe",     "clam-upx.exe",
    "clam-wwpack.exe",    "clam-yc.exe",        "clam.ea05.exe",      "clam.ea06.exe",
    "clam.exe.html",      "clam.exe.rtf",       "clam.pdf",           "clam.sis",
    "clam_IScab_ext.exe", "clam_IScab_int.exe", "clam_ISmsi_ext.exe", "clam_ISmsi_int.exe"};

struct Outcome {
  bool found_exe = false;
  bool unsupported = false;
  std::string parts;
};

Outcome decode_file(const std::filesystem::path& p, const DecodeOptions& options = {}) {
  std::string payload = read_file(p.string());
  std::string name = p.filename().string();
  // Files that are whole messages already are decoded as they are.
  std::string msg = name.find("mbox") != std::string::npos || name == "clam.mail"
                        ? payload
                        : wrap_attachment(payload, name);
  Decoded d = decode(msg, options);
  EXPECT_EQ(d.error, "") << name;
  Outcome o;
  for (const auto& part : d.out.parts) {
    o.parts += part.path + "(" + part.detected_type + ") ";
    if (md5_hex(part.data) == kClamExeMd5) o.found_exe = true;
    if (part.flags & ipc::kPartUnsupported) o.unsupported = true;
  }
  return o;
}

TEST(DecodeContainers, ClamavTestFilesDecodeToClamExe) {
  if (!std::filesystem::exists(kTestFiles)) GTEST_SKIP() << "clamav-testfiles not installed";
  int exe = 0, unsupported = 0, scanner = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kTestFiles)) {
    std::string name = entry.path().filename().string();
    if (!entry.is_regular_file()) continue;
    Outcome o = decode_file(entry.path());
    if (o.found_exe) {
      ++exe;
    } else if (o.unsupported) {
      ++unsupported;
      std::cout << "unsupported: " << name << "\n";
    } else {
      EXPECT_TRUE(kScannerFormats.contains(name)) << name << ": " << o.parts;
      ++scanner;
    }
  }
  std::cout << "clam.exe found: " << exe << ", unsupported: " << unsupported
            << ", left to the scanner: " << scanner << "\n";
}

TEST(DecodeContainers, SpecificFormats) {
  if (!std::filesystem::exists(kTestFiles)) GTEST_SKIP() << "clamav-testfiles not installed";
  for (const char* f :
       {"clam.zip", "clam.tar.gz", "clam.7z", "clam.cab", "clam.tnef", "clam.bz2.zip",
        "clam.bin-be.cpio", "clam.bin-le.cpio", "clam.newc.cpio", "clam.odc.cpio", "clam.exe.bz2",
        "clam.exe.mbox.uu", "clam.exe.mbox.base64", "clam.mail", "clam_cache_emax.tgz"}) {
    Outcome o = decode_file(std::filesystem::path(kTestFiles) / f);
    EXPECT_TRUE(o.found_exe) << f << ": " << o.parts;
  }
  for (const char* f : {"clam.arj", "clam.ole.doc", "clam.ppt", "clam.chm", "clam.exe.binhex",
                        "clam.impl.zip", "clam.d64.zip", "clam.exe.szdd"}) {
    Outcome o = decode_file(std::filesystem::path(kTestFiles) / f);
    EXPECT_TRUE(o.unsupported || o.found_exe) << f << ": " << o.parts;
  }
}

TEST(DecodeContainers, PathsNameTheContainerChain) {
  std::string tnef = read_file(std::string(kTestFiles) + "/clam.tnef");
  if (tnef.empty()) GTEST_SKIP();
  Decoded d = decode(wrap_attachment(tnef, "winmail.dat", "application/ms-tnef"));
  ASSERT_EQ(d.error, "");
  bool found = false;
  for (const auto& p : d.out.parts) {
    if (md5_hex(p.data) != kClamExeMd5) continue;
    found = true;
    EXPECT_EQ(p.decoder, "tnef");
    EXPECT_EQ(p.path.rfind("2/", 0), 0u) << p.path;
    EXPECT_EQ(p.depth, 2u);
    EXPECT_EQ(p.detected_type, "pe");
  }
  EXPECT_TRUE(found);
}

Decoded corpus_message(const char* name) {
  return decode(read_file(std::string(QSCAN_CORPUS_DIR) + "/public/msg/constructed/" + name));
}

TEST(DecodeContainers, TnefMembersAndBodies) {
  Decoded two = corpus_message("tnef-wrap-two-files.eml");
  ASSERT_EQ(two.error, "");
  ASSERT_NE(two.part("2/AUTHORS"), nullptr);
  ASSERT_NE(two.part("2/README"), nullptr);
  EXPECT_EQ(two.part("2/README")->decoder, "tnef");
  EXPECT_EQ(two.part("2/README")->filenames.at(0), "README");
  Decoded uni = corpus_message("tnef-wrap-unicode-mapi-attr.eml");
  EXPECT_NE(uni.part("2/example.dat"), nullptr);
  Decoded body = corpus_message("tnef-wrap-body.eml");
  EXPECT_NE(body.part("2/body.html"), nullptr);
  Decoded rtf = corpus_message("tnef-wrap-rtf.eml");
  ASSERT_NE(rtf.part("2/body.rtf"), nullptr);
  EXPECT_EQ(rtf.part("2/body.rtf")->detected_type, "rtf");
}

TEST(DecodeContainers, NestedArchivesAndUuencode) {
  Decoded zip = corpus_message("zip-nested-libarchive.eml");
  ASSERT_EQ(zip.error, "");
  const auto* inner = zip.part("2/small.zip/another_file.txt");
  ASSERT_NE(inner, nullptr);
  EXPECT_EQ(inner->decoder, "archive");
  EXPECT_EQ(inner->depth, 3u);
  Decoded rfc = corpus_message("rfc822-zip-zip-benign.eml");
  EXPECT_NE(rfc.part("2/2/inner.zip/notes.txt"), nullptr);
  Decoded uu = corpus_message("uuencode-exe-in-text.eml");
  const auto* exe = uu.part("1/tool.exe");
  ASSERT_NE(exe, nullptr);
  EXPECT_EQ(exe->decoder, "uu");
  EXPECT_EQ(exe->detected_type, "pe");
  Decoded uuzip = corpus_message("uuencode-zip-in-text.eml");
  bool member = false;
  for (const auto& p : uuzip.out.parts) member |= p.decoder == "archive";
  EXPECT_TRUE(member);
}

TEST(DecodeContainers, FuzzRegressions) {
  // libytnef reported a body with a size but no data (found by fuzz_decode_tnef).
  std::string tnef =
      read_file(std::string(QSCAN_TEST_DATA_DIR) + "/decode-fuzz-tnef-null-body.tnef");
  ASSERT_FALSE(tnef.empty());
  Decoded d = decode(wrap_attachment(tnef, "winmail.dat", "application/ms-tnef"));
  EXPECT_EQ(d.error, "");
  // An attachment Title with a size but no data used to throw from std::string: decoding
  // stopped there and the message was flagged as out of memory (found by fuzz_decode_tnef).
  tnef = read_file(std::string(QSCAN_TEST_DATA_DIR) + "/decode-fuzz-tnef-null-title.tnef");
  ASSERT_FALSE(tnef.empty());
  d = decode(wrap_attachment(tnef, "winmail.dat", "application/ms-tnef"));
  EXPECT_EQ(d.error, "");
  EXPECT_FALSE(d.has_finding("limit:max_decoded_bytes"));
}

TEST(DecodeContainers, EncryptedMembersAreRecordedNotDecoded) {
  for (const char* m : {"encrypted-zip-zipcrypto.eml", "encrypted-zip-winzipaes256.eml"}) {
    Decoded d = corpus_message(m);
    ASSERT_EQ(d.error, "");
    EXPECT_TRUE(d.has_crypto("ZIP(encrypted)")) << m;
    int encrypted = 0;
    for (const auto& p : d.out.parts) {
      if (!(p.flags & ipc::kPartEncrypted)) continue;
      ++encrypted;
      EXPECT_TRUE(p.data.empty());
    }
    EXPECT_GT(encrypted, 0) << m;
  }
}

}  // namespace
}  // namespace qscan::workers::testing
