// A Source over a local folder (walked recursively) or a single local file.
#pragma once

#include <string>

#include "sparkify/source/source.hpp"

namespace sparkify::source {

class LocalSource final : public Source {
 public:
  explicit LocalSource(std::string root) : root_(std::move(root)) {}
  std::string Describe() const override { return root_; }
  Result<std::vector<SourceFile>> List() override;
  Result<std::unique_ptr<ByteStream>> Open(const SourceFile& file) override;

 private:
  std::string root_;
};

}  // namespace sparkify::source
