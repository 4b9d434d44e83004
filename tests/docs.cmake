# The documentation and the version stamp (issue 18).

# Every binary of this build carries the product version (project(VERSION)) in its VERSIONINFO.
add_test(NAME versioninfo_sharedregion_dll
    COMMAND ${CMAKE_COMMAND} -DFILE=$<TARGET_FILE:sharedregion> -DVERSION=${PROJECT_VERSION} -DORIGINAL=sharedregion.dll
            -P ${CMAKE_CURRENT_SOURCE_DIR}/check_versioninfo.cmake)
add_test(NAME versioninfo_srclient_exe
    COMMAND ${CMAKE_COMMAND} -DFILE=$<TARGET_FILE:srclient> -DVERSION=${PROJECT_VERSION} -DORIGINAL=srclient.exe
            -P ${CMAKE_CURRENT_SOURCE_DIR}/check_versioninfo.cmake)

# The reference and the links are the same for both builds: the x64 build checks them
# (docs/CMakeLists.txt generates the reference there).
if(SR_BITS EQUAL 64)
    # The generated reference lists every member, parameter, helpstring and enum value of the IDL
    # (read on its own).
    add_test(NAME api_reference_lists_every_member
        COMMAND ${CMAKE_COMMAND} -DIDL=${CMAKE_SOURCE_DIR}/idl/sharedregion.idl
                -DREF=${CMAKE_BINARY_DIR}/docs/api-reference.md -P ${CMAKE_SOURCE_DIR}/docs/check_reference.cmake)
    # The committed docs/reference.md is that generated reference, byte for byte.
    add_test(NAME reference_md_is_current
        COMMAND ${CMAKE_COMMAND} -DGENERATED=${CMAKE_BINARY_DIR}/docs/api-reference.md
                -DCOMMITTED=${CMAKE_SOURCE_DIR}/docs/reference.md -P ${CMAKE_CURRENT_SOURCE_DIR}/check_reference_copy.cmake)
    # No link in README.md or docs/ points outside the repository; relative links and anchors resolve.
    add_test(NAME docs_links_stay_in_the_repository
        COMMAND ${SR_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/check_links.py ${CMAKE_SOURCE_DIR})
    # The install commands name this version's packages.
    add_test(NAME docs_name_this_versions_packages
        COMMAND ${CMAKE_COMMAND} -DSRC=${CMAKE_SOURCE_DIR} -DVERSION=${PROJECT_VERSION}
                -P ${CMAKE_CURRENT_SOURCE_DIR}/check_package_names.cmake)
    # The checker itself, on a fixture with three good links and four bad ones (a web address, a
    # missing file, a missing heading, a path out of the tree) and a URL in a code block it must skip.
    add_test(NAME docs_link_checker_finds_bad_links
        COMMAND ${SR_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/check_links.py ${CMAKE_CURRENT_SOURCE_DIR}/links_fixture)
    set_tests_properties(docs_link_checker_finds_bad_links PROPERTIES PASS_REGULAR_EXPRESSION "links: 3 passed, 4 failed")
endif()
