# Cross-process tests (issue 4): real processes started with CreateProcess: the client
# (client/srclient.exe, found from the test's own directory as ..\client\srclient.exe) and
# rawsection.exe, a helper that uses the Win32 mapping calls directly and no COM.
add_executable(rawsection helpers/rawsection.c)
target_link_options(rawsection PRIVATE -static-libgcc -municode)

sr_test(test_crossprocess test_crossprocess.c)
add_dependencies(test_crossprocess srclient rawsection)
set_tests_properties(test_crossprocess PROPERTIES TIMEOUT 240)

# A 32-bit and a 64-bit process on one region, its lock and its signal, both ways, and a
# file-backed region beyond 4 GiB (tests/crossbitness.sh): in the x86 build, when it is told where
# the x64 build is (-DSR_PEER_BUILD=<x64 build directory>, as .ci/test does).
set(SR_PEER_BUILD "" CACHE PATH "x86 build: the x64 build directory, for the cross-bitness test")
if(SR_BITS EQUAL 32 AND SR_PEER_BUILD)
    add_test(NAME crossbitness COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/crossbitness.sh ${CMAKE_BINARY_DIR} ${SR_PEER_BUILD})
    set_tests_properties(crossbitness PROPERTIES FIXTURES_REQUIRED "prefix;registered" TIMEOUT 300
                         DEPENDS regsvr32)
endif()
