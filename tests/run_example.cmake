# Run an example script under cscript and require exactly the output the README shows.
execute_process(COMMAND ${WINE} winpath ${SCRIPT} OUTPUT_VARIABLE winscript OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND ${WINE} run cscript //nologo ${winscript} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
file(READ ${EXPECT} expected)
string(REPLACE "\r\n" "\n" out "${out}")
message("${out}")
if(NOT out STREQUAL expected)
    message(FATAL_ERROR "output differs from ${EXPECT} (exit code ${rc})")
endif()
