# Views, file-backed regions and the lifetime rules.
sr_test(test_views test_views.c)
sr_test(test_files test_files.c)
sr_test(test_lifetime test_lifetime.c)
# The data members of every shape (typed, arrays, ReadInto, structs, encodings), regions and views.
sr_test(test_data test_data.c)
# Records: structs read by field name (ReadRecord, ReadRecords, ISharedRecord).
sr_test(test_records test_records.c)

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

# The codecs (numbers, encodings, struct formats), linked directly: no COM object in between.
# The struct and encoding vectors come from Python's own struct module and codecs, at build time.
find_program(SR_PYTHON3 python3 REQUIRED NO_CMAKE_FIND_ROOT_PATH)
add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/struct_vectors.h
    COMMAND ${SR_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/gen_struct_vectors.py ${CMAKE_CURRENT_BINARY_DIR}/struct_vectors.h
    DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/gen_struct_vectors.py
    COMMENT "Struct and encoding vectors from Python")
add_executable(test_codecs test_codecs.c ${CMAKE_CURRENT_BINARY_DIR}/struct_vectors.h
    ${CMAKE_SOURCE_DIR}/server/values.c ${CMAKE_SOURCE_DIR}/server/text.c ${CMAKE_SOURCE_DIR}/server/structfmt.c
    ${CMAKE_SOURCE_DIR}/server/fieldnames.c
    ${CMAKE_SOURCE_DIR}/server/args.c)
target_include_directories(test_codecs PRIVATE ${CMOCKA_INCLUDE_DIR} ${CMAKE_SOURCE_DIR}/server ${CMAKE_CURRENT_BINARY_DIR})
target_link_libraries(test_codecs PRIVATE ${CMOCKA_LIBRARY} sharedregion_ids ole32 oleaut32 uuid)
target_link_options(test_codecs PRIVATE -static-libgcc)
add_test(NAME test_codecs COMMAND test_codecs)
set_tests_properties(test_codecs PROPERTIES FIXTURES_REQUIRED prefix TIMEOUT 300)

# Reading what other programs publish: a plain Win32 publisher (its own section, mutex and wait-only
# event; no COM) and the VBScript example that reads its frames through Unpack.
add_executable(publisher helpers/publisher.c)
target_link_libraries(publisher PRIVATE advapi32)
target_link_options(publisher PRIVATE -static-libgcc -municode)
add_test(NAME example_telemetry_vbs
    COMMAND ${CMAKE_COMMAND} -DWINE=${SR_WINE} -DPUBLISHER=$<TARGET_FILE:publisher>
            -DSCRIPT=${CMAKE_SOURCE_DIR}/client/examples/telemetry.vbs
            -DEXPECT_FILE=${CMAKE_SOURCE_DIR}/client/examples/telemetry.vbs.expected -DNAME=SharedRegionTelemetry
            -P ${CMAKE_CURRENT_SOURCE_DIR}/run_telemetry.cmake)
set_tests_properties(example_telemetry_vbs PROPERTIES
    FIXTURES_REQUIRED "prefix;registered" RESOURCE_LOCK telemetry_region TIMEOUT 180)

# What differs by bitness (tests/test_bitness.c): Open measures without mapping, and the
# copy-on-write "map whole" rule in a 64-bit and a 32-bit address space.
sr_test(test_bitness test_bitness.c)
