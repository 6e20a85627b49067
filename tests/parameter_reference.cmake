# doc/parameters.md is the output of `npde --print-parameters markdown`: this
# test fails when a parameter was added, removed or documented differently
# without regenerating the reference.
execute_process(COMMAND ${PROGRAM} --print-parameters markdown
  RESULT_VARIABLE _status OUTPUT_VARIABLE _generated)
if(NOT _status EQUAL 0)
  message(FATAL_ERROR "npde --print-parameters markdown failed")
endif()
file(READ ${REFERENCE} _committed)
if(NOT _generated STREQUAL _committed)
  message(FATAL_ERROR "doc/parameters.md is out of date. Regenerate it with\n"
    "  build/npde --print-parameters markdown > doc/parameters.md")
endif()
string(REGEX MATCHALL "\n\\| [^|\n]+ \\| " _rows "${_committed}")
list(LENGTH _rows _n)
if(_n LESS 40)
  message(FATAL_ERROR "doc/parameters.md lists only ${_n} parameters")
endif()
message(STATUS "doc/parameters.md is up to date (${_n} table rows)")
