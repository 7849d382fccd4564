// Test entry point: starts the XML libraries once, as the program does.
#include <gtest/gtest.h>

#include "xml/library_scope.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  kanta::xml::LibraryScope libraries;
  return RUN_ALL_TESTS();
}
