#include "backends/scheduler/slurm/sacct_text.h"

#include <cctype>

#include "backends/scheduler/array_indices.h"
#include "backends/scheduler/job_fields.h"
#include "domain/job_state.h"

namespace sfapid::slurm {

namespace {

std::vector<std::string_view> Split(std::string_view line, char delimiter) {
  std::vector<std::string_view> out;
  for (;;) {
    const size_t at = line.find(delimiter);
    out.push_back(line.substr(0, at));
    if (at == std::string_view::npos) return out;
    line.remove_prefix(at + 1);
  }
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<std::vector<JobRow>> ParseSacctText(std::string_view text, char delimiter) {
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < text.size();) {
    const size_t nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl == std::string_view::npos ? nl : nl - start);
    if (!line.empty()) lines.push_back(line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  if (lines.empty()) return Status::InvalidArgument("sacct gave no header");
  std::vector<std::string> header;
  for (auto h : Split(lines.front(), delimiter)) header.push_back(Lower(h));
  if (header.empty() || header.front() != "account")
    return Status::InvalidArgument("sacct gave an unexpected header");
  std::vector<JobRow> rows;
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto values = Split(lines[i], delimiter);
    JobRow row;
    row.reserve(SacctFields().size());
    for (std::string_view f : SacctFields()) row[f] = "";
    for (size_t c = 0; c < header.size() && c < values.size(); ++c)
      if (auto* slot = row.if_contains(header[c])) *slot = values[c];
    rows.push_back(std::move(row));
  }
  return rows;
}

void ListPendingArrayTasks(std::vector<JobRow>& rows) {
  std::vector<JobRow> out;
  out.reserve(rows.size());
  for (JobRow& row : rows) {
    const std::string jobid = RowField(row, "jobid");
    const size_t open = jobid.find("_[");
    // Only tasks still pending: an array cancelled before it started is one row in sacct too.
    auto tasks = ParseJobState(RowField(row, "state")) == JobState::kPending &&
                         open != std::string::npos && jobid.back() == ']'
                     ? ParseArrayIndices(std::string_view(jobid).substr(open + 2).substr(
                                             0, jobid.size() - open - 3),
                                         kMaxSlurmArrayIndex)
                     : Result<ArrayIndices>(Status::NotFound(""));
    if (!tasks) {
      out.push_back(std::move(row));
      continue;
    }
    for (int64_t index : tasks->indices) {
      JobRow task = row;
      std::string id = jobid.substr(0, open + 1);
      id.append(std::to_string(index));
      task["jobid"] = id;
      out.push_back(std::move(task));
    }
  }
  rows = std::move(out);
}

}  // namespace sfapid::slurm
