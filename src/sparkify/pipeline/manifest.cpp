#include "sparkify/pipeline/manifest.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>

#include "sparkify/pipeline/run_support.hpp"
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

namespace {

// Decides whether the listed (or located) `f`, at `location` (ManifestKey of its uri), holds
// the content `m` recorded, reading `f` only when nothing cheaper decides. Checksums computed
// are cached by uri.
class VersionCompare {
 public:
  explicit VersionCompare(const PlanInputs& in) : in_(in) {}

  Result<bool> Same(const source::SourceFile& f, const std::string& location,
                    const ManifestEntry& m) {
    if (f.size != m.size) return false;
    if (!f.etag().empty() && f.etag() == m.etag) return true;  // S3 to S3: one object's content
    if (f.etag().empty() && f.mtime_ms == m.mtime_ms && location == m.location)
      return true;  // the same place, size and time: trusted, as make and rsync do
    if (m.checksum.empty() || !in_.checksum) return false;  // nothing to verify it by
    SPARKIFY_ASSIGN_OR_RETURN(std::string sum, Checksum(f));
    return sum == m.checksum;
  }

  // A loaded file of another name with the same content as `f`, if any.
  Result<const ManifestEntry*> SameContent(const source::SourceFile& f,
                                           const std::vector<const ManifestEntry*>& loaded) {
    for (const ManifestEntry* m : loaded) {
      if (m->size != f.size || m->file == source::NameOf(f)) continue;
      if (!f.etag().empty() && f.etag() == m->etag) return m;
      if (m->checksum.empty() || !in_.checksum) continue;
      SPARKIFY_ASSIGN_OR_RETURN(std::string sum, Checksum(f));
      if (sum == m->checksum) return m;
    }
    return static_cast<const ManifestEntry*>(nullptr);
  }

 private:
  Result<std::string> Checksum(const source::SourceFile& f) {
    auto it = sums_.find(f.uri);
    if (it != sums_.end()) return it->second;
    Result<std::string> sum = in_.checksum(f);
    if (!sum.ok()) return sum.take_error().WithContext("checksum of " + f.uri);
    sums_.emplace(f.uri, *sum);
    return sum;
  }

  const PlanInputs& in_;
  std::map<std::string, std::string> sums_;
};

}  // namespace

