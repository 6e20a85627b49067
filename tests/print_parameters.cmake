# `npde --print-parameters` documents every parameter, and what it prints is a
# valid parameter file: running it (shortened) must succeed.
execute_process(COMMAND ${PROGRAM} --print-parameters
  RESULT_VARIABLE _status OUTPUT_FILE all_parameters.prm)
if(NOT _status EQUAL 0)
  message(FATAL_ERROR "npde --print-parameters failed")
endif()
file(READ all_parameters.prm _text)
foreach(_section Domain Model Time "State solver" Output)
  if(NOT _text MATCHES "subsection ${_section}")
    message(FATAL_ERROR "subsection ${_section} is missing from --print-parameters")
  endif()
endforeach()
execute_process(COMMAND ${PROGRAM} --set "Time/Number of steps=2"
  --set "Output/Directory=npde-output/print_parameters" all_parameters.prm
  RESULT_VARIABLE _status OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
if(NOT _status EQUAL 0)
  message(FATAL_ERROR "the printed parameters do not run:\n${_out}${_err}")
endif()
if(NOT EXISTS npde-output/print_parameters/parameters.prm OR
   NOT EXISTS npde-output/print_parameters/provenance.txt OR
   NOT EXISTS npde-output/print_parameters/solution.pvd)
  message(FATAL_ERROR "the run did not write parameters.prm, provenance.txt and solution.pvd")
endif()
message(STATUS "printed parameters run: ${_out}")
