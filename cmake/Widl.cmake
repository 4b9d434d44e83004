# widl_compile(<idl> <outdir> <stem>): header, IID file and type library from one IDL file,
# with the IDL files that Wine's headers ship and stdole2.tlb for importlib.
find_program(WIDL NAMES x86_64-w64-mingw32-widl widl REQUIRED)
find_path(WINE_IDL_DIR oaidl.idl PATHS /usr/include/wine/wine/windows /usr/include/wine/windows NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH REQUIRED)
find_path(STDOLE2_TLB_DIR stdole2.tlb
    PATHS /usr/lib/x86_64-linux-gnu/wine/x86_64-windows /usr/lib/wine/x86_64-windows /usr/lib64/wine/x86_64-windows
    NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH REQUIRED)

# The type library describes this build's own bitness (SYS_WIN64 or SYS_WIN32 layouts).
if(CMAKE_SIZEOF_VOID_P EQUAL 8)
    set(SR_WIDL_TARGET --win64)
else()
    set(SR_WIDL_TARGET --win32)
endif()

function(widl_compile idl outdir stem)
    file(MAKE_DIRECTORY ${outdir})
    string(TOUPPER ${stem} up)
    set(h ${outdir}/${stem}.h)
    set(i ${outdir}/${stem}_i.c)
    set(t ${outdir}/${stem}.tlb)
    add_custom_command(OUTPUT ${h} ${i} ${t}
        COMMAND ${WIDL} ${SR_WIDL_TARGET} -I${WINE_IDL_DIR} -L${STDOLE2_TLB_DIR}
                -h -H ${h} -u -U ${i} -t -T ${t} ${idl}
        DEPENDS ${idl}
        COMMENT "widl ${stem}.idl -> header, IIDs, type library"
        VERBATIM)
    set(${up}_HEADER ${h} PARENT_SCOPE)
    set(${up}_IID_C ${i} PARENT_SCOPE)
    set(${up}_TLB ${t} PARENT_SCOPE)
endfunction()
