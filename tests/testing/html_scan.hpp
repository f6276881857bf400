// A strict little HTML scanner for tests of generated pages: it splits a document into tags
// and text, decodes entities, and lists everything a generator must not emit (an unescaped
// '<' or '&' in text, an unquoted attribute, a quote inside an attribute value). It is not a
// browser parser: it holds our own output to a stricter standard.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sparkify::testing {

struct HtmlTag {
  std::string name;                               // lowercase; "/svg" for a closing tag
  std::map<std::string, std::string> attributes;  // values decoded
  bool self_closing = false;
};

struct HtmlScan {
  std::vector<HtmlTag> tags;
  std::string text;                   // every text node, entities decoded, joined by '\n'
  std::string style;                  // the contents of <style> elements
  std::vector<std::string> problems;  // empty for a clean document
};

HtmlScan ScanHtml(std::string_view html);

}  // namespace sparkify::testing
