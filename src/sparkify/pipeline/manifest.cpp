#include "sparkify/pipeline/manifest.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <tuple>

#include "sparkify/sql/catalog.hpp"

namespace sparkify::pipeline {
namespace {

int64_t ToInt(const std::optional<std::string>& v) { return v ? std::stoll(*v) : 0; }

}  // namespace

std::string_view FileKindName(FileKind kind) {
  return kind == FileKind::kSongs ? "songs" : "events";
}

std::string_view LoadModeName(LoadMode mode) {
  switch (mode) {
    case LoadMode::kFull:
      return "full";
    case LoadMode::kRebuild:
      return "rebuild";
    case LoadMode::kAppend:
      return "incremental";
    case LoadMode::kNothing:
      return "nothing";
  }
  return "?";
}

std::string ManifestKey(std::string_view uri) {
  if (uri.starts_with("s3://")) return std::string(uri);
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(std::filesystem::path(uri), ec);
  if (ec) return std::string(uri);
  return p.lexically_normal().string();
}

Result<LoadPlan> PlanLoad(const PlanInputs& in) {
  LoadPlan plan;
  std::map<std::pair<FileKind, std::string>, const ManifestEntry*> known;
  if (in.manifest) {
    for (const ManifestEntry& e : *in.manifest) known[{e.kind, e.file}] = &e;
  }
  std::string last_loaded_event;  // the largest manifest key of an event file
  if (in.manifest) {
    for (const ManifestEntry& e : *in.manifest) {
      if (e.kind == FileKind::kEvents) last_loaded_event = std::max(last_loaded_event, e.file);
    }
  }
  bool event_before_loaded = false;
  auto classify = [&](FileKind kind, const std::vector<source::SourceFile>& files,
                      FileChanges& out) -> Status {
    std::map<std::string, bool> listed;
    for (size_t i = 0; i < files.size(); ++i) {
      const source::SourceFile& f = files[i];
      std::string key = ManifestKey(f.uri);
      listed[key] = true;
      auto it = known.find({kind, key});
      if (it == known.end()) {
        out.fresh.push_back(i);
        if (kind == FileKind::kEvents && key < last_loaded_event) event_before_loaded = true;
        continue;
      }
      const ManifestEntry& m = *it->second;
      bool changed = f.size != m.size || (!f.etag.empty() && !m.etag.empty() && f.etag != m.etag);
      if (!changed && f.etag.empty() && f.mtime_ms != m.mtime_ms) {
        if (!in.checksum || m.checksum.empty()) {
          changed = true;
        } else {
          Result<std::string> sum = in.checksum(kind, f);
          if (!sum.ok()) return sum.take_error().WithContext("checksum of " + f.uri);
          changed = *sum != m.checksum;
        }
      }
      (changed ? out.changed : out.unchanged).push_back(i);
    }
    if (in.manifest) {
      for (const ManifestEntry& e : *in.manifest) {
        if (e.kind == kind && !listed.count(e.file)) out.gone.push_back(e.file);
      }
    }
    return Status::Ok();
  };
  static const std::vector<source::SourceFile> kNone;
  SPARKIFY_RETURN_IF_ERROR(classify(FileKind::kSongs, in.songs ? *in.songs : kNone, plan.songs));
  SPARKIFY_RETURN_IF_ERROR(
      classify(FileKind::kEvents, in.events ? *in.events : kNone, plan.events));

  const size_t fresh = plan.songs.fresh.size() + plan.events.fresh.size();
  const size_t changed = plan.songs.changed.size() + plan.events.changed.size();
  if (!in.manifest) {
    plan.mode = LoadMode::kFull;
    plan.reason = "no earlier load: every file is loaded";
  } else if (in.full_refresh) {
    plan.mode = LoadMode::kFull;
    plan.reason = "--full-refresh: the star is rebuilt from every listed file";
  } else if (fresh == 0 && changed == 0) {
    plan.mode = LoadMode::kNothing;
    plan.reason = "0 new files: every listed file is loaded and unchanged";
  } else if (changed > 0) {
    plan.mode = LoadMode::kRebuild;
    plan.reason = std::to_string(changed) + " loaded file" + (changed == 1 ? "" : "s") +
                  " changed: their old rows are replaced by rebuilding from every listed file";
  } else if (!plan.songs.fresh.empty()) {
    plan.mode = LoadMode::kRebuild;
    plan.reason = "new song files may match earlier plays: rebuilding from every listed file";
  } else if (event_before_loaded) {
    plan.mode = LoadMode::kRebuild;
    plan.reason =
        "a new event file sorts before one already loaded, which renumbers the plays: "
        "rebuilding from every listed file";
  } else if (in.sql_transform) {
    plan.mode = LoadMode::kRebuild;
    plan.reason = "the SQL transform rebuilds the star from every listed file";
  } else {
    plan.mode = LoadMode::kAppend;
    plan.reason = std::to_string(plan.events.fresh.size()) + " new event file" +
                  (plan.events.fresh.size() == 1 ? "" : "s") + " appended";
  }
  return plan;
}

const TableSchema& LoadManifestSchema() {
  static const TableSchema s{"load_manifest",
                             {{"kind", ColumnType::kText},
                              {"file", ColumnType::kText},
                              {"size_bytes", ColumnType::kBigInt},
                              {"modified_at", ColumnType::kTimestamp},
                              {"etag", ColumnType::kText},
                              {"checksum", ColumnType::kText},
                              {"run_id", ColumnType::kBigInt},
                              {"rows_loaded", ColumnType::kBigInt},
                              {"rows_rejected", ColumnType::kBigInt},
                              {"loaded_at", ColumnType::kTimestamp}}};
  return s;
}

const TableSchema& RunsSchema() {
  static const TableSchema s{"runs",
                             {{"run_id", ColumnType::kBigInt},
                              {"started_at", ColumnType::kTimestamp},
                              {"finished_at", ColumnType::kTimestamp},
                              {"status", ColumnType::kText},
                              {"mode", ColumnType::kText},
                              {"arguments", ColumnType::kText},
                              {"files_loaded", ColumnType::kBigInt},
                              {"rows_loaded", ColumnType::kBigInt},
                              {"rows_rejected", ColumnType::kBigInt},
                              {"plays_added", ColumnType::kBigInt},
                              {"message", ColumnType::kText}}};
  return s;
}

Result<bool> LoadStateExists(engine::Engine& engine) {
  SPARKIFY_ASSIGN_OR_RETURN(
      engine::QueryResult r,
      engine.Query(sql::Render(sql::Stmt::kLoadStateExists, engine.dialect())));
  return !r.rows.empty() && ToInt(r.rows[0][0]) == sql::kLoadStateTables;
}

Result<std::vector<ManifestEntry>> ReadManifest(engine::Engine& engine) {
  SPARKIFY_ASSIGN_OR_RETURN(
      engine::QueryResult r,
      engine.Query(sql::Render(sql::Stmt::kSelectManifest, engine.dialect())));
  std::vector<ManifestEntry> out;
  out.reserve(r.rows.size());
  for (const auto& row : r.rows) {
    ManifestEntry e;
    e.kind = row[0].value_or("") == "songs" ? FileKind::kSongs : FileKind::kEvents;
    e.file = row[1].value_or("");
    e.size = static_cast<uint64_t>(ToInt(row[2]));
    e.mtime_ms = ToInt(row[3]);
    e.etag = row[4].value_or("");
    e.checksum = row[5].value_or("");
    out.push_back(std::move(e));
  }
  return out;
}

namespace {

size_t CommonPrefixLength(std::string_view a, std::string_view b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

// Covers listing[first..last] (all chosen) with prefixes that match no listed file outside it.
Status CoverRun(const std::vector<source::SourceFile>& listing, size_t first, size_t last,
                std::vector<std::string>& out) {
  const std::string& a = listing[first].uri;
  const std::string prefix = a.substr(0, CommonPrefixLength(a, listing[last].uri));
  const bool before = first > 0 && listing[first - 1].uri.starts_with(prefix);
  const bool after = last + 1 < listing.size() && listing[last + 1].uri.starts_with(prefix);
  if (!before && !after) {
    out.push_back(prefix);
    return Status::Ok();
  }
  if (first == last) {
    return Error::InvalidArgument(
        "cannot COPY " + a + " alone: " + listing[last + 1].uri +
        ", loaded earlier, starts with the same key; run etl --full-refresh");
  }
  size_t split = first;  // split after the pair of neighbours that share the least
  size_t shortest = std::string::npos;
  for (size_t i = first; i < last; ++i) {
    const size_t n = CommonPrefixLength(listing[i].uri, listing[i + 1].uri);
    if (n < shortest) {
      shortest = n;
      split = i;
    }
  }
  SPARKIFY_RETURN_IF_ERROR(CoverRun(listing, first, split, out));
  return CoverRun(listing, split + 1, last, out);
}

}  // namespace

Result<std::vector<std::string>> CopyPrefixes(const std::vector<source::SourceFile>& listing,
                                              const std::vector<size_t>& chosen) {
  std::vector<bool> is_chosen(listing.size(), false);
  for (size_t i : chosen) is_chosen[i] = true;
  std::vector<std::string> prefixes;
  for (size_t i = 0; i < listing.size(); ++i) {
    if (!is_chosen[i]) continue;
    size_t last = i;
    while (last + 1 < listing.size() && is_chosen[last + 1]) ++last;
    SPARKIFY_RETURN_IF_ERROR(CoverRun(listing, i, last, prefixes));
    i = last;
  }
  return prefixes;
}

}  // namespace sparkify::pipeline
