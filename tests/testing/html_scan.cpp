#include "testing/html_scan.hpp"

#include <cctype>

#include "testing/test_util.hpp"

namespace sparkify::testing {
namespace {

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == ':' || c == '_';
}

// Decodes the entities our generator may write; anything else is a problem.
std::string Decode(std::string_view s, std::vector<std::string>& problems) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    const size_t end = s.find(';', i);
    const std::string_view entity =
        end == std::string_view::npos ? s.substr(i, 12) : s.substr(i, end - i + 1);
    if (entity == "&amp;") {
      out += '&';
    } else if (entity == "&lt;") {
      out += '<';
    } else if (entity == "&gt;") {
      out += '>';
    } else if (entity == "&quot;") {
      out += '"';
    } else if (entity == "&#39;") {
      out += '\'';
    } else if (entity == "&middot;") {
      out += "\u00b7";
    } else {
      problems.push_back("unescaped or unknown entity: " + std::string(entity));
      out += '&';
      continue;
    }
    i += entity.size() - 1;
  }
  return out;
}

}  // namespace

HtmlScan ScanHtml(std::string_view html) {
  HtmlScan scan;
  size_t i = 0;
  std::string text;
  auto flush_text = [&] {
    if (text.find_first_not_of(" \t\r\n") != std::string::npos) {
      if (text.find('>') != std::string::npos) scan.problems.push_back("raw '>' in text: " + text);
      scan.text += Decode(text, scan.problems) + "\n";
    }
    text.clear();
  };
  while (i < html.size()) {
    if (html[i] != '<') {
      text += html[i++];
      continue;
    }
    flush_text();
    if (html.substr(i, 4) == "<!--") {
      const size_t end = html.find("-->", i);
      if (end == std::string_view::npos) {
        scan.problems.push_back("unterminated comment");
        break;
      }
      i = end + 3;
      continue;
    }
    if (html.substr(i, 2) == "<!") {
      i = html.find('>', i) + 1;
      continue;
    }
    size_t j = i + 1;
    const bool closing = j < html.size() && html[j] == '/';
    if (closing) ++j;
    const size_t name_start = j;
    while (j < html.size() && IsNameChar(html[j])) ++j;
    if (j == name_start) {
      scan.problems.push_back("'<' that starts no tag near: " + std::string(html.substr(i, 30)));
      text += html[i++];
      continue;
    }
    HtmlTag tag;
    tag.name = (closing ? "/" : "") + Lowercase(html.substr(name_start, j - name_start));
    for (;;) {
      while (j < html.size() && std::isspace(static_cast<unsigned char>(html[j])) != 0) ++j;
      if (j >= html.size()) {
        scan.problems.push_back("unterminated tag " + tag.name);
        break;
      }
      if (html[j] == '>') {
        ++j;
        break;
      }
      if (html[j] == '/' && j + 1 < html.size() && html[j + 1] == '>') {
        tag.self_closing = true;
        j += 2;
        break;
      }
      const size_t attr_start = j;
      while (j < html.size() && IsNameChar(html[j])) ++j;
      if (j == attr_start) {
        scan.problems.push_back("bad character in tag " + tag.name + ": " + html[j]);
        ++j;
        continue;
      }
      const std::string attr = Lowercase(html.substr(attr_start, j - attr_start));
      std::string value;
      if (j < html.size() && html[j] == '=') {
        ++j;
        if (j >= html.size() || html[j] != '"') {
          scan.problems.push_back("unquoted value of " + attr + " in " + tag.name);
          continue;
        }
        const size_t close = html.find('"', j + 1);
        const std::string_view raw = html.substr(j + 1, close - j - 1);
        if (raw.find('<') != std::string_view::npos) {
          scan.problems.push_back("raw '<' in attribute " + attr);
        }
        value = Decode(raw, scan.problems);
        j = close + 1;
      }
      tag.attributes[attr] = value;
    }
    i = j;
    if (tag.name == "style" || tag.name == "script") {
      const std::string end_tag = "</" + tag.name;
      const size_t end = html.find(end_tag, i);
      if (tag.name == "style") scan.style += std::string(html.substr(i, end - i));
      i = end;
    }
    scan.tags.push_back(std::move(tag));
  }
  flush_text();
  return scan;
}

}  // namespace sparkify::testing
