// Decoders that open a container leaf and feed its members back through process_blob:
// uuencoded blocks in text (uu.cc), MS-TNEF winmail.dat (tnef.cc, libytnef) and
// archives and compressed files (archive.cc, libarchive). Each returns true when it
// understood the container (members, if any, have been processed).
#pragma once

#include "workers/decode/context.h"

namespace qscan::workers::decode {

bool expand_uuencoded(Context& ctx, const Blob& text);
bool expand_tnef(Context& ctx, const Blob& tnef);
enum class Opened { kNo, kYes, kPartly };  // kPartly: some member could not be decoded
Opened expand_archive(Context& ctx, const Blob& archive, std::string_view detected_type);

}  // namespace qscan::workers::decode
