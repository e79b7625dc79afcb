#include "backends/scheduler/slurm/slurm_rows.h"

#include <algorithm>

#include "backends/scheduler/job_fields.h"

namespace sfapid::slurm {

namespace {

template <typename Row, typename Fields>
void SortRows(std::vector<Row>& rows, Fields fields) {
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    return JobIdLess(RowField(fields(a), "jobid"), RowField(fields(b), "jobid"));
  });
}

}  // namespace

Rows WithJson(std::vector<JobRow> rows) {
  Rows out;
  out.reserve(rows.size());
  for (auto& row : rows) {
    SerializedRow json = Serialize(row);
    out.push_back(Row{std::move(row), std::move(json), {}});
  }
  return out;
}

void SortByJobId(Rows& rows) {
  SortRows(rows, [](const Row& r) -> const JobRow& { return r.fields; });
}

void SortByJobId(std::vector<JobRow>& rows) {
  SortRows(rows, [](const JobRow& r) -> const JobRow& { return r; });
}

std::vector<const JobRow*> RowsOfJob(const Rows& rows, const std::string& id) {
  std::vector<const JobRow*> out;
  for (const Row& row : rows) {
    const std::string jobid = RowField(row.fields, "jobid");
    if (jobid == id || jobid.substr(0, jobid.find('_')) == id) out.push_back(&row.fields);
  }
  return out;
}

std::string RowState(const JobRow& row) {
  const std::string state = RowField(row, "state");
  return state.substr(0, state.find(' '));
}

}  // namespace sfapid::slurm
