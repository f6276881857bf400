#include "sparkify/config/ini_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <filesystem>
#include <system_error>
#include <utility>

namespace sparkify::config {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// The same set Python's str.strip() would remove in practice; '\r' is included so that a
// CRLF line's carriage return never becomes part of a key or value.
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

bool IsQuote(char c) { return c == '\'' || c == '"'; }

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool HasSurroundingSpace(std::string_view s) {
  return !s.empty() && (IsSpace(s.front()) || IsSpace(s.back()));
}

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

size_t BodyStart(std::string_view text) { return text.starts_with(kBom) ? kBom.size() : 0; }

// The messages never quote the offending line: a malformed line of dwh.cfg may well hold a
// password, and these errors end up in logs.
Error LineError(std::string_view origin, size_t line_no, std::string_view what) {
  return Error::Config(std::string(origin) + ":" + std::to_string(line_no) + ": " +
                       std::string(what));
}

// True when `value` written bare would read back as something else.
bool NeedsQuotes(std::string_view value) {
  if (HasSurroundingSpace(value)) return true;
  return value.size() >= 2 && IsQuote(value.front()) && value.back() == value.front();
}

// The raw text for `value`, keeping the quote style `preferred` (0 = bare) when it can.
//
// The reader strips exactly one matching outer pair and knows no escapes, so any value reads
// back correctly inside either quote character. We still avoid writing the enclosing quote
// character inside the value ('it's'), because people and other INI readers stumble on it:
//   1. `preferred` if the value does not contain it (or bare, if preferred is bare and the
//      value reads back bare);
//   2. otherwise the other quote character if the value does not contain that one;
//   3. otherwise (both quote characters inside) bare, if that reads back correctly;
//   4. otherwise `preferred` after all (a bare style falls back to '), which is still exact.
std::string EncodeValue(std::string_view value, char preferred) {
  const bool bare_ok = !NeedsQuotes(value);
  if (preferred == 0) {
    if (bare_ok) return std::string(value);
    preferred = '\'';
  }
  const char other = preferred == '\'' ? '"' : '\'';
  auto quoted = [&](char q) { return q + std::string(value) + q; };
  if (value.find(preferred) == std::string_view::npos) return quoted(preferred);
  if (value.find(other) == std::string_view::npos) return quoted(other);
  if (bare_ok) return std::string(value);
  return quoted(preferred);
}

// Whether "key = value" would read back with this key.
bool IsWritableKey(std::string_view key) {
  if (key.empty() || HasSurroundingSpace(key) || HasLineBreak(key)) return false;
  if (key.find_first_of("=:") != std::string_view::npos) return false;
  return key.front() != '[' && key.front() != '#' && key.front() != ';';
}

bool IsWritableSectionName(std::string_view name) {
  return !name.empty() && !HasSurroundingSpace(name) && !HasLineBreak(name) &&
         name.find(']') == std::string_view::npos;
}

std::string ErrnoMessage(int err) { return std::system_category().message(err); }

// Writes all of `data`, retrying short writes and EINTR. Returns 0 or an errno value.
int WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

}  // namespace

Result<IniFile> IniFile::Parse(std::string_view text, std::string_view origin) {
  IniFile file;
  file.text_.assign(text);
  SPARKIFY_RETURN_IF_ERROR(file.Index(origin));
  return file;
}

Result<IniFile> IniFile::Load(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) return Error::NotFound(path + ": " + ErrnoMessage(err));
    return Error::Io(path + ": " + ErrnoMessage(err));
  }
  std::string text;
  char buffer[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return Error::Io(path + ": " + ErrnoMessage(err));
    }
    text.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return Parse(text, path);
}

