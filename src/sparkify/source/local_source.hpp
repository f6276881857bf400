// A Source over a local folder (walked recursively) or a single local file.
#pragma once

#include <string>

#include "sparkify/source/source.hpp"

namespace sparkify::source {

class LocalSource final : public Source {
 public:
  // `list_threads`: how many threads List() walks a folder with.
  explicit LocalSource(std::string root, int list_threads = 1)
      : root_(std::move(root)), list_threads_(list_threads) {}
  std::string Describe() const override { return root_; }
  Result<std::vector<SourceFile>> List() override;
  Result<std::unique_ptr<ByteStream>> Open(const SourceFile& file) override;

 private:
  std::string root_;
  int list_threads_;
};

}  // namespace sparkify::source
