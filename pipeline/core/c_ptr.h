// CPtr: a std::unique_ptr that frees its object with the C library's own
// function, for the handles of libxml2, OpenSSL and xmlsec:
//
//   using DocPtr = CPtr<xmlDoc, xmlFreeDoc>;
//
// Functions that are macros or variables in their library (OPENSSL_free,
// libxml2's xmlFree) cannot be template arguments; those keep a deleter of
// their own.
#pragma once

#include <memory>

namespace kanta {

template <auto Free>
struct FreeWith {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};

template <typename T, auto Free>
using CPtr = std::unique_ptr<T, FreeWith<Free>>;

}  // namespace kanta
