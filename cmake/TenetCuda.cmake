# Compiler settings for tenet's own CUDA targets (tests/cuda, bench/bench_cuda.cu); as
# TenetTargetOptions.cmake, nothing here goes on the tenet::cuda interface target.
#
# .cu sources: the host compiler's -Wall -Wextra through -Xcompiler (-Wpedantic is left out:
# the host code nvcc generates is not pedantic C++), nvcc's own warnings as errors with
# TENET_WERROR. .cpp sources of the same target get the usual -Wall -Wextra -Wpedantic.
# No -march=native and never sanitizers: ASan and the CUDA runtime do not mix.
function(tenet_cuda_target_defaults tgt)
  target_compile_options(${tgt} PRIVATE
    $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wall,-Wextra>
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic>)
  if(TENET_WERROR)
    target_compile_options(${tgt} PRIVATE
      $<$<COMPILE_LANGUAGE:CUDA>:-Werror=all-warnings -Xcompiler=-Werror>
      $<$<COMPILE_LANGUAGE:CXX>:-Werror>)
  endif()
endfunction()
