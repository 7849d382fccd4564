// Allocator policy of the program: keep freed memory for the next document.
//
// Every document allocates and frees a few hundred KiB (its bytes, libxml2's
// copy of them, the tree). With glibc's defaults that memory goes back to the
// kernel after nearly every document (the heap top is trimmed, larger blocks
// are mapped and unmapped), and the next document pays page faults to get it
// back: measured at about 10 % of a validate run (docs/performance.md).
#pragma once

namespace kanta::cli {

// Raises glibc's trim and mmap thresholds to fixed values well above one
// document's working set. Call once, at the start of main(), before any
// thread starts; a no-op on other C libraries.
void KeepFreedMemoryForReuse();

}  // namespace kanta::cli
