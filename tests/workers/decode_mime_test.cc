// MIME decoding: nesting, transfer encodings, headers, part paths.
#include <gtest/gtest.h>

#include "tests/workers/decode_test_util.h"

namespace qscan::workers::testing {
namespace {

constexpr std::string_view kEicar =
    "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

TEST(DecodeMime, NestedRfc822Base64Eicar) {
  std::string inner = wrap_attachment(kEicar, "eicar.com");
  std::string m =
      "From: =?UTF-8?B?w4lsaXNl?= <e@example.org>\nTo: b@example.net\n"
      "Subject: =?ISO-8859-1?Q?caf=E9?= fwd\nMessage-ID: <n@x>\nMIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=\"OUTER\"\n\n"
      "--OUTER\nContent-Type: text/plain\n\nforwarded\n"
      "--OUTER\nContent-Type: message/rfc822\n\n" +
      inner + "\n--OUTER--\n";
  Decoded d = decode(m);
  ASSERT_EQ(d.error, "");
  const auto* p = d.part("2/2");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(as_string(p->data), kEicar);
  EXPECT_EQ(p->size, 68u);
  EXPECT_EQ(p->encoding, "base64");
  EXPECT_EQ(p->decoder, "mime");
  EXPECT_EQ(p->content_type, "application/octet-stream");
  EXPECT_EQ(p->depth, 3u);  // multipart, message/rfc822, multipart
  ASSERT_EQ(p->filenames.size(), 2u);
  EXPECT_EQ(p->filenames[0], "eicar.com");
  ASSERT_NE(d.part("1"), nullptr);
  EXPECT_EQ(as_string(d.part("2/1")->data),
            "see attachment");  // the newline before a delimiter belongs to it
  EXPECT_EQ(d.header("Subject"), "café fwd");
  EXPECT_EQ(d.header("From"), "Élise <e@example.org>");
  EXPECT_TRUE(d.out.findings.empty()) << d.finding_names().front();
}

TEST(DecodeMime, QuotedPrintable) {
  std::string m =
      "Subject: qp\nMIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\n"
      "Content-Transfer-Encoding: quoted-printable\n\nCaf=E9 soft=\nbreak =3D done\n";
  Decoded d = decode(m);
  ASSERT_EQ(d.error, "");
  const auto* p = d.part("1");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(as_string(p->data), "Caf\xe9 softbreak = done\n");
  EXPECT_EQ(p->encoding, "quoted-printable");
  EXPECT_EQ(p->detected_type, "text");
  EXPECT_EQ(p->depth, 0u);
}

TEST(DecodeMime, Rfc2231FilenameAndSniffing) {
  std::string m =
      "Subject: x\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
      "Content-Type: image/gif\n"
      "Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.gif\n"
      "Content-Transfer-Encoding: base64\n\n" +
      base64("GIF89a\x01\x00\x01\x00") + "--b--\n";
  Decoded d = decode(m);
  ASSERT_EQ(d.error, "");
  const auto* p = d.part("1");
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->filenames.size(), 1u);
  EXPECT_EQ(p->filenames[0], "résumé.gif");
  EXPECT_EQ(p->detected_type, "gif");
}

TEST(DecodeMime, MboxFromLineAndUuencodeTransferEncoding) {
  std::string path = "/usr/share/clamav-testfiles/clam.exe.mbox.uu";
  std::string m = read_file(path);
  if (m.empty()) GTEST_SKIP() << "clamav-testfiles not installed";
  Decoded d = decode(m);
  ASSERT_EQ(d.error, "");
  bool found = false;
  for (const auto& p : d.out.parts) found |= md5_hex(p.data) == "aa15bcf478d165efd2065190eb473bcb";
  EXPECT_TRUE(found);
}

TEST(DecodeMime, CryptoFacts) {
  std::string m =
      "Subject: s\nDKIM-Signature: v=1; a=rsa-sha256; d=example.org\nMIME-Version: 1.0\n"
      "Content-Type: multipart/signed; protocol=\"application/pgp-signature\"; boundary=s\n\n"
      "--s\nContent-Type: text/plain\n\nhello\n--s\nContent-Type: application/pgp-signature\n\n"
      "-----BEGIN PGP SIGNATURE-----\nxx\n-----END PGP SIGNATURE-----\n--s--\n";
  Decoded d = decode(m);
  ASSERT_EQ(d.error, "");
  EXPECT_TRUE(d.has_crypto("PGP(signed)"));
  EXPECT_TRUE(d.has_crypto("DKIM"));
  Decoded old = decode("Subject: o\n\n-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA1\n\nhi\n");
  EXPECT_TRUE(old.has_crypto("PGP(old-signed)"));
}

}  // namespace
}  // namespace qscan::workers::testing
