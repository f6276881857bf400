// A reader and byte-preserving editor for INI files such as the original design's dwh.cfg.
//
// Syntax accepted (Python configparser's, as the original scripts read it):
//   - sections "[NAME]"; section and key names are case-insensitive;
//   - "key = value" or "key: value" (the first '=' or ':' delimits); whitespace around
//     keys and values is trimmed; "key" alone (no delimiter) is a key with an empty value;
//   - values may be quoted with matching '...' or "..."; the quotes are removed on read;
//   - full-line comments start with '#' or ';' (optionally indented); blank lines ignored;
//   - keys before any section belong to the section "" (configparser would reject them;
//     we keep them so that nothing is lost);
//   - unknown sections and keys are kept, never rejected; a later duplicate key wins.
//   - CRLF line endings and a UTF-8 BOM are accepted and preserved.
// Lines that are none of the above are reported by Parse with their line number.
//
// Editing: Set() changes only the value bytes of an existing key (keeping the key's spelling,
// the delimiter, the spacing around it and any quote style), or appends "KEY = value" at the
// end of the section (creating the section at the end of the file if needed). Text() returns
// the whole file; every byte not touched by Set() is as it was read.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sparkify/common/error.hpp"

namespace sparkify::config {

class IniFile {
 public:
  IniFile() = default;

  // Parses `text`; `origin` (a file name) is used in error messages only.
  static Result<IniFile> Parse(std::string_view text, std::string_view origin = "<memory>");
  // Reads and parses a file; kNotFound if it does not exist.
  static Result<IniFile> Load(const std::string& path);

  // The value of `key` in `section` (both case-insensitive), quotes removed.
  std::optional<std::string> Get(std::string_view section, std::string_view key) const;
  bool HasSection(std::string_view section) const;
  // Section names as spelled in the file, in file order.
  std::vector<std::string> Sections() const;
  // Key names (as spelled) of a section, in file order.
  std::vector<std::string> Keys(std::string_view section) const;

  // Sets `key` in `section` as described above. Returns true if the text changed.
  // Input that no line could hold leaves the text unchanged and returns false: a value with
  // CR or LF, or (when a line must be added) a key that is empty, has surrounding whitespace,
  // contains '=', ':' or a line break, or starts with '[', '#' or ';', or a new section name
  // that is empty, has surrounding whitespace, or contains ']' or a line break.
  bool Set(std::string_view section, std::string_view key, std::string_view value);

  // The file's full text, reflecting every Set().
  const std::string& Text() const { return text_; }
  // Writes Text() to `path` atomically (temp file in the same folder + rename), keeping the
  // original file's permission bits when it exists.
  Status Save(const std::string& path) const;

 private:
  struct Entry {
    std::string section;     // lower-cased
    std::string key;         // as spelled
    std::string key_lower;   // lower-cased
    std::string value;       // unquoted
    size_t value_begin = 0;  // byte range of the raw value (quotes included) in text_
    size_t value_end = 0;
    char quote = 0;             // '\'' or '"' when the raw value was quoted
    bool has_delimiter = true;  // false for a bare "key" line (value_begin == value_end)
  };
  struct Section {
    std::string name;  // as spelled
    std::string name_lower;
    size_t end = 0;  // byte offset just past the section's last non-blank line
  };
  void Reindex();  // recompute entries_/sections_ from text_ (text_ known valid)
  // Fills entries_/sections_ from text_. sections_[0] is always the unnamed section of keys
  // before the first header, so that Set() has somewhere to put such keys.
  Status Index(std::string_view origin);

  std::string text_;
  std::vector<Entry> entries_;
  std::vector<Section> sections_;
};

}  // namespace sparkify::config
