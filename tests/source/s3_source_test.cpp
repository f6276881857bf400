// The S3 source over an in-process fake bucket: which keys count as files, prefetching under
// concurrent readers, ranged reads of large objects, and faults surfacing on the right file.
#include "sparkify/source/s3/s3_source.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "testing/fake_transport.hpp"

namespace sparkify::source {
namespace {

using sparkify::testing::FakeServer;
using sparkify::testing::MakeResponse;

// A bucket "b" with the given objects, answering ListObjectsV2 (pages of `page_size`) and
// GetObject (with Range); `fail` may return an error response for a key.
class FakeBucket {
 public:
  explicit FakeBucket(std::map<std::string, std::string> objects, size_t page_size = 1000)
      : objects_(std::move(objects)),
        page_size_(page_size),
        server_([this](const aws::HttpRequest& r) { return Handle(r); }) {}

  std::function<std::optional<aws::HttpResponse>(const std::string& key)> fail;
  std::atomic<int> gets{0};
  std::atomic<int> in_flight{0};
  std::atomic<int> max_in_flight{0};

  std::unique_ptr<S3Source> Source(const std::string& location, S3SourceOptions options = {}) {
    aws::S3Config config;
    config.endpoint_url = "http://127.0.0.1:1";
    config.client.credentials = aws::Credentials{"AKID", "SECRET", "", "test"};
    config.client.make_transport = server_.Factory();
    config.client.sleep = [](std::chrono::milliseconds) {};
    config.client.retry.max_attempts = 3;
    auto client = aws::S3Client::Create(config);
    EXPECT_TRUE(client.ok());
    auto uri = aws::ParseS3Uri(location);
    EXPECT_TRUE(uri.ok());
    return std::make_unique<S3Source>(location, *uri, std::move(client).value(), options);
  }

