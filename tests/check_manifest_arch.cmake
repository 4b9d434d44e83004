# The registration-free manifests name the build's own processor architecture (amd64 or x86):
# Windows refuses an assembly whose processorArchitecture does not match the process.
#   -DMANIFESTS=a;b -DARCH=amd64|x86
foreach(m ${MANIFESTS})
    file(READ ${m} text)
    string(REGEX MATCHALL "processorArchitecture=\"[^\"]*\"" found "${text}")
    list(LENGTH found n)
    if(n EQUAL 0)
        message(FATAL_ERROR "${m}: no processorArchitecture")
    endif()
    foreach(f ${found})
        if(NOT f STREQUAL "processorArchitecture=\"${ARCH}\"")
            message(FATAL_ERROR "${m}: ${f}, expected processorArchitecture=\"${ARCH}\"")
        endif()
    endforeach()
    message("${m}: ${n} x processorArchitecture=\"${ARCH}\"")
endforeach()
