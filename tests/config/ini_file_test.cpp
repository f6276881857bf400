#include "sparkify/config/ini_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace sparkify::config {
namespace {

namespace fs = std::filesystem;
// gmock is not linked; these give the same failure messages as its matchers would.
::testing::AssertionResult StartsWith(std::string_view text, std::string_view prefix) {
  if (text.starts_with(prefix)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "\"" << text << "\" does not start with \"" << prefix << "\"";
}
::testing::AssertionResult Contains(std::string_view text, std::string_view part) {
  if (text.find(part) != std::string_view::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

constexpr char kDwhCfg[] =
    "[CLUSTER]\n"
    "HOST=''\n"
    "DB_NAME='dwh'\n"
    "DB_USER=dwhuser\n"
    "DB_PASSWORD : Passw0rd\n"
    "DB_PORT=5439\n"
    "\n"
    "[IAM_ROLE]\n"
    "ARN='arn:aws:iam::123:role/dwhRole'\n"
    "\n"
    "[S3]\n"
    "LOG_DATA='s3://udacity-dend/log_data'\n"
    "LOG_JSONPATH='s3://udacity-dend/log_json_path.json'\n"
    "SONG_DATA='s3://udacity-dend/song_data'\n";

IniFile MustParse(std::string_view text) {
  Result<IniFile> parsed = IniFile::Parse(text, "test.cfg");
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().ToString());
  return parsed.ok() ? std::move(parsed).value() : IniFile();
}

Error MustFail(std::string_view text, std::string_view origin = "dwh.cfg") {
  Result<IniFile> parsed = IniFile::Parse(text, origin);
  EXPECT_FALSE(parsed.ok()) << "parsed unexpectedly: " << text;
  return parsed.ok() ? Error::Internal("parsed") : parsed.take_error();
}

// A fresh folder per test, removed afterwards.
class IniFileDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "ini_file_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  static void WriteFile(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
  }
  static std::string ReadFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
  }
  static mode_t Mode(const fs::path& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0);
    return info.st_mode & 07777;
  }

  fs::path dir_;
};

// --- reading ---------------------------------------------------------------------------------

TEST(IniFileParseTest, ReadsTheOriginalDwhCfg) {
  IniFile ini = MustParse(kDwhCfg);
  EXPECT_EQ(ini.Get("CLUSTER", "HOST"), "");
  EXPECT_EQ(ini.Get("CLUSTER", "DB_NAME"), "dwh");
  EXPECT_EQ(ini.Get("CLUSTER", "DB_USER"), "dwhuser");
  EXPECT_EQ(ini.Get("CLUSTER", "DB_PASSWORD"), "Passw0rd");
  EXPECT_EQ(ini.Get("CLUSTER", "DB_PORT"), "5439");
  EXPECT_EQ(ini.Get("IAM_ROLE", "ARN"), "arn:aws:iam::123:role/dwhRole");
  EXPECT_EQ(ini.Get("S3", "LOG_DATA"), "s3://udacity-dend/log_data");
  EXPECT_EQ(ini.Get("S3", "LOG_JSONPATH"), "s3://udacity-dend/log_json_path.json");
  EXPECT_EQ(ini.Get("S3", "SONG_DATA"), "s3://udacity-dend/song_data");
  EXPECT_EQ(ini.Sections(), (std::vector<std::string>{"CLUSTER", "IAM_ROLE", "S3"}));
  EXPECT_EQ(ini.Keys("CLUSTER"),
            (std::vector<std::string>{"HOST", "DB_NAME", "DB_USER", "DB_PASSWORD", "DB_PORT"}));
  EXPECT_EQ(ini.Text(), kDwhCfg);
}

TEST(IniFileParseTest, LooksUpSectionsAndKeysCaseInsensitively) {
  IniFile ini = MustParse("[Cluster]\nDb_Name = dwh\n");
  EXPECT_EQ(ini.Get("cluster", "db_name"), "dwh");
  EXPECT_EQ(ini.Get("CLUSTER", "DB_NAME"), "dwh");
  EXPECT_TRUE(ini.HasSection("CLUSTER"));
  EXPECT_TRUE(ini.HasSection("cluster"));
  // Names are reported as spelled in the file.
  EXPECT_EQ(ini.Sections(), std::vector<std::string>{"Cluster"});
  EXPECT_EQ(ini.Keys("CLUSTER"), std::vector<std::string>{"Db_Name"});
}

TEST(IniFileParseTest, SplitsAtTheFirstDelimiterOfEitherKind) {
  IniFile ini = MustParse(
      "[s]\n"
      "url = http://host:80/a=b\n"
      "a:b=c\n"
      "x=y:z\n");
  EXPECT_EQ(ini.Get("s", "url"), "http://host:80/a=b");
  EXPECT_EQ(ini.Get("s", "a"), "b=c");
  EXPECT_EQ(ini.Get("s", "x"), "y:z");
}

