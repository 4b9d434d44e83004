# Build-time generator (cmake -P): the installer's source, package/SharedRegion.wxs.in filled with
# the registry rows of both DLLs.
#   -DREGISTER_C=server/register.c -DIDL=idl/sharedregion.idl -DTEMPLATE=package/SharedRegion.wxs.in
#   -DOUT=<build>/package/SharedRegion.wxs
#
# The rows are what registering each DLL writes, read from the sources that do the writing:
#  - the class and ProgID keys: the `entries` table of server/register.c, which DllRegisterServer
#    walks (key, value name, kind, text), with its L"..." macros; "%c" is the CLSID, VAL_MODULE the
#    DLL's installed path, VAL_CLSID the CLSID, VAL_LIBID the LIBID. Every line of the table must
#    parse, or the build stops: a table the generator cannot read is never skipped.
#  - the type library keys that RegisterTypeLib writes: TypeLib\{LIBID}\<version> (the library's
#    helpstring), its FLAGS, 0\win64 or 0\win32 (the DLL's path), HELPDIR (the DLL's folder), and
#    Interface\{IID} of every [dual]/[oleautomation] interface (name, ProxyStubClsid and
#    ProxyStubClsid32 = the type library marshaler, TypeLib = LIBID with its Version).
# The TypeLib key is one key for both views, so the x86 component leaves its HELPDIR value to the
# x64 one (a machine with both registrations keeps one HELPDIR, the last registration's).
cmake_minimum_required(VERSION 3.20)
include(${CMAKE_CURRENT_LIST_DIR}/../cmake/IdlGuids.cmake)
sr_idl_identity(${IDL} SR)
sr_idl_typelib_registration(${IDL} SR)
set(SR_FOLDER SharedRegion)

# ---- server/register.c: its L"..." macros and the entries table ----
file(READ "${REGISTER_C}" src)
string(REGEX MATCHALL "#define[ \t]+[A-Z_0-9]+[ \t]+L\"[^\"\n]*\"" defines "${src}")
foreach(d IN LISTS defines)
    string(REGEX MATCH "#define[ \t]+([A-Z_0-9]+)[ \t]+L\"([^\"\n]*)\"" m "${d}")
    set(macro_${CMAKE_MATCH_1} "${CMAKE_MATCH_2}")
endforeach()
string(FIND "${src}" "entries[] =" at)
if(at EQUAL -1)
    message(FATAL_ERROR "${REGISTER_C}: no 'entries[] =' table")
endif()
string(SUBSTRING "${src}" ${at} -1 table)
string(FIND "${table}" "};" end)
string(SUBSTRING "${table}" 0 ${end} table)
# The rows: the lines that open with "{" and hold more than the brace that opens the table.
string(REGEX MATCHALL "\n[ \t]*{[^\n]*[^ \t\n{][^\n]*" lines "${table}")
list(LENGTH lines n_lines)
if(n_lines EQUAL 0)
    message(FATAL_ERROR "${REGISTER_C}: the entries table has no rows")
endif()

# A C string expression (L"..." literals and macro names, concatenated) as text; C's \\ and \" undone.
function(c_text expr out)
    set(text "")
    string(STRIP "${expr}" rest)
    while(NOT rest STREQUAL "")
        if(rest MATCHES "^L\"(([^\"\\\\]|\\\\.)*)\"[ \t]*(.*)$")
            set(piece "${CMAKE_MATCH_1}")
            set(rest "${CMAKE_MATCH_3}")
            string(REPLACE "\\\\" "\\" piece "${piece}")
            string(REPLACE "\\\"" "\"" piece "${piece}")
            string(APPEND text "${piece}")
        elseif(rest MATCHES "^([A-Z_0-9]+)[ \t]*(.*)$")
            if(NOT DEFINED macro_${CMAKE_MATCH_1})
                message(FATAL_ERROR "${REGISTER_C}: '${CMAKE_MATCH_1}' is not a L\"...\" macro of the file")
            endif()
            string(APPEND text "${macro_${CMAKE_MATCH_1}}")
            set(rest "${CMAKE_MATCH_2}")
        else()
            message(FATAL_ERROR "${REGISTER_C}: cannot read the string expression '${expr}'")
        endif()
    endwhile()
    set(${out} "${text}" PARENT_SCOPE)
endfunction()

