#include "tests/scanners/test_messages.h"

namespace qscan::testing {
namespace {

std::string base64(const std::string& in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v =
        (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], k[v & 63]};
  }
  if (i + 1 == in.size()) {
    unsigned v = (unsigned char)in[i] << 16;
    out += {k[v >> 18], k[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], '='};
  }
  return out;
}

const char kHead[] =
    "Received: from sender.example (1.2.3.4) by mx.example with SMTP; "
    "Mon, 23 Nov 2026 09:00:00 -0000\n"
    "From: Alice <alice@sender.example>\n"
    "To: Bob <bob@mx.example>\n"
    "Date: Mon, 23 Nov 2026 09:00:00 +0000\n"
    "Message-ID: <qscan-test-1@sender.example>\n";

}  // namespace

std::string clean_message() {
  return std::string(kHead) +
         "Subject: lunch\n\nShall we meet for lunch on Tuesday at noon?\nBob\n";
}

std::string eicar_attachment_message(std::size_t padding) {
  std::string text;
  while (text.size() < padding) text += "This line is only padding for the scanner test.\n";
  return std::string(kHead) +
         "Subject: report\n"
         "MIME-Version: 1.0\n"
         "Content-Type: multipart/mixed; boundary=\"b1\"\n\n"
         "--b1\nContent-Type: text/plain\n\nSee attached.\n" +
         text +
         "--b1\nContent-Type: application/octet-stream; name=\"eicar.com\"\n"
         "Content-Transfer-Encoding: base64\n"
         "Content-Disposition: attachment; filename=\"eicar.com\"\n\n" +
         base64(kEicar) + "\n--b1--\n";
}

std::string gtube_message() { return std::string(kHead) + "Subject: buy now\n\n" + kGtube + "\n"; }

std::string large_message(std::size_t size) {
  std::string m = std::string(kHead) + "Subject: big\n\n";
  while (m.size() < size) m += "0123456789 abcdefghijklmnopqrstuvwxyz harmless text line\n";
  m.resize(size);
  return m;
}

}  // namespace qscan::testing