TEST(IniFileParseTest, TrimsWhitespaceAroundKeysAndValues) {
  IniFile ini = MustParse("  [ s ]  \n\t key \t=\t value with  inner  spaces \t\n");
  EXPECT_EQ(ini.Sections(), std::vector<std::string>{"s"});
  EXPECT_EQ(ini.Get("s", "key"), "value with  inner  spaces");
}

TEST(IniFileParseTest, RemovesOneMatchingPairOfQuotes) {
  IniFile ini = MustParse(
      "[s]\n"
      "single = 'a b'\n"
      "double = \"a b\"\n"
      "empty_single = ''\n"
      "empty_double = \"\"\n"
      "inner = 'it's'\n"
      "spaces_kept = '  padded  '\n"
      "nested = \"'x'\"\n");
  EXPECT_EQ(ini.Get("s", "single"), "a b");
  EXPECT_EQ(ini.Get("s", "double"), "a b");
  EXPECT_EQ(ini.Get("s", "empty_single"), "");
  EXPECT_EQ(ini.Get("s", "empty_double"), "");
  EXPECT_EQ(ini.Get("s", "inner"), "it's");
  EXPECT_EQ(ini.Get("s", "spaces_kept"), "  padded  ");
  EXPECT_EQ(ini.Get("s", "nested"), "'x'");
}

TEST(IniFileParseTest, KeepsUnmatchedQuotes) {
  IniFile ini = MustParse(
      "[s]\n"
      "mixed = 'abc\"\n"
      "open = 'abc\n"
      "lone = '\n"
      "middle = a'b'c\n");
  EXPECT_EQ(ini.Get("s", "mixed"), "'abc\"");
  EXPECT_EQ(ini.Get("s", "open"), "'abc");
  EXPECT_EQ(ini.Get("s", "lone"), "'");
  EXPECT_EQ(ini.Get("s", "middle"), "a'b'c");
}

TEST(IniFileParseTest, ReadsAKeyWithoutDelimiterAsEmpty) {
  IniFile ini = MustParse("[s]\nflag\nother=\n");
  EXPECT_EQ(ini.Get("s", "flag"), "");
  EXPECT_EQ(ini.Get("s", "other"), "");
  EXPECT_EQ(ini.Keys("s"), (std::vector<std::string>{"flag", "other"}));
}

TEST(IniFileParseTest, SkipsCommentsAndBlankLines) {
  IniFile ini = MustParse(
      "# leading comment\n"
      "; another\n"
      "\n"
      "[s]\n"
      "   # indented comment = not a key\n"
      "\t; tab-indented\n"
      "   \t\n"
      "key = value\n");
  EXPECT_EQ(ini.Keys("s"), std::vector<std::string>{"key"});
  EXPECT_EQ(ini.Sections(), std::vector<std::string>{"s"});
  EXPECT_FALSE(ini.HasSection(""));
}

TEST(IniFileParseTest, TreatsHashInsideAValueAsPartOfIt) {
  IniFile ini = MustParse("[s]\npassword = abc#def ; ghi\n");
  EXPECT_EQ(ini.Get("s", "password"), "abc#def ; ghi");
}

TEST(IniFileParseTest, AcceptsATrailingCommentAfterASectionHeader) {
  IniFile ini = MustParse("[s] # the cluster\nk=v\n[t];x\n");
  EXPECT_EQ(ini.Sections(), (std::vector<std::string>{"s", "t"}));
  EXPECT_EQ(ini.Get("s", "k"), "v");
}

TEST(IniFileParseTest, AcceptsCrlfLineEndings) {
  IniFile ini =
      MustParse("[CLUSTER]\r\nHOST=''\r\nDB_USER = dwhuser\r\nFLAG\r\n\r\n[S3]\r\nA='x'\r\n");
  EXPECT_EQ(ini.Get("CLUSTER", "HOST"), "");
  EXPECT_EQ(ini.Get("CLUSTER", "DB_USER"), "dwhuser");
  EXPECT_EQ(ini.Get("CLUSTER", "FLAG"), "");
  EXPECT_EQ(ini.Get("S3", "A"), "x");
  EXPECT_EQ(ini.Keys("CLUSTER"), (std::vector<std::string>{"HOST", "DB_USER", "FLAG"}));
}

TEST(IniFileParseTest, AcceptsAndKeepsAUtf8Bom) {
  const std::string text = "\xEF\xBB\xBF[CLUSTER]\nHOST=h\n";
  IniFile ini = MustParse(text);
  EXPECT_EQ(ini.Sections(), std::vector<std::string>{"CLUSTER"});
  EXPECT_EQ(ini.Get("CLUSTER", "HOST"), "h");
  EXPECT_EQ(ini.Text(), text);
}

