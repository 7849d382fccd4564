// Owning smart pointers for libxml2 handles. Every libxml2 object our code
// owns is held in one of these; no raw owning pointers cross our APIs.
#pragma once

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>

#include <memory>

#include "core/c_ptr.h"

namespace kanta::xml {

using DocPtr = CPtr<xmlDoc, xmlFreeDoc>;
using ParserCtxtPtr = CPtr<xmlParserCtxt, xmlFreeParserCtxt>;
using SchemaPtr = CPtr<xmlSchema, xmlSchemaFree>;
using SchemaParserCtxtPtr = CPtr<xmlSchemaParserCtxt, xmlSchemaFreeParserCtxt>;
using SchemaValidCtxtPtr = CPtr<xmlSchemaValidCtxt, xmlSchemaFreeValidCtxt>;
using XPathContextPtr = CPtr<xmlXPathContext, xmlXPathFreeContext>;
using XPathObjectPtr = CPtr<xmlXPathObject, xmlXPathFreeObject>;
using XPathCompExprPtr = CPtr<xmlXPathCompExpr, xmlXPathFreeCompExpr>;

// xmlFree is a variable (the allocator libxml2 was set up with), not a
// function, so it gets a deleter of its own.
struct XmlCharDeleter {
  void operator()(xmlChar* p) const { xmlFree(p); }
};
using XmlCharPtr = std::unique_ptr<xmlChar, XmlCharDeleter>;

}  // namespace kanta::xml
