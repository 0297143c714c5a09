#include "supervisor/envelope.h"

#include "supervisor/exit_codes.h"

namespace qscan::supervisor {
namespace {

EnvelopeParse fail(int code, std::string why) {
  EnvelopeParse p;
  p.exit_code = code;
  p.error = std::move(why);
  return p;
}

// Reads one NUL-terminated address after its type letter at `pos`.
bool take_address(std::string_view bytes, std::size_t& pos, std::string& out, int& code,
                  std::string& why) {
  std::size_t nul = bytes.find('\0', pos);
  if (nul == std::string_view::npos) {
    code = exit_code::kReadError;
    why = "envelope ends inside an address";
    return false;
  }
  if (nul - pos >= kMaxAddressBytes) {
    code = exit_code::kAddressTooLong;
    why = "envelope address of " + std::to_string(nul - pos) + " bytes";
    return false;
  }
  out.assign(bytes.substr(pos, nul - pos));
  pos = nul + 1;
  return true;
}

}  // namespace

EnvelopeParse parse_envelope(std::string_view bytes) {
  // An empty envelope is how qmail-smtpd signals a message it refused after DATA
  // (over databytes, or a mail loop): queue nothing, exit non-zero.
  if (bytes.empty())
    return fail(exit_code::kReadError, "empty envelope (message refused by the caller)");
  if (bytes[0] != 'F') return fail(exit_code::kEnvelopeFormat, "envelope does not start with F");
  EnvelopeParse p;
  std::size_t pos = 1;
  int code = 0;
  std::string why;
  if (!take_address(bytes, pos, p.envelope.sender, code, why)) return fail(code, why);
  for (;;) {
    if (pos >= bytes.size())
      return fail(exit_code::kReadError, "envelope ends before its final NUL");
    char c = bytes[pos];
    if (c == '\0') {
      ++pos;
      break;
    }
    if (c != 'T')
      return fail(exit_code::kEnvelopeFormat, "envelope item is neither T nor the final NUL");
    ++pos;
    std::string rcpt;
    if (!take_address(bytes, pos, rcpt, code, why)) return fail(code, why);
    p.envelope.recipients.push_back(std::move(rcpt));
  }
  if (pos != bytes.size())
    return fail(exit_code::kEnvelopeFormat, "bytes after the envelope's final NUL");
  return p;
}

std::string encode_envelope(const Envelope& e) {
  std::string out = "F" + e.sender;
  out.push_back('\0');
  for (const std::string& r : e.recipients) {
    out += "T" + r;
    out.push_back('\0');
  }
  out.push_back('\0');
  return out;
}

}  // namespace qscan::supervisor
