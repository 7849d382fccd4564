#include "archive_test_support.h"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/Session.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <random>

#include "archive/postgresql_archive.h"

namespace kanta::archive::testing {

using namespace Poco::Data::Keywords;

StoreRequest MakeTestDocument(int i, std::size_t size, const std::string& run_id) {
  const std::string n = std::to_string(i);
  std::string bytes = "<ClinicalDocument id=\"" + n + "\">";
  bytes += '\0';
  bytes += '\xff';
  std::mt19937 rng(static_cast<unsigned>(i));
  while (bytes.size() + 20 < size) {
    bytes += "<p>" + std::to_string(rng()) + " ääkkönen</p>";
  }
  bytes += "</ClinicalDocument>";

  StoreRequest r;
  DocumentRecord& d = r.record;
  d.id = "1.2.246.10.999.1^doc-" + n;
  d.set_id = "1.2.246.10.999.1^set-" + std::to_string(i / 2);
  d.version = 1 + i % 2;
  d.patient = "1.2.246.21^0101" + std::to_string(i % 7);
  d.custodian = i % 3 == 0 ? "1.2.246.10.1" : "1.2.246.10.2";
  d.custodian_name = d.custodian == "1.2.246.10.1" ? "Organiser One" : "Organiser Two";
  d.register_code = i % 5 == 0 ? "2" : "1";
  d.register_system = "1.2.246.537.5.40150.2009";
  d.specifier = i % 5 == 0 ? "1.2.246.10.3^spec" : "";
  d.producer = "1.2.246.10.77";
  d.basis = {"own", ""};
  d.document_time = "20240101120000";
  d.input_sha256 = Sha256Hex(bytes);
  d.run_id = run_id;
  if (i % 10 == 0) {
    d.form = "osva";
    AuthorisationRecord a;
    a.set_id = d.set_id;
    a.version = d.version;
    a.kind = "outsourcing-authorisation";
    a.scope = "register-specific";
    a.organiser = d.custodian;
    a.provider = "1.2.246.10.77";
    a.valid_from = "20240101";
    a.store_custodian = d.custodian;
    a.store_register = "1";
    r.authorisation = a;
  }
  r.bytes = std::move(bytes);
  r.source = "batch/doc-" + n + ".xml";
  return r;
}

std::string PostgresqlServerUrl() {
  const char* url = std::getenv("KANTA_TEST_POSTGRESQL_URL");
  return url ? url : "";
}

namespace {

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "TestDatabase: " << what << std::endl;
  std::abort();
}

std::string ServerKeywords(const std::string& server_url) {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Data::PostgreSQL::Connector::registerConnector(); });
  auto keywords = PostgresqlConnectionString(server_url);
  if (!keywords.ok()) Die(keywords.status().ToString());
  return *keywords;
}

}  // namespace

TestDatabase::TestDatabase(std::string server_url)
    : server_keywords_(ServerKeywords(server_url)) {
  static std::atomic<int> counter{0};
  std::random_device rd;
  name_ = "kanta_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
          std::to_string(rd() % 100000);
  try {
    Poco::Data::Session s("PostgreSQL", server_keywords_);
    s << "CREATE DATABASE " + name_, now;
  } catch (const Poco::Exception& e) {
    Die("cannot create " + name_ + ": " + e.displayText());
  }
  url_ = "postgresql:" + server_keywords_ + " dbname=" + name_;
}

TestDatabase::~TestDatabase() {
  try {
    Poco::Data::Session s("PostgreSQL", server_keywords_);
    s << "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)", now;
  } catch (const Poco::Exception& e) {
    std::cerr << "TestDatabase: cannot drop " << name_ << ": " << e.displayText() << std::endl;
  }
}

}  // namespace kanta::archive::testing
