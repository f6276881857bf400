#include "sparkify/source/local_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace sparkify::source {
namespace {

namespace fs = std::filesystem;

bool IsHidden(const fs::path& p) {
  std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

int64_t MtimeMs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

class FileStream final : public ByteStream {
 public:
  FileStream(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~FileStream() override { ::close(fd_); }
  FileStream(const FileStream&) = delete;
  FileStream& operator=(const FileStream&) = delete;

  Result<size_t> Read(char* buffer, size_t capacity) override {
    for (;;) {
      ssize_t n = ::read(fd_, buffer, capacity);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno == EINTR) continue;  // a signal interrupted the read; nothing was lost
      return Error::Io(path_ + ": read failed: " + std::strerror(errno));
    }
  }

 private:
  int fd_;
  std::string path_;
};

}  // namespace

Result<std::vector<SourceFile>> LocalSource::List() {
  std::error_code ec;
  fs::path root(root_);
  auto status = fs::status(root, ec);
  if (ec || !fs::exists(status)) return Error::NotFound(root_ + ": no such file or folder");
  std::vector<SourceFile> files;
  auto add = [&](const fs::path& p) -> Status {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) {
      return Error::Io(p.string() + ": " + std::strerror(errno));
    }
    // The name below the location: the file's own name when the location is the file.
    std::string base = root_;
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    const std::string name =
        p == root ? p.filename().string() : p.lexically_relative(base).generic_string();
    files.push_back(
        SourceFile{p.string(), static_cast<uint64_t>(st.st_size), MtimeMs(st), "", name});
    return Status::Ok();
  };
  if (fs::is_regular_file(status)) {
    SPARKIFY_RETURN_IF_ERROR(add(root));
    return files;
  }
  fs::recursive_directory_iterator it(root, fs::directory_options::follow_directory_symlink, ec);
  if (ec) return Error::Io(root_ + ": cannot list: " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return Error::Io(root_ + ": cannot list: " + ec.message());
    const fs::path& p = it->path();
    if (IsHidden(p)) {
      // Editor and notebook droppings (.ipynb_checkpoints, .DS_Store) are not data.
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || p.extension() != ".json") continue;
    SPARKIFY_RETURN_IF_ERROR(add(p));
  }
  if (ec) return Error::Io(root_ + ": cannot list: " + ec.message());
  std::sort(files.begin(), files.end(),
            [](const SourceFile& a, const SourceFile& b) { return a.uri < b.uri; });
  return files;
}

Result<std::unique_ptr<ByteStream>> LocalSource::Open(const SourceFile& file) {
  int fd = ::open(file.uri.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Error::NotFound(file.uri + ": no such file");
    return Error::Io(file.uri + ": cannot open: " + std::strerror(errno));
  }
  return std::unique_ptr<ByteStream>(std::make_unique<FileStream>(fd, file.uri));
}

}  // namespace sparkify::source