TEST(IniFileParseTest, PutsKeysBeforeTheFirstSectionInTheUnnamedSection) {
  IniFile ini = MustParse("top = 1\n[s]\nk = 2\n");
  EXPECT_TRUE(ini.HasSection(""));
  EXPECT_EQ(ini.Get("", "top"), "1");
  EXPECT_EQ(ini.Get("s", "top"), std::nullopt);
  EXPECT_EQ(ini.Sections(), (std::vector<std::string>{"", "s"}));
}

TEST(IniFileParseTest, LetsALaterDuplicateKeyWin) {
  IniFile ini = MustParse("[s]\nKey = first\nother = x\nkey = second\n");
  EXPECT_EQ(ini.Get("s", "key"), "second");
  // Listed once, where and as it first appears.
  EXPECT_EQ(ini.Keys("s"), (std::vector<std::string>{"Key", "other"}));
}

TEST(IniFileParseTest, MergesARepeatedSectionIntoTheFirst) {
  IniFile ini = MustParse("[s]\na = 1\n[t]\nb = 2\n[S]\nc = 3\n");
  EXPECT_EQ(ini.Sections(), (std::vector<std::string>{"s", "t"}));
  EXPECT_EQ(ini.Keys("s"), (std::vector<std::string>{"a", "c"}));
}

TEST(IniFileParseTest, KeepsUnknownSectionsAndKeysInFileOrder) {
  IniFile ini = MustParse("[zeta]\nz = 1\n[CLUSTER]\nEXTRA = yes\nHOST = h\n[alpha]\n");
  EXPECT_EQ(ini.Sections(), (std::vector<std::string>{"zeta", "CLUSTER", "alpha"}));
  EXPECT_EQ(ini.Keys("CLUSTER"), (std::vector<std::string>{"EXTRA", "HOST"}));
  EXPECT_TRUE(ini.HasSection("alpha"));
  EXPECT_TRUE(ini.Keys("alpha").empty());
}

TEST(IniFileParseTest, ParsesEmptyAndBlankText) {
  for (std::string_view text : {"", "\n\n", "  \r\n", "\xEF\xBB\xBF", "# only a comment"}) {
    IniFile ini = MustParse(text);
    EXPECT_TRUE(ini.Sections().empty()) << text;
    EXPECT_EQ(ini.Text(), text);
  }
}

TEST(IniFileParseTest, ReturnsNothingForMissingSectionsAndKeys) {
  IniFile ini = MustParse(kDwhCfg);
  EXPECT_EQ(ini.Get("CLUSTER", "NOPE"), std::nullopt);
  EXPECT_EQ(ini.Get("NOPE", "HOST"), std::nullopt);
  EXPECT_FALSE(ini.HasSection("NOPE"));
  EXPECT_FALSE(ini.HasSection(""));
  EXPECT_TRUE(ini.Keys("NOPE").empty());
}

TEST(IniFileParseTest, DefaultConstructedFileIsEmpty) {
  IniFile ini;
  EXPECT_EQ(ini.Text(), "");
  EXPECT_TRUE(ini.Sections().empty());
  EXPECT_EQ(ini.Get("", "k"), std::nullopt);
}

// --- malformed input -------------------------------------------------------------------------

TEST(IniFileParseErrorTest, RejectsAnUnclosedSectionHeaderWithItsLineNumber) {
  std::string text = kDwhCfg;
  text += "[UNCLOSED\n";  // line 15
  Error error = MustFail(text);
  EXPECT_EQ(error.code(), ErrorCode::kConfig);
  EXPECT_TRUE(StartsWith(error.message(), "dwh.cfg:15: "));
  EXPECT_TRUE(Contains(error.message(), "']'"));
}

TEST(IniFileParseErrorTest, RejectsALineWithNoKey) {
  Error equals = MustFail("[s]\na = 1\n\n= x\n");
  EXPECT_EQ(equals.code(), ErrorCode::kConfig);
  EXPECT_TRUE(StartsWith(equals.message(), "dwh.cfg:4: "));
  Error colon = MustFail("[s]\n  : x\n");
  EXPECT_EQ(colon.code(), ErrorCode::kConfig);
  EXPECT_TRUE(StartsWith(colon.message(), "dwh.cfg:2: "));
}

TEST(IniFileParseErrorTest, RejectsAnEmptySectionName) {
  Error error = MustFail("[]\n");
  EXPECT_EQ(error.code(), ErrorCode::kConfig);
  EXPECT_TRUE(StartsWith(error.message(), "dwh.cfg:1: "));
  EXPECT_TRUE(StartsWith(MustFail("k=v\n[  ]\n").message(), "dwh.cfg:2: "));
}

TEST(IniFileParseErrorTest, RejectsTextAfterASectionHeader) {
  Error error = MustFail("[s] junk\n");
  EXPECT_EQ(error.code(), ErrorCode::kConfig);
  EXPECT_TRUE(StartsWith(error.message(), "dwh.cfg:1: "));
}

