#include "archive/postgresql_archive.h"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SessionPool.h>

#include <condition_variable>
#include <mutex>
#include <vector>

#include "archive/sql_archive.h"

namespace kanta::archive {

using namespace Poco::Data::Keywords;

namespace {

// At most this many writer connections per process; callers beyond it wait.
constexpr std::size_t kMaxWriters = 16;
// Any fixed number: the advisory lock that serialises schema creation.
constexpr Poco::Int64 kSchemaLockKey = 0x4b414e5441;  // "KANTA"

Dialect PostgresqlDialect() {
  return Dialect{"postgresql", true, "BEGIN",
                 "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "BYTEA"};
}

void RegisterConnector() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Data::PostgreSQL::Connector::registerConnector(); });
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> PercentDecode(std::string_view s, std::string_view url) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    const int hi = i + 2 < s.size() ? HexValue(s[i + 1]) : -1;
    const int lo = i + 2 < s.size() ? HexValue(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      return InvalidArgument("archive URL \"" + RedactPostgresqlUrl(url) + "\": bad %-escape");
    }
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

class PostgresqlArchive final : public SqlArchive {
 public:
  PostgresqlArchive(std::string url, std::string connection)
      : SqlArchive(PostgresqlDialect()), url_(std::move(url)), connection_(std::move(connection)) {}

  Status Open() {
    RegisterConnector();
    RETURN_IF_ERROR(Migrate());
    try {
      readers_ = std::make_unique<Poco::Data::SessionPool>("PostgreSQL", connection_, 1, 32, 60);
    } catch (const std::exception& e) {
      return DatabaseError(e, "connecting");
    }
    return Status::Ok();
  }

  std::string url() const override { return url_; }

 protected:
  Result<WriterLease> AcquireWriter() override {
    std::unique_ptr<Writer> writer;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return !idle_.empty() || lent_ < kMaxWriters; });
      ++lent_;
      if (!idle_.empty()) {
        writer = std::move(idle_.back());
        idle_.pop_back();
      }
    }
    if (!writer) {
      // Connecting takes a round trip or more: done outside the lock.
      try {
        writer = MakeWriter(Poco::Data::Session("PostgreSQL", connection_));
      } catch (const std::exception& e) {
        Give(nullptr, false);
        return DatabaseError(e, "connecting");
      }
    }
    return WriterLease(std::move(writer), [this](std::unique_ptr<Writer> w, bool healthy) {
      Give(std::move(w), healthy);
    });
  }

  Result<Poco::Data::Session> AcquireReader() override {
    try {
      return readers_->get();
    } catch (const std::exception& e) {
      return DatabaseError(e, "connecting a reader");
    }
  }

  void LockSchema(Writer& w) override {
    // Without this libpq prints "relation ... already exists, skipping" on
    // stderr for every CREATE TABLE IF NOT EXISTS of an existing archive.
    w.session << "SET LOCAL client_min_messages = warning", now;
    Poco::Int64 one = 0;
    Poco::Int64 key = kSchemaLockKey;
    w.session << "SELECT 1::BIGINT FROM (SELECT pg_advisory_xact_lock($1)) AS locked", use(key),
        into(one), now;
  }

  void TuneNewSchema(Writer& w) override {
    // lz4 compresses the stored bytes about twice as fast as the default
    // pglz (docs/performance.md); servers built without it keep pglz.
    std::vector<std::string> lz4;
    w.session << "SELECT 'lz4' FROM pg_settings WHERE name = 'default_toast_compression' AND "
                 "'lz4' = ANY (enumvals)",
        into(lz4), now;
    if (lz4.empty()) return;
    w.session << "ALTER TABLE documents ALTER COLUMN bytes SET COMPRESSION lz4", now;
    w.session << "ALTER TABLE quarantine ALTER COLUMN bytes SET COMPRESSION lz4", now;
  }

 private:
  void Give(std::unique_ptr<Writer> w, bool healthy) {
    if (w && !healthy) {
      // Poco 1.11's PostgreSQL StatementExecutor frees a statement's previous
      // result a second time when a later execution failed, so destroying a
      // writer whose statement failed aborts the process. Close its
      // connection and leave the writer (a few KiB) unreleased: this happens
      // only after a database failure.
      try {
        w->session.close();
      } catch (...) {
      }
      static_cast<void>(w.release());
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      --lent_;
      if (w && healthy) idle_.push_back(std::move(w));
    }
    wake_.notify_one();
  }

  const std::string url_;         // redacted
  const std::string connection_;  // libpq keywords, with any password
  std::unique_ptr<Poco::Data::SessionPool> readers_;  // set in Open(), thread-safe

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::unique_ptr<Writer>> idle_;  // guarded by mutex_
  std::size_t lent_ = 0;                       // guarded by mutex_
};

}  // namespace

