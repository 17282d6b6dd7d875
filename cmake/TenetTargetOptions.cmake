# Compiler settings for tenet's own targets (tests, benchmarks, examples). None of
# this goes on the tenet interface target: consumers choose their own flags.

# Warnings as errors for code we write; third-party headers come in through
# imported targets as -isystem, so their warnings stay quiet.
function(tenet_target_warnings tgt)
  if(MSVC)
    target_compile_options(${tgt} PRIVATE /W4 $<$<BOOL:${TENET_WERROR}>:/WX>)
  else()
    target_compile_options(${tgt} PRIVATE -Wall -Wextra -Wpedantic
                           $<$<BOOL:${TENET_WERROR}>:-Werror>)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
      # GCC 12 bug 105593: with AVX-512 enabled (-march=native on such a machine) it flags
      # its own intrinsics (`__m256 __Y = __Y;` in _mm512_extract* and friends) as
      # (maybe-)uninitialized wherever Eigen's packing, GEMV or reductions are inlined into
      # our code, hundreds of times per file. -isystem does not help (GCC judges the
      # outermost inlining site) and a pragma would have to wrap every Eigen call. Our own
      # code keeps these checks in the clang build (-Werror), and the sanitizers and the
      # NaN-filled for_overwrite storage of debug builds catch unwritten outputs.
      target_compile_options(${tgt} PRIVATE -Wno-uninitialized -Wno-maybe-uninitialized)
    endif()
  endif()
endfunction()

# Warnings + -march=native (TENET_NATIVE) + sanitizers (TENET_SANITIZE, unless the
# caller passes NO_SANITIZE, as the benchmarks do).
function(tenet_target_defaults tgt)
  cmake_parse_arguments(PARSE_ARGV 1 arg "NO_SANITIZE" "" "")
  tenet_target_warnings(${tgt})
  if(TENET_NATIVE AND NOT MSVC)
    target_compile_options(${tgt} PRIVATE -march=native)
  endif()
  if(TENET_SANITIZE AND NOT arg_NO_SANITIZE)
    set(san -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_compile_options(${tgt} PRIVATE ${san})
    target_link_options(${tgt} PRIVATE ${san})
  endif()
endfunction()
