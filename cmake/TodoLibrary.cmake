# The compile settings every target of the project shares, and todo_library(), which makes
# one static library per module (src/<module>) or support library.
#
# Every target compiles with identical flags and definitions, so that one precompiled header
# (src/core/precompiled.hpp: the Boost.Asio, Beast and JSON headers most files include) is
# built once, by todo_core, and reused by all (TODO_PRECOMPILED_HEADERS, on by default).
# Boost.Asio and Beast are compiled once too (separate compilation: src/core/asio_impl.cpp)
# instead of in every file that uses them. And the libraries build as unity builds
# (TODO_UNITY_BUILD: batches of source files compiled as one, so the headers a batch shares are
# parsed and their templates instantiated once): file-local names must therefore be unique
# within a library. The cold build of the binary and its ratio to the compile of one
# Asio/Beast/JSON file are in bench/RESULTS.md ("Issue 15").
option(TODO_PRECOMPILED_HEADERS "Precompile the Boost headers once for every target" ON)
# Off for clang-tidy (make tidy), which checks files one by one.
option(TODO_UNITY_BUILD "Compile the libraries of src/ in batches (unity build)" ON)

add_library(todo_settings INTERFACE)
target_compile_features(todo_settings INTERFACE cxx_std_20)
# -Wno-mismatched-new-delete: g++ 12 reports Asio's coroutine frame allocator (its own operator
# new and delete pair) as mismatched in every coroutine: a false positive (GCC bug 109224).
# -Wno-subobject-linkage: in a unity batch, g++ takes a source file's anonymous namespace for
# one of a header, and warns about each coroutine frame that holds a lambda from it.
target_compile_options(todo_settings INTERFACE -Wall -Wextra -Wno-missing-field-initializers
                                               -Wno-mismatched-new-delete -Wno-subobject-linkage)
target_compile_definitions(todo_settings INTERFACE
  BOOST_ASIO_NO_DEPRECATED BOOST_ASIO_SEPARATE_COMPILATION BOOST_BEAST_SEPARATE_COMPILATION
  BOOST_JSON_NO_LIB BOOST_URL_NO_LIB)
target_include_directories(todo_settings INTERFACE ${CMAKE_SOURCE_DIR}/src)

# Reuses todo_core's precompiled header in `target` (tests and executables too).
function(todo_use_precompiled_header target)
  if(TODO_PRECOMPILED_HEADERS)
    target_precompile_headers(${target} REUSE_FROM todo_core)
  endif()
endfunction()

# todo_library(<name> SOURCES <files...> DEPS <targets...>)
function(todo_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_link_libraries(${name} PUBLIC todo_settings ${ARG_DEPS})
  set_target_properties(${name} PROPERTIES UNITY_BUILD ${TODO_UNITY_BUILD} UNITY_BUILD_BATCH_SIZE 8)
  if(NOT name STREQUAL "todo_core")
    todo_use_precompiled_header(${name})
  endif()
endfunction()
