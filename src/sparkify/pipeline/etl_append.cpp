// The incremental append (LoadMode kAppend): only new event files, after every loaded one.
#include <string>
#include <vector>

#include "sparkify/common/log.hpp"
#include "sparkify/pipeline/etl_stages.hpp"
#include "sparkify/sql/catalog.hpp"

namespace sparkify::pipeline {

// Appends the plays of new event files (LoadMode kAppend): the song matches and each user's
// latest event come from the state tables, plays are numbered after the largest songplay_id,
// changed users are upserted and new start times inserted.
Status AppendEvents(engine::Engine& engine, const EtlOptions& options,
                    const std::vector<source::SourceFile>& files, uint64_t file_index_base,
                    source::Source& source, EtlReport& report, std::vector<StagedFiles>& staged,
                    std::vector<source::SourceFile>& staged_files) {
  const bool plays_wait = sql::DeclaresForeignKeys(engine.dialect());
  SongIndex songs;
  UserTable users;
  int64_t max_songplay_id = 0;
  {
    Phase phase(report.timings, "read_state");
    SPARKIFY_ASSIGN_OR_RETURN(
        engine::QueryResult matches,
        engine.Query(sql::Render(sql::Stmt::kSelectSongMatch, engine.dialect())));
    auto text = [](const std::optional<std::string>& v) {
      return v ? std::string_view(*v) : std::string_view();
    };
    for (const auto& row : matches.rows) {
      songs.AddMatch(text(row[0]), text(row[1]), std::stod(row[2].value_or("0")),
                     SongIndex::Match{text(row[3]), text(row[4])});
    }
    SPARKIFY_ASSIGN_OR_RETURN(
        engine::QueryResult state,
        engine.Query(sql::Render(sql::Stmt::kSelectUserState, engine.dialect())));
    auto int_at = [](const std::optional<std::string>& v) -> std::optional<int64_t> {
      if (!v) return std::nullopt;
      return static_cast<int64_t>(std::stoll(*v));
    };
    for (const auto& row : state.rows) {
      users.Offer(row[0].value_or(""),
                  UserTable::Candidate{int_at(row[1]).value_or(0), int_at(row[2]), int_at(row[3]),
                                       row[4], row[5], row[6], row[7]});
    }
    SPARKIFY_ASSIGN_OR_RETURN(max_songplay_id, QueryInt(engine, sql::Stmt::kMaxSongplayId));
  }
  if (plays_wait) SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kCreateFactLoad));
  SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kCreateUpsertLoads));
  parse::CollectingSink sink;
  StageOptions stage_options;
  stage_options.threads = options.threads;
  stage_options.file_index_base = file_index_base;
  staged_files = files;
  EventStaging events;
  events.engine = &engine;
  events.source = &source;
  events.files = &staged_files;
  events.direct = true;
  events.stage_raw = options.keep_staging;
  events.plays = plays_wait ? &FactLoadSchema() : &FactSongplaySchema();
  events.first_songplay_id = max_songplay_id + 1;
  events.songs = &songs;
  events.options = stage_options;
  events.sink = &sink;
  SPARKIFY_RETURN_IF_ERROR(StageEventsOfRun(events, options, report, sink));
  {
    Phase phase(report.timings, "transform");
    UserTable fresh;
    for (PlayMapper& m : events.mappers) fresh.Merge(std::move(m.users()));
    const std::vector<std::string> changed = users.MergeChanged(std::move(fresh));
    SPARKIFY_RETURN_IF_ERROR(LoadRows(engine, UserLoadSchema(), [&](ColumnBatch& b, auto& flush) {
      users.AppendUserLoad(b, changed);
      flush();
    }));
    SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kUpsertUsers));
    {
      Phase times(report.timings, "transform.dim_time");
      SPARKIFY_RETURN_IF_ERROR(LoadTimes(engine, TimeLoadSchema(), events.start_times));
    }
    SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kInsertNewTimes));
    SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kDropUpsertLoads));
    if (plays_wait) SPARKIFY_RETURN_IF_ERROR(RunStatement(engine, sql::Stmt::kPublishFactLoad));
    log::Verbose(std::to_string(changed.size()) + " users added or updated, " +
                 std::to_string(report.plays_added) + " plays appended");
  }
  staged.push_back({FileKind::kEvents, &staged_files, &report.events});
  return Status::Ok();
}

}  // namespace sparkify::pipeline
