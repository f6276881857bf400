#include "sparkify/source/local_source.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>

namespace sparkify::source {
namespace {

namespace fs = std::filesystem;

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

// Every *.json file below a folder, hidden entries skipped, symbolic links followed. Each
// folder is opened and each file stat'ed relative to the root's descriptor (openat, fstatat:
// no walk of the whole path per file), folders are told from files by the entry's type (no
// stat per folder), and `threads` threads share the queue of folders still to read: on a tree
// of many small folders (the song files' A/B/C/ layout) the walk is system calls, not work.
class FolderWalk {
 public:
  // `uri_prefix`: the location as given, ending in '/'; a file's uri is it and its name.
  FolderWalk(int root_fd, std::string uri_prefix)
      : root_fd_(root_fd), uri_prefix_(std::move(uri_prefix)) {}

  Result<std::vector<SourceFile>> Run(int threads) {
    pending_.push_back("");
    std::vector<std::vector<SourceFile>> found(static_cast<size_t>(std::max(1, threads)));
    std::vector<std::thread> helpers;
    for (size_t t = 1; t < found.size(); ++t) helpers.emplace_back([&, t] { Work(found[t]); });
    Work(found[0]);
    for (std::thread& h : helpers) h.join();
    if (error_) return *error_;
    std::vector<SourceFile> files = std::move(found[0]);
    for (size_t t = 1; t < found.size(); ++t)
      std::move(found[t].begin(), found[t].end(), std::back_inserter(files));
    return files;
  }

 private:
  // Takes folders off the queue until none is left and none is being read (which could add
  // more), or until one fails.
  void Work(std::vector<SourceFile>& files) {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      changed_.wait(lock, [&] { return !pending_.empty() || reading_ == 0 || error_; });
      if (error_ || pending_.empty()) break;
      std::string folder = std::move(pending_.back());
      pending_.pop_back();
      ++reading_;
      lock.unlock();
      std::vector<std::string> subfolders;
      Status read = ReadFolder(folder, files, subfolders);
      lock.lock();
      --reading_;
      if (!read.ok() && !error_) error_ = read.error();
      for (std::string& f : subfolders) pending_.push_back(std::move(f));
      changed_.notify_all();
    }
  }

  // One folder entry: a subfolder to read later, a *.json file found, or nothing.
  Status AddEntry(int folder_fd, const std::string& folder, const dirent64& entry,
                  std::vector<SourceFile>& files, std::vector<std::string>& subfolders) {
    const std::string_view name = entry.d_name;
    // Editor and notebook droppings (.ipynb_checkpoints, .DS_Store) are not data; this also
    // skips "." and "..".
    if (name.empty() || name[0] == '.') return Status::Ok();
    const bool json = name.ends_with(".json");
    const unsigned char type = entry.d_type;
    if (type == DT_DIR) {
      subfolders.push_back(folder + std::string(name) + "/");
      return Status::Ok();
    }
    if (type == DT_REG && !json) return Status::Ok();
    if (type != DT_REG && type != DT_LNK && type != DT_UNKNOWN) return Status::Ok();
    // A file to stat, or an entry whose kind only a stat tells (a link, followed; a file
    // system that leaves d_type unknown).
    struct stat st {};
    if (::fstatat(folder_fd, entry.d_name, &st, 0) != 0) {
      // A link to nothing is not a file to load; anything else is a listing failure.
      if (errno == ENOENT && type == DT_LNK) return Status::Ok();
      return Error::Io(uri_prefix_ + folder + std::string(name) + ": " + std::strerror(errno));
    }
    if (S_ISDIR(st.st_mode)) {
      subfolders.push_back(folder + std::string(name) + "/");
    } else if (S_ISREG(st.st_mode) && json) {
      std::string relative = folder + std::string(name);
      files.push_back(SourceFile{uri_prefix_ + relative, static_cast<uint64_t>(st.st_size),
                                 MtimeMs(st), "", relative});
    }
    return Status::Ok();
  }

  // `folder`: the path below the root, "" or ending in '/'.
  Status ReadFolder(const std::string& folder, std::vector<SourceFile>& files,
                    std::vector<std::string>& subfolders) {
    const std::string shown = uri_prefix_ + folder;
    int fd = ::openat(root_fd_, folder.empty() ? "." : folder.c_str(),
                      O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Error::Io(shown + ": cannot list: " + std::strerror(errno));
    Status result = Status::Ok();
    // getdents64 rather than fdopendir/readdir: the same entries, without the fstat and two
    // fcntl calls fdopendir makes per folder.
    alignas(dirent64) char buffer[32 * 1024];
    for (;;) {
      const ssize_t got = ::getdents64(fd, buffer, sizeof buffer);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) result = Error::Io(shown + ": cannot list: " + std::strerror(errno));
      if (got <= 0) break;
      for (ssize_t at = 0; at < got && result.ok();) {
        const auto* entry = reinterpret_cast<const dirent64*>(buffer + at);
        at += entry->d_reclen;
        result = AddEntry(fd, folder, *entry, files, subfolders);
      }
      if (!result.ok()) break;
    }
    ::close(fd);
    return result;
  }

  const int root_fd_;
  const std::string uri_prefix_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<std::string> pending_;  // folders still to read
  int reading_ = 0;                   // folders being read now
  std::optional<Error> error_;        // the first failure; the walk stops at it
};
}  // namespace

Result<std::vector<SourceFile>> LocalSource::List() {
  struct stat st {};
  if (::stat(root_.c_str(), &st) != 0) return Error::NotFound(root_ + ": no such file or folder");
  if (S_ISREG(st.st_mode)) {
    return std::vector<SourceFile>{SourceFile{root_, static_cast<uint64_t>(st.st_size), MtimeMs(st),
                                              "", fs::path(root_).filename().string()}};
  }
  const int root_fd = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0) return Error::Io(root_ + ": cannot list: " + std::strerror(errno));
  FolderWalk walk(root_fd, root_.back() == '/' ? root_ : root_ + "/");
  Result<std::vector<SourceFile>> files = walk.Run(list_threads_);
  ::close(root_fd);
  if (!files.ok()) return files;
  std::sort(files->begin(), files->end(),
            [](const SourceFile& a, const SourceFile& b) { return a.uri < b.uri; });
  files->shrink_to_fit();  // held to the end of the run: a grown vector's spare third too
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
