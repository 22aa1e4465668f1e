# Writes roiwatch.conf.5 (OUT) from its template (TEMPLATE): the template's
# line @ROIWATCH_OPTIONS@ becomes what `roiwatch check-config --options --man`
# (ROIWATCH) prints from the option table, so the manual lists every option
# the program knows, with its type, bounds, default and help.
# Usage: cmake -DROIWATCH=... -DTEMPLATE=... -DOUT=... -P man-options.cmake
foreach(v ROIWATCH TEMPLATE OUT)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "man-options.cmake: ${v} is not set")
  endif()
endforeach()
execute_process(COMMAND ${ROIWATCH} check-config --options --man
                OUTPUT_VARIABLE options RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR options STREQUAL "")
  message(FATAL_ERROR "man-options.cmake: ${ROIWATCH} check-config --options --man"
                      " failed (${rc}): ${err}")
endif()
file(READ ${TEMPLATE} text)
string(FIND "${text}" "\n@ROIWATCH_OPTIONS@\n" at)
if(at EQUAL -1)
  message(FATAL_ERROR "man-options.cmake: ${TEMPLATE} lacks the line @ROIWATCH_OPTIONS@")
endif()
string(REPLACE "\n@ROIWATCH_OPTIONS@\n" "\n${options}" text "${text}")
# Written only when it changed, so that a rebuild of roiwatch alone does not
# touch the page.
file(WRITE ${OUT}.tmp "${text}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.tmp ${OUT})
file(REMOVE ${OUT}.tmp)
