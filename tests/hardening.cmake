# Hardening (issue 7): a component loaded into other people's processes must never crash them,
# leak from them, or open their memory to others. Figures and threat model: docs/hardening.md.
sr_test(test_badinput test_badinput.c)
sr_test(test_leaks test_leaks.c)
target_link_libraries(test_leaks PRIVATE psapi)
sr_test(test_security test_security.c)
target_link_libraries(test_security PRIVATE advapi32)
sr_test(test_concurrency test_concurrency.c)
target_link_libraries(test_concurrency PRIVATE user32)
sr_test(test_fuzz test_fuzz.c)
sr_test(test_faults test_faults.c)
# The same program under an address-space limit (about 2.9 GiB: a 2 GiB allocation fails), so that
# out-of-memory paths can be driven for real.
# A 32-bit process needs no limit: its address space (2 GiB, 4 GiB under WoW64 when large-address
# aware) cannot hold 2 GiB in one piece beside the DLLs anyway, and Wine's 32-bit loader does not
# start under that limit at all.
if(SR_BITS EQUAL 64)
    add_test(NAME test_faults_oom
        COMMAND sh -c "ulimit -v 3000000 && exec \"$0\" run \"$1\" oom" ${SR_WINE} $<TARGET_FILE:test_faults>)
else()
    add_test(NAME test_faults_oom COMMAND ${SR_WINE} run $<TARGET_FILE:test_faults> oom)
endif()
set_tests_properties(test_faults_oom PROPERTIES FIXTURES_REQUIRED "prefix;registered" TIMEOUT 300)
