# The README's examples that read a publisher, run as they are: a plain Win32 publisher and the script
# at the same time; both must exit 0 and the script's output must equal the expected file.
#   -DWINE=wine.sh -DPUBLISHER=exe -DSCRIPT=file.vbs -DEXPECT_FILE=file -DNAME=name
#   [-DPUBLISHER_ARGS="..." -DSCRIPT_ARGS="..."]   the arguments, as command lines (default: telemetry's)
# "Reading what other programs publish" (publisher.exe and client/examples/telemetry.vbs): the last
# frame's exact values are compared; every earlier frame is checked by the script. "Reading live data"
# (livepub.exe MODE NAME and client/examples/live_MODE.vbs): the script checks every frame it takes
# and sets the publisher's stop event when it is done.
if(NOT DEFINED PUBLISHER_ARGS)
    # Once the script says it is ready, 40 frames 100 ms apart, then the last frame stays for 3 s.
    # "strict": the event lets everyone, this user included, open it only to wait, so the script's
    # WaitSignal can only work if SharedRegion asks for no more than SYNCHRONIZE.
    set(PUBLISHER_ARGS "${NAME} 40 100 3000 wait strict")
    set(SCRIPT_ARGS "${NAME} handshake")
endif()
separate_arguments(publisher_args UNIX_COMMAND "${PUBLISHER_ARGS}")
separate_arguments(script_args UNIX_COMMAND "${SCRIPT_ARGS}")
execute_process(COMMAND ${WINE} winpath ${SCRIPT} OUTPUT_VARIABLE winscript OUTPUT_STRIP_TRAILING_WHITESPACE)
# One pipeline runs both at once (the publisher's stdout goes to the script's stdin, which it ignores).
execute_process(COMMAND ${WINE} run ${PUBLISHER} ${publisher_args}
                COMMAND ${WINE} cscript //nologo ${winscript} ${script_args}
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