 private:
  Result<aws::HttpResponse> Handle(const aws::HttpRequest& r) {
    std::map<std::string, std::string> q(r.query.begin(), r.query.end());
    if (q.contains("list-type")) return List(q["prefix"], q["continuation-token"]);
    std::string key = aws::PercentDecode(r.path.substr(std::string("/b/").size()));
    if (fail) {
      if (auto response = fail(key)) return *response;
    }
    ++gets;
    int now = ++in_flight;
    int seen = max_in_flight.load();
    while (now > seen && !max_in_flight.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    --in_flight;
    auto it = objects_.find(key);
    if (it == objects_.end()) return MakeResponse(404, "<Error><Code>NoSuchKey</Code></Error>");
    if (auto range = aws::FindHeader(r.headers, "Range")) {
      uint64_t first = 0, last = 0;
      EXPECT_EQ(std::sscanf(std::string(*range).c_str(), "bytes=%lu-%lu", &first, &last), 2);
      return MakeResponse(206, it->second.substr(first, last - first + 1));
    }
    return MakeResponse(200, it->second, {{"etag", "\"e\""}});
  }

  aws::HttpResponse List(const std::string& prefix, const std::string& token) {
    std::string xml = "<ListBucketResult>";
    auto it = token.empty() ? objects_.lower_bound(prefix) : objects_.upper_bound(token);
    size_t n = 0;
    std::string last;
    for (; it != objects_.end() && it->first.starts_with(prefix) && n < page_size_; ++it, ++n) {
      xml += "<Contents><Key>" + aws::UriEncode(it->first, true) + "</Key><Size>" +
             std::to_string(it->second.size()) + "</Size><ETag>\"e\"</ETag></Contents>";
      last = it->first;
    }
    bool more = it != objects_.end() && it->first.starts_with(prefix);
    xml += "<EncodingType>url</EncodingType>";
    xml += more ? "<IsTruncated>true</IsTruncated><NextContinuationToken>" + last +
                      "</NextContinuationToken>"
                : "<IsTruncated>false</IsTruncated>";
    return MakeResponse(200, xml + "</ListBucketResult>");
  }

  std::map<std::string, std::string> objects_;
  size_t page_size_;
  FakeServer server_;
};

S3SourceOptions Concurrency(int n, size_t chunk_bytes = 8u << 20) {
  S3SourceOptions o;
  o.concurrency = n;
  o.chunk_bytes = chunk_bytes;
  return o;
}

std::vector<std::string> Uris(const std::vector<SourceFile>& files) {
  std::vector<std::string> out;
  for (const auto& f : files) out.push_back(f.uri);
  return out;
}

// Waits (up to 10 s) until `count` reaches `want`, then a little longer so that any overshoot
// would show.
int SettleAt(const std::atomic<int>& count, int want) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (count.load() < want && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return count.load();
}

std::string ReadWhole(ByteStream& stream, size_t piece = 7) {
  std::string out;
  char buf[64];
  for (;;) {
    Result<size_t> n = stream.Read(buf, std::min(piece, sizeof buf));
    EXPECT_TRUE(n.ok()) << n.error().ToString();
    if (!n.ok() || *n == 0) return out;
    out.append(buf, *n);
  }
}

TEST(S3SourceList, TakesJsonBelowTheFolderAndSkipsHiddenOnes) {
  FakeBucket bucket({{"song_data/A/b.json", "1"},
                     {"song_data/A/a.json", "2"},
                     {"song_data/A/readme.txt", "3"},
                     {"song_data/.ipynb_checkpoints/c.json", "4"},
                     {"song_data/A/.hidden.json", "5"},
                     {"song_data/", ""},
                     {"song_data_old/d.json", "6"},
                     {"song_data.json", "7"}});
  auto source = bucket.Source("s3://b/song_data");
  Result<std::vector<SourceFile>> files = source->List();
  ASSERT_TRUE(files.ok()) << files.error().ToString();
  EXPECT_EQ(Uris(*files),
            (std::vector<std::string>{"s3://b/song_data/A/a.json", "s3://b/song_data/A/b.json"}));
  EXPECT_EQ((*files)[0].size, 1u);
  EXPECT_EQ((*files)[0].etag(), "e");
}

TEST(S3SourceList, AnObjectLocationIsThatObject) {
  FakeBucket bucket({{"log_json_path.json", "{}"}, {"log_json_path.json.bak/x.json", "{}"}});
  auto files = bucket.Source("s3://b/log_json_path.json")->List();
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(Uris(*files), (std::vector<std::string>{"s3://b/log_json_path.json"}));
}

TEST(S3SourceList, TrailingSlashAndWholeBucket) {
  FakeBucket bucket({{"a/x.json", "1"}, {"b/y.json", "2"}, {".git/z.json", "3"}});
  auto folder = bucket.Source("s3://b/a/")->List();
  auto whole = bucket.Source("s3://b")->List();
  ASSERT_TRUE(folder.ok() && whole.ok());
  EXPECT_EQ(Uris(*folder), (std::vector<std::string>{"s3://b/a/x.json"}));
  EXPECT_EQ(Uris(*whole), (std::vector<std::string>{"s3://b/a/x.json", "s3://b/b/y.json"}));
}

TEST(S3SourceList, FollowsContinuationTokensAndSorts) {
  std::map<std::string, std::string> objects;
  for (int i = 0; i < 2500; ++i) objects["d/" + std::to_string(i) + ".json"] = "{}";
  FakeBucket bucket(objects, 1000);
  auto files = bucket.Source("s3://b/d")->List();
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(files->size(), 2500u);
  EXPECT_TRUE(std::is_sorted(files->begin(), files->end(),
                             [](const auto& a, const auto& b) { return a.uri < b.uri; }));
}

TEST(S3SourceOpen, ConcurrentReadersGetEveryObjectExactlyOnce) {
  std::map<std::string, std::string> objects;
  for (int i = 0; i < 600; ++i) {
    objects["s/" + std::to_string(1000 + i) + ".json"] = "{\"n\":" + std::to_string(i) + "}";
  }
  FakeBucket bucket(objects);
  auto source = bucket.Source("s3://b/s", Concurrency(8));
  auto files = source->List();
  ASSERT_TRUE(files.ok());
  std::atomic<size_t> next{0};
  std::vector<std::map<std::string, std::string>> got(3);
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      for (size_t i = next++; i < files->size(); i = next++) {
        auto stream = source->Open((*files)[i]);
        ASSERT_TRUE(stream.ok()) << stream.error().ToString();
        got[t][(*files)[i].uri] = ReadWhole(**stream);
      }
    });
  }
  for (auto& r : readers) r.join();
  std::map<std::string, std::string> all;
  for (auto& m : got) all.insert(m.begin(), m.end());
  ASSERT_EQ(all.size(), objects.size());
  for (const auto& [key, body] : objects) EXPECT_EQ(all["s3://b/" + key], body);
  EXPECT_EQ(bucket.gets.load(), 600);         // nothing fetched twice
  EXPECT_GT(bucket.max_in_flight.load(), 3);  // the pool, not just the readers, fetched
}

