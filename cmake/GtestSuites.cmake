# Registers the GoogleTest tests of ${SPARKIFY_TEST_BINARY} with CTest in groups: the tests of one
# suite, at most ${SPARKIFY_TESTS_PER_GROUP} per group, run in one process
# (--gtest_filter=Suite.a:Suite.b:...). Included by CTest itself (TEST_INCLUDE_FILES), so the list
# is read when ctest starts, from the binary that was just built.
#
# Why: gtest_discover_tests starts one process per test. Under ASan+UBSan a process of the test
# binary takes ~0.4 s to start and exit, which over ~800 tests was a third of the sanitizer
# suite's time. Groups pay it ~150 times instead, and stay small enough that CTest can spread
# them over the cores even on a first run (no timing history yet to schedule long ones first).
# The tests of a suite share a fixture and are written to run in one process, as
# `sparkify_tests` without a filter runs them.
#
# Inputs: SPARKIFY_TEST_BINARY, SPARKIFY_TEST_TIMEOUT (seconds per group),
# SPARKIFY_TESTS_PER_GROUP.
cmake_policy(VERSION 3.20)  # if() takes TRUE/FALSE as booleans (CMP0012)
execute_process(
  COMMAND "${SPARKIFY_TEST_BINARY}" --gtest_list_tests
  OUTPUT_VARIABLE listing
  ERROR_VARIABLE listing_error
  RESULT_VARIABLE listing_status
  TIMEOUT 60)
if(NOT listing_status EQUAL 0)
  # A test that fails, instead of an empty run that would look green.
  message(WARNING "cannot list the tests of ${SPARKIFY_TEST_BINARY}: ${listing_status} ${listing_error}")
  add_test(list_gtest_tests "${CMAKE_COMMAND}" -E false)
  return()
endif()

set(group_count 0)
set(suite "")
set(group_tests "")
set(group_size 0)
set(group_index 0)
# Adds the group collected so far as one CTest test ("Suite" or, for a split suite, "Suite#2").
macro(flush_group last_of_suite)
  if(group_size GREATER 0)
    math(EXPR group_index "${group_index} + 1")
    set(group_name "${suite}")
    if(group_index GREATER 1 OR NOT ${last_of_suite})
      set(group_name "${suite}#${group_index}")
    endif()
    add_test("${group_name}" "${SPARKIFY_TEST_BINARY}" "--gtest_filter=${group_tests}")
    set_tests_properties("${group_name}" PROPERTIES TIMEOUT "${SPARKIFY_TEST_TIMEOUT}")
    math(EXPR group_count "${group_count} + 1")
  endif()
  set(group_tests "")
  set(group_size 0)
endmacro()

string(REPLACE "\n" ";" listing_lines "${listing}")
foreach(line IN LISTS listing_lines)
  # Suite lines start in column 0 and end in "." (typed suites add "  # TypeParam = ...");
  # test lines are indented ("  Name" or "  Name/0  # GetParam() = ..."); gtest_main's
  # "Running main() from ..." matches neither.
  if(line MATCHES "^([^ #][^ ]*)\\.(  #.*)?$")
    flush_group(TRUE)
    set(suite "${CMAKE_MATCH_1}")
    set(group_index 0)
  elseif(line MATCHES "^  ([^ ]+)" AND NOT suite STREQUAL "")
    if(group_size EQUAL SPARKIFY_TESTS_PER_GROUP)
      flush_group(FALSE)
    endif()
    if(group_size GREATER 0)
      string(APPEND group_tests ":")
    endif()
    string(APPEND group_tests "${suite}.${CMAKE_MATCH_1}")
    math(EXPR group_size "${group_size} + 1")
  endif()
endforeach()
flush_group(TRUE)
if(group_count EQUAL 0)
  message(WARNING "${SPARKIFY_TEST_BINARY} lists no tests")
  add_test(list_gtest_tests "${CMAKE_COMMAND}" -E false)
endif()
