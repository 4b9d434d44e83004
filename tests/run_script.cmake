# Run one script under cscript in the build's Wine prefix and require its result line:
# the script must print "RESULT: N passed, 0 failed" with N > 0 (cscript prints nothing and
# exits 0 when a script dies of an error, so a missing line is a failure).
execute_process(COMMAND ${WINE} winpath ${SCRIPT} OUTPUT_VARIABLE winscript OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND ${WINE} cscript //nologo ${winscript} ${ARGS}
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
message("${out}")
if(err)
    message("${err}")
endif()
if(NOT out MATCHES "RESULT: ([0-9]+) passed, ([0-9]+) failed")
    message(FATAL_ERROR "no result line from ${SCRIPT} (exit code ${rc}): the script died before its end")
endif()
if(NOT CMAKE_MATCH_2 EQUAL 0 OR CMAKE_MATCH_1 EQUAL 0)
    message(FATAL_ERROR "${SCRIPT}: ${CMAKE_MATCH_1} passed, ${CMAKE_MATCH_2} failed")
endif()
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${SCRIPT}: cscript exited with ${rc}")
endif()
