# Test (cmake -P): the committed docs/reference.md is exactly what the build generates from the
# type library (build/docs/api-reference.md), so readers of the repository see every member.
#   -DGENERATED=build/docs/api-reference.md -DCOMMITTED=docs/reference.md
# When the IDL changes, the generated file changes and this fails until the copy is refreshed:
#   cp build/docs/api-reference.md docs/reference.md
cmake_minimum_required(VERSION 3.20)
foreach(f GENERATED COMMITTED)
    if(NOT EXISTS "${${f}}")
        message(FATAL_ERROR "no ${${f}}")
    endif()
endforeach()
file(READ "${GENERATED}" generated)
file(READ "${COMMITTED}" committed)
if(NOT generated STREQUAL committed)
    find_program(DIFF diff)
    if(DIFF)
        execute_process(COMMAND ${DIFF} -u "${COMMITTED}" "${GENERATED}")
    endif()
    message(FATAL_ERROR "docs/reference.md differs from the reference the build generates from the type library: "
                        "refresh it with  cp ${GENERATED} ${COMMITTED}")
endif()
string(REGEX MATCHALL "\n### " sections "${committed}")
list(LENGTH sections n)
message("docs/reference.md is the generated reference, byte for byte (${n} member sections)")
