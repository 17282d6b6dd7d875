#pragma once
// tenet::cuda_error: a CUDA runtime or cuBLAS call that failed. The checked wrappers in
// tenet/exec/cuda/runtime.cuh throw it; the message names the call, where it was made
// (file:line) and the library's error name, code and text:
//   tenet: cudaMemcpyAsync(dst, src, bytes, kind, stream) failed at tenet/exec/cuda/device_tensor.cuh:88:
//   cudaErrorInvalidValue (1): invalid argument
// Plain C++ (no CUDA header): the message is built from strings, so it is testable anywhere.
#include <string>
#include <string_view>

#include "tenet/core/error.hpp"

namespace tenet {

/// A failed CUDA runtime or cuBLAS call; `code()` is its cudaError_t or cublasStatus_t value.
struct cuda_error : error {
  cuda_error(const std::string& what, int code) : error(what), code_(code) {}
  int code() const noexcept { return code_; }

 private:
  int code_ = 0;
};

namespace detail {

/// "tenet: <call> failed at <file>:<line>: <name> (<code>): <text>"; the file is shortened to
/// its part from "tenet/" on (include/tenet/exec/... -> tenet/exec/...), when it has one.
inline std::string cuda_error_message(std::string_view call, std::string_view file, int line, int code,
                                      std::string_view name, std::string_view text) {
  const auto at = file.rfind("tenet/");
  if (at != std::string_view::npos) file.remove_prefix(at);
  std::string s = "tenet: ";
  s += call;
  s += " failed at ";
  s += file;
  s += ':';
  s += std::to_string(line);
  s += ": ";
  s += name;
  s += " (";
  s += std::to_string(code);
  s += "): ";
  s += text;
  return s;
}

}  // namespace detail
}  // namespace tenet
