# Runs PROGRAM with ARGUMENTS (a ;-separated list) and checks its exit status
# and its output (stdout + stderr) against REGEX. With SHOULD_FAIL=ON the
# program must exit non-zero, otherwise with 0.
execute_process(COMMAND ${PROGRAM} ${ARGUMENTS}
  RESULT_VARIABLE _status OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
set(_all "${_out}${_err}")
string(REPLACE "\n" " " _flat "${_all}")
if(SHOULD_FAIL AND _status EQUAL 0)
  message(FATAL_ERROR "expected a non-zero exit status, got 0. Output:\n${_all}")
endif()
if(NOT SHOULD_FAIL AND NOT _status EQUAL 0)
  message(FATAL_ERROR "expected exit status 0, got ${_status}. Output:\n${_all}")
endif()
if(NOT _flat MATCHES "${REGEX}")
  message(FATAL_ERROR "the output does not match \"${REGEX}\". Output:\n${_all}")
endif()
message(STATUS "exit status ${_status}, output matches: ${REGEX}\n${_all}")
