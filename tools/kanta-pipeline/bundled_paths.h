// Where the program finds the files the project ships (schemas, rule sets).
#pragma once

#include <string>

namespace kanta::cli {

// The project's data folder holding schemas/: $KANTA_PIPELINE_HOME when set,
// else <exe>/../share/kanta-pipeline when installed, else the source tree the
// program was built from. Returns "" when none of them holds schemas/.
std::string DataHome();

}  // namespace kanta::cli
