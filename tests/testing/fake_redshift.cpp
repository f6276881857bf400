#include "testing/fake_redshift.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>
#include <regex>
#include <span>
#include <tuple>

#include "sparkify/aws/client.hpp"
#include "sparkify/aws/credentials.hpp"
#include "sparkify/aws/s3.hpp"
#include "sparkify/engine/postgres/pg_connection.hpp"
#include "sparkify/engine/postgres/pg_copy.hpp"
#include "sparkify/engine/redshift/redshift_engine.hpp"
#include "sparkify/parse/load_error.hpp"
#include "sparkify/parse/records.hpp"
#include "sparkify/pipeline/stage.hpp"
#include "sparkify/sql/bulk_load.hpp"
#include "testing/test_util.hpp"

namespace sparkify::testing {
namespace {

// --- SQL text ----------------------------------------------------------------------------------

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The position of the first character at or after `i` that is neither blank nor in a comment.
size_t SkipBlanks(std::string_view s, size_t i) {
  for (;;) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (s.substr(i).starts_with("--")) {
      i = s.find('\n', i);
      if (i == std::string_view::npos) return s.size();
    } else if (s.substr(i).starts_with("/*")) {
      const size_t end = s.find("*/", i + 2);
      i = end == std::string_view::npos ? s.size() : end + 2;
    } else {
      return i;
    }
  }
}

// The position just after the quoted text starting at `i` ('...' or "..."), npos when it is not
// closed: a doubled quote stays inside, and in '...' a backslash escapes the next character
// (Redshift's rule; the catalog's QuoteLiteral doubles backslashes for it).
size_t EndOfQuoted(std::string_view s, size_t i) {
  const char quote = s[i];
  for (size_t j = i + 1; j < s.size(); ++j) {
    if (quote == '\'' && s[j] == '\\') {
      ++j;
    } else if (s[j] == quote) {
      if (j + 1 < s.size() && s[j + 1] == quote) {
        ++j;
      } else {
        return j + 1;
      }
    }
  }
  return std::string_view::npos;
}

// "$tag$" starting at `i`, or empty when there is none (a '$' inside a name is not one).
std::string_view DollarTag(std::string_view s, size_t i) {
  if (i > 0 && (IsWordChar(s[i - 1]) || s[i - 1] == '$')) return {};
  size_t j = i + 1;
  while (j < s.size() && IsWordChar(s[j])) ++j;
  if (j >= s.size() || s[j] != '$') return {};
  if (j > i + 1 && std::isdigit(static_cast<unsigned char>(s[i + 1]))) return {};  // $1
  return s.substr(i, j - i + 1);
}

struct Token {
  enum class Kind { kWord, kQuotedName, kString, kNumber, kSymbol };
  Kind kind;
  std::string text;  // words lower-cased; quoted text unescaped
};

Result<std::vector<Token>> Tokenize(std::string_view s) {
  std::vector<Token> out;
  for (size_t i = SkipBlanks(s, 0); i < s.size(); i = SkipBlanks(s, i)) {
    const char c = s[i];
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t j = i;
      while (j < s.size() && (IsWordChar(s[j]) || s[j] == '$')) ++j;
      out.push_back({Token::Kind::kWord, Lowercase(s.substr(i, j - i))});
      i = j;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      size_t j = i;
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      out.push_back({Token::Kind::kNumber, std::string(s.substr(i, j - i))});
      i = j;
    } else if (c == '\'' || c == '"') {
      const size_t end = EndOfQuoted(s, i);
      if (end == std::string_view::npos) {
        return Error::InvalidArgument("fake Redshift: unterminated quote in: " + std::string(s));
      }
      std::string text;
      for (size_t j = i + 1; j + 1 < end; ++j) {
        if ((c == '\'' && s[j] == '\\') || s[j] == c) ++j;  // the escape or the doubled quote
        text += s[j];
      }
      out.push_back({c == '\'' ? Token::Kind::kString : Token::Kind::kQuotedName, text});
      i = end;
    } else if (std::strchr("(),.;", c) != nullptr) {
      out.push_back({Token::Kind::kSymbol, std::string(1, c)});
      ++i;
    } else {
      return Error::InvalidArgument("fake Redshift: unexpected '" + std::string(1, c) +
                                    "' in: " + std::string(s));
    }
  }
  if (!out.empty() && out.back().kind == Token::Kind::kSymbol && out.back().text == ";") {
    out.pop_back();
  }
  return out;
}

