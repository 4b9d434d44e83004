# The release packages (package/CMakeLists.txt), installed, used, upgraded and removed under Wine
# (tests/package.sh), each scenario in a fresh prefix of its own (build-x86/wineprefix-pkg, made
# afresh by each, one at a time). Registered in the x86 build that knows the x64 one
# (-DSR_PEER_BUILD), the build that makes the packages: .ci/test builds build/ and then build-x86/,
# so the packages exist when the suites run. msiexec and the checks are 64-bit programs; the 32-bit
# checks run where 32-bit programs can and are skipped with the reason elsewhere.
if(NOT SR_BITS EQUAL 32 OR NOT SR_PEER_BUILD)
    return()
endif()
find_program(SR_WIXL_FOR_TESTS wixl NO_CMAKE_FIND_ROOT_PATH)
set(sr_pkg ${CMAKE_BINARY_DIR}/package)
set(sr_pkgsh ${CMAKE_COMMAND} -E env SR_PREFIX=${CMAKE_BINARY_DIR}/wineprefix-pkg SR_WORK=${CMAKE_BINARY_DIR}/pkgtest
    SR_MSI=${sr_pkg}/SharedRegion-${PROJECT_VERSION}.msi SR_ZIP=${sr_pkg}/SharedRegion-${PROJECT_VERSION}.zip
    SR_STAGE=${sr_pkg}/stage SR_WIXL=${SR_WIXL_FOR_TESTS} SR_VERSION=${PROJECT_VERSION}
    SR_IDENTITY=${CMAKE_BINARY_DIR}/reg/identity.env SR_DLL64=${SR_PEER_BUILD}/sharedregion.dll
    SR_DLL86=$<TARGET_FILE:sharedregion> SR_CLIENT=${SR_PEER_BUILD}/client/srclient.exe
    bash ${CMAKE_CURRENT_SOURCE_DIR}/package.sh)
foreach(scenario install upgrade peruser zip)
    if(scenario STREQUAL zip)
        set(name package_zip_register_by_hand)
    else()
        set(name package_msi_${scenario})
    endif()
    add_test(NAME ${name} COMMAND ${sr_pkgsh} ${scenario})
    set_tests_properties(${name} PROPERTIES RESOURCE_LOCK wineprefix-pkg TIMEOUT 600)
endforeach()
# The MSI and the zip carry the version: their names, and the binaries' VERSIONINFO.
add_test(NAME versioninfo_packaged_x64_dll
    COMMAND ${CMAKE_COMMAND} -DFILE=${sr_pkg}/stage/x64/sharedregion.dll -DVERSION=${PROJECT_VERSION} -DORIGINAL=sharedregion.dll
            -P ${CMAKE_CURRENT_SOURCE_DIR}/check_versioninfo.cmake)
add_test(NAME versioninfo_packaged_srclient
    COMMAND ${CMAKE_COMMAND} -DFILE=${sr_pkg}/stage/srclient.exe -DVERSION=${PROJECT_VERSION} -DORIGINAL=srclient.exe
            -P ${CMAKE_CURRENT_SOURCE_DIR}/check_versioninfo.cmake)
