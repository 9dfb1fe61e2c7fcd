# Run at build time after each test binary links (CMakeLists.txt, perfmc_tests): the binary must
# list its tests, exit normally and list at least one. Catch's own discovery (catch_discover_tests)
# takes a crash while listing, such as a sanitizer report before main, for an empty list and
# registers nothing, so that ctest would pass with the binary's tests missing.
execute_process(
  COMMAND "${TEST_EXECUTABLE}" --list-test-names-only
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err
  RESULT_VARIABLE result)
# Catch 2 exits with the number of tests (modulo 256): any number is a normal exit
if(NOT result MATCHES "^[0-9]+$")
  message(FATAL_ERROR "${TEST_EXECUTABLE} --list-test-names-only did not exit normally (${result}):\n${err}")
endif()
string(STRIP "${out}" out)
if(out STREQUAL "")
  message(FATAL_ERROR "${TEST_EXECUTABLE} --list-test-names-only lists no tests:\n${err}")
endif()