TEST(IniFileParseTest, KeepsAHashInsideASectionHeaderInTheName) {
  // Comments only start a line, so this is the section "s #", not "s" and a comment.
  IniFile ini = MustParse("[s # ]\nk = v\n");
  EXPECT_EQ(ini.Sections(), std::vector<std::string>{"s #"});
  EXPECT_EQ(ini.Get("S #", "k"), "v");
}

TEST(IniFileParseErrorTest, CountsLinesAfterBomCrlfBlanksAndComments) {
  Error error = MustFail("\xEF\xBB\xBF# c\r\n\r\n[s]\r\n[bad\r\n");
  EXPECT_TRUE(StartsWith(error.message(), "dwh.cfg:4: "));
}

TEST(IniFileParseErrorTest, DoesNotQuoteTheOffendingLine) {
  // A malformed line may hold a secret, and errors end up in logs.
  Error error = MustFail("[s]\n= Sup3rS3cret\n");
  EXPECT_FALSE(Contains(error.ToString(), "Sup3rS3cret"));
}

TEST(IniFileParseErrorTest, NamesTheDefaultOrigin) {
  Result<IniFile> parsed = IniFile::Parse("[x\n");
  ASSERT_FALSE(parsed.ok());
  EXPECT_TRUE(StartsWith(parsed.error().message(), "<memory>:1: "));
}

// --- Set on an existing key ------------------------------------------------------------------

TEST(IniFileSetTest, ChangesOnlyTheValueBytesOfAnExistingKey) {
  IniFile ini = MustParse(kDwhCfg);
  EXPECT_TRUE(ini.Set("cluster", "db_user", "admin"));
  std::string expected = kDwhCfg;
  expected.replace(expected.find("dwhuser"), 7, "admin");
  EXPECT_EQ(ini.Text(), expected);
  EXPECT_EQ(ini.Get("CLUSTER", "DB_USER"), "admin");
}

TEST(IniFileSetTest, KeepsSpacingQuoteStyleAndKeySpelling) {
  IniFile ini = MustParse(
      "[s]\n"
      "KEY = 'old'\n"
      "Dq\t=  \"old\"   \n"
      "colon : old\n");
  EXPECT_TRUE(ini.Set("S", "key", "new"));
  EXPECT_TRUE(ini.Set("s", "DQ", "new"));
  EXPECT_TRUE(ini.Set("s", "COLON", "new"));
  EXPECT_EQ(ini.Text(),
            "[s]\n"
            "KEY = 'new'\n"
            "Dq\t=  \"new\"   \n"
            "colon : new\n");
}

TEST(IniFileSetTest, FillsAnEmptyQuotedValueInPlace) {
  IniFile ini = MustParse(kDwhCfg);
  EXPECT_TRUE(ini.Set("CLUSTER", "HOST", "dwh.abc.us-west-2.redshift.amazonaws.com"));
  std::string expected = kDwhCfg;
  expected.replace(expected.find("HOST=''"), 7, "HOST='dwh.abc.us-west-2.redshift.amazonaws.com'");
  EXPECT_EQ(ini.Text(), expected);
}

TEST(IniFileSetTest, FillsAnEmptyBareValueAfterTheBlanks) {
  IniFile ini = MustParse("[s]\na=\nb = \nc =\r\n");
  EXPECT_TRUE(ini.Set("s", "a", "1"));
  EXPECT_TRUE(ini.Set("s", "b", "2"));
  EXPECT_TRUE(ini.Set("s", "c", "3"));
  EXPECT_EQ(ini.Text(), "[s]\na=1\nb = 2\nc =3\r\n");
}

TEST(IniFileSetTest, AddsADelimiterToABareKey) {
  IniFile ini = MustParse("[s]\n  flag  \nnext = 1\n");
  EXPECT_TRUE(ini.Set("s", "flag", "on"));
  EXPECT_EQ(ini.Text(), "[s]\n  flag = on  \nnext = 1\n");
  EXPECT_EQ(ini.Get("s", "flag"), "on");
}

TEST(IniFileSetTest, CanEmptyAValue) {
  IniFile ini = MustParse("[s]\nbare = old\nquoted = 'old'\n");
  EXPECT_TRUE(ini.Set("s", "bare", ""));
  EXPECT_TRUE(ini.Set("s", "quoted", ""));
  EXPECT_EQ(ini.Text(), "[s]\nbare = \nquoted = ''\n");
  EXPECT_EQ(ini.Get("s", "bare"), "");
}

TEST(IniFileSetTest, ReturnsFalseAndKeepsTextWhenTheValueIsUnchanged) {
  IniFile ini = MustParse(kDwhCfg);
  EXPECT_FALSE(ini.Set("CLUSTER", "DB_NAME", "dwh"));
  EXPECT_FALSE(ini.Set("cluster", "db_user", "dwhuser"));
  EXPECT_FALSE(ini.Set("CLUSTER", "HOST", ""));
  EXPECT_EQ(ini.Text(), kDwhCfg);
}

