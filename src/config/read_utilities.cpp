// [utilities]: the limits of commands, uploads and downloads.
#include "config/section_readers.h"

namespace sfapid::config_reading {

void ReadUtilities(TableReader& root, UtilitiesConfig& out) {
  if (const toml::table* t = root.Table("utilities")) {
    TableReader s(*t, root.source(), "utilities");
    s.Read("command_timeout_seconds", out.command_timeout_seconds);
    s.Read("command_output_max_bytes", out.command_output_max_bytes);
    s.Read("upload_max_bytes", out.upload_max_bytes);
    s.Read("download_max_bytes", out.download_max_bytes);
    s.Read("upload_chunk_max_bytes", out.upload_chunk_max_bytes);
    s.Read("upload_expiry_hours", out.upload_expiry_hours);
    s.RejectUnknown();
    s.Require(out.command_timeout_seconds > 0, "command_timeout_seconds", "must be positive");
    s.Require(out.upload_chunk_max_bytes > 0, "upload_chunk_max_bytes", "must be positive");
    s.Require(out.upload_expiry_hours > 0, "upload_expiry_hours", "must be positive");
  }
}

}  // namespace sfapid::config_reading
