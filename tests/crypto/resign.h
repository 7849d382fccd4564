// Test-only: changing a signed document's ds:Signature and signing it again
// with xmlsec, to build signatures the SystemSigner would never make (SHA-1,
// legacy transform chains, references to the wrong element, ...).
#pragma once

#include <libxml/tree.h>

#include <functional>
#include <memory>
#include <string>

#include "crypto/credentials.h"

namespace kanta::testing {

// Parses `signed_bytes`, lets `mutate` change the tree (it gets the document
// and the last ds:Signature of hl7fi:signatureCollection), registers every
// ID attribute, signs that ds:Signature again and returns the serialised
// document. Fails the calling test when xmlsec cannot sign.
std::string Resign(const std::string& signed_bytes,
                   const std::function<void(xmlDoc*, xmlNode*)>& mutate,
                   std::shared_ptr<const crypto::SigningCredentials> credentials = nullptr);

// Sets the SignatureMethod and every DigestMethod of `ds`.
void SetAlgorithms(xmlNode* ds, const std::string& signature_method,
                   const std::string& digest_method);

// The n-th (1-based) ds:Reference of `ds`, or nullptr.
xmlNode* NthReference(xmlNode* ds, int n);

// Replaces `old` with the element parsed from `xml` (which declares the
// namespaces it uses); returns the new element.
xmlNode* ReplaceWithXml(xmlNode* old, const std::string& xml);

}  // namespace kanta::testing
