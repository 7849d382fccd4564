#include "report/spool.h"

namespace kanta::report {

Status Spool::CopyTo(std::ostream& out) {
  if (!file_) return Unavailable("no temporary file for the report");
  if (std::fflush(file_.get()) != 0 || std::fseek(file_.get(), 0, SEEK_SET) != 0) {
    return Unavailable("cannot read back the report's temporary file");
  }
  char buf[1 << 16];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, file_.get())) > 0) {
    out.write(buf, static_cast<std::streamsize>(n));
  }
  return std::ferror(file_.get()) ? Unavailable("reading the report's temporary file failed")
                                  : Status::Ok();
}

}  // namespace kanta::report