TEST(IniFileSetTest, ChangesTheWinningDuplicate) {
  IniFile ini = MustParse("[s]\nk = first\nk = second\n");
  EXPECT_TRUE(ini.Set("s", "k", "third"));
  EXPECT_EQ(ini.Text(), "[s]\nk = first\nk = third\n");
  EXPECT_EQ(ini.Get("s", "k"), "third");
}

TEST(IniFileSetTest, KeepsCrlfAroundAnEditedValue) {
  IniFile ini = MustParse("[s]\r\nk = 'old'\r\n");
  EXPECT_TRUE(ini.Set("s", "k", "new"));
  EXPECT_EQ(ini.Text(), "[s]\r\nk = 'new'\r\n");
}

// --- Set and quotes --------------------------------------------------------------------------

TEST(IniFileSetTest, SwitchesToTheOtherQuoteWhenTheValueContainsTheOriginal) {
  IniFile ini = MustParse("[s]\na = 'old'\nb = \"old\"\n");
  EXPECT_TRUE(ini.Set("s", "a", "it's"));
  EXPECT_TRUE(ini.Set("s", "b", "say \"hi\""));
  EXPECT_EQ(ini.Text(), "[s]\na = \"it's\"\nb = 'say \"hi\"'\n");
  EXPECT_EQ(ini.Get("s", "a"), "it's");
  EXPECT_EQ(ini.Get("s", "b"), "say \"hi\"");
}

TEST(IniFileSetTest, FallsBackToBareWhenTheValueContainsBothQuotes) {
  IniFile ini = MustParse("[s]\na = 'old'\n");
  EXPECT_TRUE(ini.Set("s", "a", "it's \"x\""));
  EXPECT_EQ(ini.Text(), "[s]\na = it's \"x\"\n");
  EXPECT_EQ(ini.Get("s", "a"), "it's \"x\"");
}

TEST(IniFileSetTest, KeepsTheQuoteWhenBothQuotesAppearAndBareWouldNotReadBack) {
  IniFile ini = MustParse("[s]\na = 'old'\n");
  EXPECT_TRUE(ini.Set("s", "a", " it's \"x\" "));
  EXPECT_EQ(ini.Text(), "[s]\na = ' it's \"x\" '\n");
  EXPECT_EQ(ini.Get("s", "a"), " it's \"x\" ");
}

TEST(IniFileSetTest, QuotesABareValueOnlyWhenItWouldNotReadBack) {
  IniFile ini = MustParse("[s]\na = old\nb = old\nc = old\nd = old\n");
  EXPECT_TRUE(ini.Set("s", "a", "it's"));       // reads back bare
  EXPECT_TRUE(ini.Set("s", "b", " padded "));   // blanks would be trimmed
  EXPECT_TRUE(ini.Set("s", "c", "'x'"));        // quotes would be removed
  EXPECT_TRUE(ini.Set("s", "d", "\"x\" 'y'"));  // starts and ends differently: bare is fine
  EXPECT_EQ(ini.Text(), "[s]\na = it's\nb = ' padded '\nc = \"'x'\"\nd = \"x\" 'y'\n");
}

TEST(IniFileSetTest, EveryValueReadsBackWhateverTheOriginalStyle) {
  const std::vector<std::string> values = {
      "",      "plain", "it's", "say \"hi\"", "'q'", "\"q\"", " lead", "trail ",          "\t",
      "'",     "\"",    "'\"",  "\"'",        "''",  "\"\"",  "a=b:c", "# not a comment", "' x \"",
      " ' \" "};
  for (std::string_view original : {"k = v", "k = 'v'", "k = \"v\"", "k", "k ="}) {
    for (const std::string& value : values) {
      IniFile ini = MustParse("[s]\n" + std::string(original) + "\n[t]\n");
      ini.Set("s", "k", value);
      ini.Set("s", "new", value);
      ini.Set("fresh", "new", value);
      IniFile reread = MustParse(ini.Text());
      EXPECT_EQ(reread.Get("s", "k"), value) << original << " <- [" << value << "]";
      EXPECT_EQ(reread.Get("s", "new"), value) << "[" << value << "]";
      EXPECT_EQ(reread.Get("fresh", "new"), value) << "[" << value << "]";
      EXPECT_EQ(reread.Keys("s"), (std::vector<std::string>{"k", "new"}));
    }
  }
}

// --- Set on a missing key or section ---------------------------------------------------------

TEST(IniFileSetTest, AppendsAMissingKeyAfterTheSectionsLastLine) {
  IniFile ini = MustParse(kDwhCfg);
  EXPECT_TRUE(ini.Set("cluster", "REGION", "us-west-2"));
  std::string expected = kDwhCfg;
  expected.insert(expected.find("\n[IAM_ROLE]"), "REGION = us-west-2\n");
  EXPECT_EQ(ini.Text(), expected);
  EXPECT_EQ(ini.Get("CLUSTER", "REGION"), "us-west-2");
  EXPECT_EQ(ini.Keys("CLUSTER").back(), "REGION");
}

