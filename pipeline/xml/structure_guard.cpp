#include "xml/structure_guard.h"

#include <cstring>

namespace kanta::xml {
namespace {

// Reads code units of width 1 (UTF-8) or 2 (UTF-16); only ASCII matters to
// the guard, so non-ASCII units are returned as 0xFFFF and never match.
class Units {
 public:
  Units(std::string_view b, int width, bool big_endian, std::size_t start)
      : b_(b), width_(width), be_(big_endian), pos_(start) {}

  bool done() const { return pos_ + width_ > b_.size(); }
  std::size_t pos() const { return pos_; }
  unsigned peek(std::size_t ahead = 0) const {
    std::size_t p = pos_ + ahead * width_;
    if (p + width_ > b_.size()) return 0;
    if (width_ == 1) return static_cast<unsigned char>(b_[p]);
    unsigned hi = static_cast<unsigned char>(b_[p + (be_ ? 0 : 1)]);
    unsigned lo = static_cast<unsigned char>(b_[p + (be_ ? 1 : 0)]);
    unsigned v = (hi << 8) | lo;
    return v < 0x80 ? v : 0xFFFF;
  }
  void advance(std::size_t n = 1) { pos_ += n * width_; }
  bool starts_with(const char* s) const {
    for (std::size_t i = 0; s[i] != 0; ++i)
      if (peek(i) != static_cast<unsigned char>(s[i])) return false;
    return true;
  }
  // Moves to the next '<' (UTF-8 uses memchr), counting newlines.
  void skip_to_lt(std::int64_t& line) {
    if (width_ == 1) {
      const char* base = b_.data();
      const char* p = base + pos_;
      const char* end = base + b_.size();
      const char* lt = static_cast<const char*>(std::memchr(p, '<', end - p));
      const char* stop = lt != nullptr ? lt : end;
      for (const char* q = p; (q = static_cast<const char*>(std::memchr(q, '\n', stop - q))); ++q) ++line;
      pos_ = stop - base;
      return;
    }
    while (!done() && peek() != '<') {
      if (peek() == '\n') ++line;
      advance();
    }
  }
  // Moves past the next occurrence of `term`, counting newlines.
  void skip_past(const char* term, std::int64_t& line) {
    if (width_ == 1) {
      const char* base = b_.data();
      const char* p = base + pos_;
      const char* end = base + b_.size();
      const std::size_t n = std::strlen(term);
      const void* hit = memmem(p, static_cast<std::size_t>(end - p), term, n);
      const char* stop = hit != nullptr ? static_cast<const char*>(hit) + n : end;
      for (const char* q = p; (q = static_cast<const char*>(std::memchr(q, '\n', stop - q))); ++q) ++line;
      pos_ = static_cast<std::size_t>(stop - base);
      return;
    }
    while (!done()) {
      if (starts_with(term)) {
        advance(std::strlen(term));
        return;
      }
      if (peek() == '\n') ++line;
      advance();
    }
  }