// Line rules beyond the header's: indented lines are ordinary lines, not configparser's
// continuation lines (dwh.cfg never uses those, and a value silently swallowing the next key
// would be worse than an extra key); no inline comments, so "a = x # y" has the value "x # y",
// as with configparser's defaults; a section name ends at the first ']', and only blanks or a
// comment may follow it; a repeated section header continues the earlier section.
Status IniFile::Index(std::string_view origin) {
  entries_.clear();
  sections_.clear();
  const std::string_view text = text_;
  const size_t body = BodyStart(text);
  sections_.push_back(Section{"", "", body});
  size_t current = 0;
  size_t line_no = 0;
  for (size_t begin = body; begin < text.size();) {
    ++line_no;
    const size_t newline = text.find('\n', begin);
    const size_t end = newline == std::string_view::npos ? text.size() : newline;
    const size_t next = newline == std::string_view::npos ? text.size() : newline + 1;
    // [first, last) is the line without surrounding whitespace, as offsets into text.
    size_t first = begin;
    while (first < end && IsSpace(text[first])) ++first;
    size_t last = end;
    while (last > first && IsSpace(text[last - 1])) --last;
    const size_t line_begin = begin;
    begin = next;
    if (first == last) continue;  // blank lines do not extend a section

    const char lead = text[first];
    if (lead == '#' || lead == ';') {
      sections_[current].end = next;
      continue;
    }

    if (lead == '[') {
      const size_t close = text.find(']', first);
      if (close == std::string_view::npos || close >= last) {
        return LineError(origin, line_no, "section header has no closing ']'");
      }
      const std::string_view rest = Trim(text.substr(close + 1, last - close - 1));
      if (!rest.empty() && rest.front() != '#' && rest.front() != ';') {
        return LineError(origin, line_no, "unexpected text after section header");
      }
      const std::string_view name = Trim(text.substr(first + 1, close - first - 1));
      if (name.empty()) return LineError(origin, line_no, "empty section name");
      std::string name_lower = ToLower(name);
      auto found = std::find_if(sections_.begin() + 1, sections_.end(),
                                [&](const Section& s) { return s.name_lower == name_lower; });
      if (found == sections_.end()) {
        sections_.push_back(Section{std::string(name), std::move(name_lower), next});
        current = sections_.size() - 1;
      } else {
        current = static_cast<size_t>(found - sections_.begin());
        found->end = next;
      }
      continue;
    }

    Entry entry;
    entry.section = sections_[current].name_lower;
    size_t delim = first;
    while (delim < last && text[delim] != '=' && text[delim] != ':') ++delim;
    if (delim == last) {
      entry.key.assign(text.substr(first, last - first));
      entry.has_delimiter = false;
      entry.value_begin = entry.value_end = last;
    } else {
      const std::string_view key = Trim(text.substr(first, delim - first));
      if (key.empty()) {
        return LineError(origin, line_no, std::string("no key before '") + text[delim] + "'");
      }
      entry.key.assign(key);
      // For an empty value, point past the blanks after the delimiter (but before a CR), so
      // that Set() turns "KEY = " into "KEY = new" rather than "KEY =new ".
      size_t line_content_end = end;
      if (line_content_end > line_begin && text[line_content_end - 1] == '\r') --line_content_end;
      size_t value_begin = delim + 1;
      while (value_begin < line_content_end && IsSpace(text[value_begin])) ++value_begin;
      entry.value_begin = value_begin;
      entry.value_end = std::max(value_begin, last);
    }
    std::string_view raw = text.substr(entry.value_begin, entry.value_end - entry.value_begin);
    if (raw.size() >= 2 && IsQuote(raw.front()) && raw.back() == raw.front()) {
      entry.quote = raw.front();
      raw = raw.substr(1, raw.size() - 2);
    }
    entry.value.assign(raw);
    entry.key_lower = ToLower(entry.key);
    entries_.push_back(std::move(entry));
    sections_[current].end = next;
  }
  return Status::Ok();
}

void IniFile::Reindex() {
  const Status status = Index("<edited>");
  assert(status.ok() && "Set() produced text that does not parse");
  (void)status;
}

std::optional<std::string> IniFile::Get(std::string_view section, std::string_view key) const {
  const std::string section_lower = ToLower(section);
  const std::string key_lower = ToLower(key);
  // Scanning backwards makes a later duplicate win.
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->section == section_lower && it->key_lower == key_lower) return it->value;
  }
  return std::nullopt;
}

bool IniFile::HasSection(std::string_view section) const {
  const std::string lower = ToLower(section);
  if (lower.empty()) {
    // The unnamed section exists only in the sense that keys were found in it.
    return std::any_of(entries_.begin(), entries_.end(),
                       [](const Entry& e) { return e.section.empty(); });
  }
  return std::any_of(sections_.begin(), sections_.end(),
                     [&](const Section& s) { return s.name_lower == lower; });
}

std::vector<std::string> IniFile::Sections() const {
  std::vector<std::string> names;
  if (HasSection("")) names.emplace_back();
  for (size_t i = 1; i < sections_.size(); ++i) names.push_back(sections_[i].name);
  return names;
}

