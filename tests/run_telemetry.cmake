# The README's "Reading what other programs publish" example, run as it is: the C publisher (no COM)
# and client/examples/telemetry.vbs at the same time; both must exit 0 and the script's output must
# equal the expected file (the last frame's exact values; every earlier frame is checked by the script).
#   -DWINE=wine.sh -DPUBLISHER=publisher.exe -DSCRIPT=telemetry.vbs -DEXPECT_FILE=file -DNAME=name
execute_process(COMMAND ${WINE} winpath ${SCRIPT} OUTPUT_VARIABLE winscript OUTPUT_STRIP_TRAILING_WHITESPACE)
# One pipeline runs both at once (the publisher's stdout goes to the script's stdin, which it ignores):
# once the script says it is ready, 40 frames 100 ms apart, then the last frame stays for 3 s. "strict":
# the event lets everyone, this user included, open it only to wait, so the script's WaitSignal can
# only work if SharedRegion asks for no more than SYNCHRONIZE.
execute_process(COMMAND ${WINE} run ${PUBLISHER} ${NAME} 40 100 3000 wait strict
                COMMAND ${WINE} cscript //nologo ${winscript} ${NAME} handshake
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULTS_VARIABLE rcs TIMEOUT 120)
string(REPLACE "\r\n" "\n" out "${out}")
message("${out}${err}")
if(NOT rcs STREQUAL "0;0")
    message(FATAL_ERROR "exit codes (publisher;script) ${rcs}, expected 0;0")
endif()
file(READ ${EXPECT_FILE} expected)
if(NOT out STREQUAL expected)
    message(FATAL_ERROR "output differs from ${EXPECT_FILE}")
endif()
