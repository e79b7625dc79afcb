#include "sql/database.h"

namespace sfapid::sql {

Status Statement::Run() {
  while (Step()) {
  }
  return status_;
}

Result<int64_t> Statement::RunReturningId() {
  if (!Step())
    return status_.ok() ? Status::Internal("database: the insert returned no id") : status_;
  const int64_t id = Int(0);
  if (Status s = Run(); !s.ok()) return s;
  return id;
}

std::optional<std::string> Statement::OptionalText(int column) const {
  if (impl_->IsNull(column)) return std::nullopt;
  return Text(column);
}

Status Database::Run(std::string_view sql, const std::function<void(Statement&)>& bind) {
  auto stmt = Prepare(sql);
  if (!stmt) return stmt.status();
  bind(*stmt);
  return stmt->Run();
}

}  // namespace sfapid::sql