 private:
  std::string_view b_;
  int width_;
  bool be_;
  std::size_t pos_;
};

bool IsNameStart(unsigned c) {
  return c == 0xFFFF || c == '_' || c == ':' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

}  // namespace

GuardResult ScanStructure(std::string_view b, const GuardLimits& limits) {
  GuardResult r;
  int width = 1;
  bool be = false;
  std::size_t start = 0;
  auto byte = [&](std::size_t i) { return i < b.size() ? static_cast<unsigned char>(b[i]) : 0u; };
  if (byte(0) == 0xEF && byte(1) == 0xBB && byte(2) == 0xBF) {
    start = 3;
  } else if (byte(0) == 0xFE && byte(1) == 0xFF) {
    width = 2, be = true, start = 2;
  } else if (byte(0) == 0xFF && byte(1) == 0xFE) {
    width = 2, start = 2;
  } else if (byte(0) == 0 && byte(1) == '<') {
    width = 2, be = true;
  } else if (byte(0) == '<' && byte(1) == 0) {
    width = 2;
  }
  r.encoding = width == 1 ? "UTF-8" : (be ? "UTF-16BE" : "UTF-16LE");

  Units u(b, width, be, start);
  std::int64_t line = 1;
  std::size_t depth = 0;
  static const char kXInclude[] = "http://www.w3.org/2001/XInclude";
  while (true) {
    u.skip_to_lt(line);
    if (u.done()) break;
    u.advance();  // '<'
    const unsigned c = u.peek();
    if (c == '!') {
      if (u.starts_with("!--")) {
        u.skip_past("-->", line);
      } else if (u.starts_with("![CDATA[")) {
        u.skip_past("]]>", line);
      } else if (u.starts_with("!DOCTYPE")) {
        r.problem = GuardResult::Problem::kDoctype;
        r.line = line;
        return r;
      }
      continue;  // anything else is libxml2's to reject
    }
    if (c == '?') {
      u.skip_past("?>", line);
      continue;
    }
    if (c == '/') {
      if (depth > 0) --depth;
      u.skip_past(">", line);
      continue;
    }
    if (!IsNameStart(c)) continue;
    // A start tag: count attributes ('=' outside quotes) up to the closing '>'.
    const std::int64_t tag_line = line;
    if (width == 1) {
      // Fast path for UTF-8: a tight byte loop over the tag.
      const char* p = b.data() + u.pos();
      const char* end = b.data() + b.size();
      std::size_t attributes = 0;
      char prev = 0;
      bool closed = false, empty = false;
      while (p < end) {
        const char ch = *p;
        if (ch == '"' || ch == '\'') {
          const char* q = static_cast<const char*>(std::memchr(p + 1, ch, end - p - 1));
          const char* stop = q != nullptr ? q : end;
          for (const char* n = p; (n = static_cast<const char*>(std::memchr(n, '\n', stop - n))); ++n) ++line;
          p = q != nullptr ? q + 1 : end;
          prev = ch;
          continue;
        }
        if (ch == '\n') ++line;
        if (ch == '=' && ++attributes > limits.max_attributes) {
          r.problem = GuardResult::Problem::kAttributes;
          r.line = tag_line;
          r.value = attributes;
          return r;
        }
        if (ch == '>') {
          closed = true;
          empty = prev == '/';
          ++p;
          break;
        }
        if (ch == '<') break;
        prev = ch;
        ++p;
      }
      u.advance(static_cast<std::size_t>(p - (b.data() + u.pos())));
      if (closed && !empty && ++depth > limits.max_depth) {
        r.problem = GuardResult::Problem::kDepth;
        r.line = tag_line;
        r.value = depth;
        return r;
      }
      continue;
    }
    std::size_t attributes = 0;
    unsigned quote = 0, prev = 0;
    bool closed = false, empty = false;
    while (!u.done()) {
      const unsigned ch = u.peek();
      if (ch == '\n') ++line;
      if (quote != 0) {
        if (ch == quote) quote = 0;
      } else if (ch == '"' || ch == '\'') {
        quote = ch;
      } else if (ch == '=') {
        if (++attributes > limits.max_attributes) {
          r.problem = GuardResult::Problem::kAttributes;
          r.line = tag_line;
          r.value = attributes;
          return r;
        }
      } else if (ch == '>') {
        closed = true;
        empty = prev == '/';
        u.advance();
        break;
      } else if (ch == '<') {
        break;  // malformed; libxml2 will say so
      }
      prev = ch;
      u.advance();
    }
    if (closed && !empty) {
      if (++depth > limits.max_depth) {
        r.problem = GuardResult::Problem::kDepth;
        r.line = tag_line;
        r.value = depth;
        return r;
      }
    }
  }
  if (width == 1) {
    r.uses_xinclude = b.find(kXInclude) != std::string_view::npos;
  }
  return r;
}

}  // namespace kanta::xml
