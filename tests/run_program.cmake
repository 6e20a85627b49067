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
#
# For runs that must not hang, crash or fill the machine: TIME_LIMIT (in
# seconds) ends the run, MEMORY_LIMIT_KB (ulimit -v) and FILE_SIZE_LIMIT_KB
# (ulimit -f, with SIGXFSZ ignored, so that a write beyond it fails as on a
# full disk) limit it. LAUNCHER (a ;-separated list, e.g. mpirun -np 2)
# comes before the program. FIRST_ARGUMENTS, if set, are run first (they
# must succeed), in the same directory: a run that leaves a checkpoint for
# the run under test. FORBIDDEN_REGEX must not match the output, and no file
# may match the glob FORBIDDEN_FILES afterwards.
set(_limits "")
if(MEMORY_LIMIT_KB)
  string(APPEND _limits "ulimit -v ${MEMORY_LIMIT_KB} && ")
endif()
if(FILE_SIZE_LIMIT_KB)
  # (Open MPI's PMIx keeps its data store in files larger than such a
  # limit; its hash store needs none.)
  set(ENV{PMIX_MCA_gds} "hash")
  string(APPEND _limits "trap '' XFSZ && ulimit -f ${FILE_SIZE_LIMIT_KB} && ")
endif()
if(NOT TIME_LIMIT)
  set(TIME_LIMIT 600)
endif()
set(_command ${LAUNCHER} ${PROGRAM})
if(_limits)
  # (no ';' in the script: CMake would split the list there)
  set(_command /bin/bash -c "${_limits}exec \"$@\"" npde ${_command})
endif()
if(FIRST_ARGUMENTS)
  execute_process(COMMAND ${LAUNCHER} ${PROGRAM} ${FIRST_ARGUMENTS}
    RESULT_VARIABLE _status OUTPUT_VARIABLE _out ERROR_VARIABLE _err
    TIMEOUT ${TIME_LIMIT})
  if(NOT _status EQUAL 0)
    message(FATAL_ERROR "the first run failed (${_status}):\n${_out}${_err}")
  endif()
endif()
execute_process(COMMAND ${_command} ${ARGUMENTS}
  RESULT_VARIABLE _status OUTPUT_VARIABLE _out ERROR_VARIABLE _err
  TIMEOUT ${TIME_LIMIT})
set(_all "${_out}${_err}")
string(REPLACE "\n" " " _flat "${_all}")
if(NOT _status MATCHES "^[0-9]+$")
  # (a timeout, or a signal: "Process terminated due to timeout", "Segmentation fault")
  message(FATAL_ERROR "the run did not end normally: ${_status}. Output:\n${_all}")
endif()
if(FORBIDDEN_REGEX AND _flat MATCHES "${FORBIDDEN_REGEX}")
  message(FATAL_ERROR "the output matches \"${FORBIDDEN_REGEX}\", which it must not. Output:\n${_all}")
endif()
if(FORBIDDEN_FILES)
  file(GLOB_RECURSE _found ${FORBIDDEN_FILES})
  if(_found)
    message(FATAL_ERROR "the run left ${_found} behind. Output:\n${_all}")
  endif()
endif()
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
