# Build-time generator (cmake -P): fills the reg/*.in templates with the identities read from the IDL.
#   -DIDL=idl/sharedregion.idl -DSRC=<reg source dir> -DOUT=<output dir> -DVERSION=<project version>
#   -DARCH=amd64|x86 (the processorArchitecture of the manifests)
cmake_minimum_required(VERSION 3.20)
include(${CMAKE_CURRENT_LIST_DIR}/../cmake/IdlGuids.cmake)
sr_idl_identity(${IDL} SR)

# The assembly's name and four-part version; -DARCH: "amd64" for the x64 build, "x86" for the x86 one.
set(SR_ASSEMBLY_NAME SharedRegion.SxS)
string(REGEX MATCHALL "[0-9]+" parts "${VERSION}.0.0.0")
list(SUBLIST parts 0 4 parts)
list(JOIN parts "." SR_ASSEMBLY_VERSION)
set(SR_ARCH ${ARCH})
# threading(both) in the IDL; manifests spell the model with a capital.
string(SUBSTRING "${SR_THREADING}" 0 1 first)
string(SUBSTRING "${SR_THREADING}" 1 -1 rest)
string(TOUPPER "${first}" first)
set(SR_THREADING "${first}${rest}")

configure_file(${SRC}/SharedRegion.SxS.manifest.in ${OUT}/${SR_ASSEMBLY_NAME}.manifest @ONLY)
configure_file(${SRC}/example-app.exe.manifest.in ${OUT}/example-app.exe.manifest @ONLY)
configure_file(${SRC}/identity.env.in ${OUT}/identity.env @ONLY)
