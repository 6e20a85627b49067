# Runs PROGRAM with ARGUMENTS and passes only if it exits non-zero AND its
# output (stdout + stderr) matches REGEX.
execute_process(COMMAND ${PROGRAM} ${ARGUMENTS}
  RESULT_VARIABLE _status OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
set(_all "${_out}${_err}")
string(REPLACE "\n" " " _flat "${_all}")
if(_status EQUAL 0)
  message(FATAL_ERROR "expected a non-zero exit status, got 0. Output:\n${_all}")
endif()
if(NOT _flat MATCHES "${REGEX}")
  message(FATAL_ERROR "the output does not match \"${REGEX}\". Output:\n${_all}")
endif()
message(STATUS "exit status ${_status}, message matches: ${REGEX}")
