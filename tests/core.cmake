# Views, file-backed regions and the lifetime rules.
sr_test(test_views test_views.c)
sr_test(test_files test_files.c)
sr_test(test_lifetime test_lifetime.c)

# Rule 4 (DllMain does nothing risky under the loader lock), checked on the source.
add_test(NAME dllmain_rule COMMAND ${CMAKE_COMMAND} -DSOURCE=${CMAKE_SOURCE_DIR}/server/dllmain.c
         -P ${CMAKE_CURRENT_SOURCE_DIR}/check_dllmain.cmake)

# A file-backed region beyond 4 GiB from VBScript.
sr_script_test(script_vbs_bigfile ${CMAKE_CURRENT_SOURCE_DIR}/scripts/bigfile.vbs)

# The README's examples are built and run as they are, and their output is checked.
add_executable(example_hello ${CMAKE_SOURCE_DIR}/client/examples/hello.c)
target_link_libraries(example_hello PRIVATE sharedregion_ids ole32 oleaut32 uuid)
target_link_options(example_hello PRIVATE -static-libgcc)
add_test(NAME example_hello_c
    COMMAND ${CMAKE_COMMAND} -DWINE=${SR_WINE} -DPROGRAM=$<TARGET_FILE:example_hello>
            "-DEXPECT=wrote 13 bytes; the view \\(4096 bytes\\) reads: hello from C"
            "-DEXPECT_ERR=WriteInt32: offset 70000 \\+ count 4 is past the end of the region \\(65536 bytes\\)"
            -P ${CMAKE_CURRENT_SOURCE_DIR}/run_example.cmake)
add_test(NAME example_hello_vbs
    COMMAND ${CMAKE_COMMAND} -DWINE=${SR_WINE} -DSCRIPT=${CMAKE_SOURCE_DIR}/client/examples/hello.vbs
            -DEXPECT_FILE=${CMAKE_SOURCE_DIR}/client/examples/hello.vbs.expected -P ${CMAKE_CURRENT_SOURCE_DIR}/run_example.cmake)
# Both examples create "HelloSharedRegion", as the README shows: one at a time.
set_tests_properties(example_hello_c example_hello_vbs PROPERTIES
    FIXTURES_REQUIRED "prefix;registered" RESOURCE_LOCK hello_region)

# What differs by bitness (tests/test_bitness.c): Open measures without mapping, and the
# copy-on-write "map whole" rule in a 64-bit and a 32-bit address space.
sr_test(test_bitness test_bitness.c)
