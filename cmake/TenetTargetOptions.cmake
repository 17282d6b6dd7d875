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
