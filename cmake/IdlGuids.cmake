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

# The IDL's text without its comments (they may mention "library" or "interface"): /* ... */, then //
# to the end of a line.
function(_sr_idl_read_without_comments idl out)
    file(READ "${idl}" content)
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
    set(${out} "${content}" PARENT_SCOPE)
endfunction()

function(sr_idl_identity idl prefix)
    _sr_idl_read_without_comments("${idl}" content)
    set(ws "[ \t\r\n]")

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

# sr_idl_typelib_registration(<idl file> <prefix>): what RegisterTypeLib writes for the IDL's type
# library, besides the library's path: the library's helpstring (the default value of
# TypeLib\{LIBID}\<version>), its LIBFLAGS value, and the interfaces it registers under
# Interface\{IID}: every interface defined with a body and marked [dual] or [oleautomation].
# Sets <prefix>_LIBHELP, <prefix>_LIBFLAGS and <prefix>_REGISTERED_INTERFACES (names), and
# <prefix>_IID_<Interface> for each. The package's registry rows (package/generate_wxs.cmake) come
# from here; the MSI tests compare them with what regsvr32 writes.
function(sr_idl_typelib_registration idl prefix)
    _sr_idl_read_without_comments("${idl}" content)
    set(ws "[ \t\r\n]")

    # The library's attributes, from its uuid to the declaration: the helpstring and the flags
    # (widl marks every library it writes with LIBFLAG_FHASDISKIMAGE, 8).
    _sr_idl_uuid_before("${content}" "\\]${ws}*library${ws}+[A-Za-z_0-9]+" libid)
    if(NOT libid_BLOCK MATCHES "helpstring\\(\"(([^\"\\\\]|\\\\.)*)\"\\)")
        message(FATAL_ERROR "IDL: the library has no helpstring after its uuid")
    endif()
    string(REPLACE "\\\"" "\"" help "${CMAKE_MATCH_1}")
    string(REPLACE "\\\\" "\\" help "${help}")
    set(${prefix}_LIBHELP "${help}" PARENT_SCOPE)
    set(flags 8)
    foreach(pair "restricted;1" "control;2" "hidden;4")
        list(GET pair 0 attr)
        list(GET pair 1 bit)
        if(libid_BLOCK MATCHES "(^|[,( \t\r\n])${attr}([,) \t\r\n]|$)")
            math(EXPR flags "${flags} | ${bit}")
        endif()
    endforeach()
    set(${prefix}_LIBFLAGS ${flags} PARENT_SCOPE)

    # Interface definitions (with a base and a body, not forward declarations) and their attributes:
    # from the "[" that opens the block holding their uuid to the declaration.
    # (Matched without the "]" before them: a CMake list keeps no unbalanced bracket.)
    string(REGEX MATCHALL "interface${ws}+[A-Za-z_0-9]+${ws}*:${ws}*[A-Za-z_0-9]+${ws}*{" decls "${content}")
    set(names)
    foreach(decl IN LISTS decls)
        string(REGEX MATCH "interface${ws}+([A-Za-z_0-9]+)" m "${decl}")
        set(name ${CMAKE_MATCH_1})
        _sr_idl_uuid_before("${content}" "\\]${ws}*interface${ws}+${name}${ws}*:" iid)
        string(FIND "${content}" "${decl}" at)
        string(SUBSTRING "${content}" 0 ${at} head)
        string(FIND "${head}" "uuid(" u REVERSE)
        string(SUBSTRING "${head}" 0 ${u} before_uuid)
        string(FIND "${before_uuid}" "[" open REVERSE)
        string(SUBSTRING "${head}" ${open} -1 attrs)
        if(attrs MATCHES "(^|[[, \t\r\n])(dual|oleautomation)([], \t\r\n]|$)" AND
           NOT attrs MATCHES "(^|[[, \t\r\n])local([], \t\r\n]|$)")
            list(APPEND names ${name})
            set(${prefix}_IID_${name} "${iid}" PARENT_SCOPE)
        endif()
    endforeach()
    if(content MATCHES "dispinterface${ws}+[A-Za-z_0-9]+${ws}*{")
        message(FATAL_ERROR "IDL: a dispinterface: teach sr_idl_typelib_registration how RegisterTypeLib registers one")
    endif()
    set(${prefix}_REGISTERED_INTERFACES "${names}" PARENT_SCOPE)
endfunction()
