// Owning smart pointers for libxml2 handles. Every libxml2 object our code
// owns is held in one of these; no raw owning pointers cross our APIs.
#pragma once

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>

#include <memory>

namespace kanta::xml {

struct DocDeleter { void operator()(xmlDoc* p) const { xmlFreeDoc(p); } };
struct ParserCtxtDeleter { void operator()(xmlParserCtxt* p) const { xmlFreeParserCtxt(p); } };
struct SchemaDeleter { void operator()(xmlSchema* p) const { xmlSchemaFree(p); } };
struct SchemaParserCtxtDeleter { void operator()(xmlSchemaParserCtxt* p) const { xmlSchemaFreeParserCtxt(p); } };
struct SchemaValidCtxtDeleter { void operator()(xmlSchemaValidCtxt* p) const { xmlSchemaFreeValidCtxt(p); } };
struct XPathContextDeleter { void operator()(xmlXPathContext* p) const { xmlXPathFreeContext(p); } };
struct XPathObjectDeleter { void operator()(xmlXPathObject* p) const { xmlXPathFreeObject(p); } };
struct XPathCompExprDeleter { void operator()(xmlXPathCompExpr* p) const { xmlXPathFreeCompExpr(p); } };
struct XmlCharDeleter { void operator()(xmlChar* p) const { xmlFree(p); } };

using DocPtr = std::unique_ptr<xmlDoc, DocDeleter>;
using ParserCtxtPtr = std::unique_ptr<xmlParserCtxt, ParserCtxtDeleter>;
using SchemaPtr = std::unique_ptr<xmlSchema, SchemaDeleter>;
using SchemaParserCtxtPtr = std::unique_ptr<xmlSchemaParserCtxt, SchemaParserCtxtDeleter>;
using SchemaValidCtxtPtr = std::unique_ptr<xmlSchemaValidCtxt, SchemaValidCtxtDeleter>;
using XPathContextPtr = std::unique_ptr<xmlXPathContext, XPathContextDeleter>;
using XPathObjectPtr = std::unique_ptr<xmlXPathObject, XPathObjectDeleter>;
using XPathCompExprPtr = std::unique_ptr<xmlXPathCompExpr, XPathCompExprDeleter>;
using XmlCharPtr = std::unique_ptr<xmlChar, XmlCharDeleter>;

}  // namespace kanta::xml
