#include "xml/structure_guard.h"

#include <algorithm>
#include <cstring>

namespace kanta::xml {
namespace {

// Reads code units of width 1 (UTF-8) or 2 (UTF-16); only ASCII matters to
// the guard, so non-ASCII units are returned as 0xFFFF and never match.
// UTF-8 (nearly every real document) takes memchr/memmem fast paths.
class Units {
 public:
  Units(std::string_view b, int width, bool big_endian, std::size_t start)
      : b_(b), width_(width), be_(big_endian), pos_(start) {}

  bool done() const { return pos_ + width_ > b_.size(); }
  std::size_t pos() const { return pos_; }
  void set_pos(std::size_t p) { pos_ = p; }
  unsigned peek(std::size_t ahead = 0) const { return at(pos_ + ahead * width_); }
  void advance(std::size_t n = 1) { pos_ += n * width_; }
  bool starts_with(const char* s) const {
    for (std::size_t i = 0; s[i] != 0; ++i)
      if (peek(i) != static_cast<unsigned char>(s[i])) return false;
    return true;
  }

  // Position of the next '<' at or after `from`, or the end of the input.
  std::size_t find_lt(std::size_t from) const {
    if (width_ == 1) {
      if (from >= b_.size()) return b_.size();
      const void* lt = std::memchr(b_.data() + from, '<', b_.size() - from);
      return lt != nullptr ? static_cast<std::size_t>(static_cast<const char*>(lt) - b_.data())
                           : b_.size();
    }
    std::size_t p = from;
    while (p + width_ <= b_.size() && at(p) != '<') p += width_;
    return std::min(p, b_.size());
  }

  // Moves past the next occurrence of `term` (or to the end).
  void skip_past(const char* term) {
    const std::size_t n = std::strlen(term);
    if (width_ == 1) {
      const char* p = b_.data() + std::min(pos_, b_.size());
      const void* hit = memmem(p, b_.size() - (p - b_.data()), term, n);
      pos_ = hit != nullptr ? static_cast<std::size_t>(static_cast<const char*>(hit) - b_.data()) + n
                            : b_.size();
      return;
    }
    while (!done()) {
      if (starts_with(term)) {
        advance(n);
        return;
      }
      advance();
    }
  }

  // 1-based line of the unit at `p` (counts line feeds before it).
  std::int64_t line_at(std::size_t p) const {
    p = std::min(p, b_.size());
    if (width_ == 1) return 1 + std::count(b_.data(), b_.data() + p, '\n');
    std::int64_t line = 1;
    for (std::size_t q = 0; q + width_ <= p; q += width_)
      if (at(q) == '\n') ++line;
    return line;
  }

 private:
  unsigned at(std::size_t p) const {
    if (p + width_ > b_.size()) return 0;
    if (width_ == 1) return static_cast<unsigned char>(b_[p]);
    const unsigned hi = static_cast<unsigned char>(b_[p + (be_ ? 0 : 1)]);
    const unsigned lo = static_cast<unsigned char>(b_[p + (be_ ? 1 : 0)]);
    const unsigned v = (hi << 8) | lo;
    return v < 0x80 ? v : 0xFFFF;
  }

  std::string_view b_;
  int width_;
  bool be_;
  std::size_t pos_;
};

// Whether a tag starting with this unit may be a start tag. Any non-ASCII
// unit may begin a name (a UTF-8 lead byte, or 0xFFFF from Units::peek for
// UTF-16): such tags are examined too.
bool IsNameStart(unsigned c) {
  return c >= 0x80 || c == '_' || c == ':' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// Counts '=' outside quotes from the current position to the end of the tag
// ('>' or '<' outside quotes); true when the count exceeds `max`.
bool TooManyAttributes(Units& u, std::string_view b, int width, std::size_t max,
                       std::size_t& count) {
  count = 0;
  if (width == 1) {
    const char* p = b.data() + u.pos();
    const char* end = b.data() + b.size();
    while (p < end) {
      const char ch = *p;
      if (ch == '"' || ch == '\'') {
        const void* q = std::memchr(p + 1, ch, static_cast<std::size_t>(end - p - 1));
        p = q != nullptr ? static_cast<const char*>(q) + 1 : end;
        continue;
      }
      if (ch == '=' && ++count > max) return true;
      if (ch == '>' || ch == '<') break;
      ++p;
    }
    u.set_pos(static_cast<std::size_t>(p - b.data()));
    return false;
  }
  unsigned quote = 0;
  while (!u.done()) {
    const unsigned ch = u.peek();
    if (quote != 0) {
      if (ch == quote) quote = 0;
    } else if (ch == '"' || ch == '\'') {
      quote = ch;
    } else if (ch == '=') {
      if (++count > max) return true;
    } else if (ch == '>' || ch == '<') {
      break;
    }
    u.advance();
  }
  return false;
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

  Units u(b, width, be, start);
  // Tags shorter than this (in code units, up to the next '<') cannot hold
  // more '=' signs than the limit.
  const std::size_t span_limit = limits.max_attributes * static_cast<std::size_t>(width);
  std::size_t lt = u.find_lt(u.pos());
  while (true) {
    u.set_pos(lt);
    if (u.done()) break;
    const std::size_t tag = lt;
    u.advance();  // '<'
    const unsigned c = u.peek();
    if (c == '!') {
      if (u.starts_with("!--")) {
        u.skip_past("-->");
      } else if (u.starts_with("![CDATA[")) {
        u.skip_past("]]>");
      } else if (u.starts_with("!DOCTYPE")) {
        r.problem = GuardResult::Problem::kDoctype;
        r.line = u.line_at(tag);
        return r;
      }
      lt = u.find_lt(u.pos());
      continue;  // anything else is libxml2's to reject
    }
    if (c == '?') {
      u.skip_past("?>");
      lt = u.find_lt(u.pos());
      continue;
    }
    lt = u.find_lt(u.pos());
    if (!IsNameStart(c)) continue;  // end tags; stray '<' is libxml2's to reject
    if (lt - tag <= span_limit) continue;
    std::size_t count = 0;
    if (TooManyAttributes(u, b, width, limits.max_attributes, count)) {
      r.problem = GuardResult::Problem::kAttributes;
      r.line = u.line_at(tag);
      r.value = count;
      return r;
    }
    // The tag ended before the next '<' unless a quoted value spanned it.
    if (u.pos() > lt) lt = u.find_lt(u.pos());
  }
  return r;
}

}  // namespace kanta::xml
