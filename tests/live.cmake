# Live data (issue 17): Snapshot under each publisher protocol, the snapshot object and WaitChange,
# against livepub.exe (tests/helpers/livepub.c: plain Win32, no COM), which runs as another process and
# rewrites self-checking frames at full speed; and one VBScript example per protocol, run against it.
add_executable(livepub helpers/livepub.c)
target_link_options(livepub PRIVATE -static-libgcc -municode)

sr_test(test_live test_live.c)
add_dependencies(test_live livepub)

# client/examples/live_<protocol>.vbs, each against livepub in that protocol: every frame checked,
# the output compared with live_<protocol>.vbs.expected. The examples' publisher writes a frame a
# millisecond (1 kHz, a fast telemetry rate) rather than spinning a core: test_live is the stress test.
# Its own timeout is 60 s; the script sets its stop event when it is done.
foreach(mode seq pair tick lock)
    string(SUBSTRING ${mode} 0 1 initial)
    string(SUBSTRING ${mode} 1 -1 rest)
    string(TOUPPER ${initial} initial)
    add_test(NAME example_live_${mode}_vbs
        COMMAND ${CMAKE_COMMAND} -DWINE=${SR_WINE} -DPUBLISHER=$<TARGET_FILE:livepub>
                "-DPUBLISHER_ARGS=${mode} SharedRegionLive${initial}${rest} --ms 60000 --gap-us 1000"
                -DSCRIPT_ARGS=SharedRegionLive${initial}${rest} -DSCRIPT=${CMAKE_SOURCE_DIR}/client/examples/live_${mode}.vbs
                -DEXPECT_FILE=${CMAKE_SOURCE_DIR}/client/examples/live_${mode}.vbs.expected
                -P ${CMAKE_CURRENT_SOURCE_DIR}/run_telemetry.cmake)
    set_tests_properties(example_live_${mode}_vbs PROPERTIES FIXTURES_REQUIRED "prefix;registered" TIMEOUT 180)
endforeach()

# srclient watch against livepub: a seq publisher recorded to CSV under the guard (no torn row, every
# row checked against the publisher's formulas), to JSON Lines, and a publisher that stops.
add_test(NAME srclient_watch
    COMMAND ${CMAKE_COMMAND} -E env SR_VERSION=${PROJECT_VERSION}
            bash ${CMAKE_CURRENT_SOURCE_DIR}/watch.sh ${SR_WINE} $<TARGET_FILE:srclient> $<TARGET_FILE:livepub>
            ${CMAKE_CURRENT_BINARY_DIR}/watch)
set_tests_properties(srclient_watch PROPERTIES FIXTURES_REQUIRED "prefix;registered" TIMEOUT 300
                     FAIL_REGULAR_EXPRESSION "FAILED")
