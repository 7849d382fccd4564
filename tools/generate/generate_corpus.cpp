// kanta-generate: writes synthetic, realistic Kanta CDA R2 documents for
// benchmarks and tests. Deterministic for a seed. Fictional data only:
// personal identity codes use individual numbers 900-999 (the test range),
// organisations live under the fictional arc 1.2.246.10.9xxxxxxx.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "formats/rcmr/archive_message_writer.h"
#include "xml/library_scope.h"
#include "xml/secure_parser.h"

namespace fs = std::filesystem;

namespace {

constexpr const char* kUsage =
    "usage: kanta-generate --count N --out DIR [--seed S] [--invalid-ratio R]\n"
    "                      [--messages-ratio M] [--types LIST]\n"
    "\n"
    "Writes N synthetic Kanta CDA R2 documents (valid against CDA_Fi.xsd unless\n"
    "--invalid-ratio > 0) into DIR, 1000 per subfolder, deterministically for S.\n"
    "  --seed S            random seed (default 1)\n"
    "  --invalid-ratio R   fraction 0..1 with one realistic defect each (default 0);\n"
    "                      the file name names the defect\n"
    "  --messages-ratio M  fraction 0..1 wrapped in an RCMR_IN100002FI01 archive\n"
    "                      message (MIME multipart/related, base64) (default 0)\n"
    "  --types LIST        comma-separated subset of: narrative, service-event,\n"
    "                      occupational, radiology, referral, outsourced\n"
    "  --size-kb K         aim every document at about K KiB (default: a spread,\n"
    "                      most 15-40 KiB, some up to 200 KiB)\n"
    "  --ingest-kit        also write what ingest needs to store the documents:\n"
    "                      register-specific outsourcing authorisations for the\n"
    "                      outsourced documents (DIR/authorisations) and version 1\n"
    "                      of every replacement (FILE-v1.xml before FILE.xml)\n"
    "  --directory-out F   write the organisation directory of the generated\n"
    "                      organisations (JSON, docs/directory.md) to F\n";

enum class DocType { kNarrative, kServiceEvent, kOccupational, kRadiology, kReferral, kOutsourced };
constexpr const char* kTypeNames[] = {"narrative", "service-event", "occupational",
                                      "radiology", "referral",      "outsourced"};

struct Organisation {
  const char* name;
  std::string oid;        // organisation level, .10.0
  std::string custodian;  // register keeper, .19.0
  const char* custodian_type;  // 1 public, 2 private
  const char* municipality;
};

const std::vector<Organisation>& Organisations() {
  static const std::vector<Organisation> orgs = {
      {"Pohjanmaan testihyvinvointialue", "1.2.246.10.90000011.10.0", "1.2.246.10.90000011.19.0", "1", "499"},
      {"Järvi-Savon testihyvinvointialue", "1.2.246.10.90000022.10.0", "1.2.246.10.90000022.19.0", "1", "297"},
      {"Testilääkärit Oy", "1.2.246.10.90000033.10.0", "1.2.246.10.90000033.19.0", "2", "091"},
      {"Työterveys Testi Oy", "1.2.246.10.90000044.10.0", "1.2.246.10.90000044.19.0", "2", "837"},
      {"Kuvantamiskeskus Testi Oy", "1.2.246.10.90000055.10.0", "1.2.246.10.90000055.19.0", "2", "564"},
  };
  return orgs;
}

const char* kGiven[] = {"Aino", "Eino", "Helmi", "Väinö", "Kerttu", "Onni", "Lempi", "Toivo",
                        "Siiri", "Ilmari", "Aada", "Leevi", "Ella", "Juho", "Venla", "Eetu"};
const char* kFamily[] = {"Testinen", "Kokeilu", "Malli-Virtanen", "Esimerkki", "Harjoitus",
                         "Koekäyttö", "Demola", "Testaaja"};
const char* kWords[] = {
    "potilas", "kertoo", "kivun", "alkaneen", "eilen", "illalla", "oikeassa", "polvessa", "ei",
    "kuumetta", "yleistila", "hyvä", "verenpaine", "pulssi", "tasainen", "keuhkoista", "kuuluu",
    "normaali", "hengitysääni", "vatsa", "pehmeä", "aristamaton", "jatketaan", "nykyistä",
    "lääkitystä", "kontrolli", "kahden", "viikon", "kuluttua", "laboratoriokokeet", "otettu",
    "tulokset", "viitealueella", "liikkuu", "itsenäisesti", "ohjattu", "kotihoito", "tarvittaessa",
    "yhteys", "terveysasemalle", "röntgenkuvassa", "ei", "murtumaa", "nivelrako", "kapea",
    "fysioterapia", "aloitetaan", "sairausloma", "kirjoitettu", "unen", "laatu", "parantunut"};

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  double Real() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  template <typename T, std::size_t N>
  const T& Pick(const T (&a)[N]) { return a[Int(0, N - 1)]; }

