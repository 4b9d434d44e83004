# Build step (cmake -P): the zip for registering by hand.
#   -DOUT=<zip> -DNAME=SharedRegion-<version> -DWORK=<folder for the zip's tree> -DSRC=<source tree>
#   -DDLL64 -DDLL86 -DCLIENT=<x64 srclient.exe> -DREG64=<x64 build>/reg -DREG86=<x86 build>/reg
# The layout (one folder, NAME\):
#   x64\sharedregion.dll, x86\sharedregion.dll   each with its registration-free manifests
#                                                 (SharedRegion.SxS.manifest, example-app.exe.manifest)
#   srclient.exe                                  the 64-bit command-line client
#   reg\register.cmd, reg\unregister.cmd          find ..\x64 and ..\x86 and register each with the
#                                                 regsvr32 of its bitness
#   README.md, LICENSE.txt, docs\, client\examples\, client\scripts\   (the README's own paths)
cmake_minimum_required(VERSION 3.20)
set(root ${WORK}/${NAME})
file(REMOVE_RECURSE ${root})
file(REMOVE ${OUT})
file(MAKE_DIRECTORY ${root}/x64 ${root}/x86 ${root}/reg ${root}/docs ${root}/client)
file(COPY_FILE ${DLL64} ${root}/x64/sharedregion.dll)
file(COPY_FILE ${DLL86} ${root}/x86/sharedregion.dll)
foreach(m SharedRegion.SxS.manifest example-app.exe.manifest)
    file(COPY_FILE ${REG64}/${m} ${root}/x64/${m})
    file(COPY_FILE ${REG86}/${m} ${root}/x86/${m})
endforeach()
file(COPY_FILE ${CLIENT} ${root}/srclient.exe)
# The helpers are the same for both builds but for the bitness of a DLL found beside them, and
# there is none beside them here: the x64 build's.
file(COPY_FILE ${REG64}/register.cmd ${root}/reg/register.cmd)
file(COPY_FILE ${REG64}/unregister.cmd ${root}/reg/unregister.cmd)
file(COPY_FILE ${SRC}/README.md ${root}/README.md)
file(COPY_FILE ${SRC}/LICENSE ${root}/LICENSE.txt)
file(GLOB docs ${SRC}/docs/*.md ${SRC}/docs/*.png)
file(COPY ${docs} DESTINATION ${root}/docs)
file(COPY ${SRC}/client/examples ${SRC}/client/scripts DESTINATION ${root}/client)
execute_process(COMMAND ${CMAKE_COMMAND} -E tar cf ${OUT} --format=zip ${NAME}
                WORKING_DIRECTORY ${WORK} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT EXISTS ${OUT})
    message(FATAL_ERROR "package: the zip could not be written (${rc})")
endif()
