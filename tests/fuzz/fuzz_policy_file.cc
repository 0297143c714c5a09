// Policy files (policy/policy_rules.h): the text form and, on the same bytes, the compiled
// form. Whatever loads must compile and load back to an equal set.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy_rules.h"
#include "tests/fuzz/fuzz_check.h"

using namespace qscan::policy;

static void check_round_trip(const PolicySet& set) {
  std::string compiled = compile_policy(set);
  PolicySet back;
  std::string error;
  FUZZ_CHECK(load_compiled_policy(compiled, back, &error));
  FUZZ_CHECK(back == set);
  (void)show_policy(set);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  PolicySet set;
  std::vector<PolicyError> errors;
  if (parse_policy_text(text, "fuzz.txt", set, errors)) {
    FUZZ_CHECK(errors.empty());
    check_round_trip(set);
  } else {
    FUZZ_CHECK(!errors.empty());
    FUZZ_CHECK(set.rules.empty());  // all or nothing: `out` untouched
    for (const PolicyError& e : errors) (void)e.to_string();
  }

  PolicySet compiled;
  std::string error;
  if (load_compiled_policy(text, compiled, &error)) check_round_trip(compiled);
  return 0;
}