  // DDMMYY?NNNC with NNN in 900..999.
  std::string Hetu() {
    const int year = Int(1935, 2019), month = Int(1, 12), day = Int(1, 28);
    const int individual = Int(900, 999);
    char digits[16];
    std::snprintf(digits, sizeof digits, "%02d%02d%02d%03d", day, month, year % 100, individual);
    const long n = std::atol(digits);
    const char check = "0123456789ABCDEFHJKLMNPRSTUVWXY"[n % 31];
    char out[16];
    std::snprintf(out, sizeof out, "%02d%02d%02d%c%03d%c", day, month, year % 100,
                  year >= 2000 ? 'A' : '-', individual, check);
    birth_ = std::to_string(year * 10000 + month * 100 + day);
    return out;
  }
  const std::string& birth() const { return birth_; }

  std::string Sentence() {
    std::string s;
    const int n = Int(6, 16);
    for (int i = 0; i < n; ++i) {
      std::string w = Pick(kWords);
      if (i == 0) w[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(w[0])));
      s += (i ? " " : "") + w;
    }
    return s + ".";
  }

  std::string Timestamp(int year) {
    char b[32];
    std::snprintf(b, sizeof b, "%04d%02d%02d%02d%02d%02d", year, Int(1, 12), Int(1, 28),
                  Int(7, 20), Int(0, 59), Int(0, 59));
    return b;
  }

 private:
  std::mt19937_64 rng_;
  std::string birth_;
};


struct Built {
  std::string xml;
  std::string id;
  std::string sender;
  std::string set_id;        // != id for a replacement (version 2)
};

