# Tests of the fast-kernel infrastructure and of every micro-kernel family,
# included from tests/cpp/CMakeLists.txt. Every tests/cpp/test_*_kernels.cc is
# picked up automatically (one executable each), plus the thread pool and
# dispatch tests. They may include runtime internals (src/, kernels/).

file(GLOB _scc_family_tests CONFIGURE_DEPENDS RELATIVE ${CMAKE_CURRENT_SOURCE_DIR}
     ${CMAKE_CURRENT_SOURCE_DIR}/test_*_kernels.cc)
list(SORT _scc_family_tests)
foreach(_src test_thread_pool.cc test_kernel_dispatch.cc ${_scc_family_tests})
  get_filename_component(_name ${_src} NAME_WE)
  if(_name IN_LIST SPARSECC_TESTS_NOT_ON_WASI)  # tests/cpp/CMakeLists.txt
    continue()
  endif()
  add_executable(${_name} ${_src})
  target_link_libraries(${_name} PRIVATE sparsecc_test_support Threads::Threads)
  target_include_directories(${_name} PRIVATE ${PROJECT_SOURCE_DIR}/runtime_cpp/src
                                              ${PROJECT_SOURCE_DIR}/runtime_cpp/kernels)
  target_compile_options(${_name} PRIVATE -Wall -Wextra)
  add_test(NAME ${_name} COMMAND ${_name})
endforeach()
