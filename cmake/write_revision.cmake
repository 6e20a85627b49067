# Writes the current git revision into a C++ source file, touching the file
# only when the revision changed (so that nothing rebuilds needlessly).
execute_process(COMMAND git -C ${SOURCE_DIR} rev-parse --short=12 HEAD
  OUTPUT_VARIABLE _rev OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0 OR "${_rev}" STREQUAL "")
  set(_rev "unknown (not a git checkout)")
else()
  execute_process(COMMAND git -C ${SOURCE_DIR} status --porcelain --untracked-files=no
    OUTPUT_VARIABLE _dirty OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(NOT "${_dirty}" STREQUAL "")
    set(_rev "${_rev}-modified")
  endif()
endif()
set(_text "namespace npde { const char *git_revision() { return \"${_rev}\"; } }\n")
if(EXISTS ${OUTPUT})
  file(READ ${OUTPUT} _old)
endif()
if(NOT "${_old}" STREQUAL "${_text}")
  file(WRITE ${OUTPUT} "${_text}")
endif()