// Builds one document of `type`, aiming at about `target` bytes.
Built BuildCda(Generator& g, DocType type, std::size_t index, std::size_t target) {
  const auto& orgs = Organisations();
  const Organisation& producer = type == DocType::kOccupational ? orgs[3]
                                 : type == DocType::kRadiology  ? orgs[4]
                                 : type == DocType::kOutsourced ? orgs[2]
                                                                : orgs[g.Int(0, 1)];
  const Organisation& organiser = type == DocType::kOutsourced ? orgs[g.Int(0, 1)] : producer;
  const std::string base = producer.oid.substr(0, producer.oid.size() - 5);  // drop ".10.0"
  const int year = g.Int(2019, 2026);
  const std::string doc_id = base + ".91." + std::to_string(year) + "." + std::to_string(100000 + index);
  const bool replacement = type == DocType::kNarrative && g.Real() < 0.2;
  const std::string set_id = replacement ? base + ".91." + std::to_string(year) + ".9" + std::to_string(100000 + index) : doc_id;
  const std::string when = g.Timestamp(year);
  const std::string hetu = g.Hetu();
  const std::string given = g.Pick(kGiven), family = g.Pick(kFamily);
  const std::string pro_hetu = g.Hetu();
  const bool register4 = type == DocType::kOccupational;
  const char* register_code = register4 ? "4" : (producer.custodian_type[0] == '1' ? "2" : "3");
  const char* register_name = register4 ? "Työterveyshuolto"
                              : register_code[0] == '2' ? "Julkinen terveydenhuolto"
                                                        : "Yksityinen terveydenhuolto";
  const bool service_event = type == DocType::kServiceEvent || type == DocType::kOutsourced;
  const char* title = type == DocType::kRadiology ? "Radiologia"
                      : type == DocType::kReferral ? "Lähete"
                      : service_event ? "Palvelutapahtuma"
                      : type == DocType::kOccupational ? "Työterveyshuollon kertomus"
                                                        : "Hoitokertomus";
  const char* contents = type == DocType::kRadiology ? "102" : type == DocType::kReferral ? "83" : "21";
  const Organisation& custodian = organiser;

  std::string x;
  x.reserve(target + 8192);
  x += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<ClinicalDocument xmlns=\"urn:hl7-org:v3\" xmlns:hl7fi=\"urn:hl7finland\" "
       "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n";
  x += "  <realmCode code=\"FI\"/>\n";
  x += "  <typeId root=\"2.16.840.1.113883.1.3\" extension=\"POCD_HD000040\"/>\n";
  x += "  <templateId root=\"1.2.246.777.11.2015.38\"/>\n";
  x += "  <templateId root=\"1.2.246.777.11.2015.36\"/>\n";
  x += "  <id root=\"" + doc_id + "\"/>\n";
  x += std::string("  <code code=\"") + register_code + "\" codeSystem=\"1.2.246.537.5.40150.2009\" "
       "codeSystemName=\"KanTa-palvelut - Potilasasiakirjan rekisteritunnus\" displayName=\"" +
       register_name + "\"/>\n";
  x += std::string("  <title>") + title + "</title>\n";
  x += "  <effectiveTime value=\"" + when + "\"/>\n";
  x += "  <confidentialityCode code=\"5\" codeSystem=\"1.2.246.777.5.99902.2006\" "
       "displayName=\"Terveydenhuollon salassapidettävä\"/>\n";
  x += "  <languageCode code=\"fi\"/>\n";
  x += "  <setId root=\"" + set_id + "\"/>\n";
  x += std::string("  <versionNumber value=\"") + (replacement ? "2" : "1") + "\"/>\n";
  x += "  <recordTarget>\n    <patientRole>\n      <id root=\"1.2.246.21\" extension=\"" + hetu + "\"/>\n";
  x += "      <patient>\n        <name><given>" + given + "</given><family>" + family +
       "</family></name>\n";
  x += std::string("        <administrativeGenderCode code=\"") + (g.Int(0, 1) ? "1" : "2") +
       "\" codeSystem=\"1.2.246.537.5.1.1997\"/>\n";
  x += "        <birthTime value=\"" + g.birth() + "\"/>\n      </patient>\n    </patientRole>\n  </recordTarget>\n";
  x += "  <author>\n    <time value=\"" + when + "\"/>\n    <assignedAuthor>\n";
  x += "      <id root=\"1.2.246.21\" extension=\"" + pro_hetu + "\"/>\n";
  x += std::string("      <assignedPerson><name><given>") + g.Pick(kGiven) + "</given><family>" +
       g.Pick(kFamily) + "</family><suffix qualifier=\"AC\">LL</suffix></name></assignedPerson>\n";
  x += "      <representedOrganization>\n        <id root=\"" + producer.oid + "\"/>\n";
  x += std::string("        <name>") + producer.name + "</name>\n      </representedOrganization>\n";
  x += "    </assignedAuthor>\n  </author>\n";
  x += "  <custodian>\n    <assignedCustodian>\n      <representedCustodianOrganization>\n";
  x += "        <id root=\"" + custodian.custodian + "\"/>\n";
  x += std::string("        <name>") + custodian.name + "</name>\n";
  x += "      </representedCustodianOrganization>\n    </assignedCustodian>\n  </custodian>\n";
  if (replacement) {
    x += "  <relatedDocument typeCode=\"RPLC\">\n    <parentDocument>\n";
    x += "      <id root=\"" + set_id + "\"/>\n      <setId root=\"" + set_id +
         "\"/>\n      <versionNumber value=\"1\"/>\n    </parentDocument>\n  </relatedDocument>\n";
  }
  x += "  <componentOf>\n    <encompassingEncounter>\n";
  if (service_event) {
    x += "      <id root=\"" + base + ".16." + std::to_string(year) + "." + std::to_string(index + 1) + "\"/>\n";
    x += "      <effectiveTime><low value=\"" + when.substr(0, 12) + "\"/><high value=\"" +
         when.substr(0, 8) + "2359\"/></effectiveTime>\n";
  } else {
    x += "      <effectiveTime nullFlavor=\"NA\"/>\n";
  }
  x += "      <responsibleParty>\n        <assignedEntity>\n          <id nullFlavor=\"NA\"/>\n";
  x += "          <representedOrganization>\n            <id root=\"" + producer.oid + "\"/>\n";
  x += std::string("            <name>") + producer.name + "</name>\n";
  x += "          </representedOrganization>\n        </assignedEntity>\n      </responsibleParty>\n";
  x += "    </encompassingEncounter>\n  </componentOf>\n";

  x += "  <hl7fi:localHeader>\n";
  x += std::string("    <hl7fi:tableOfContents><hl7fi:contentsCode code=\"") + contents +
       "\" codeSystem=\"1.2.246.537.6.12.2002\"/></hl7fi:tableOfContents>\n";
  x += "    <hl7fi:fileFormat code=\"1\" codeSystem=\"1.2.246.537.5.40179.2008\" displayName=\"CDA R2\"/>\n";
  x += "    <hl7fi:softwareSupport moderator=\"Testiohjelmistot Oy\" product=\"kanta-generate\" version=\"1.0\">kanta-generate</hl7fi:softwareSupport>\n";
  x += std::string("    <hl7fi:documentType code=\"") + (service_event ? "4" : "1") +
       "\" codeSystem=\"1.2.246.537.5.5001.2011\"/>\n";
  x += std::string("    <hl7fi:functionCode code=\"") + (type == DocType::kRadiology ? "06.04.00" : "06.00") +
       "\" codeSystem=\"1.2.246.537.6.300.2010\"/>\n";
  x += "    <hl7fi:recordStatus code=\"3\" codeSystem=\"1.2.246.537.5.40154.2008\" displayName=\"Arkistointivalmis\"/>\n";
  if (register4) {
    x += "    <hl7fi:patientRegistrySpecifier root=\"1.2.246.10\" extension=\"" +
         std::to_string(g.Int(1000000, 9999999)) + "-" + std::to_string(g.Int(0, 9)) + "\"/>\n";
    x += "    <hl7fi:patientRegistrySpecifierName>Asiakasyritys " + std::string(g.Pick(kFamily)) +
         " Oy</hl7fi:patientRegistrySpecifierName>\n";
  }
  x += std::string("    <hl7fi:custodianTypeCode code=\"") + custodian.custodian_type +
       "\" codeSystem=\"1.2.246.537.5.40172.2008\"/>\n";
  if (service_event) {
    x += "    <hl7fi:encompassingEncounterCode code=\"2\" codeSystem=\"1.2.246.537.5.40156.2008\"/>\n";
    x += "    <hl7fi:encompassingEncounterMasterCode code=\"1\" codeSystem=\"1.2.246.537.5.40180.2008\"/>\n";
  }
  if (type == DocType::kOutsourced) {
    x += "    <hl7fi:outsourcingServiceCustomer root=\"" + organiser.oid + "\"/>\n";
    x += std::string("    <hl7fi:outsourcingServiceCustomerName>") + organiser.name +
         "</hl7fi:outsourcingServiceCustomerName>\n";
  }
  x += "    <hl7fi:retentionPeriodClass code=\"2\" codeSystem=\"1.2.246.537.5.40158.2008\"/>\n";
  x += std::string("    <hl7fi:patientHomeMunicipality code=\"") + producer.municipality +
       "\" codeSystem=\"1.2.246.537.6.21.2003\"/>\n";
  x += "  </hl7fi:localHeader>\n";

  x += "  <component>\n    <structuredBody ID=\"OID" + doc_id + ".2\">\n";
  int section = 0;
  while (x.size() < target || section == 0) {
    ++section;
    x += "      <component>\n        <section ID=\"s" + std::to_string(section) + "\">\n";
    x += "          <code code=\"" + std::to_string(section) + "\" codeSystem=\"1.2.246.537.6.14.2006\"/>\n";
    x += "          <title>" + std::string(section == 1 ? "Tulotilanne" : "Seuranta") + " " +
         std::to_string(section) + "</title>\n          <text>\n";
    const int paragraphs = g.Int(2, 6);
    for (int p = 0; p < paragraphs; ++p) {
      x += "            <paragraph>";
      const int sentences = g.Int(2, 6);
      for (int s = 0; s < sentences; ++s) x += (s ? " " : "") + g.Sentence();
      x += "</paragraph>\n";
    }
    x += "          </text>\n        </section>\n      </component>\n";
  }
  x += "    </structuredBody>\n  </component>\n</ClinicalDocument>\n";
  return Built{std::move(x), doc_id, producer.oid, set_id};
}

