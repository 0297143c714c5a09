// Messages the scanner tests send.
#pragma once

#include <string>

namespace qscan::testing {

inline const std::string kEicar =
    "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
inline const std::string kGtube =
    "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

// A plain text message, LF line ends as qmail hands it over.
std::string clean_message();
// A message whose base64 attachment `eicar.com` is the EICAR string, after `padding`
// bytes of text (so the message spans many INSTREAM chunks).
std::string eicar_attachment_message(std::size_t padding = 0);
// A message whose body carries the GTUBE string.
std::string gtube_message();
// A message of `size` bytes of harmless text.
std::string large_message(std::size_t size);

}  // namespace qscan::testing
