// libFuzzer target: the dwh.cfg reader and editor on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sparkify/config/ini_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto parsed = sparkify::config::IniFile::Parse(text, "fuzz.cfg");
  if (!parsed.ok()) return 0;
  sparkify::config::IniFile ini = std::move(parsed).value();
  if (ini.Text() != text) __builtin_trap();  // reading never changes a byte
  // Editing keeps the file parseable and the value readable back.
  if (ini.Set("CLUSTER", "HOST", "example.redshift.amazonaws.com")) {
    auto again = sparkify::config::IniFile::Parse(ini.Text(), "fuzz.cfg");
    if (!again.ok()) __builtin_trap();
    auto host = again->Get("cluster", "host");
    if (!host || *host != "example.redshift.amazonaws.com") __builtin_trap();
  }
  return 0;
}
