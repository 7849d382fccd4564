// Expanding the paths a user gives into the list of inputs of a batch.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace kanta {

// Expands files and folders into a list of file paths. Folders are walked
// recursively; entries are sorted by name (byte order) so the order is the
// same on every run and machine; hidden entries (".name") are skipped inside
// folders. "-" stays as is (standard input). Fails with NotFound naming the
// first path that does not exist.
Result<std::vector<std::string>> ExpandInputPaths(const std::vector<std::string>& paths);

}  // namespace kanta
