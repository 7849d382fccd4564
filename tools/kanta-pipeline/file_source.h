// FileSource: the documents of a batch, from a walk of its input paths.
#pragma once

#include "core/batch_runner.h"
#include "core/input_paths.h"

namespace kanta::cli {

// Yields one Document per path of the walk, in order. Files are read later by the intake
// stage on a worker thread; "-" is read from standard input here (bounded by
// `max_bytes` + 1) because standard input can be read only once and in order.
class FileSource final : public DocumentSource {
 public:
  FileSource(InputWalk walk, std::size_t max_bytes)
      : walk_(std::move(walk)), max_bytes_(max_bytes) {}
  std::optional<Document> Next() override;

 private:
  InputWalk walk_;
  std::size_t max_bytes_;
};

}  // namespace kanta::cli
