# cmake -DCONFIG=<compile_fail_config.cmake> -DSOURCE=<file.cpp> -P check_compile_fail.cmake
#
# Passes only when SOURCE fails to compile AND the compiler's output matches the
# CMake regex on SOURCE's first line, `// expect: <regex>`. A source that fails for
# another reason (a typo, a missing header) must not count as a pass.
include("${CONFIG}")  # TENET_CXX, TENET_CXX_FLAGS

file(STRINGS "${SOURCE}" first_line LIMIT_COUNT 1)
if(NOT first_line MATCHES "^// expect: (.+)$")
  message(FATAL_ERROR "${SOURCE}: the first line must be `// expect: <regex>`")
endif()
string(STRIP "${CMAKE_MATCH_1}" expect)

execute_process(
  COMMAND "${TENET_CXX}" ${TENET_CXX_FLAGS} -fsyntax-only "${SOURCE}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)

if(rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but must fail with /${expect}/")
endif()
if(NOT out MATCHES "${expect}")
  message(FATAL_ERROR "${SOURCE} failed to compile, but its output does not match "
                      "/${expect}/:\n${out}")
endif()
message(STATUS "${SOURCE}: fails to compile as expected (/${expect}/)")