// Version 1 of a replacement: the same document under the series id, with no
// relatedDocument.
std::string FirstVersion(const Built& b) {
  std::string x = b.xml;
  auto replace_all = [&](const std::string& from, const std::string& to) {
    for (std::size_t at = x.find(from); at != std::string::npos; at = x.find(from, at + to.size())) {
      x.replace(at, from.size(), to);
    }
  };
  const std::size_t rel = x.find("  <relatedDocument typeCode=\"RPLC\">");
  if (rel != std::string::npos) x.erase(rel, x.find("</relatedDocument>\n", rel) + 19 - rel);
  replace_all("<id root=\"" + b.id + "\"/>", "<id root=\"" + b.set_id + "\"/>");
  replace_all("structuredBody ID=\"OID" + b.id + ".2\"", "structuredBody ID=\"OID" + b.set_id + ".2\"");
  replace_all("<versionNumber value=\"2\"/>", "<versionNumber value=\"1\"/>");
  return x;
}

// A register-specific outsourcing authorisation (form 362) from `organiser`
// to `provider` for 2019-2026: retrieve from and store into register 2.
std::string BuildOsva(const Organisation& organiser, const Organisation& provider) {
  const std::string base = organiser.oid.substr(0, organiser.oid.size() - 5);
  const std::string id = base + ".91.2019." + provider.oid.substr(11, 8);
  const std::string form = "1.2.246.537.6.12.2002.362";
  auto field = [&](int code, const std::string& title, const std::string& text, const std::string& value) {
    std::string f = "<component><section><code code=\"" + std::to_string(code) + "\" codeSystem=\"" + form +
                    "\"/><title>" + title + "</title>";
    if (!text.empty()) f += "<text>" + text + "</text>";
    if (!value.empty()) {
      f += "<entry><observation classCode=\"COND\" moodCode=\"EVN\"><code nullFlavor=\"NA\"/>" + value +
           "</observation></entry>";
    }
    return f + "</section></component>\n";
  };
  auto group = [&](int code, const std::string& title, const std::string& fields) {
    return "<component><section><code code=\"" + std::to_string(code) + "\" codeSystem=\"" + form +
           "\"/><title>" + title + "</title>\n" + fields + "</section></component>\n";
  };
  auto ii = [](const std::string& root) { return "<value xsi:type=\"II\" root=\"" + root + "\"/>"; };
  const std::string reg2 = "<value xsi:type=\"CV\" code=\"2\" codeSystem=\"1.2.246.537.5.40150.2009\"/>";
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<ClinicalDocument xmlns=\"urn:hl7-org:v3\" xmlns:hl7fi=\"urn:hl7finland\" "
       "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n";
  x += "<realmCode code=\"FI\"/><typeId root=\"2.16.840.1.113883.1.3\" extension=\"POCD_HD000040\"/>\n";
  x += "<templateId root=\"1.2.246.777.11.2015.38\"/><id root=\"" + id + "\"/>\n";
  x += "<code code=\"13\" codeSystem=\"1.2.246.537.5.40150.2009\" displayName=\"Arkistoasiakirjat\"/>"
       "<title>Ostopalvelun valtuutus</title><effectiveTime value=\"20190101090000\"/>\n";
  x += "<confidentialityCode code=\"5\" codeSystem=\"1.2.246.777.5.99902.2006\"/><languageCode code=\"fi\"/>"
       "<setId root=\"" + id + "\"/><versionNumber value=\"1\"/>\n";
  x += "<recordTarget><patientRole><id nullFlavor=\"NA\"/></patientRole></recordTarget>\n";
  x += "<author><time value=\"20190101090000\"/><assignedAuthor><id root=\"1.2.246.21\" extension=\"010170-925B\"/>"
       "<representedOrganization><id root=\"" + organiser.oid + "\"/><name>" + organiser.name +
       "</name></representedOrganization></assignedAuthor></author>\n";
  x += "<custodian><assignedCustodian><representedCustodianOrganization><id root=\"" + organiser.custodian +
       "\"/><name>" + organiser.name + "</name></representedCustodianOrganization></assignedCustodian></custodian>\n";
  x += "<componentOf><encompassingEncounter><effectiveTime nullFlavor=\"NA\"/><responsibleParty><assignedEntity>"
       "<id nullFlavor=\"NA\"/><representedOrganization><id root=\"" + organiser.oid + "\"/><name>" +
       organiser.name + "</name></representedOrganization></assignedEntity></responsibleParty>"
       "</encompassingEncounter></componentOf>\n";
  x += "<hl7fi:localHeader><hl7fi:tableOfContents><hl7fi:contentsCode code=\"362\" codeSystem=\"1.2.246.537.6.12.2002\"/>"
       "</hl7fi:tableOfContents><hl7fi:fileFormat code=\"1\" codeSystem=\"1.2.246.537.5.40179.2008\"/>"
       "<hl7fi:softwareSupport moderator=\"Testiohjelmistot Oy\" product=\"kanta-generate\" version=\"1.0\">"
       "kanta-generate</hl7fi:softwareSupport><hl7fi:documentType code=\"3\" codeSystem=\"1.2.246.537.5.5001.2011\"/>"
       "<hl7fi:functionCode code=\"06.00.02\" codeSystem=\"1.2.246.537.6.300.2010\"/>"
       "<hl7fi:recordStatus code=\"3\" codeSystem=\"1.2.246.537.5.40154.2008\"/>"
       "<hl7fi:custodianTypeCode code=\"1\" codeSystem=\"1.2.246.537.5.40172.2008\"/>"
       "<hl7fi:retentionPeriodClass code=\"2\" codeSystem=\"1.2.246.537.5.40158.2008\"/></hl7fi:localHeader>\n";
  x += "<component><structuredBody ID=\"OID" + id + ".2\"><component><section>"
       "<templateId root=\"1.2.246.537.6.12.2002.362.20140311\"/><id root=\"" + id + "\"/>"
       "<code code=\"362\" codeSystem=\"1.2.246.537.6.12.2002\"/><title>Ostopalvelun valtuutus</title>\n";
  x += group(1, "Asiakirjan tunniste", field(2, "Asiakirjan yksilöivä tunniste", id, ii(id)));
  x += group(3, "Ostopalvelun tyyppi", field(4, "Ostopalvelun tyyppi", "Väestötasoinen ostopalvelu",
             "<value xsi:type=\"CV\" code=\"2\" codeSystem=\"1.2.246.537.6.1400.1\"/>"));
  x += group(5, "Voimassaolo", field(6, "Asiakirja voimassa", "1.1.2019 - 31.12.2026",
             "<value xsi:type=\"IVL_TS\"><low value=\"20190101\"/><high value=\"20261231\"/></value>"));
  x += group(7, "Palvelun järjestäjä", field(8, "Palvelun järjestäjä", organiser.oid, ii(organiser.oid)) +
                                           field(9, "Palvelun järjestäjän nimi", organiser.name, ""));
  x += group(12, "Palvelun tuottaja", field(13, "Palvelun tuottaja", provider.oid, ii(provider.oid)) +
                                         field(14, "Palvelun tuottajan nimi", provider.name, ""));
  x += group(15, "Oikeus hakea", field(16, "Rekisterinpitäjä", organiser.custodian, ii(organiser.custodian)) +
                                    field(17, "Rekisteri", "Julkinen terveydenhuolto", reg2));
  x += group(20, "Oikeus tallentaa", field(21, "Rekisterinpitäjä", organiser.custodian, ii(organiser.custodian)) +
                                        field(22, "Rekisteri", "Julkinen terveydenhuolto", reg2));
  x += group(29, "Luovutettavat asiakirjat", field(30, "Kaikki asiakirjat", "kyllä",
             "<value xsi:type=\"BL\" value=\"true\"/>"));
  x += group(33, "Asiakirjan tallentaja",
             field(34, "ammattihenkilön tunniste", "010170-925B",
                   "<value xsi:type=\"II\" root=\"1.2.246.21\" extension=\"010170-925B\"/>") +
             field(35, "ammattihenkilön nimi", "Testaaja, Tea",
                   "<value xsi:type=\"PN\"><family>Testaaja</family><given>Tea</given></value>") +
             field(36, "ammattihenkilön palveluyksikkö", organiser.oid, ii(organiser.oid)) +
             field(37, "asiakirjan tekemisen ajankohta", "1.1.2019 9:00",
                   "<value xsi:type=\"TS\" value=\"201901010900\"/>"));
  x += "</section></component></structuredBody></component>\n</ClinicalDocument>\n";
  return x;
}