TEST(S3SourceOpen, PrefetchingStaysWithinItsObjectWindow) {
  std::map<std::string, std::string> objects;
  for (int i = 0; i < 300; ++i) objects["s/" + std::to_string(1000 + i) + ".json"] = "{}";
  FakeBucket bucket(objects);
  S3SourceOptions options = Concurrency(4);
  options.prefetch_objects = 20;
  auto source = bucket.Source("s3://b/s", options);
  auto files = source->List();
  ASSERT_TRUE(files.ok());
  auto first = source->Open((*files)[0]);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(SettleAt(bucket.gets, 21), 21);  // the window, plus the one opened inline
}

TEST(S3SourceOpen, PrefetchingStaysWithinItsByteBudget) {
  std::map<std::string, std::string> objects;
  for (int i = 0; i < 300; ++i)
    objects["s/" + std::to_string(1000 + i) + ".json"] = std::string(100, 'x');
  FakeBucket bucket(objects);
  S3SourceOptions options = Concurrency(4);
  options.prefetch_bytes = 1000;
  auto source = bucket.Source("s3://b/s", options);
  auto files = source->List();
  ASSERT_TRUE(files.ok());
  auto first = source->Open((*files)[0]);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(SettleAt(bucket.gets, 11), 11);  // 1,000 bytes of 100-byte objects + the inline one
  // Reading on frees the budget for more.
  for (size_t i = 1; i < files->size(); ++i) {
    auto stream = source->Open((*files)[i]);
    ASSERT_TRUE(stream.ok());
    EXPECT_EQ(ReadWhole(**stream, 64), std::string(100, 'x'));
  }
  EXPECT_EQ(bucket.gets.load(), 300);
}

TEST(S3SourceOpen, ConcurrencyZeroFetchesOnlyOnOpen) {
  FakeBucket bucket({{"s/a.json", "A"}, {"s/b.json", "B"}});
  auto source = bucket.Source("s3://b/s", Concurrency(0));
  auto files = source->List();
  auto stream = source->Open((*files)[1]);
  ASSERT_TRUE(stream.ok());
  EXPECT_EQ(ReadWhole(**stream), "B");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(bucket.gets.load(), 1);
}

TEST(S3SourceOpen, LargeObjectsStreamInRangedChunks) {
  std::string big;
  for (int i = 0; i < 1000; ++i) big += static_cast<char>('a' + i % 26);
  FakeBucket bucket({{"s/big.json", big}, {"s/small.json", "x"}});
  auto source = bucket.Source("s3://b/s", Concurrency(2, 64));
  auto files = source->List();
  ASSERT_TRUE(files.ok());
  auto stream = source->Open((*files)[0]);
  ASSERT_TRUE(stream.ok());
  EXPECT_EQ(ReadWhole(**stream, 50), big);
  EXPECT_GE(bucket.gets.load(), 16);  // 1000 bytes in 64-byte ranges
}

TEST(S3SourceOpen, AFailingObjectFailsOnlyItsOwnOpenAndNamesIt) {
  FakeBucket bucket({{"s/a.json", "A"}, {"s/b.json", "B"}, {"s/c.json", "C"}});
  bucket.fail = [](const std::string& key) -> std::optional<aws::HttpResponse> {
    if (key == "s/b.json") return MakeResponse(503, "<Error><Code>SlowDown</Code></Error>");
    return std::nullopt;
  };
  auto source = bucket.Source("s3://b/s", Concurrency(2));
  auto files = source->List();
  ASSERT_TRUE(files.ok());
  std::vector<std::string> bodies;
  for (const auto& f : *files) {
    auto stream = source->Open(f);
    if (f.uri == "s3://b/s/b.json") {
      ASSERT_FALSE(stream.ok());
      EXPECT_EQ(stream.error().code(), ErrorCode::kUnavailable);
      EXPECT_NE(stream.error().message().find("s3://b/s/b.json"), std::string::npos);
      EXPECT_NE(stream.error().message().find("gave up after 3 attempts"), std::string::npos);
      continue;
    }
    ASSERT_TRUE(stream.ok());
    bodies.push_back(ReadWhole(**stream));
  }
  EXPECT_EQ(bodies, (std::vector<std::string>{"A", "C"}));
}

TEST(S3SourceOpen, DestroyingTheSourceMidwayJoinsThePool) {
  std::map<std::string, std::string> objects;
  for (int i = 0; i < 2000; ++i) objects["s/" + std::to_string(10000 + i) + ".json"] = "{}";
  FakeBucket bucket(objects);
  auto source = bucket.Source("s3://b/s", Concurrency(16));
  auto files = source->List();
  ASSERT_TRUE(files.ok());
  ASSERT_TRUE(source->Open((*files)[0]).ok());
  source.reset();  // must not hang or crash with fetches in flight
  EXPECT_LT(bucket.gets.load(), 2000);
}

}  // namespace
}  // namespace sparkify::source
