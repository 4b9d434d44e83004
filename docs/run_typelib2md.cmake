# Build step (cmake -P): run typelib2md.exe through Wine on the DLL's type library.
#   -DWINE=<build>/wine.sh -DTOOL=typelib2md.exe -DINPUT=sharedregion.dll -DOUTPUT=api-reference.md
cmake_minimum_required(VERSION 3.20)
execute_process(COMMAND ${WINE} init RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "docs: the Wine prefix could not be created")
endif()
foreach(f INPUT OUTPUT)
    execute_process(COMMAND ${WINE} winpath ${${f}} OUTPUT_VARIABLE win_${f} OUTPUT_STRIP_TRAILING_WHITESPACE
                    RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0 OR NOT win_${f})
        message(FATAL_ERROR "docs: no Windows path for ${${f}}")
    endif()
endforeach()
get_filename_component(dir ${OUTPUT} DIRECTORY)
file(MAKE_DIRECTORY ${dir})
file(REMOVE ${OUTPUT})
execute_process(COMMAND ${WINE} run ${TOOL} ${win_INPUT} ${win_OUTPUT} RESULT_VARIABLE rc ERROR_VARIABLE err
                OUTPUT_VARIABLE out)
# The x86 build where 32-bit programs cannot run: no reference is generated (the build goes on), and
# the test that reads it reports itself skipped with wine.sh's reason.
if(rc EQUAL 77 AND out MATCHES "SKIP: 32-bit Wine is not available")
    string(STRIP "${out}" out)
    message(STATUS "docs: ${out}")
    return()
endif()
if(NOT rc EQUAL 0 OR NOT EXISTS ${OUTPUT})
    message(FATAL_ERROR "docs: typelib2md failed (exit code ${rc}): ${err}")
endif()