TEST(IniFileSetTest, AppendsBeforeTheNextSectionWhenNoBlankLineSeparatesThem) {
  IniFile ini = MustParse("[a]\nx = 1\n[b]\ny = 2\n");
  EXPECT_TRUE(ini.Set("a", "z", "3"));
  EXPECT_EQ(ini.Text(), "[a]\nx = 1\nz = 3\n[b]\ny = 2\n");
}

TEST(IniFileSetTest, AppendsBeforeSeveralTrailingBlankLines) {
  IniFile ini = MustParse("[a]\nx = 1\n\n  \n\n[b]\n");
  EXPECT_TRUE(ini.Set("a", "z", "3"));
  EXPECT_EQ(ini.Text(), "[a]\nx = 1\nz = 3\n\n  \n\n[b]\n");
}

TEST(IniFileSetTest, AppendsToASectionWithOnlyAHeader) {
  IniFile ini = MustParse("[a]\n\n[b]\n");
  EXPECT_TRUE(ini.Set("a", "k", "v"));
  EXPECT_EQ(ini.Text(), "[a]\nk = v\n\n[b]\n");
}

TEST(IniFileSetTest, AppendsAfterATrailingCommentOfTheSection) {
  // A comment is a non-blank line of the section it stands in.
  IniFile ini = MustParse("[a]\nx = 1\n# end of a\n\n[b]\n");
  EXPECT_TRUE(ini.Set("a", "z", "3"));
  EXPECT_EQ(ini.Text(), "[a]\nx = 1\n# end of a\nz = 3\n\n[b]\n");
}

TEST(IniFileSetTest, AppendsToTheLastSectionWithoutAFinalNewline) {
  IniFile ini = MustParse("[a]\nx = 1");
  EXPECT_TRUE(ini.Set("a", "z", "3"));
  EXPECT_EQ(ini.Text(), "[a]\nx = 1\nz = 3");
  EXPECT_EQ(ini.Get("a", "x"), "1");
  EXPECT_EQ(ini.Get("a", "z"), "3");
}

TEST(IniFileSetTest, AppendsToTheLastOccurrenceOfARepeatedSection) {
  IniFile ini = MustParse("[a]\nx = 1\n\n[b]\n\n[A]\ny = 2\n\n");
  EXPECT_TRUE(ini.Set("a", "z", "3"));
  EXPECT_EQ(ini.Text(), "[a]\nx = 1\n\n[b]\n\n[A]\ny = 2\nz = 3\n\n");
}

TEST(IniFileSetTest, QuotesANewValueOnlyWhenNeeded) {
  IniFile ini = MustParse("[s]\n");
  EXPECT_TRUE(ini.Set("s", "plain", "v"));
  EXPECT_TRUE(ini.Set("s", "padded", " v "));
  EXPECT_TRUE(ini.Set("s", "empty", ""));
  EXPECT_EQ(ini.Text(), "[s]\nplain = v\npadded = ' v '\nempty =\n");
  EXPECT_EQ(ini.Get("s", "empty"), "");
}

TEST(IniFileSetTest, AppendsAMissingSectionAfterABlankLine) {
  IniFile ini = MustParse(kDwhCfg);
  EXPECT_TRUE(ini.Set("Extra", "Key", "value"));
  EXPECT_EQ(ini.Text(), std::string(kDwhCfg) + "\n[Extra]\nKey = value\n");
  EXPECT_EQ(ini.Sections().back(), "Extra");
  EXPECT_EQ(ini.Get("extra", "key"), "value");
}

TEST(IniFileSetTest, TerminatesTheLastLineBeforeAppendingASection) {
  IniFile ini = MustParse("[a]\nx = 1");
  EXPECT_TRUE(ini.Set("b", "y", "2"));
  EXPECT_EQ(ini.Text(), "[a]\nx = 1\n\n[b]\ny = 2\n");
}

TEST(IniFileSetTest, AddsNoSecondBlankLineBeforeANewSection) {
  IniFile ini = MustParse("[a]\nx = 1\n\n");
  EXPECT_TRUE(ini.Set("b", "y", "2"));
  EXPECT_EQ(ini.Text(), "[a]\nx = 1\n\n[b]\ny = 2\n");

  IniFile unterminated_blank = MustParse("[a]\nx = 1\n  ");
  EXPECT_TRUE(unterminated_blank.Set("b", "y", "2"));
  EXPECT_EQ(unterminated_blank.Text(), "[a]\nx = 1\n  \n[b]\ny = 2\n");
}