function(xml text out)
    string(REPLACE "&" "&amp;" text "${text}")
    string(REPLACE "<" "&lt;" text "${text}")
    string(REPLACE ">" "&gt;" text "${text}")
    string(REPLACE "\"" "&quot;" text "${text}")
    set(${out} "${text}" PARENT_SCOPE)
endfunction()

# row(<out var> key name value): one RegistryValue (name "" = the key's default value), appended.
function(row var key name value)
    xml("${key}" k)
    xml("${value}" v)
    set(text "${${var}}")
    if(name STREQUAL "")
        string(APPEND text "              <RegistryValue Root=\"HKCR\" Key=\"${k}\" Type=\"string\" Value=\"${v}\"/>\n")
    else()
        xml("${name}" n)
        string(APPEND text "              <RegistryValue Root=\"HKCR\" Key=\"${k}\" Name=\"${n}\" Type=\"string\" Value=\"${v}\"/>\n")
    endif()
    set(${var} "${text}" PARENT_SCOPE)
endfunction()

# The rows of one DLL: file id, platform subkey of the type library, HELPDIR (or "" for none).
function(rows_for out file_id platform helpdir)
    set(r "")
    foreach(line IN LISTS lines)
        string(STRIP "${line}" line)
        if(NOT line MATCHES "^{(.+),[ \t]*(NULL|L\"[^\"]*\")[ \t]*,[ \t]*(VAL_[A-Z]+)[ \t]*,[ \t]*(NULL|[A-Z_0-9]+|L\"[^\"]*\")[ \t]*},?[ \t]*$")
            message(FATAL_ERROR "${REGISTER_C}: cannot read the registration table row '${line}'")
        endif()
        set(key_expr "${CMAKE_MATCH_1}")
        set(name_expr "${CMAKE_MATCH_2}")
        set(kind "${CMAKE_MATCH_3}")
        set(text_expr "${CMAKE_MATCH_4}")
        c_text("${key_expr}" key)
        string(REPLACE "%c" "{${SR_CLSID}}" key "${key}")
        set(name "")
        if(NOT name_expr STREQUAL "NULL")
            c_text("${name_expr}" name)
        endif()
        if(kind STREQUAL "VAL_TEXT")
            c_text("${text_expr}" value)
        elseif(kind STREQUAL "VAL_MODULE")
            set(value "[#${file_id}]")
        elseif(kind STREQUAL "VAL_CLSID")
            set(value "{${SR_CLSID}}")
        elseif(kind STREQUAL "VAL_LIBID")
            set(value "{${SR_LIBID}}")
        else()
            message(FATAL_ERROR "${REGISTER_C}: unknown value kind ${kind}")
        endif()
        row(r "${key}" "${name}" "${value}")
    endforeach()
    set(tl "TypeLib\\{${SR_LIBID}}\\${SR_LIBVERSION}")
    row(r "${tl}" "" "${SR_LIBHELP}")
    row(r "${tl}\\FLAGS" "" "${SR_LIBFLAGS}")
    row(r "${tl}\\0\\${platform}" "" "[#${file_id}]")
    if(NOT helpdir STREQUAL "")
        row(r "${tl}\\HELPDIR" "" "${helpdir}")
    endif()
    set(psoa "{00020424-0000-0000-C000-000000000046}")
    foreach(iface IN LISTS SR_REGISTERED_INTERFACES)
        set(k "Interface\\{${SR_IID_${iface}}}")
        row(r "${k}" "" "${iface}")
        row(r "${k}\\ProxyStubClsid" "" "${psoa}")
        row(r "${k}\\ProxyStubClsid32" "" "${psoa}")
        row(r "${k}\\TypeLib" "" "{${SR_LIBID}}")
        row(r "${k}\\TypeLib" "Version" "${SR_LIBVERSION}")
    endforeach()
    string(REGEX REPLACE "\n$" "" r "${r}")
    set(${out} "${r}" PARENT_SCOPE)
endfunction()

# HELPDIR is the DLL's folder without a trailing backslash, as RegisterTypeLib writes it: built
# from the folder property (which ends in one) and the folder names below it.
rows_for(SR_ROWS_64 Dll64 win64 "[ProgramFiles64Folder]${SR_FOLDER}\\x64")
rows_for(SR_ROWS_32 Dll86 win32 "")
configure_file(${TEMPLATE} ${OUT} @ONLY)
list(LENGTH SR_REGISTERED_INTERFACES n_if)
message(STATUS "package: ${n_lines} rows of the registration table, the type library and ${n_if} interfaces, for each DLL")