Result<LoadPlan> PlanLoad(const PlanInputs& in) {
  LoadPlan plan;
  const bool loaded_before = in.manifest && !in.manifest->empty();
  // By kind: each name's row, and the rows by size (for same-content look-ups).
  std::map<std::pair<FileKind, std::string>, const ManifestEntry*> by_name;
  std::map<std::pair<FileKind, uint64_t>, std::vector<const ManifestEntry*>> by_size;
  std::string last_loaded_event;  // the largest name of a loaded event file
  if (loaded_before) {
    for (const ManifestEntry& e : *in.manifest) {
      by_name[{e.kind, e.file}] = &e;
      by_size[{e.kind, e.size}].push_back(&e);
      if (e.kind == FileKind::kEvents) last_loaded_event = std::max(last_loaded_event, e.file);
    }
  }
  VersionCompare compare(in);
  bool event_before_loaded = false;
  auto classify = [&](FileKind kind, const std::vector<source::SourceFile>& files,
                      FileChanges& out) -> Status {
    std::set<std::string> listed;
    for (size_t i = 0; i < files.size(); ++i) {
      const source::SourceFile& f = files[i];
      const std::string name(source::NameOf(f));
      listed.insert(name);
      if (!loaded_before || in.full_refresh) {
        out.fresh.push_back(i);
        continue;
      }
      auto it = by_name.find({kind, name});
      if (it == by_name.end()) {
        auto same_size = by_size.find({kind, f.size});
        if (same_size != by_size.end()) {
          SPARKIFY_ASSIGN_OR_RETURN(const ManifestEntry* twin,
                                    compare.SameContent(f, same_size->second));
          if (twin) {
            out.same_content.push_back({i, twin->file});
            continue;
          }
        }
        out.fresh.push_back(i);
        if (kind == FileKind::kEvents && name < last_loaded_event) event_before_loaded = true;
        continue;
      }
      const ManifestEntry& m = *it->second;
      const std::string location = ManifestKey(f.uri);
      SPARKIFY_ASSIGN_OR_RETURN(bool same, compare.Same(f, location, m));
      if (!same) {
        out.changed.push_back(i);
        continue;
      }
      out.unchanged.push_back(i);
      if (location != m.location) out.moved.push_back(i);
    }
    if (loaded_before) {
      for (const ManifestEntry& e : *in.manifest) {
        if (e.kind == kind && !listed.count(e.file)) out.kept.push_back(e);
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
  if (!loaded_before) {
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
    plan.reason = Plural(changed, "loaded file") +
                  " changed: their old rows are replaced by rebuilding from every loaded file";
  } else if (!plan.songs.fresh.empty()) {
    plan.mode = LoadMode::kRebuild;
    plan.reason = "new song files may match earlier plays: rebuilding from every loaded file";
  } else if (event_before_loaded) {
    plan.mode = LoadMode::kRebuild;
    plan.reason =
        "a new event file sorts before one already loaded, which renumbers the plays: "
        "rebuilding from every loaded file";
  } else if (in.sql_transform) {
    plan.mode = LoadMode::kRebuild;
    plan.reason = "the SQL transform rebuilds the star from every loaded file";
  } else {
    plan.mode = LoadMode::kAppend;
    plan.reason = Plural(plan.events.fresh.size(), "new event file") + " appended";
  }
  const size_t same = plan.songs.same_content.size() + plan.events.same_content.size();
  if (same > 0 && plan.mode != LoadMode::kFull) {
    plan.reason += " (" + Plural(same, "listed file") + " already loaded under another name)";
  }
  // A rebuild reads the kept files again: each must still be there, with its content.
  if (plan.mode == LoadMode::kRebuild) SPARKIFY_RETURN_IF_ERROR(FindUnreadableKept(in, plan));
  return plan;
}

Status FindUnreadableKept(const PlanInputs& in, LoadPlan& plan) {
  if (!in.locate) return Status::Ok();
  VersionCompare compare(in);
  for (FileChanges* changes : {&plan.songs, &plan.events}) {
    changes->unreadable.clear();
    for (const ManifestEntry& e : changes->kept) {
      Result<source::SourceFile> now = in.locate(e.location);
      if (!now.ok()) {
        if (now.error().code() != ErrorCode::kNotFound) return now.take_error();
        changes->unreadable.push_back({e, "no longer there"});
        continue;
      }
      SPARKIFY_ASSIGN_OR_RETURN(bool same, compare.Same(*now, e.location, e));
      if (!same) {
        changes->unreadable.push_back(
            {e, now->size != e.size ? "its content changed (size " + std::to_string(now->size) +
                                          ", was " + std::to_string(e.size) + ")"
                                    : "its content changed (checksum differs)"});
      }
    }
  }
  return Status::Ok();
}

std::vector<size_t> ListedToLoad(const FileChanges& changes, size_t listed) {
  std::vector<bool> skip(listed, false);
  for (const SameContent& s : changes.same_content) skip[s.index] = true;
  std::vector<size_t> chosen;
  chosen.reserve(listed);
  for (size_t i = 0; i < listed; ++i) {
    if (!skip[i]) chosen.push_back(i);
  }
  return chosen;
}

source::SourceFile KeptFile(const ManifestEntry& entry) {
  return source::SourceFile{entry.location, entry.size, entry.mtime_ms, entry.etag, entry.file};
}

std::optional<std::vector<source::SourceFile>> FilesToLoad(
    const std::vector<source::SourceFile>& listed, const FileChanges& changes, LoadMode mode) {
  const bool add_kept = mode == LoadMode::kRebuild && !changes.kept.empty();
  if (changes.same_content.empty() && !add_kept) return std::nullopt;
  std::vector<source::SourceFile> out;
  out.reserve(listed.size() + changes.kept.size());
  for (size_t i : ListedToLoad(changes, listed.size())) out.push_back(listed[i]);
  if (add_kept) {
    for (const ManifestEntry& e : changes.kept) out.push_back(KeptFile(e));
    std::stable_sort(out.begin(), out.end(),
                     [](const source::SourceFile& a, const source::SourceFile& b) {
                       return source::NameOf(a) < source::NameOf(b);
                     });
  }
  return out;
}

std::vector<ManifestEntry> ConvertLegacyManifest(std::vector<ManifestEntry> legacy,
                                                 const std::vector<source::SourceFile>& songs,
                                                 const std::vector<source::SourceFile>& events) {
  for (FileKind kind : {FileKind::kSongs, FileKind::kEvents}) {
    const std::vector<source::SourceFile>& listed = kind == FileKind::kSongs ? songs : events;
    std::map<std::string, std::string> name_at;  // location -> listed name
    for (const source::SourceFile& f : listed) name_at[ManifestKey(f.uri)] = source::NameOf(f);
    // The folder every row of this kind lies in.
    std::string common;
    bool first = true;
    for (const ManifestEntry& e : legacy) {
      if (e.kind != kind) continue;
      const std::string dir = e.location.substr(0, e.location.rfind('/') + 1);
      if (first) {
        common = dir;
        first = false;
        continue;
      }
      size_t n = 0;
      while (n < common.size() && n < dir.size() && common[n] == dir[n]) ++n;
      common = common.substr(0, common.rfind('/', n == 0 ? 0 : n - 1) + 1);
    }
    // First the rows the listing recognises: the listed file at that location, else the
    // longest listed name the location ends with. What precedes the name is a data root.
    std::set<std::string> roots;
    std::vector<ManifestEntry*> unknown;
    for (ManifestEntry& e : legacy) {
      if (e.kind != kind) continue;
      std::string name;
      auto at = name_at.find(e.location);
      if (at != name_at.end()) {
        name = at->second;
      } else {
        for (const source::SourceFile& f : listed) {
          const std::string_view n = source::NameOf(f);
          if (n.size() > name.size() && n.size() < e.location.size() && e.location.ends_with(n) &&
              e.location[e.location.size() - n.size() - 1] == '/')
            name = n;
        }
      }
      if (name.empty() || !e.location.ends_with(name)) {
        unknown.push_back(&e);
        continue;
      }
      roots.insert(e.location.substr(0, e.location.size() - name.size()));
      e.file = std::move(name);
    }
    // The others: below the longest such root they lie in, else the folder all rows share.
    for (ManifestEntry* e : unknown) {
      std::string root = common;
      for (const std::string& r : roots) {
        if (e->location.starts_with(r) && r.size() > 0 &&
            (root == common || r.size() > root.size()))
          root = r;
      }
      e->file = e->location.substr(root.size());
    }
  }
  return legacy;
}

const TableSchema& LoadManifestSchema() {
  static const TableSchema s{"load_manifest",
                             {{"kind", ColumnType::kText},
                              {"file", ColumnType::kText},
                              {"location", ColumnType::kText},
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

void AppendManifestRow(ColumnBatch& batch, const ManifestEntry& e, int64_t loaded_at) {
  const FieldValue row[] = {FieldValue::Text(FileKindName(e.kind)),
                            FieldValue::Text(e.file),
                            FieldValue::Text(e.location),
                            FieldValue::Int(static_cast<int64_t>(e.size)),
                            e.mtime_ms ? FieldValue::Int(e.mtime_ms * 1000) : FieldValue::Null(),
                            e.etag.empty() ? FieldValue::Null() : FieldValue::Text(e.etag),
                            e.checksum.empty() ? FieldValue::Null() : FieldValue::Text(e.checksum),
                            FieldValue::Int(e.run_id),
                            FieldValue::Int(static_cast<int64_t>(e.rows)),
                            FieldValue::Int(static_cast<int64_t>(e.rejected)),
                            FieldValue::Int(loaded_at)};
  batch.AppendRow(row);
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

Result<bool> ManifestIsLegacy(engine::Engine& engine) {
  SPARKIFY_ASSIGN_OR_RETURN(
      engine::QueryResult r,
      engine.Query(sql::Render(sql::Stmt::kManifestHasLocation, engine.dialect())));
  return r.rows.empty() || ToInt(r.rows[0][0]) == 0;
}

Result<std::vector<ManifestEntry>> ReadManifest(engine::Engine& engine, bool legacy) {
  SPARKIFY_ASSIGN_OR_RETURN(engine::QueryResult r,
                            engine.Query(sql::Render(legacy ? sql::Stmt::kSelectLegacyManifest
                                                            : sql::Stmt::kSelectManifest,
                                                     engine.dialect())));
  std::vector<ManifestEntry> out;
  out.reserve(r.rows.size());
  for (const auto& row : r.rows) {
    ManifestEntry e;
    e.kind = row[0].value_or("") == "songs" ? FileKind::kSongs : FileKind::kEvents;
    e.file = row[1].value_or("");
    e.location = row[2].value_or("");
    e.size = static_cast<uint64_t>(ToInt(row[3]));
    e.mtime_ms = ToInt(row[4]);
    e.etag = row[5].value_or("");
    e.checksum = row[6].value_or("");
    e.run_id = ToInt(row[7]);
    e.rows = static_cast<uint64_t>(ToInt(row[8]));
    e.rejected = static_cast<uint64_t>(ToInt(row[9]));
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