TEST(IniFileSetTest, CreatesTheFirstSectionOfAnEmptyFile) {
  IniFile ini;
  EXPECT_TRUE(ini.Set("CLUSTER", "HOST", "h"));
  EXPECT_EQ(ini.Text(), "[CLUSTER]\nHOST = h\n");
  EXPECT_EQ(ini.Get("cluster", "host"), "h");

  IniFile blank = MustParse("\n");
  EXPECT_TRUE(blank.Set("s", "k", "v"));
  EXPECT_EQ(blank.Text(), "\n[s]\nk = v\n");
}

TEST(IniFileSetTest, AddsUnnamedSectionKeysBeforeTheFirstSection) {
  IniFile ini = MustParse("[a]\nx = 1\n");
  EXPECT_TRUE(ini.Set("", "top", "t"));
  EXPECT_EQ(ini.Text(), "top = t\n[a]\nx = 1\n");
  EXPECT_TRUE(ini.HasSection(""));
  EXPECT_TRUE(ini.Set("", "second", "s"));
  EXPECT_EQ(ini.Text(), "top = t\nsecond = s\n[a]\nx = 1\n");

  IniFile commented = MustParse("# header\n\n[a]\n");
  EXPECT_TRUE(commented.Set("", "top", "t"));
  EXPECT_EQ(commented.Text(), "# header\ntop = t\n\n[a]\n");
}

TEST(IniFileSetTest, UsesTheFilesCrlfForNewLines) {
  IniFile ini = MustParse("[a]\r\nx = 1\r\n\r\n[b]\r\ny = 2");
  EXPECT_TRUE(ini.Set("a", "z", "3"));
  EXPECT_TRUE(ini.Set("b", "w", "4"));
  EXPECT_TRUE(ini.Set("c", "v", "5"));
  EXPECT_EQ(ini.Text(),
            "[a]\r\nx = 1\r\nz = 3\r\n\r\n[b]\r\ny = 2\r\nw = 4\r\n\r\n[c]\r\nv = 5\r\n");
}

TEST(IniFileSetTest, KeepsTheBom) {
  IniFile ini = MustParse("\xEF\xBB\xBF");
  EXPECT_TRUE(ini.Set("s", "k", "v"));
  EXPECT_EQ(ini.Text(), "\xEF\xBB\xBF[s]\nk = v\n");

  IniFile top = MustParse("\xEF\xBB\xBF[a]\n");
  EXPECT_TRUE(top.Set("", "k", "v"));
  EXPECT_EQ(top.Text(), "\xEF\xBB\xBFk = v\n[a]\n");
}

TEST(IniFileSetTest, EditsAKeyItAppendedEarlier) {
  IniFile ini = MustParse(kDwhCfg);
  EXPECT_TRUE(ini.Set("NEW", "K", "1"));
  EXPECT_TRUE(ini.Set("new", "k", "2"));
  EXPECT_FALSE(ini.Set("new", "k", "2"));
  EXPECT_EQ(ini.Text(), std::string(kDwhCfg) + "\n[NEW]\nK = 2\n");
}

// --- Set on input no line can hold -----------------------------------------------------------

TEST(IniFileSetTest, RejectsAValueWithALineBreak) {
  IniFile ini = MustParse(kDwhCfg);
  EXPECT_FALSE(ini.Set("CLUSTER", "DB_USER", "a\nb"));
  EXPECT_FALSE(ini.Set("CLUSTER", "NEW", "a\r\n[evil]"));
  EXPECT_FALSE(ini.Set("NEW", "NEW", "a\rb"));
  EXPECT_EQ(ini.Text(), kDwhCfg);
}

TEST(IniFileSetTest, RejectsAKeyThatWouldNotReadBack) {
  IniFile ini = MustParse(kDwhCfg);
  for (std::string_view key : {"", " k", "k ", "a=b", "a:b", "a\nb", "[k", "#k", ";k"}) {
    EXPECT_FALSE(ini.Set("CLUSTER", key, "v")) << "[" << key << "]";
    EXPECT_FALSE(ini.Set("NEW", key, "v")) << "[" << key << "]";
  }
  EXPECT_EQ(ini.Text(), kDwhCfg);
}

TEST(IniFileSetTest, RejectsASectionNameThatWouldNotReadBack) {
  IniFile ini = MustParse(kDwhCfg);
  for (std::string_view section : {" s", "s ", "a]b", "a\nb"}) {
    EXPECT_FALSE(ini.Set(section, "k", "v")) << "[" << section << "]";
  }
  EXPECT_EQ(ini.Text(), kDwhCfg);
}

// --- files -----------------------------------------------------------------------------------

TEST_F(IniFileDiskTest, LoadReportsAMissingFileAsNotFound) {
  Result<IniFile> loaded = IniFile::Load((dir_ / "missing.cfg").string());
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(Contains(loaded.error().message(), "missing.cfg"));

  Result<IniFile> under_missing = IniFile::Load((dir_ / "no" / "dwh.cfg").string());
  ASSERT_FALSE(under_missing.ok());
  EXPECT_EQ(under_missing.error().code(), ErrorCode::kNotFound);
}

