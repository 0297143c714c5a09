// kHeader records for the message's own header fields, RFC 2047-decoded to UTF-8.
#pragma once

#include <gmime/gmime.h>

#include "workers/decode/context.h"

namespace qscan::workers::decode {

void write_top_headers(Context& ctx, GMimeMessage* message);

}  // namespace qscan::workers::decode
