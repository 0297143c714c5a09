// The one place every decoded leaf goes through: sniff it, run the per-leaf checks,
// write it to the arena, and open it further when it is a container we understand.
#pragma once

#include "workers/decode/context.h"

namespace qscan::workers::decode {

void process_blob(Context& ctx, Blob blob);

}  // namespace qscan::workers::decode
