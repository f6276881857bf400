#include "sparkify/source/source.hpp"

#include "sparkify/source/local_source.hpp"

namespace sparkify::source {

Result<std::unique_ptr<Source>> OpenSource(std::string_view location) {
  if (location.empty()) return Error::InvalidArgument("empty source location");
  if (location.starts_with("s3://") || location.starts_with("s3a://")) {
    return Error::InvalidArgument(std::string(location) +
                                  ": reading from S3 is not built yet (see the S3 issue); "
                                  "download the data and pass a local folder");
  }
  return std::unique_ptr<Source>(std::make_unique<LocalSource>(std::string(location)));
}

Status ReadAll(ByteStream& stream, std::string& out, size_t padding, size_t max_bytes) {
  out.clear();
  size_t used = 0;
  for (;;) {
    if (out.size() < used + padding + 64 * 1024)
      out.resize(std::max(out.size() * 2, used + padding + 64 * 1024));
    size_t room = out.size() - used - padding;
    SPARKIFY_ASSIGN_OR_RETURN(size_t n, stream.Read(out.data() + used, room));
    if (n == 0) break;
    used += n;
    if (used > max_bytes)
      return Error::Io("file larger than " + std::to_string(max_bytes) + " bytes");
  }
  out.resize(used + padding);  // the padding stays allocated and readable
  out.resize(used);
  return Status::Ok();
}

}  // namespace sparkify::source
