# Runs PROGRAM with ARGUMENTS (a ;-separated list) and checks its exit status
# and its output (stdout + stderr) against REGEX. With SHOULD_FAIL=ON the
# program must exit non-zero, otherwise with 0. Optionally, EXPECT_FILES (a
# '|'-separated list) must exist afterwards, and the file CHECK_FILE must
# match CHECK_REGEX. SETUP_COPY ("source|destination", the destination
# relative to the run's directory), if set, is copied before the run, so
# that every run starts from the same files.
if(SETUP_COPY)
  string(REPLACE "|" ";" _copy "${SETUP_COPY}")
  list(GET _copy 0 _source)
  list(GET _copy 1 _destination)
  configure_file("${_source}" "${_destination}" COPYONLY)
endif()
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
if(EXPECT_FILES)
  string(REPLACE "|" ";" _files "${EXPECT_FILES}")
  foreach(_file ${_files})
    if(NOT EXISTS "${_file}")
      message(FATAL_ERROR "the run did not write ${_file}. Output:\n${_all}")
    endif()
  endforeach()
endif()
if(CHECK_FILE)
  file(READ "${CHECK_FILE}" _content)
  if(NOT _content MATCHES "${CHECK_REGEX}")
    message(FATAL_ERROR "${CHECK_FILE} does not match \"${CHECK_REGEX}\":\n${_content}")
  endif()
endif()
message(STATUS "exit status ${_status}, output matches: ${REGEX}\n${_all}")
