# Cross-process tests (issue 4): real processes started with CreateProcess: the client
# (client/srclient.exe, found from the test's own directory as ..\client\srclient.exe) and
# rawsection.exe, a helper that uses the Win32 mapping calls directly and no COM.
add_executable(rawsection helpers/rawsection.c)
target_link_options(rawsection PRIVATE -static-libgcc -municode)

sr_test(test_crossprocess test_crossprocess.c)
add_dependencies(test_crossprocess srclient rawsection)
set_tests_properties(test_crossprocess PROPERTIES TIMEOUT 240)
