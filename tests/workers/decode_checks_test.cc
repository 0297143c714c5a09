// One positive and one negative message per format check.
#include <gtest/gtest.h>

#include "tests/workers/decode_test_util.h"
#include "workers/decode/name_checks.h"

namespace qscan::workers::testing {
namespace {

using namespace std::string_literals;

std::string multipart(std::string_view part_headers, std::string_view body = "aGk=\n") {
  std::string m =
      "From: a@example.org\nSubject: t\nMIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\nContent-Type: text/plain\n\nhi\n"
      "--b1\n";
  m += part_headers;
  m += "\n";
  m += body;
  m += "--b1--\n";
  return m;
}

void expect_only(const Decoded& d, std::string_view check) {
  ASSERT_EQ(d.error, "");
  EXPECT_TRUE(d.has_finding(check)) << check;
  for (const auto& f : d.out.findings) EXPECT_EQ(f.check, check) << f.detail;
}

void expect_none(const Decoded& d) {
  ASSERT_EQ(d.error, "");
  for (const auto& f : d.out.findings) ADD_FAILURE() << f.check << ": " << f.detail;
}

TEST(DecodeChecks, BrokenContinuation) {
  expect_only(decode("Subject: t\nMIME-Version: 1.0\nContent-Type: multipart/mixed;\n"
                     "boundary=\"x\"\n\n--x\nContent-Type: text/plain\n\nhi\n--x--\n"),
              "broken_continuation");
  expect_only(decode(multipart("Content-Type: application/zip; x-mode=0600;\nname=\"a.zip\"\n"
                               "Content-Transfer-Encoding: base64\n")),
              "broken_continuation");
  // Properly folded, and a non-MIME header losing its fold (real Received lines do).
  expect_none(
      decode("Received: from a\n(using TLS) by b;\nSubject: t\nMIME-Version: 1.0\n"
             "Content-Type: multipart/mixed;\n boundary=\"x\"\n\n--x\n"
             "Content-Type: text/plain\n\nhi\n--x--\n"));
}

TEST(DecodeChecks, HeaderComment) {
  expect_only(decode(multipart("Content-Type: application/octet-stream\n"
                               "Content-Trans(x)fer-Encoding: base64\n")),
              "header_comment");
  expect_none(
      decode(multipart("Content-Type: application/octet-stream (a comment)\n"
                       "Content-Transfer-Encoding: base64 (another)\n")));
}

TEST(DecodeChecks, RepeatedMimeHeaderIsRewritten) {
  Decoded d =
      decode(multipart("Content-Type: text/plain; name=\"a.txt\"\n"
                       "Content-Type: application/x-msdownload; name=\"a.txt\"\n"
                       "Content-Transfer-Encoding: base64\n"));
  expect_only(d, "repeated_mime_header");
  ASSERT_TRUE(d.out.rewritten_message.has_value());
  std::string r = as_string(*d.out.rewritten_message);
  EXPECT_NE(r.find("\nContent-Type: text/plain; name=\"a.txt\"\n"
                   "X-Qmail-Scanner-Renamed-Content-Type: application/x-msdownload"),
            std::string::npos)
      << r;
  // Decoded as delivered: the first Content-Type is the one that stays.
  ASSERT_NE(d.part("2"), nullptr);
  EXPECT_EQ(d.part("2")->content_type, "text/plain");
  // Repeated Content-Disposition (real MUAs do it) and one of each: untouched.
  Decoded n =
      decode(multipart("Content-Type: text/plain\nContent-Disposition: inline\n"
                       "Content-Transfer-Encoding: base64\n"
                       "Content-Disposition: attachment; filename=\"a.txt\"\n"));
  expect_none(n);
  EXPECT_FALSE(n.out.rewritten_message.has_value());
}

TEST(DecodeChecks, LongBoundary) {
  auto msg = [](std::size_t n) {
    std::string b(n, 'q');
    return "Subject: t\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"" + b +
           "\"\n\n--" + b + "\nContent-Type: text/plain\n\nhi\n--" + b + "--\n";
  };
  expect_only(decode(msg(251)), "long_boundary");
  expect_none(decode(msg(250)));
}

TEST(DecodeChecks, DifferingFilenames) {
  expect_only(decode(multipart("Content-Type: text/plain; name=\"notes.txt\"\n"
                               "Content-Disposition: attachment; filename=\"notes.doc\"\n")),
              "differing_filenames");
  expect_none(
      decode(multipart("Content-Type: text/plain; name=\"Notes.txt\"\n"
                       "Content-Disposition: attachment; filename=\"notes.txt\"\n")));
}

TEST(DecodeChecks, BoundaryTwice) {
  std::string twice =
      "Subject: t\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"s\"\n\n"
      "--s\nContent-Type: multipart/alternative; boundary=\"s\"\n\n--s\n"
      "Content-Type: text/plain\n\nx\n--s--\n\n--s\nContent-Type: text/plain\n\ny\n--s--\n";
  expect_only(decode(twice), "boundary_twice");
  std::string distinct =
      "Subject: t\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"s\"\n\n"
      "--s\nContent-Type: multipart/alternative; boundary=\"t\"\n\n--t\n"
      "Content-Type: text/plain\n\nx\n--t--\n\n--s\nContent-Type: text/plain\n\ny\n--s--\n";
  expect_none(decode(distinct));
}

TEST(DecodeChecks, ExeExtensionInNonExecutableType) {
  std::string wav = "RIFF\x24\0\0\0WAVEfmt "s;
  expect_only(decode(wrap_attachment(wav, "sound.pif", "audio/x-wav")), "exe_ext_in_nonexec_type");
  expect_none(decode(wrap_attachment(wav, "sound.wav", "audio/x-wav")));
}

TEST(DecodeChecks, BrokenPartHeader) {
  expect_only(decode(multipart("Content-Type application/octet-stream; name=\"y.bin\"\n"
                               "Content-Transfer-Encoding: base64\n")),
              "broken_part_header");
  // A part with no headers whose body starts right away is not a broken header.
  expect_none(decode(multipart("and here the text starts\n", "more text\n")));
}

TEST(DecodeChecks, ExeNotApplication) {
  std::string pe = "MZ" + std::string(58, '\0') + "\x40\0\0\0PE\0\0"s + std::string(64, '\x90');
  expect_only(decode(wrap_attachment(pe, "photo.jpg", "image/jpeg")), "exe_not_application");
  expect_none(decode(wrap_attachment(pe, "setup.bin", "application/octet-stream")));
  // Text that happens to start with "MZ" is no executable.
  expect_none(decode(
      wrap_attachment("MZone newsletter: " + std::string(100, 'x'), "news.gif", "image/gif")));
}

TEST(DecodeChecks, LongFilename) {
  expect_only(decode(wrap_attachment("x", std::string(253, 'a') + ".txt", "text/plain")),
              "long_filename");
  expect_none(decode(wrap_attachment("x", std::string(252, 'a') + ".txt", "text/plain")));
}

TEST(DecodeChecks, DoubleExtension) {
  expect_only(decode(wrap_attachment("x", "file.gif.exe")), "double_extension");
  expect_only(decode(wrap_attachment("x", "invoice.pdf.exe.")), "double_extension");
  for (const char* ok :
       {"report.2024.pdf", "photo.final.JPG", "backup.tar.gz", "a.b.c.txt", "v1.2.exe", ".txt.exe"})
    expect_none(decode(wrap_attachment("x", ok)));
  EXPECT_TRUE(decode::is_double_barrelled("LOVE-LETTER-FOR-YOU.TXT.vbs"));
}

TEST(DecodeChecks, ClsidExtension) {
  expect_only(decode(wrap_attachment("x", "readme.txt.{3050F4D8-98B5-11CF-BB82-00AA00BDCE0B}")),
              "clsid_extension");
  expect_none(decode(wrap_attachment("x", "notes{draft}.txt")));
}

TEST(DecodeChecks, PasswordProtectedZipOnlyWhenBlocking) {
  std::string m = read_file(std::string(QSCAN_CORPUS_DIR) +
                            "/public/msg/constructed/encrypted-zip-zipcrypto.eml");
  ASSERT_FALSE(m.empty());
  Decoded off = decode(m);
  expect_none(off);
  EXPECT_TRUE(off.has_crypto("ZIP(encrypted)"));
  bool encrypted_part = false;
  for (const auto& p : off.out.parts) encrypted_part |= (p.flags & ipc::kPartEncrypted) != 0;
  EXPECT_TRUE(encrypted_part);
  DecodeOptions on;
  on.block_password_protected = true;
  expect_only(decode(m, on), "password_protected_zip");
}

TEST(DecodeChecks, NulAndCrInHeaders) {
  expect_only(decode(multipart("Content-Type: text/plain\nX-Bad: a\0b\n"s)), "nul_in_header");
  expect_only(decode(multipart("Content-Type: text/plain\rContent-Type: text/html\n")),
              "cr_in_header");
  std::string crlf =
      "Subject: t\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
      "--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--\r\n";
  expect_none(decode(crlf));
}

TEST(DecodeChecks, DisabledChecksAreSilent) {
  DecodeOptions o;
  o.disabled_checks = {"double_extension", "repeated_mime_header"};
  expect_none(decode(wrap_attachment("x", "file.gif.exe"), o));
  Decoded r = decode(multipart("Content-Type: text/plain\nContent-Type: text/html\n"), o);
  expect_none(r);
  EXPECT_FALSE(r.out.rewritten_message.has_value());
}

}  // namespace
}  // namespace qscan::workers::testing
