#include "xml/node_path.h"

#include <gtest/gtest.h>

#include "xml/secure_parser.h"

namespace kanta::xml {
namespace {

TEST(NodePathTest, IndexesOnlyRepeatedSiblingsAndPrefixesForeignNamespaces) {
  Report report;
  SecureParser parser;
  auto tree = parser.Parse(
      "<ClinicalDocument xmlns='urn:hl7-org:v3' xmlns:hl7fi='urn:hl7finland'>"
      "<id/><component/><hl7fi:localHeader><hl7fi:x/></hl7fi:localHeader>"
      "<component><section><other xmlns='urn:other'/></section></component>"
      "</ClinicalDocument>",
      "t", "parse", report);
  ASSERT_TRUE(tree.ok());
  xmlNode* root = (*tree)->root();
  xmlNode* id = root->children;
  xmlNode* header = id->next->next;
  xmlNode* second = header->next;
  EXPECT_EQ(NodePath(root), "/ClinicalDocument");
  EXPECT_EQ(NodePath(id), "/ClinicalDocument/id");
  EXPECT_EQ(NodePath(header->children), "/ClinicalDocument/hl7fi:localHeader/hl7fi:x");
  EXPECT_EQ(NodePath(second->children->children),
            "/ClinicalDocument/component[2]/section/*[local-name()='other']");
  EXPECT_EQ(NodePath(nullptr), "");
}

TEST(NodePathTest, UnprefixedFinnishAndSignatureElementsGetConventionalPrefixes) {
  Report report;
  SecureParser parser;
  auto tree = parser.Parse(
      "<ClinicalDocument xmlns='urn:hl7-org:v3'><localHeader xmlns='urn:hl7finland'>"
      "<signatureCollection><signature><Signature xmlns='http://www.w3.org/2000/09/xmldsig#'>"
      "<SignedInfo/></Signature></signature></signatureCollection></localHeader>"
      "</ClinicalDocument>",
      "t", "parse", report);
  ASSERT_TRUE(tree.ok());
  xmlNode* signed_info = (*tree)->root()->children->children->children->children->children;
  EXPECT_EQ(NodePath(signed_info),
            "/ClinicalDocument/hl7fi:localHeader/hl7fi:signatureCollection/hl7fi:signature/"
            "ds:Signature/ds:SignedInfo");
}

}  // namespace
}  // namespace kanta::xml
