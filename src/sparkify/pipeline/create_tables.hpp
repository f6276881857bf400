// create-tables: drop whatever sparkify tables exist and create blank staging, star and
// load_errors tables, in one transaction.
#pragma once

#include "sparkify/common/error.hpp"
#include "sparkify/engine/engine.hpp"

namespace sparkify::pipeline {

// Runs the create-tables statements inside the caller's transaction (no Begin/Commit).
Status CreateTablesInTransaction(engine::Engine& engine);
// Begin, CreateTablesInTransaction, Commit; rolls back on failure.
Status CreateTables(engine::Engine& engine);

}  // namespace sparkify::pipeline
