cmake_minimum_required(VERSION 3.20)
# Rule 4 of the contract, checked on the source: DllMain calls nothing but
# DisableThreadLibraryCalls on attach; on detach it returns at once when `reserved` is
# non-NULL (process exit) and otherwise calls only release_typelib (dispatch.c), which in turn only
# releases the cached type info and frees the name tables built from it, and format_cache_free, which
# frees the parsed struct formats, snapshot_unload, which frees the spare snapshot objects and the
# cached snapshot blocks, and keeper_unload, which gives the lock keepers' thread-local slot back.
# Any other call in those bodies fails this test.
file(READ ${SOURCE} src)
get_filename_component(SOURCE_DIR ${SOURCE} DIRECTORY)

function(body_of name out)
    string(FIND "${src}" "${name}(" start)
    if(start EQUAL -1)
        message(FATAL_ERROR "${name} not found in ${SOURCE}")
    endif()
    string(SUBSTRING "${src}" ${start} -1 rest)
    string(FIND "${rest}" "\n}\n" end)
    string(SUBSTRING "${rest}" 0 ${end} body)
    set(${out} "${body}" PARENT_SCOPE)
endfunction()

function(check_calls name allowed)
    body_of(${name} body)
    string(REGEX MATCHALL "[A-Za-z_][A-Za-z_0-9]*[ ]*\\(" calls "${body}")
    foreach(c ${calls})
        string(REGEX REPLACE "[ ]*\\($" "" c "${c}")
        if(NOT c IN_LIST allowed)
            message(FATAL_ERROR "${name} calls ${c}(): only ${allowed} are allowed under the loader lock")
        endif()
    endforeach()
    message(STATUS "${name}: calls only ${allowed}")
endfunction()

check_calls("BOOL WINAPI DllMain" "DllMain;switch;if;DisableThreadLibraryCalls;release_typelib;format_cache_free;snapshot_unload;keeper_unload")
# The type-info cache lives with the rest of IDispatch (dispatch.c).
file(READ ${SOURCE_DIR}/dispatch.c src)
check_calls("void release_typelib" "release_typelib;for;if;ARRAY_SIZE;ITypeInfo_Release;ITypeLib_Release;HeapFree;GetProcessHeap")
# The struct formats' cache (structfmt.c) likewise only drops references and frees heap memory.
file(READ ${SOURCE_DIR}/structfmt.c src)
check_calls("void format_cache_free" "format_cache_free;for;if;ARRAY_SIZE;InterlockedDecrement;format_free")
check_calls("static void format_free" "format_free;HeapFree;GetProcessHeap")
# The spare snapshot objects and cached snapshot blocks (snapshot.c) go back to the heap and the
# system, with no lock taken.
file(READ ${SOURCE_DIR}/snapshot.c src)
check_calls("void snapshot_unload" "snapshot_unload;for;if;HeapFree;GetProcessHeap;InterlockedExchangePointer;VirtualFree")
# The lock keepers' thread-local slot (sync.c) goes back with TlsFree and nothing else.
file(READ ${SOURCE_DIR}/sync.c src)
check_calls("void keeper_unload" "keeper_unload;if;TlsFree")
file(READ ${SOURCE} src)

body_of("BOOL WINAPI DllMain" dllmain)
string(FIND "${dllmain}" "if (reserved) break;" exit_check)
string(FIND "${dllmain}" "release_typelib()" release_call)
if(exit_check EQUAL -1 OR release_call EQUAL -1 OR exit_check GREATER release_call)
    message(FATAL_ERROR "DllMain must return on process exit (reserved != NULL) before it frees anything")
endif()
message(STATUS "DllMain touches nothing on process exit")
