// iconv loads its converters (gconv modules) from disk on first use, which the sandbox
// forbids. Opening converters for the charsets mail commonly uses before the fork keeps
// the modules mapped in the worker; other charsets fail to convert (the raw bytes are
// kept) instead of killing the worker. The list lives in charsets.cc.
#pragma once

namespace qscan::workers::decode {

void preload_charsets();

}  // namespace qscan::workers::decode