Result<std::string> PostgresqlConnectionString(std::string_view url) {
  std::string_view rest;
  if (url.starts_with("postgresql://")) {
    rest = url.substr(13);
  } else if (url.starts_with("postgres://")) {
    rest = url.substr(11);
  } else if (url.starts_with("postgresql:")) {
    std::string keywords(url.substr(11));
    if (keywords.find('=') == std::string::npos) {
      return InvalidArgument("archive URL \"" + RedactPostgresqlUrl(url) +
                             "\": expected postgresql://... or postgresql:key=value ...");
    }
    return keywords + " application_name=kanta-pipeline";
  } else {
    return InvalidArgument("not a postgresql URL: " + RedactPostgresqlUrl(url));
  }

  std::vector<std::pair<std::string, std::string>> keywords;
  std::string_view query;
  if (const std::size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view path;
  if (const std::size_t slash = rest.find('/'); slash != std::string_view::npos) {
    path = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  if (const std::size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const std::size_t colon = userinfo.find(':');
    ASSIGN_OR_RETURN(std::string user, PercentDecode(userinfo.substr(0, colon), url));
    if (!user.empty()) keywords.emplace_back("user", user);
    if (colon != std::string_view::npos) {
      ASSIGN_OR_RETURN(std::string password, PercentDecode(userinfo.substr(colon + 1), url));
      keywords.emplace_back("password", password);
    }
  }
  std::string_view host = rest, port;
  if (host.starts_with('[')) {  // [::1]:5432
    const std::size_t close = host.find(']');
    if (close == std::string_view::npos) {
      return InvalidArgument("archive URL \"" + RedactPostgresqlUrl(url) + "\": unclosed [");
    }
    if (close + 1 < host.size() && host[close + 1] == ':') port = host.substr(close + 2);
    host = host.substr(1, close - 1);
  } else if (const std::size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  if (!host.empty()) {
    ASSIGN_OR_RETURN(std::string h, PercentDecode(host, url));
    keywords.emplace_back("host", h);
  }
  if (!port.empty()) keywords.emplace_back("port", std::string(port));
  if (!path.empty()) {
    ASSIGN_OR_RETURN(std::string db, PercentDecode(path, url));
    keywords.emplace_back("dbname", db);
  }
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return InvalidArgument("archive URL \"" + RedactPostgresqlUrl(url) +
                             "\": bad parameter \"" + std::string(item) + "\"");
    }
    ASSIGN_OR_RETURN(std::string key, PercentDecode(item.substr(0, eq), url));
    ASSIGN_OR_RETURN(std::string value, PercentDecode(item.substr(eq + 1), url));
    keywords.emplace_back(key, value);
  }
  keywords.emplace_back("application_name", "kanta-pipeline");

  std::string out;
  for (const auto& [key, value] : keywords) {
    if (value.empty() || value.find_first_of(" \t\n'\\") != std::string::npos) {
      return InvalidArgument("archive URL \"" + RedactPostgresqlUrl(url) + "\": the value of " +
                             key + " is empty or has a space, quote or backslash, which "
                             "Poco's PostgreSQL connector cannot pass on");
    }
    if (!out.empty()) out += ' ';
    out += key + "=" + value;
  }
  return out;
}

std::string RedactPostgresqlUrl(std::string_view url) {
  std::string s(url);
  if (s.starts_with("postgresql://") || s.starts_with("postgres://")) {
    const std::size_t start = s.find("//") + 2;
    const std::size_t end = s.find_first_of("/?", start);
    const std::size_t at = s.rfind('@', end == std::string::npos ? s.size() : end);
    if (at != std::string::npos && at > start) {
      const std::size_t colon = s.find(':', start);
      if (colon != std::string::npos && colon < at) s.erase(colon, at - colon);
    }
  }
  // password=... as a keyword or a query parameter
  for (std::size_t p = s.find("password="); p != std::string::npos; p = s.find("password=", p)) {
    const std::size_t value = p + 9;
    const std::size_t end = s.find_first_of(" &", value);
    s.replace(value, (end == std::string::npos ? s.size() : end) - value, "***");
    p = value + 3;
  }
  return s;
}

Result<std::unique_ptr<Archive>> OpenPostgresqlArchive(std::string_view url) {
  ASSIGN_OR_RETURN(std::string connection, PostgresqlConnectionString(url));
  auto archive = std::make_unique<PostgresqlArchive>(RedactPostgresqlUrl(url), connection);
  RETURN_IF_ERROR(archive->Open());
  return std::unique_ptr<Archive>(std::move(archive));
}

}  // namespace kanta::archive