// A key that occurs twice is listed once, at its first position and spelling.
std::vector<std::string> IniFile::Keys(std::string_view section) const {
  const std::string lower = ToLower(section);
  std::vector<std::string> keys;
  std::vector<std::string_view> seen;
  for (const Entry& e : entries_) {
    if (e.section != lower) continue;
    if (std::find(seen.begin(), seen.end(), e.key_lower) != seen.end()) continue;
    seen.push_back(e.key_lower);
    keys.push_back(e.key);
  }
  return keys;
}

bool IniFile::Set(std::string_view section, std::string_view key, std::string_view value) {
  if (HasLineBreak(value)) return false;
  if (sections_.empty()) Reindex();  // a default-constructed file has not been indexed yet

  const std::string section_lower = ToLower(section);
  const std::string key_lower = ToLower(key);
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->section != section_lower || it->key_lower != key_lower) continue;
    if (it->value == value) return false;
    std::string raw = EncodeValue(value, it->quote);
    if (!it->has_delimiter) raw = " = " + raw;
    text_.replace(it->value_begin, it->value_end - it->value_begin, raw);
    Reindex();
    return true;
  }

  if (!IsWritableKey(key)) return false;
  const std::string raw = EncodeValue(value, 0);
  const std::string line = std::string(key) + (raw.empty() ? " =" : " = " + raw);
  const size_t first_newline = text_.find('\n');
  const std::string eol =
      first_newline != std::string::npos && first_newline > 0 && text_[first_newline - 1] == '\r'
          ? "\r\n"
          : "\n";
  const size_t body = BodyStart(text_);

  auto found = std::find_if(sections_.begin(), sections_.end(),
                            [&](const Section& s) { return s.name_lower == section_lower; });
  if (found != sections_.end()) {
    const size_t at = found->end;
    // `at` is past a line break unless the section's last line is the file's unterminated
    // last line; then the new line goes after it and the file stays unterminated.
    const bool after_unterminated = at > body && text_[at - 1] != '\n';
    text_.insert(at, after_unterminated ? eol + line : line + eol);
    Reindex();
    return true;
  }

  if (!IsWritableSectionName(section)) return false;
  // A new section goes at the very end, after a blank line like the sections of dwh.cfg.
  size_t last_content_end = body;
  for (const Section& s : sections_) last_content_end = std::max(last_content_end, s.end);
  std::string prefix;
  const bool terminated = text_.size() == body || text_.back() == '\n';
  if (!terminated) prefix += eol;
  // Only when the last non-blank line is also the last line is a separator missing.
  if (last_content_end > body && last_content_end == text_.size()) prefix += eol;
  text_ += prefix + "[" + std::string(section) + "]" + eol + line + eol;
  Reindex();
  return true;
}

Status IniFile::Save(const std::string& path) const {
  // Replace the file a symlink points to, not the link: the link is someone's deliberate
  // setup, and renaming over it would silently detach it.
  std::string target = path;
  std::error_code ec;
  if (std::filesystem::is_symlink(path, ec)) {
    std::filesystem::path resolved = std::filesystem::canonical(path, ec);
    if (!ec) target = resolved.string();
  }

  // A new file gets mkstemp's 0600: dwh.cfg holds a database password.
  mode_t mode = S_IRUSR | S_IWUSR;
  struct stat info;
  if (::stat(target.c_str(), &info) == 0) mode = info.st_mode & 07777;

  std::string temp = target + ".tmp-XXXXXX";
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return Error::Io("saving " + path + ": " + ErrnoMessage(errno));
  auto fail = [&](int err) {
    ::close(fd);
    ::unlink(temp.c_str());
    return Error::Io("saving " + path + ": " + ErrnoMessage(err));
  };
  if (const int err = WriteAll(fd, text_); err != 0) return fail(err);
  if (::fchmod(fd, mode) != 0) return fail(errno);
  // Without fsync a crash soon after rename could leave an empty file under the real name.
  if (::fsync(fd) != 0) return fail(errno);
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return Error::Io("saving " + path + ": " + ErrnoMessage(err));
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return Error::Io("saving " + path + ": " + ErrnoMessage(err));
  }
  // Best effort: make the rename itself durable. The new content is in place either way.
  std::string folder = std::filesystem::path(target).parent_path().string();
  if (folder.empty()) folder = ".";
  const int dir_fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    (void)::fsync(dir_fd);
    ::close(dir_fd);
  }
  return Status::Ok();
}

}  // namespace sparkify::config
