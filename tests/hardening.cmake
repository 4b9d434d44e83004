# Hardening (issue 7): a component loaded into other people's processes must never crash them,
# leak from them, or open their memory to others. Figures and threat model: docs/hardening.md.
sr_test(test_badinput test_badinput.c)
sr_test(test_leaks test_leaks.c)
target_link_libraries(test_leaks PRIVATE psapi)
sr_test(test_security test_security.c)
target_link_libraries(test_security PRIVATE advapi32)
sr_test(test_concurrency test_concurrency.c)
sr_test(test_fuzz test_fuzz.c)
