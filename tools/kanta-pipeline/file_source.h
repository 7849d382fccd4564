// FileSource: the documents of a batch, from expanded input paths.
#pragma once

#include <string>
#include <vector>

#include "core/batch_runner.h"

namespace kanta::cli {

// Yields one Document per path, in order. Files are read later by the intake
// stage on a worker thread; "-" is read from standard input here (bounded by
// `max_bytes` + 1) because standard input can be read only once and in order.
class FileSource final : public DocumentSource {
 public:
  FileSource(std::vector<std::string> paths, std::size_t max_bytes)
      : paths_(std::move(paths)), max_bytes_(max_bytes) {}
  std::optional<Document> Next() override;

 private:
  std::vector<std::string> paths_;
  std::size_t next_ = 0;
  std::size_t max_bytes_;
};

}  // namespace kanta::cli
