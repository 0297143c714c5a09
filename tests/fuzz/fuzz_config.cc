// qscan.toml (policy/config.h load_config_string): any bytes either load or give an error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "policy/config.h"
#include "tests/fuzz/fuzz_check.h"

using namespace qscan::policy;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  ConfigError error;
  std::optional<Config> c = load_config_string(text, "fuzz.toml", &error);
  if (!c) FUZZ_CHECK(!error.message.empty());
  (void)error.to_string();
  return 0;
}