// The organisation directory (docs/directory.md) of Organisations().
std::string DirectoryJson() {
  std::string j = "{\n  \"organisations\": [";
  bool first = true;
  for (const Organisation& o : Organisations()) {
    const bool is_public = o.custodian_type[0] == '1';
    const bool occupational = o.oid == Organisations()[3].oid;
    j += first ? "\n" : ",\n";
    first = false;
    j += "    {\"oid\": \"" + o.oid + "\", \"name\": \"" + o.name + "\", \"kind\": \"" +
         (is_public ? "public" : "private") + "\",\n     \"custodian\": {\"oid\": \"" + o.custodian +
         "\", \"name\": \"" + o.name + "\", \"type\": \"" + o.custodian_type + "\"},\n     \"registers\": [" +
         (is_public ? "\"2\"" : occupational ? "\"3\", \"4\"" : "\"3\"") + "]}";
  }
  return j + "\n  ]\n}\n";
}

// Applies one realistic defect; returns its name (for the file name).
std::string Break(Generator& g, std::string& x) {
  auto replace = [&](const std::string& from, const std::string& to) {
    const std::size_t at = x.find(from);
    if (at != std::string::npos) x.replace(at, from.size(), to);
  };
  switch (g.Int(0, 5)) {
    case 0: {
      const std::size_t a = x.find("  <id root=");
      x.erase(a, x.find('\n', a) - a + 1);
      return "missing-id";
    }
    case 1: {
      const std::size_t a = x.find("  <title>");
      const std::string line = x.substr(a, x.find('\n', a) - a + 1);
      x.erase(a, line.size());
      x.insert(x.find("  <code code="), line);
      return "title-before-code";
    }
    case 2:
      replace("<author>", "<author typeCode=\"XYZ\">");
      return "bad-typecode";
    case 3:
      replace("<hl7fi:fileFormat", "<hl7fi:colour>blue</hl7fi:colour>\n    <hl7fi:fileFormat");
      return "unknown-localheader-element";
    case 4:
      replace("<versionNumber value=\"", "<versionNumber value=\"v");
      return "bad-versionnumber";
    default:
      x.resize(x.size() * 2 / 3);
      return "truncated";
  }
}

