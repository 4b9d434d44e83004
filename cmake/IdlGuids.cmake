# sr_idl_identity(<idl file> <prefix>): the identities declared in idl/sharedregion.idl, read from
# the IDL itself so that no GUID is ever copied by hand into a second file. Sets, in the caller's
# scope (GUIDs in upper case, without braces):
#   <prefix>_LIBID  <prefix>_LIBVERSION  <prefix>_LIBNAME
#   <prefix>_CLSID  <prefix>_COCLASS  <prefix>_PROGID  <prefix>_VIPROGID  <prefix>_THREADING
#   <prefix>_IID_<Interface> for ISharedRegion, ISharedView and ISharedViewMemory
# Usable from a CMakeLists.txt and from a cmake -P script (the build-time generators).

# The uuid(...) of the attribute block right before the declaration that `pattern` matches.
function(_sr_idl_uuid_before content pattern out)
    string(REGEX MATCH "${pattern}" decl "${content}")
    if(NOT decl)
        message(FATAL_ERROR "IDL: no declaration matches '${pattern}'")
    endif()
    string(FIND "${content}" "${decl}" pos)
    string(SUBSTRING "${content}" 0 ${pos} head)
    string(FIND "${head}" "uuid(" u REVERSE)
    if(u EQUAL -1)
        message(FATAL_ERROR "IDL: no uuid before '${decl}'")
    endif()
    # The uuid must belong to this declaration's own attribute block: nothing in between may end
    # another declaration.
    string(SUBSTRING "${head}" ${u} -1 between)
    string(REPLACE "\\\"" "" code "${between}")            # escaped quotes inside strings
    string(REGEX REPLACE "\"[^\"]*\"" "" code "${code}")   # then the strings (helpstrings)
    if(code MATCHES "[;{}]")
        message(FATAL_ERROR "IDL: the uuid before '${decl}' belongs to another declaration")
    endif()
    math(EXPR u "${u} + 5")
    string(SUBSTRING "${head}" ${u} 36 guid)
    if(NOT guid MATCHES "^[0-9a-fA-F]+-[0-9a-fA-F]+-[0-9a-fA-F]+-[0-9a-fA-F]+-[0-9a-fA-F]+$")
        message(FATAL_ERROR "IDL: '${guid}' before '${decl}' is not a GUID")
    endif()
    string(TOUPPER "${guid}" guid)
    set(${out} "${guid}" PARENT_SCOPE)
    set(${out}_BLOCK "${between}" PARENT_SCOPE)
endfunction()

function(sr_idl_identity idl prefix)
    file(READ "${idl}" content)
    set(ws "[ \t\r\n]")
    # Comments out first (they may mention "library" or "interface"): /* ... */, then // to the end of a line.
    string(FIND "${content}" "/*" open)
    while(NOT open EQUAL -1)
        string(SUBSTRING "${content}" ${open} -1 rest)
        string(FIND "${rest}" "*/" close)
        if(close EQUAL -1)
            message(FATAL_ERROR "IDL: unterminated comment in ${idl}")
        endif()
        string(SUBSTRING "${content}" 0 ${open} before)
        math(EXPR close "${close} + 2")
        string(SUBSTRING "${rest}" ${close} -1 after)
        set(content "${before} ${after}")
        string(FIND "${content}" "/*" open)
    endwhile()
    string(REGEX REPLACE "//[^\n]*" "" content "${content}")

    _sr_idl_uuid_before("${content}" "\\]${ws}*library${ws}+[A-Za-z_0-9]+" libid)
    string(REGEX MATCH "library${ws}+([A-Za-z_0-9]+)" m "${content}")
    set(${prefix}_LIBNAME "${CMAKE_MATCH_1}" PARENT_SCOPE)
    string(REGEX MATCH "version\\(([0-9]+\\.[0-9]+)\\)" m "${libid_BLOCK}")
    if(NOT m)
        message(FATAL_ERROR "IDL: the library has no version(...)")
    endif()
    set(${prefix}_LIBVERSION "${CMAKE_MATCH_1}" PARENT_SCOPE)
    set(${prefix}_LIBID "${libid}" PARENT_SCOPE)

    _sr_idl_uuid_before("${content}" "\\]${ws}*coclass${ws}+[A-Za-z_0-9]+" clsid)
    string(REGEX MATCH "coclass${ws}+([A-Za-z_0-9]+)" m "${content}")
    set(${prefix}_COCLASS "${CMAKE_MATCH_1}" PARENT_SCOPE)
    set(${prefix}_CLSID "${clsid}" PARENT_SCOPE)
    foreach(attr progid vi_progid threading)
        string(REGEX MATCH "(^|[^_a-z])${attr}\\(\"?([^\")]+)\"?\\)" m "${clsid_BLOCK}")
        if(NOT m)
            message(FATAL_ERROR "IDL: the coclass has no ${attr}(...)")
        endif()
        string(TOUPPER "${attr}" up)
        string(REPLACE "VI_" "VI" up "${up}")
        set(${prefix}_${up} "${CMAKE_MATCH_2}" PARENT_SCOPE)
    endforeach()

    foreach(iface ISharedRegion ISharedView ISharedViewMemory)
        _sr_idl_uuid_before("${content}" "\\]${ws}*interface${ws}+${iface}${ws}*:" iid)
        set(${prefix}_IID_${iface} "${iid}" PARENT_SCOPE)
    endforeach()
endfunction()
