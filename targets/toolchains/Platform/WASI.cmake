# Minimal platform description for CMAKE_SYSTEM_NAME=WASI (wasm32.cmake adds
# this folder to CMAKE_MODULE_PATH; CMake 3.25 ships none): static libraries
# only, executables are .wasm modules.
set(WASI 1)
set(CMAKE_EXECUTABLE_SUFFIX ".wasm")
set(CMAKE_STATIC_LIBRARY_PREFIX "lib")
set(CMAKE_STATIC_LIBRARY_SUFFIX ".a")
set_property(GLOBAL PROPERTY TARGET_SUPPORTS_SHARED_LIBS FALSE)
