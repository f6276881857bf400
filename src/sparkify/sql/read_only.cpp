#include "sparkify/sql/read_only.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace sparkify::sql {
namespace {

// A token that matters to the guard: a word (lowercased), or one of ; ( ) , or a literal
// stand-in. Everything else (operators, numbers' punctuation) is irrelevant and skipped.
struct Token {
  enum class Kind { kWord, kSemicolon, kOpen, kClose, kOther };
  Kind kind;
  std::string word;  // lowercase, for kWord
  size_t end;        // offset just past the token
};

bool IsWordStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool IsWordChar(char c) {
  return IsWordStart(c) || std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '$';
}

struct Lexed {
  std::vector<Token> tokens;
  std::string error;  // empty when the text lexed cleanly
};

// Skips literals, quoted identifiers and comments the way PostgreSQL and DuckDB read them
// (nested block comments, '' and "" doubling, E'' backslash escapes, $tag$ quotes).
Lexed Lex(std::string_view s) {
  Lexed out;
  size_t i = 0;
  const size_t n = s.size();
  auto push = [&](Token::Kind kind, size_t end, std::string word = {}) {
    out.tokens.push_back(Token{kind, std::move(word), end});
  };
  while (i < n) {
    const char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      ++i;
    } else if (c == '-' && i + 1 < n && s[i + 1] == '-') {
      while (i < n && s[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
      int depth = 0;
      while (i < n) {
        if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
          ++depth;
          i += 2;
        } else if (s[i] == '*' && i + 1 < n && s[i + 1] == '/') {
          i += 2;
          if (--depth == 0) break;
        } else {
          ++i;
        }
      }
      if (depth != 0) {
        out.error = "unterminated /* comment";
        return out;
      }
    } else if (c == '\'' || c == '"') {
      // E'...' strings take backslash escapes; the E was lexed as a one-letter word.
      const bool backslash_escapes = c == '\'' && !out.tokens.empty() &&
                                     out.tokens.back().kind == Token::Kind::kWord &&
                                     out.tokens.back().word == "e" && out.tokens.back().end == i;
      if (backslash_escapes) out.tokens.pop_back();
      ++i;
      bool closed = false;
      while (i < n) {
        if (backslash_escapes && s[i] == '\\') {
          i += 2;
          continue;
        }
        if (s[i] == c) {
          if (i + 1 < n && s[i + 1] == c) {
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        ++i;
      }
      if (!closed) {
        out.error = c == '\'' ? "unterminated string literal" : "unterminated quoted identifier";
        return out;
      }
      push(Token::Kind::kOther, i);
    } else if (c == '$') {
      // $tag$ ... $tag$ (tag may be empty); "$1" is a parameter, not a quote.
      size_t j = i + 1;
      while (j < n && (IsWordStart(s[j]) || std::isdigit(static_cast<unsigned char>(s[j])))) {
        if (j == i + 1 && std::isdigit(static_cast<unsigned char>(s[j])) != 0) break;
        ++j;
      }
      if (j < n && s[j] == '$' &&
          (j == i + 1 || !std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
        const std::string_view tag = s.substr(i, j - i + 1);
        const size_t close = s.find(tag, j + 1);
        if (close == std::string_view::npos) {
          out.error = "unterminated dollar-quoted string";
          return out;
        }
        i = close + tag.size();
        push(Token::Kind::kOther, i);
      } else {
        ++i;
        push(Token::Kind::kOther, i);
      }
    } else if (IsWordStart(c)) {
      const size_t start = i;
      while (i < n && IsWordChar(s[i])) ++i;
      std::string word(s.substr(start, i - start));
      std::transform(word.begin(), word.end(), word.begin(), [](char ch) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      });
      push(Token::Kind::kWord, i, std::move(word));
    } else if (c == ';') {
      push(Token::Kind::kSemicolon, ++i);
    } else if (c == '(') {
      push(Token::Kind::kOpen, ++i);
    } else if (c == ')') {
      push(Token::Kind::kClose, ++i);
    } else {
      push(Token::Kind::kOther, ++i);
    }
  }
  return out;
}

// Statements that only read. `table t` and DuckDB's `from t` are shorthands for a select.
constexpr std::array<std::string_view, 5> kQueryWords{"select", "with", "values", "table", "from"};
constexpr std::array<std::string_view, 3> kInspectWords{"show", "describe", "summarize"};
// Words that only appear in statements that write or change the session. A read never needs
// them unquoted, so finding one anywhere (a data-modifying CTE, an explained COPY) refuses
// the statement; an identifier with such a name can still be written "quoted".
constexpr std::array<std::string_view, 24> kWriteWords{
    "insert",     "update", "delete", "merge",  "copy",   "create",  "drop",   "alter",
    "truncate",   "grant",  "revoke", "attach", "detach", "install", "load",   "pragma",
    "checkpoint", "vacuum", "call",   "export", "import", "begin",   "commit", "rollback"};

bool OneOf(std::string_view word, auto const& words) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

// Index of the first token that is not '(' at or after `i` (queries may be parenthesised).
size_t SkipOpenParens(const std::vector<Token>& t, size_t i) {
  while (i < t.size() && t[i].kind == Token::Kind::kOpen) ++i;
  return i;
}

std::string Refusal(std::string_view why) {
  return std::string(why) +
         "; --sql runs one read-only statement (select, with, values, table, from, show, describe, "
         "summarize, explain)";
}

}  // namespace

Status CheckReadOnlyStatement(std::string_view sql) {
  Lexed lexed = Lex(sql);
  if (!lexed.error.empty()) return Error::InvalidArgument(Refusal(lexed.error));
  const std::vector<Token>& t = lexed.tokens;
  size_t end = 0;  // tokens of the statement: [0, end)
  while (end < t.size() && t[end].kind != Token::Kind::kSemicolon) ++end;
  for (size_t i = end; i < t.size(); ++i) {
    if (t[i].kind != Token::Kind::kSemicolon) {
      return Error::InvalidArgument(Refusal("more than one statement"));
    }
  }
  if (end == 0) return Error::InvalidArgument(Refusal("no statement given"));
  const size_t first = SkipOpenParens(t, 0);
  if (first >= end || t[first].kind != Token::Kind::kWord) {
    return Error::InvalidArgument(Refusal("the statement does not start with a keyword"));
  }
  const std::string& verb = t[first].word;
  if (verb == "explain") {
    // explain [(option, ...)] [analyze|analyse] [verbose] <query>
    size_t i = first + 1;
    if (i < end && t[i].kind == Token::Kind::kOpen) {
      for (int depth = 0; i < end; ++i) {
        if (t[i].kind == Token::Kind::kOpen) ++depth;
        if (t[i].kind == Token::Kind::kClose && --depth == 0) {
          ++i;
          break;
        }
      }
    }
    while (i < end && t[i].kind == Token::Kind::kWord &&
           (t[i].word == "analyze" || t[i].word == "analyse" || t[i].word == "verbose")) {
      ++i;
    }
    i = SkipOpenParens(t, i);
    if (i >= end || t[i].kind != Token::Kind::kWord || !OneOf(t[i].word, kQueryWords)) {
      return Error::InvalidArgument(Refusal("explain must be followed by a query"));
    }
  } else if (!OneOf(verb, kQueryWords) && !OneOf(verb, kInspectWords)) {
    return Error::InvalidArgument(Refusal("\"" + verb + "\" statements are not allowed"));
  }
  for (size_t i = first; i < end; ++i) {
    if (t[i].kind == Token::Kind::kWord && OneOf(t[i].word, kWriteWords)) {
      return Error::InvalidArgument(Refusal("\"" + t[i].word + "\" does not belong in a read"));
    }
  }
  return Status::Ok();
}

std::string StripStatementEnd(std::string_view sql) {
  Lexed lexed = Lex(sql);
  size_t end = 0;
  for (const Token& token : lexed.tokens) {
    if (token.kind == Token::Kind::kSemicolon) break;
    end = token.end;
  }
  return std::string(sql.substr(0, end));
}

}  // namespace sparkify::sql
