#include <gtest/gtest.h>

#include "supervisor/envelope.h"
#include "supervisor/exit_codes.h"

namespace qscan::supervisor {
namespace {

using namespace std::string_literals;

TEST(Envelope, ParsesSenderAndRecipients) {
  auto p = parse_envelope("Fa@x.y\0Tb@y.z\0Tc@y.z\0\0"s);
  ASSERT_EQ(p.exit_code, 0) << p.error;
  EXPECT_EQ(p.envelope.sender, "a@x.y");
  ASSERT_EQ(p.envelope.recipients.size(), 2u);
  EXPECT_EQ(p.envelope.recipients[1], "c@y.z");
}

TEST(Envelope, EmptySenderIsABounce) {
  auto p = parse_envelope("F\0Tb@y.z\0\0"s);
  ASSERT_EQ(p.exit_code, 0);
  EXPECT_EQ(p.envelope.sender, "");
}

TEST(Envelope, ZeroRecipientsIsAccepted) {
  auto p = parse_envelope("Fa@x\0\0"s);
  EXPECT_EQ(p.exit_code, 0);
  EXPECT_TRUE(p.envelope.recipients.empty());
}

TEST(Envelope, EmptyEnvelopeIsTheTruncatedMessageCase) {
  EXPECT_EQ(parse_envelope("").exit_code, exit_code::kReadError);
}

TEST(Envelope, NotStartingWithFIsAFormatError) {
  EXPECT_EQ(parse_envelope("Ta@x\0\0"s).exit_code, exit_code::kEnvelopeFormat);
}

TEST(Envelope, BadItemWhereTIsDueIsAFormatError) {
  EXPECT_EQ(parse_envelope("Fa@x\0Xb@y\0\0"s).exit_code, exit_code::kEnvelopeFormat);
}

TEST(Envelope, EofBeforeFinalNulIsAReadError) {
  EXPECT_EQ(parse_envelope("Fa@x\0Tb@y\0"s).exit_code, exit_code::kReadError);
  EXPECT_EQ(parse_envelope("Fa@x"s).exit_code, exit_code::kReadError);
  EXPECT_EQ(parse_envelope("Fa@x\0Tb@"s).exit_code, exit_code::kReadError);
}

TEST(Envelope, AddressOf1003BytesIsTooLong) {
  std::string longaddr(1003, 'a');
  EXPECT_EQ(parse_envelope("F" + longaddr + "\0\0"s).exit_code, exit_code::kAddressTooLong);
  EXPECT_EQ(parse_envelope("Fa\0T" + longaddr + "\0\0"s).exit_code, exit_code::kAddressTooLong);
  std::string ok(1002, 'a');
  EXPECT_EQ(parse_envelope("F" + ok + "\0\0"s).exit_code, 0);
}

TEST(Envelope, TrailingBytesAfterFinalNulAreAFormatError) {
  EXPECT_EQ(parse_envelope("Fa\0\0junk"s).exit_code, exit_code::kEnvelopeFormat);
}

TEST(Envelope, EncodeRoundTrips) {
  Envelope e{"a@b", {"c@d", "e@f"}};
  auto p = parse_envelope(encode_envelope(e));
  ASSERT_EQ(p.exit_code, 0);
  EXPECT_EQ(p.envelope.sender, e.sender);
  EXPECT_EQ(p.envelope.recipients, e.recipients);
}

}  // namespace
}  // namespace qscan::supervisor