TEST_F(IniFileDiskTest, LoadReadsAFileByteForByte) {
  const std::string text = "\xEF\xBB\xBF[CLUSTER]\r\nHOST=''\r\n\r\n[S3]\r\nA = 'x'";
  WriteFile(dir_ / "dwh.cfg", text);
  Result<IniFile> loaded = IniFile::Load((dir_ / "dwh.cfg").string());
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_EQ(loaded->Text(), text);
  EXPECT_EQ(loaded->Get("s3", "a"), "x");
}

TEST_F(IniFileDiskTest, LoadNamesThePathInParseErrors) {
  const std::string path = (dir_ / "dwh.cfg").string();
  WriteFile(path, "[CLUSTER]\n= x\n");
  Result<IniFile> loaded = IniFile::Load(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code(), ErrorCode::kConfig);
  EXPECT_TRUE(StartsWith(loaded.error().message(), path + ":2: "));
}

TEST_F(IniFileDiskTest, LoadReportsAFolderAsAnIoError) {
  Result<IniFile> loaded = IniFile::Load(dir_.string());
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code(), ErrorCode::kIo);
}

TEST_F(IniFileDiskTest, SaveReplacesTheFileAndKeepsItsPermissionBits) {
  const fs::path path = dir_ / "dwh.cfg";
  WriteFile(path, kDwhCfg);
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  Result<IniFile> loaded = IniFile::Load(path.string());
  ASSERT_TRUE(loaded.ok());
  ASSERT_TRUE(loaded->Set("CLUSTER", "HOST", "h"));
  Status saved = loaded->Save(path.string());
  ASSERT_TRUE(saved.ok()) << saved.error().ToString();
  EXPECT_EQ(ReadFile(path), loaded->Text());
  EXPECT_EQ(Mode(path), 0640u);
}

TEST_F(IniFileDiskTest, SaveLeavesNoTemporaryFileBehind) {
  const fs::path path = dir_ / "dwh.cfg";
  WriteFile(path, kDwhCfg);
  IniFile ini = MustParse(kDwhCfg);
  ASSERT_TRUE(ini.Save(path.string()).ok());
  ASSERT_TRUE(ini.Save(path.string()).ok());
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    names.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(names, std::vector<std::string>{"dwh.cfg"});
}

TEST_F(IniFileDiskTest, SaveCreatesANewFileReadableOnlyByItsOwner) {
  const fs::path path = dir_ / "new.cfg";
  IniFile ini;
  ASSERT_TRUE(ini.Set("CLUSTER", "DB_PASSWORD", "secret"));
  ASSERT_TRUE(ini.Save(path.string()).ok());
  EXPECT_EQ(ReadFile(path), "[CLUSTER]\nDB_PASSWORD = secret\n");
  EXPECT_EQ(Mode(path), 0600u);
}

TEST_F(IniFileDiskTest, SaveIntoAMissingFolderIsAnIoError) {
  IniFile ini = MustParse(kDwhCfg);
  Status saved = ini.Save((dir_ / "no" / "dwh.cfg").string());
  ASSERT_FALSE(saved.ok());
  EXPECT_EQ(saved.error().code(), ErrorCode::kIo);
  EXPECT_TRUE(Contains(saved.error().message(), "dwh.cfg"));
}

TEST_F(IniFileDiskTest, SaveThroughASymlinkReplacesItsTarget) {
  const fs::path target = dir_ / "real.cfg";
  const fs::path link = dir_ / "dwh.cfg";
  WriteFile(target, kDwhCfg);
  ASSERT_EQ(::chmod(target.c_str(), 0604), 0);
  fs::create_symlink("real.cfg", link);
  IniFile ini = MustParse(kDwhCfg);
  ASSERT_TRUE(ini.Set("CLUSTER", "HOST", "h"));
  ASSERT_TRUE(ini.Save(link.string()).ok());
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(ReadFile(target), ini.Text());
  EXPECT_EQ(Mode(target), 0604u);
}

TEST_F(IniFileDiskTest, LoadSetSaveChangesOnlyTheEditedBytes) {
  const fs::path path = dir_ / "dwh.cfg";
  const std::string text =
      "\xEF\xBB\xBF; Sparkify\r\n[CLUSTER]\r\nHOST = ''   \r\nDB_PORT : 5439\r\n\r\n[S3]\r\n";
  WriteFile(path, text);
  Result<IniFile> loaded = IniFile::Load(path.string());
  ASSERT_TRUE(loaded.ok());
  ASSERT_TRUE(loaded->Set("cluster", "host", "example.com"));
  ASSERT_TRUE(loaded->Save(path.string()).ok());
  std::string expected = text;
  expected.replace(expected.find("''"), 2, "'example.com'");
  EXPECT_EQ(ReadFile(path), expected);
}

}  // namespace
}  // namespace sparkify::config
