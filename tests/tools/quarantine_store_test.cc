// Unit tests of tools/quarantine_store: ID validation, the header block parser, ages.
#include "tools/quarantine_store.h"

#include <gtest/gtest.h>

#include "supervisor/quarantine_writer.h"
#include "supervisor/verdict.h"

namespace {

using namespace qscan::tools;

TEST(QuarantineId, AcceptsClassAndName) {
  QuarantineId id;
  std::string err;
  ASSERT_TRUE(parse_quarantine_id("spam/1700000000.5P9Q0.mx:2,PS", &id, &err)) << err;
  EXPECT_EQ(id.cls, "spam");
  EXPECT_EQ(id.name, "1700000000.5P9Q0.mx:2,PS");
  EXPECT_EQ(id.base(), "1700000000.5P9Q0.mx");
}

TEST(QuarantineId, RejectsTraversalAndUnknownClass) {
  QuarantineId id;
  std::string err;
  for (const char* bad : {"../x", "viruses/../x", "viruses/..", "viruses/.x", "viruses/", "viruses",
                          "virus/abc", "archive/abc", "/etc/passwd", "viruses/a/b", "viruses/a b",
                          "viruses/:2,S", "policy/a\x01"}) {
    EXPECT_FALSE(parse_quarantine_id(bad, &id, &err)) << bad;
    EXPECT_FALSE(err.empty());
  }
}

TEST(QuarantineHeaders, RoundTripsWriterOutput) {
  qscan::supervisor::Envelope env{"we\\ird\x01@example.org", {"a@example.net", "b@example.net"}};
  qscan::supervisor::Verdict v;
  v.reason = "Eicar-Test-Signature";
  v.description = "virus found";
  const std::string block =
      qscan::supervisor::quarantine_headers({env, v, "clamav: 1.4/0.", "", 1700000000});
  // An original message that itself starts with a header named like ours but out of order.
  const std::string original = "X-Qmail-Scanner-Scanners: forged\nSubject: x\n\nbody\n";
  bool complete = false;
  std::string err;
  auto h = parse_quarantine_headers(block + original, &complete, &err);
  ASSERT_TRUE(h) << err;
  EXPECT_TRUE(complete);
  EXPECT_EQ(h->block_bytes, block.size());
  EXPECT_EQ(h->envelope.sender, env.sender);
  EXPECT_EQ(h->envelope.recipients, env.recipients);
  EXPECT_EQ(h->reason, "Eicar-Test-Signature");
  EXPECT_EQ(h->description, "virus found");
  EXPECT_EQ(h->scanners, "clamav: 1.4/0.");
}

TEST(QuarantineHeaders, RejectsMissingBlock) {
  bool complete = false;
  std::string err;
  EXPECT_FALSE(parse_quarantine_headers("Subject: x\n\nbody\n", &complete, &err));
  EXPECT_FALSE(parse_quarantine_headers(
      "X-Qmail-Scanner-Quarantine-Date: now\nX-Qmail-Scanner-Mail-From: a\\xZZ\n", &complete,
      &err));
}

TEST(Age, Units) {
  EXPECT_EQ(parse_age("30m"), 1800);
  EXPECT_EQ(parse_age("12h"), 43200);
  EXPECT_EQ(parse_age("2d"), 172800);
  EXPECT_EQ(parse_age("1w"), 604800);
  EXPECT_EQ(parse_age("45s"), 45);
  EXPECT_FALSE(parse_age("d"));
  EXPECT_FALSE(parse_age("2"));
  EXPECT_FALSE(parse_age("-2d"));
  EXPECT_FALSE(parse_age("2x"));
}

}  // namespace
