#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipc/daemon_protocol.h"
#include "ipc/fd_passing.h"

namespace qscan::ipc {
namespace {

TEST(DaemonProtocol, RequestRoundTrip) {
  std::vector<std::pair<std::string, std::string>> env = {{"RELAYCLIENT", ""},
                                                          {"TCPREMOTEIP", "1.2.3.4"}};
  auto back = decode_request(encode_request(env));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, env);
}

TEST(DaemonProtocol, RequestRejectsUnknownVariablesAndBadMagic) {
  EXPECT_FALSE(decode_request(encode_request({{"LD_PRELOAD", "/x.so"}})));
  EXPECT_FALSE(decode_request("XXXX"));
  EXPECT_FALSE(decode_request(std::string("QSQ1TCPREMOTEIP=1", 17)));  // no final NUL
  EXPECT_FALSE(decode_request(std::string("QSQ1NOEQUALS\0", 13)));
}

TEST(DaemonProtocol, ReplyRoundTripAndStrictness) {
  auto r = decode_reply(encode_reply({31, "Dvirus found"}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->exit_code, 31);
  EXPECT_EQ(r->custom_text, "Dvirus found");
  EXPECT_FALSE(decode_reply("QSR1"));
  EXPECT_FALSE(decode_reply("QSR1x00"));
  EXPECT_FALSE(decode_reply("QSR1999"));
  EXPECT_FALSE(decode_reply("QSR0000"));
  EXPECT_FALSE(decode_reply("QSR1000" + std::string(300, 'a')));
}

TEST(FdPassing, PassesDescriptorsThatStillWork) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  std::string err;
  int fds[] = {p[1]};
  ASSERT_TRUE(send_with_fds(sv[0], "hello", fds, &err)) << err;
  ::close(p[1]);
  std::string data;
  std::vector<UniqueFd> got;
  ASSERT_EQ(recv_with_fds(sv[1], data, 64, got, &err), 5) << err;
  EXPECT_EQ(data, "hello");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(::fcntl(got[0].get(), F_GETFD) & FD_CLOEXEC);
  ASSERT_EQ(::write(got[0].get(), "x", 1), 1);
  char c = 0;
  ASSERT_EQ(::read(p[0], &c, 1), 1);
  EXPECT_EQ(c, 'x');
  ::close(p[0]);
  ::close(sv[0]);
  ::close(sv[1]);
}

}  // namespace
}  // namespace qscan::ipc