// The document wrapped in an RCMR_IN100002FI01 archive message, as
// formats/rcmr writes it (the generator's documents always parse).
std::string Wrap(Generator& g, const Built& b) {
  kanta::Report scratch;
  auto tree = kanta::xml::SecureParser().Parse(b.xml, b.id, "generate", scratch);
  if (!tree.ok() || *tree == nullptr) return b.xml;
  kanta::formats::rcmr::MessageOptions options;
  options.sender_organisation = b.sender;
  options.sender_device = b.sender + ".13";
  options.creation_time = g.Timestamp(2026);
  auto message = kanta::formats::rcmr::WrapArchiveMessage((*tree)->root(), b.xml, options);
  return message.ok() ? *message : b.xml;
}

bool ParseRatio(const char* s, double& out) {
  char* end = nullptr;
  out = std::strtod(s, &end);
  return end != s && *end == 0 && out >= 0 && out <= 1;
}

}  // namespace

int main(int argc, char** argv) {
  kanta::xml::LibraryScope libraries;
  long count = -1;
  std::string out;
  std::uint64_t seed = 1;
  double invalid_ratio = 0, messages_ratio = 0;
  std::vector<DocType> types;
  long size_kb = 0;
  bool ingest_kit = false;
  std::string directory_out;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    auto need = [&]() {
      if (v == nullptr) {
        std::cerr << "kanta-generate: " << a << " needs a value\n" << kUsage;
        std::exit(2);
      }
      ++i;
      return v;
    };
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (a == "--count") {
      count = std::atol(need());
    } else if (a == "--out") {
      out = need();
    } else if (a == "--seed") {
      seed = std::strtoull(need(), nullptr, 10);
    } else if (a == "--invalid-ratio") {
      if (!ParseRatio(need(), invalid_ratio)) { std::cerr << "kanta-generate: bad --invalid-ratio\n"; return 2; }
    } else if (a == "--messages-ratio") {
      if (!ParseRatio(need(), messages_ratio)) { std::cerr << "kanta-generate: bad --messages-ratio\n"; return 2; }
    } else if (a == "--size-kb") {
      size_kb = std::atol(need());
      if (size_kb <= 0) { std::cerr << "kanta-generate: bad --size-kb\n"; return 2; }
    } else if (a == "--ingest-kit") {
      ingest_kit = true;
    } else if (a == "--directory-out") {
      directory_out = need();
    } else if (a == "--types") {
      std::string list = need();
      for (std::size_t p = 0; p <= list.size();) {
        const std::size_t c = std::min(list.find(',', p), list.size());
        const std::string name = list.substr(p, c - p);
        bool found = false;
        for (int t = 0; t < 6; ++t) {
          if (name == kTypeNames[t]) types.push_back(static_cast<DocType>(t)), found = true;
        }
        if (!found) { std::cerr << "kanta-generate: unknown type '" << name << "'\n"; return 2; }
        p = c + 1;
      }
    } else {
      std::cerr << "kanta-generate: unknown option " << a << "\n" << kUsage;
      return 2;
    }
  }
  if (count < 0 || out.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  if (types.empty()) {
    for (int t = 0; t < 6; ++t) types.push_back(static_cast<DocType>(t));
  }
  Generator g(seed);
  std::size_t written = 0, bytes = 0;
  auto write = [&](const fs::path& path, const std::string& content) {
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    std::ofstream f(path, std::ios::binary);
    f.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!f) {
      std::cerr << "kanta-generate: cannot write " << path << "\n";
      std::exit(1);
    }
    ++written;
    bytes += content.size();
  };
  if (!directory_out.empty()) {
    write(directory_out, DirectoryJson());
    --written;
  }
  if (ingest_kit) {
    const auto& orgs = Organisations();
    for (int organiser = 0; organiser < 2; ++organiser) {
      write(fs::path(out) / "authorisations" / ("osva-" + orgs[organiser].oid + "-" + orgs[2].oid + ".xml"),
            BuildOsva(orgs[organiser], orgs[2]));
    }
  }
  for (long i = 0; i < count; ++i) {
    const DocType type = types[g.Int(0, static_cast<int>(types.size()) - 1)];
    const double r = g.Real();
    const std::size_t target = size_kb > 0 ? static_cast<std::size_t>(size_kb) * 1024
                               : r < 0.1 ? g.Int(4000, 12000) : r < 0.85 ? g.Int(15000, 40000) : g.Int(40000, 200000);
    Built b = BuildCda(g, type, static_cast<std::size_t>(i), target);
    std::string name = std::to_string(i);
    name.insert(0, 6 - std::min<std::size_t>(6, name.size()), '0');
    name += std::string("-") + kTypeNames[static_cast<int>(type)];
    if (g.Real() < invalid_ratio) name += "-invalid-" + Break(g, b.xml);
    std::string bytes_out = b.xml;
    if (g.Real() < messages_ratio) {
      bytes_out = Wrap(g, b);
      name += "-message";
    }
    char dir[32];
    std::snprintf(dir, sizeof dir, "%03ld", i / 1000);
    if (ingest_kit && b.set_id != b.id) write(fs::path(out) / dir / (name + "-v1.xml"), FirstVersion(b));
    write(fs::path(out) / dir / (name + ".xml"), bytes_out);
  }
  std::cout << "wrote " << written << " documents (" << bytes / 1024 << " KiB) to " << out << "\n";
  return 0;
}
