// Loading a kubeconfig file of any content: a clear error, never a crash.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "clients/kube_config.hpp"
#include "common/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  static const std::filesystem::path file =
      std::filesystem::temp_directory_path() /
      ("firedrill-fuzz-kubeconfig-" + std::to_string(::getpid()));
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    firedrill::clients::load_kubeconfig({file}, "");
  } catch (const firedrill::common::ValueError&) {
  }
  return 0;
}