class TokenCursor {
 public:
  explicit TokenCursor(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  bool AtEnd() const { return pos_ >= tokens_.size(); }
  bool PeekString() const { return !AtEnd() && tokens_[pos_].kind == Token::Kind::kString; }
  bool AcceptWord(std::string_view word) { return Accept(Token::Kind::kWord, word); }
  bool AcceptSymbol(std::string_view symbol) { return Accept(Token::Kind::kSymbol, symbol); }

  // A plain or quoted name; plain names are lower-cased (Redshift folds them).
  Result<std::string> Name(std::string_view what) {
    if (AtEnd() || (tokens_[pos_].kind != Token::Kind::kWord &&
                    tokens_[pos_].kind != Token::Kind::kQuotedName))
      return Unexpected(what);
    return tokens_[pos_++].text;
  }
  Result<std::string> String(std::string_view what) {
    if (!PeekString()) return Unexpected(what);
    return tokens_[pos_++].text;
  }
  Result<uint64_t> Number(std::string_view what) {
    if (AtEnd() || tokens_[pos_].kind != Token::Kind::kNumber) return Unexpected(what);
    return static_cast<uint64_t>(std::stoull(tokens_[pos_++].text));
  }
  Error Unexpected(std::string_view what) const {
    return Error::InvalidArgument("fake Redshift: COPY expects " + std::string(what) + ", found " +
                                  (AtEnd() ? "the end" : "'" + tokens_[pos_].text + "'"));
  }

 private:
  bool Accept(Token::Kind kind, std::string_view text) {
    if (AtEnd() || tokens_[pos_].kind != kind || tokens_[pos_].text != text) return false;
    ++pos_;
    return true;
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

// One top-level JSONPaths expression ($['key'], $["key"] or $.key) as its key.
Result<std::string> JsonPathKey(std::string_view path) {
  static const std::regex kBracket(R"re(^\$\[\s*(?:'([^']*)'|"([^"]*)")\s*\]$)re");
  static const std::regex kDot(R"(^\$\.([A-Za-z_][A-Za-z0-9_]*)$)");
  std::cmatch m;
  const char* begin = path.data();
  const char* end = begin + path.size();
  if (std::regex_match(begin, end, m, kBracket)) return m[1].matched ? m[1].str() : m[2].str();
  if (std::regex_match(begin, end, m, kDot)) return m[1].str();
  return Error::InvalidArgument("fake Redshift emulates only top-level JSONPaths ($['key']), not " +
                                std::string(path));
}

// --- SQL literals for the system tables ---------------------------------------------------------

// A PostgreSQL string literal (standard_conforming_strings, PostgreSQL's default). NUL, which
// text cannot hold, becomes U+FFFD.
std::string PgLiteral(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "''";
    } else if (c == '\0') {
      out += "\xEF\xBF\xBD";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// The first `n` characters of UTF-8 `text`, as a literal for a char(n) column (PostgreSQL
// refuses a longer value; the fake's system tables hold what fits).
std::string CharLiteral(std::string_view text, size_t n) {
  size_t chars = 0, end = 0;
  for (; end < text.size(); ++end) {
    if ((static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) continue;
    if (chars++ == n) break;
  }
  return PgLiteral(text.substr(0, end));
}

std::string TimestampLiteral(int64_t epoch_ms) {
  if (epoch_ms == 0) return "null";
  return "timestamp 'epoch' + " + std::to_string(epoch_ms) + " * interval '1 millisecond'";
}

// Redshift's short name for a column type, as sys_load_error_detail.column_type shows it.
std::string RedshiftTypeName(const std::string& pg_type) {
  static const std::vector<std::pair<std::string, std::string>> kNames = {
      {"bigint", "int8"},
      {"integer", "int4"},
      {"smallint", "int2"},
      {"double precision", "float8"},
      {"real", "float4"},
      {"boolean", "bool"},
      {"character varying", "varchar"},
      {"character", "char"},
      {"timestamp", "timestamp"},
      {"numeric", "numeric"}};
  for (const auto& [prefix, name] : kNames) {
    if (pg_type.starts_with(prefix)) return name;
  }
  return pg_type;
}

bool IsPlainIdentifier(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// --- reading S3 ---------------------------------------------------------------------------------

// The objects one COPY reads, fetched whole on Open() (each SourceFile.uri is s3://bucket/key).
class S3ObjectSource final : public source::Source {
 public:
  explicit S3ObjectSource(aws::S3Client& client) : client_(client) {}
  std::string Describe() const override { return "the objects of a fake Redshift COPY"; }
  Result<std::vector<source::SourceFile>> List() override {
    return Error::Internal("S3ObjectSource lists nothing: the COPY names its objects");
  }
  Result<std::unique_ptr<source::ByteStream>> Open(const source::SourceFile& file) override {
    SPARKIFY_ASSIGN_OR_RETURN(aws::S3Uri uri, aws::ParseS3Uri(file.uri));
    SPARKIFY_ASSIGN_OR_RETURN(aws::ObjectData data,
                              client_.GetObject(uri.bucket, uri.key, std::nullopt, file.etag()));
    return source::MakeMemoryStream(std::move(data.body));
  }

 private:
  aws::S3Client& client_;
};

source::SourceFile FileOf(const std::string& bucket, const aws::ObjectInfo& o) {
  return {"s3://" + bucket + "/" + o.key, o.size, o.mtime_ms, o.etag, o.key};
}

// Parses a whole JSON document held in `text`.
Result<simdjson::dom::element> ParseJson(simdjson::dom::parser& parser, const std::string& text,
                                         const std::string& what) {
  simdjson::dom::element doc;
  if (auto err = parser.parse(text).get(doc)) {
    return Error::InvalidArgument(what + " is not JSON: " + simdjson::error_message(err));
  }
  return doc;
}

// --- system objects -----------------------------------------------------------------------------

// Created once per database; sparkify's statements drop and create none of these names.
constexpr std::string_view kSystemObjects = R"sql(
begin;
select pg_advisory_xact_lock(hashtext('sparkify fake redshift system objects'));
create sequence if not exists fake_redshift_query_id start with 1000;
create table if not exists fake_redshift_last_copy (
    session_id integer primary key,
    query_id   bigint not null
);
create table if not exists sys_load_detail (
    query_id           bigint not null,
    file_name          character(256),
    bytes_scanned      bigint,
    lines_scanned      bigint,
    record_time        timestamp,
    start_time         timestamp,
    end_time           timestamp,
    file_etag          character(256),
    file_last_modified timestamp
);
create table if not exists sys_load_error_detail (
    query_id      bigint not null,
    session_id    integer,
    start_time    timestamp,
    file_name     character(256),
    line_number   bigint,
    column_name   character(127),
    column_type   character(10),
    error_message character(512)
);
create or replace function pg_last_copy_id() returns bigint language sql stable as $$
    select coalesce(
        (select query_id from fake_redshift_last_copy where session_id = pg_backend_pid()), -1)
$$;
commit;
)sql";

// --- the engine ---------------------------------------------------------------------------------

struct TargetColumn {
  std::string name;
  std::string type;  // Redshift's short name
};

// Which staging column feeds each target column.
struct FieldMap {
  pipeline::RawKind kind = pipeline::RawKind::kEvents;
  std::vector<int> source;  // per target column: staging column index, or -1 (NULL)
  size_t matched = 0;
};

FieldMap MapFields(pipeline::RawKind kind, const std::vector<TargetColumn>& targets,
                   const std::vector<std::string>* paths, bool ignore_case) {
  const std::span<const parse::FieldSpec> fields =
      kind == pipeline::RawKind::kSongs ? parse::SongFields() : parse::EventFields();
  FieldMap map{kind, {}, 0};
  for (size_t i = 0; i < targets.size(); ++i) {
    const std::string key = paths != nullptr ? (*paths)[i] : targets[i].name;
    int found = -1;
    for (size_t f = 0; f < fields.size() && found < 0; ++f) {
      const bool same =
          ignore_case ? Lowercase(fields[f].json_key) == Lowercase(key) : fields[f].json_key == key;
      if (same) found = static_cast<int>(f);
    }
    map.source.push_back(found);
    if (found >= 0) ++map.matched;
  }
  return map;
}

// What one COPY read and found, before anything is loaded.
struct CopyOutcome {
  struct Detail {
    source::SourceFile file;
    uint64_t lines = 0;
  };
  struct Reject {
    std::string file;
    uint64_t line = 0;
    std::string column_name, column_type, message;
  };
  std::vector<Detail> details;
  std::vector<Reject> rejects;
  std::unique_ptr<TableSchema> schema;  // the loader's: target columns, staging types
  std::vector<std::unique_ptr<ColumnBatch>> batches;
};

class FakeRedshiftEngine final : public engine::RedshiftEngine {
 public:
  FakeRedshiftEngine(engine::PgConnection session, engine::PgConnection system,
                     std::unique_ptr<aws::S3Client> s3, std::string database, int session_id)
      : RedshiftEngine(std::move(session), sql::CopyFormat::kText),
        system_(std::move(system)),
        s3_(std::move(s3)),
        database_(std::move(database)),
        session_id_(session_id) {}

  std::string Describe() const override { return "fake-redshift:" + database_; }

  Status Execute(std::string_view sql) override {
    std::string pending;  // statements that are not COPY, sent together as they came
    auto flush = [&]() -> Status {
      if (pending.empty()) return Status::Ok();
      Status s = RedshiftEngine::Execute(pending);
      pending.clear();
      return s;
    };
    for (const std::string& statement : SplitSqlStatements(sql)) {
      SPARKIFY_ASSIGN_OR_RETURN(std::optional<RedshiftCopy> copy, ParseRedshiftCopy(statement));
      if (!copy) {
        pending += RewriteRedshiftDdl(statement) + ";\n";
        continue;
      }
      SPARKIFY_RETURN_IF_ERROR(flush());
      SPARKIFY_RETURN_IF_ERROR(Copy(*copy));
    }
    return flush();
  }

 private:
  // Runs one COPY: records what it read in the system tables (whatever happens next), then
  // loads the good rows, or fails the statement on the server like Redshift.
  Status Copy(const RedshiftCopy& copy) {
    SPARKIFY_ASSIGN_OR_RETURN(engine::QueryResult id,
                              system_.Query("select nextval('fake_redshift_query_id')"));
    const int64_t query_id = std::stoll(*id.rows[0][0]);
    CopyOutcome outcome;
    Status read = Read(copy, outcome);
    SPARKIFY_RETURN_IF_ERROR(Record(query_id, outcome));
    if (!read.ok()) {
      // Faults of this session (an aborted transaction) are the server's own words already.
      if (read.error().sqlstate) return read;
      return Fail(read.error().message());
    }
    if (outcome.rejects.size() > copy.max_errors) {
      return Fail("Load into table '" + copy.table +
                  "' failed. Check 'sys_load_error_detail' system table for details.");
    }
    if (outcome.batches.empty()) return Status::Ok();
    SPARKIFY_ASSIGN_OR_RETURN(
        std::unique_ptr<engine::BulkLoader> loader,
        engine::OpenCopyLoader(connection(), *outcome.schema, sql::CopyFormat::kText));
    for (const auto& batch : outcome.batches) SPARKIFY_RETURN_IF_ERROR(loader->Append(*batch));
    return loader->Finish();
  }

  // Fails the current statement on the server with Redshift's words and SQLSTATE, so that an
  // open transaction is aborted as Redshift aborts it.
  Status Fail(const std::string& message) {
    Status s = connection().Execute(
        "do $fake_redshift$ begin raise exception using errcode = 'XX000', message = " +
        PgLiteral(message) + "; end $fake_redshift$");
    if (s.ok()) return Error::Internal("fake Redshift: raising \"" + message + "\" did not fail");
    return s;
  }

  Result<std::vector<TargetColumn>> Columns(const RedshiftCopy& copy) {
    if (!IsPlainIdentifier(copy.table)) {
      return Error::InvalidArgument("fake Redshift loads only unqualified lower-case table names");
    }
    SPARKIFY_ASSIGN_OR_RETURN(
        engine::QueryResult r,
        connection().Query("select a.attname, format_type(a.atttypid, a.atttypmod) "
                           "from pg_attribute a where a.attrelid = to_regclass(" +
                           PgLiteral(copy.table) +
                           ") and a.attnum > 0 and not a.attisdropped order by a.attnum"));
    if (r.rows.empty()) return Error::NotFound("relation \"" + copy.table + "\" does not exist");
    std::vector<TargetColumn> all;
    for (const auto& row : r.rows) all.push_back({*row[0], RedshiftTypeName(*row[1])});
    if (copy.columns.empty()) return all;
    std::vector<TargetColumn> listed;
    for (const std::string& name : copy.columns) {
      auto it = std::find_if(all.begin(), all.end(),
                             [&](const TargetColumn& c) { return c.name == name; });
      if (it == all.end()) {
        return Error::NotFound("column \"" + name + "\" of relation \"" + copy.table +
                               "\" does not exist");
      }
      listed.push_back(*it);
    }
    return listed;
  }

  Result<std::string> GetText(const std::string& uri) {
    SPARKIFY_ASSIGN_OR_RETURN(aws::S3Uri where, aws::ParseS3Uri(uri));
    SPARKIFY_ASSIGN_OR_RETURN(aws::ObjectData data, s3_->GetObject(where.bucket, where.key));
    return std::move(data.body);
  }

  // Every object whose key starts with the prefix, in S3's order.
  Result<std::vector<source::SourceFile>> ListPrefix(const std::string& from) {
    SPARKIFY_ASSIGN_OR_RETURN(aws::S3Uri where, aws::ParseS3Uri(from));
    SPARKIFY_ASSIGN_OR_RETURN(std::vector<aws::ObjectInfo> objects,
                              s3_->ListAll(where.bucket, where.key));
    if (objects.empty()) {
      return Error::NotFound("S3ServiceException:The specified S3 prefix '" + where.key +
                             "' does not exist");
    }
    std::vector<source::SourceFile> files;
    for (const aws::ObjectInfo& o : objects) files.push_back(FileOf(where.bucket, o));
    return files;
  }

  // The manifest's entries, in its order.
  Result<std::vector<source::SourceFile>> ListManifest(const std::string& from) {
    SPARKIFY_ASSIGN_OR_RETURN(std::string text, GetText(from));
    simdjson::dom::parser parser;
    SPARKIFY_ASSIGN_OR_RETURN(simdjson::dom::element doc,
                              ParseJson(parser, text, "manifest " + from));
    simdjson::dom::array entries;
    if (doc["entries"].get(entries)) {
      return Error::InvalidArgument("Manifest file " + from + " has no \"entries\" array");
    }
    std::vector<source::SourceFile> files;
    for (simdjson::dom::element entry : entries) {
      std::string_view url;
      if (entry["url"].get(url)) {
        return Error::InvalidArgument("Manifest file " + from + " has an entry without \"url\"");
      }
      bool mandatory = false;
      if (entry["mandatory"].error() != simdjson::NO_SUCH_FIELD &&
          entry["mandatory"].get(mandatory)) {
        return Error::InvalidArgument("Manifest file " + from + ": \"mandatory\" is not a boolean");
      }
      SPARKIFY_ASSIGN_OR_RETURN(aws::S3Uri where, aws::ParseS3Uri(url));
      // The first key at or after a prefix in S3's order is the key itself, when it exists.
      SPARKIFY_ASSIGN_OR_RETURN(aws::ListPage page,
                                s3_->ListObjectsV2(where.bucket, where.key, "", 1));
      if (page.objects.empty() || page.objects[0].key != where.key) {
        if (!mandatory) continue;
        return Error::NotFound(
            "S3ServiceException:The specified key does not exist. Manifest "
            "entry " +
            std::string(url) + " is mandatory");
      }
      files.push_back(FileOf(where.bucket, page.objects[0]));
    }
    return files;
  }

  Result<std::vector<std::string>> JsonPaths(const std::string& uri, size_t columns) {
    SPARKIFY_ASSIGN_OR_RETURN(std::string text, GetText(uri));
    simdjson::dom::parser parser;
    SPARKIFY_ASSIGN_OR_RETURN(simdjson::dom::element doc,
                              ParseJson(parser, text, "JSONPaths file " + uri));
    simdjson::dom::array array;
    if (doc["jsonpaths"].get(array)) {
      return Error::InvalidArgument("JSONPaths file " + uri + " has no \"jsonpaths\" array");
    }
    std::vector<std::string> keys;
    for (simdjson::dom::element path : array) {
      std::string_view text_path;
      if (path.get(text_path)) {
        return Error::InvalidArgument("JSONPaths file " + uri + " holds a non-string path");
      }
      SPARKIFY_ASSIGN_OR_RETURN(std::string key, JsonPathKey(text_path));
      keys.push_back(std::move(key));
    }
    if (keys.size() != columns) {
      return Error::InvalidArgument(
          "Number of jsonpaths and the number of columns should match. JSONPath size: " +
          std::to_string(keys.size()) +
          ", Number of columns in table or column list: " + std::to_string(columns));
    }
    return keys;
  }

  // Lists and parses the objects; fills `outcome` (rejects and details even when it fails).
  Status Read(const RedshiftCopy& copy, CopyOutcome& outcome) {
    SPARKIFY_ASSIGN_OR_RETURN(std::vector<TargetColumn> targets, Columns(copy));
    std::optional<std::vector<std::string>> paths;
    if (copy.json.starts_with("s3://")) {
      SPARKIFY_ASSIGN_OR_RETURN(paths, JsonPaths(copy.json, targets.size()));
    }
    const bool ignore_case = copy.json == "auto ignorecase";
    const FieldMap songs =
        MapFields(pipeline::RawKind::kSongs, targets, paths ? &*paths : nullptr, ignore_case);
    const FieldMap events =
        MapFields(pipeline::RawKind::kEvents, targets, paths ? &*paths : nullptr, ignore_case);
    if (songs.matched == events.matched) {
      return Error::InvalidArgument("fake Redshift cannot tell whether " + copy.table +
                                    " takes song or event records: its columns match neither "
                                    "kind's JSON keys better");
    }
    const FieldMap& map = songs.matched > events.matched ? songs : events;
    const TableSchema& staging = map.kind == pipeline::RawKind::kSongs
                                     ? parse::StagingSongsSchema()
                                     : parse::StagingEventsSchema();
    const std::span<const parse::FieldSpec> fields =
        map.kind == pipeline::RawKind::kSongs ? parse::SongFields() : parse::EventFields();
    outcome.schema = std::make_unique<TableSchema>();
    outcome.schema->name = copy.table;
    for (size_t i = 0; i < targets.size(); ++i) {
      if (!IsPlainIdentifier(targets[i].name)) {
        return Error::InvalidArgument("fake Redshift loads only lower-case column names, not " +
                                      targets[i].name);
      }
      const int s = map.source[i];
      outcome.schema->columns.push_back(
          {targets[i].name,
           s < 0 ? ColumnType::kText : staging.columns[static_cast<size_t>(s)].type});
    }

    std::vector<source::SourceFile> files;
    if (copy.manifest) {
      SPARKIFY_ASSIGN_OR_RETURN(files, ListManifest(copy.from));
    } else {
      SPARKIFY_ASSIGN_OR_RETURN(files, ListPrefix(copy.from));
    }
    // An empty object holds no record (the song parser would call it a bad one).
    std::vector<source::SourceFile> parsed;
    for (const source::SourceFile& f : files) {
      if (f.size > 0) parsed.push_back(f);
    }

    S3ObjectSource objects(*s3_);
    parse::CollectingSink sink;
    pipeline::StageOptions options;
    options.threads = 1;
    pipeline::StageHooks hooks;
    hooks.ordered = true;
    hooks.consume = [&](pipeline::Chunk& chunk) -> Status {
      if (chunk.raw) Convert(*chunk.raw, map, outcome);
      return Status::Ok();
    };
    Result<pipeline::StageStats> stats =
        pipeline::StageFiles(map.kind, objects, parsed, sink, options, hooks);
    if (!stats.ok()) return stats.take_error();
    size_t p = 0;
    for (const source::SourceFile& f : files) {
      uint64_t lines = 0;
      if (f.size > 0) {
        const pipeline::FileStats& fs = stats->per_file[p++];
        lines = fs.rows + fs.rejected;
      }
      outcome.details.push_back({f, lines});
    }

    std::vector<parse::LoadError> errors = sink.Take();
    std::sort(errors.begin(), errors.end(), [](const auto& a, const auto& b) {
      return std::tie(a.file, a.line) < std::tie(b.file, b.line);
    });
    static const std::regex kField(R"re(^(?:required )?field "([^"]*)")re");
    for (const parse::LoadError& e : errors) {
      CopyOutcome::Reject reject{e.file, e.line, "", "", e.reason};
      std::smatch m;
      if (std::regex_search(e.reason, m, kField)) {
        for (size_t i = 0; i < targets.size(); ++i) {
          const int s = map.source[i];
          if (s >= 0 && fields[static_cast<size_t>(s)].json_key == m[1].str()) {
            reject.column_name = targets[i].name;
            reject.column_type = targets[i].type;
            break;
          }
        }
      }
      outcome.rejects.push_back(std::move(reject));
    }
    // Redshift fails a COPY whose object cannot be read; the stage records it as a bad record.
    for (const parse::LoadError& e : errors) {
      if (e.line == 0) return Error::Unavailable("S3ServiceException: " + e.reason);
    }
    return Status::Ok();
  }

  static void Convert(const ColumnBatch& raw, const FieldMap& map, CopyOutcome& outcome) {
    constexpr size_t kBatchRows = 16384;
    std::vector<FieldValue> values(map.source.size());
    for (size_t r = 0; r < raw.rows(); ++r) {
      if (outcome.batches.empty() || outcome.batches.back()->rows() >= kBatchRows) {
        outcome.batches.push_back(std::make_unique<ColumnBatch>(*outcome.schema));
      }
      for (size_t c = 0; c < values.size(); ++c) {
        const int s = map.source[c];
        values[c] = s < 0 ? FieldValue::Null() : raw.Value(static_cast<size_t>(s), r);
      }
      outcome.batches.back()->AppendRow(values);
    }
  }

  // Writes the COPY's rows in the system tables and makes it this session's last COPY, in a
  // transaction of the system connection: committed whatever becomes of the caller's.
  Status Record(int64_t query_id, const CopyOutcome& outcome) {
    const std::string id = std::to_string(query_id);
    std::string sql = "begin;\n";
    if (!outcome.details.empty()) {
      sql +=
          "insert into sys_load_detail (query_id, file_name, bytes_scanned, lines_scanned, "
          "record_time, start_time, end_time, file_etag, file_last_modified) values\n";
      for (size_t i = 0; i < outcome.details.size(); ++i) {
        const CopyOutcome::Detail& d = outcome.details[i];
        sql += std::string(i ? ",\n" : "") + "(" + id + ", " + CharLiteral(d.file.uri, 256) + ", " +
               std::to_string(d.file.size) + ", " + std::to_string(d.lines) +
               ", now(), now(), clock_timestamp(), " + CharLiteral(d.file.etag(), 256) + ", " +
               TimestampLiteral(d.file.mtime_ms) + ")";
      }
      sql += ";\n";
    }
    if (!outcome.rejects.empty()) {
      sql +=
          "insert into sys_load_error_detail (query_id, session_id, start_time, file_name, "
          "line_number, column_name, column_type, error_message) values\n";
      for (size_t i = 0; i < outcome.rejects.size(); ++i) {
        const CopyOutcome::Reject& r = outcome.rejects[i];
        sql += std::string(i ? ",\n" : "") + "(" + id + ", " + std::to_string(session_id_) +
               ", now(), " + CharLiteral(r.file, 256) + ", " + std::to_string(r.line) + ", " +
               CharLiteral(r.column_name, 127) + ", " + CharLiteral(r.column_type, 10) + ", " +
               CharLiteral(r.message, 512) + ")";
      }
      sql += ";\n";
    }
    sql += "insert into fake_redshift_last_copy (session_id, query_id) values (" +
           std::to_string(session_id_) + ", " + id +
           ") on conflict (session_id) do update set query_id = excluded.query_id;\ncommit;";
    Status s = system_.Execute(sql);
    if (!s.ok()) {
      (void)system_.Execute("rollback");
      return s.take_error().WithContext("fake Redshift: recording COPY " + id);
    }
    return Status::Ok();
  }

  engine::PgConnection system_;
  std::unique_ptr<aws::S3Client> s3_;
  std::string database_;
  int session_id_;
};

Result<std::unique_ptr<aws::S3Client>> OpenS3Client(const source::SourceOptions& options) {
  SPARKIFY_ASSIGN_OR_RETURN(aws::SharedConfig shared, aws::SharedConfig::Load());
  aws::S3Config config;
  SPARKIFY_RETURN_IF_ERROR(aws::ApplyEnvironment(shared, config.client));
  if (!options.s3_no_sign_request) {
    SPARKIFY_ASSIGN_OR_RETURN(aws::Credentials credentials, aws::ResolveCredentials(shared));
    config.client.credentials = std::move(credentials);
  }
  config.client.region = aws::ResolveRegion(shared).value;
  config.endpoint_url = aws::ResolveEndpointUrl(shared, "S3", options.s3_endpoint_url).value;
  return aws::S3Client::Create(std::move(config));
}

}  // namespace

Result<std::optional<RedshiftCopy>> ParseRedshiftCopy(std::string_view statement) {
  const std::string_view body = statement.substr(SkipBlanks(statement, 0));
  if (Lowercase(body.substr(0, 4)) != "copy" || (body.size() > 4 && IsWordChar(body[4]))) {
    return std::optional<RedshiftCopy>();
  }
  SPARKIFY_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(statement));
  TokenCursor in(std::move(tokens));
  (void)in.AcceptWord("copy");
  RedshiftCopy copy;
  SPARKIFY_ASSIGN_OR_RETURN(copy.table, in.Name("a table name"));
  if (in.AcceptSymbol(".")) {
    SPARKIFY_ASSIGN_OR_RETURN(std::string name, in.Name("a table name"));
    copy.table += "." + name;
  }
  if (in.AcceptSymbol("(")) {
    do {
      SPARKIFY_ASSIGN_OR_RETURN(std::string column, in.Name("a column name"));
      copy.columns.push_back(std::move(column));
    } while (in.AcceptSymbol(","));
    if (!in.AcceptSymbol(")")) return in.Unexpected("')' after the column list");
  }
  if (!in.AcceptWord("from")) return in.Unexpected("FROM");
  SPARKIFY_ASSIGN_OR_RETURN(copy.from, in.String("the FROM location"));
  if (!copy.from.starts_with("s3://")) {
    return Error::InvalidArgument("fake Redshift copies only from s3://, not " + copy.from);
  }
  bool json = false;
  auto json_argument = [&]() -> Status {
    json = true;
    (void)in.AcceptWord("as");
    if (!in.PeekString()) return Status::Ok();  // JSON alone means 'auto'
    SPARKIFY_ASSIGN_OR_RETURN(std::string spec, in.String("the JSON argument"));
    if (Lowercase(spec) == "auto" || Lowercase(spec) == "auto ignorecase") spec = Lowercase(spec);
    if (spec != "auto" && spec != "auto ignorecase" && !spec.starts_with("s3://")) {
      return Error::InvalidArgument("fake Redshift: JSON '" + spec +
                                    "' is neither 'auto', 'auto ignorecase' nor s3://");
    }
    copy.json = std::move(spec);
    return Status::Ok();
  };
  while (!in.AtEnd()) {
    if (in.AcceptWord("iam_role")) {
      if (!in.AcceptWord("default")) SPARKIFY_RETURN_IF_ERROR(in.String("the IAM role").status());
    } else if (in.AcceptWord("credentials")) {
      (void)in.AcceptWord("as");
      SPARKIFY_RETURN_IF_ERROR(in.String("the credentials").status());
    } else if (in.AcceptWord("access_key_id") || in.AcceptWord("secret_access_key") ||
               in.AcceptWord("session_token")) {
      SPARKIFY_RETURN_IF_ERROR(in.String("a key").status());
    } else if (in.AcceptWord("format")) {
      (void)in.AcceptWord("as");
      if (!in.AcceptWord("json")) return in.Unexpected("JSON (the only format emulated)");
      SPARKIFY_RETURN_IF_ERROR(json_argument());
    } else if (in.AcceptWord("json")) {
      SPARKIFY_RETURN_IF_ERROR(json_argument());
    } else if (in.AcceptWord("region") || in.AcceptWord("timeformat") ||
               in.AcceptWord("dateformat")) {
      (void)in.AcceptWord("as");
      SPARKIFY_RETURN_IF_ERROR(in.String("a quoted value").status());
    } else if (in.AcceptWord("compupdate") || in.AcceptWord("statupdate")) {
      for (std::string_view v : {"on", "off", "true", "false", "preset"}) {
        if (in.AcceptWord(v)) break;
      }
    } else if (in.AcceptWord("maxerror")) {
      (void)in.AcceptWord("as");
      SPARKIFY_ASSIGN_OR_RETURN(copy.max_errors, in.Number("the MAXERROR count"));
    } else if (in.AcceptWord("manifest")) {
      copy.manifest = true;
    } else {
      return in.Unexpected("a COPY option the fake emulates");
    }
  }
  if (!json) {
    return Error::InvalidArgument("fake Redshift emulates only COPY ... FORMAT AS JSON");
  }
  return std::optional<RedshiftCopy>(std::move(copy));
}

std::string RewriteRedshiftDdl(std::string_view statement) {
  static const std::regex kCreateTable(
      R"(^create\s+(?:(?:local\s+)?(?:temp|temporary)\s+)?table\b)", std::regex::icase);
  const std::string_view body = statement.substr(SkipBlanks(statement, 0));
  if (!std::regex_search(body.begin(), body.end(), kCreateTable)) return std::string(statement);
  // Table attributes, and the column attributes DISTKEY and SORTKEY: PostgreSQL has no
  // distribution or sort keys, so they go.
  static const std::regex kAttributes(
      R"(\s*\b(?:diststyle\s+(?:even|all|key|auto)\b|distkey\s*\([^)]*\)|)"
      R"((?:compound\s+|interleaved\s+)?sortkey\s*\([^)]*\)|(?:distkey|sortkey)\b(?!\s*\()))",
      std::regex::icase);
  std::string out = std::regex_replace(std::string(statement), kAttributes, "");
  // IDENTITY(seed, step): PostgreSQL's identity starts at 1 unless told otherwise.
  static const std::regex kIdentity(
      R"(\b(generated\s+by\s+default\s+as\s+)?identity\s*\(\s*(-?\d+)\s*,\s*(-?\d+)\s*\))",
      std::regex::icase);
  std::string rewritten;
  auto from = out.cbegin();
  for (std::sregex_iterator it(out.begin(), out.end(), kIdentity), end; it != end; ++it) {
    const std::smatch& m = *it;
    const std::string seed = m[2].str(), step = m[3].str();
    rewritten.append(from, m[0].first);
    rewritten += std::string(m[1].matched ? "generated by default" : "generated always") +
                 " as identity (start with " + seed + " increment by " + step +
                 (step.starts_with('-') ? " maxvalue " : " minvalue ") + seed + ")";
    from = m[0].second;
  }
  rewritten.append(from, out.cend());
  return rewritten;
}

std::vector<std::string> SplitSqlStatements(std::string_view sql) {
  std::vector<std::string> out;
  size_t start = 0;
  auto push = [&](size_t end) {
    const std::string_view statement = sql.substr(start, end - start);
    if (SkipBlanks(statement, 0) < statement.size()) out.emplace_back(statement);
  };
  size_t i = 0;
  while (i < sql.size()) {
    const std::string_view rest = sql.substr(i);
    if (sql[i] == '\'' || sql[i] == '"') {
      i = std::min(EndOfQuoted(sql, i), sql.size());
    } else if (rest.starts_with("--") || rest.starts_with("/*")) {
      i = SkipBlanks(sql, i);
    } else if (sql[i] == '$' && !DollarTag(sql, i).empty()) {
      const std::string_view tag = DollarTag(sql, i);
      const size_t close = sql.find(tag, i + tag.size());
      i = close == std::string_view::npos ? sql.size() : close + tag.size();
    } else if (sql[i] == ';') {
      push(i);
      start = ++i;
    } else {
      ++i;
    }
  }
  push(sql.size());
  return out;
}

Result<std::unique_ptr<engine::Engine>> OpenFakeRedshift(const PgTestDatabase& db,
                                                         const source::SourceOptions& s3) {
  SPARKIFY_ASSIGN_OR_RETURN(engine::PgConnection system,
                            engine::PgConnection::Connect(db.conninfo()));
  Status created = system.Execute(kSystemObjects);
  if (!created.ok()) return created.take_error().WithContext("creating the fake's system objects");
  SPARKIFY_ASSIGN_OR_RETURN(engine::PgConnection session,
                            engine::PgConnection::Connect(db.conninfo()));
  SPARKIFY_RETURN_IF_ERROR(session.Execute(sql::RedshiftSessionSetup()));
  SPARKIFY_ASSIGN_OR_RETURN(engine::QueryResult pid, session.Query("select pg_backend_pid()"));
  const int session_id = std::stoi(*pid.rows[0][0]);
  // A new session has no last COPY, even where an earlier one had this process id.
  SPARKIFY_RETURN_IF_ERROR(system.Execute(
      "delete from fake_redshift_last_copy where session_id = " + std::to_string(session_id)));
  Result<std::unique_ptr<aws::S3Client>> client = OpenS3Client(s3);
  if (!client.ok()) return client.take_error().WithContext("fake Redshift's S3 client");
  return std::unique_ptr<engine::Engine>(std::make_unique<FakeRedshiftEngine>(
      std::move(session), std::move(system), std::move(client).value(), db.name(), session_id));
}

}  // namespace sparkify::testing
