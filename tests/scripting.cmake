# Registration every way, scripting from every host (issue 5).

# ---- the VBScript and JScript suites under cscript, in the build's own prefix (DLL registered) ----
sr_script_test(script_vbs_suite ${CMAKE_CURRENT_SOURCE_DIR}/scripts/suite.vbs)
sr_script_test(script_js_suite ${CMAKE_CURRENT_SOURCE_DIR}/scripts/suite.js)

# ---- registration and registration-free activation, in a second prefix of their own ----
# build/wineprefix-reg is created afresh for each run (regprefix_init) so that these tests never
# disturb the shared test prefix, and is used by one test at a time (RESOURCE_LOCK). The tests:
#   regfree_*              activation with no registry entries, from build/regfree (reg/CMakeLists.txt)
#   registry_machine       regsvr32: every key; twice; unregistering twice; before == after
#   registry_user          regsvr32 /n /i:user (HKCU\Software\Classes), the same checks
#   registry_both_scopes   both scopes at once: per-user unregistration keeps the machine-wide one
set(SR_REG_PREFIX ${CMAKE_BINARY_DIR}/wineprefix-reg)
# tlbcontrol: registers a type library of its own (not ours) per user or machine-wide, the control
# that tells where this system's RegisterTypeLibForUser/UnRegisterTypeLibForUser really act.
add_executable(tlbcontrol helpers/tlbcontrol.c)
target_link_libraries(tlbcontrol PRIVATE oleaut32 ole32 uuid)
target_link_options(tlbcontrol PRIVATE -static-libgcc -municode)
set(sr_regsh ${CMAKE_COMMAND} -E env SR_BITS=${SR_BITS} SR_PREFIX=${SR_REG_PREFIX} SR_WORK=${CMAKE_BINARY_DIR}/regtest
    SR_DLL=$<TARGET_FILE:sharedregion> SR_IDENTITY=${CMAKE_BINARY_DIR}/reg/identity.env
    SR_REG_DIR=${CMAKE_BINARY_DIR}/reg SR_TLBCONTROL=$<TARGET_FILE:tlbcontrol>
    bash ${CMAKE_CURRENT_SOURCE_DIR}/registration.sh)

add_test(NAME regprefix_init COMMAND ${sr_regsh} init)
set_tests_properties(regprefix_init PROPERTIES FIXTURES_SETUP regprefix RESOURCE_LOCK wineprefix-reg TIMEOUT 120)
add_test(NAME regprefix_stop COMMAND ${sr_regsh} stop)
set_tests_properties(regprefix_stop PROPERTIES FIXTURES_CLEANUP regprefix RESOURCE_LOCK wineprefix-reg)

# The registration-free test program, twice: without a manifest (it makes an activation context
# from example-app.exe.manifest) and with that manifest embedded as its resource 1 (RT_MANIFEST).
set(regfree_rc ${CMAKE_CURRENT_BINARY_DIR}/regfree_embedded.rc)
file(WRITE ${regfree_rc}.in "1 24 \"${CMAKE_BINARY_DIR}/reg/example-app.exe.manifest\"\n")
configure_file(${regfree_rc}.in ${regfree_rc} COPYONLY)
set_source_files_properties(${regfree_rc} PROPERTIES OBJECT_DEPENDS ${CMAKE_BINARY_DIR}/reg/example-app.exe.manifest)
foreach(variant test_regfree test_regfree_embedded)
    if(variant STREQUAL test_regfree_embedded)
        add_executable(${variant} test_regfree.c ${regfree_rc})
        target_compile_definitions(${variant} PRIVATE REGFREE_EMBEDDED)
    else()
        add_executable(${variant} test_regfree.c)
    endif()
    target_include_directories(${variant} PRIVATE ${CMOCKA_INCLUDE_DIR} ${CMAKE_CURRENT_SOURCE_DIR})
    target_link_libraries(${variant} PRIVATE ${CMOCKA_LIBRARY} sharedregion_ids ole32 oleaut32 uuid advapi32)
    target_link_options(${variant} PRIVATE -static-libgcc)
    set_target_properties(${variant} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/regfree)
    add_dependencies(${variant} sharedregion sharedregion_reg)
    add_test(NAME ${variant} COMMAND ${sr_regsh} run $<TARGET_FILE:${variant}>
             WORKING_DIRECTORY ${CMAKE_BINARY_DIR}/regfree)
    set_tests_properties(${variant} PROPERTIES FIXTURES_REQUIRED regprefix RESOURCE_LOCK wineprefix-reg
                         DEPENDS regprefix_init TIMEOUT 120)
endforeach()

# The registry scenarios run after the registration-free tests, which need the DLL unregistered.
foreach(scope machine user both)
    set(name registry_${scope})
    if(scope STREQUAL both)
        set(name registry_both_scopes)
    endif()
    add_test(NAME ${name} COMMAND ${sr_regsh} ${scope})
    set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED regprefix RESOURCE_LOCK wineprefix-reg
                         DEPENDS "test_regfree;test_regfree_embedded" TIMEOUT 300)
endforeach()

# The manifests name this build's architecture: amd64 (x64) or x86.
if(SR_BITS EQUAL 64)
    set(sr_arch amd64)
else()
    set(sr_arch x86)
endif()
add_test(NAME regfree_manifest_architecture
    COMMAND ${CMAKE_COMMAND} "-DMANIFESTS=${CMAKE_BINARY_DIR}/reg/SharedRegion.SxS.manifest;${CMAKE_BINARY_DIR}/reg/example-app.exe.manifest"
            -DARCH=${sr_arch} -P ${CMAKE_CURRENT_SOURCE_DIR}/check_manifest_arch.cmake)
