# Views, file-backed regions and the lifetime rules.
sr_test(test_views test_views.c)
sr_test(test_files test_files.c)
sr_test(test_lifetime test_lifetime.c)

# Rule 4 (DllMain does nothing risky under the loader lock), checked on the source.
add_test(NAME dllmain_rule COMMAND ${CMAKE_COMMAND} -DSOURCE=${CMAKE_SOURCE_DIR}/server/dllmain.c
         -P ${CMAKE_CURRENT_SOURCE_DIR}/check_dllmain.cmake)

# A file-backed region beyond 4 GiB from VBScript.
sr_script_test(script_vbs_bigfile ${CMAKE_CURRENT_SOURCE_DIR}/scripts/bigfile.vbs)
