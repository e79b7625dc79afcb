// Reading one TOML table of the config file: typed values, sub-tables, and the rule that a key no
// reader asked for is an error. Every error names the source, line and dotted key. Used only by
// the section readers (section_readers.h) and ParseConfig.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

namespace sfapid::config_reading {

// A validation failure, thrown only inside the config readers and turned into a Status by
// ParseConfig.
struct ConfigError {
  std::string message;
};

// Reads one TOML table, remembering which keys were read so that the rest can be reported as
// unknown. Every error names the source, line and dotted key.
class TableReader {
 public:
  TableReader(const toml::table& t, std::string source, std::string prefix)
      : table_(t), source_(std::move(source)), prefix_(std::move(prefix)) {}

  [[noreturn]] void Fail(const toml::node& n, const std::string& key,
                         const std::string& what) const {
    throw ConfigError{source_ + ":" + std::to_string(n.source().begin.line) + ": " + Dotted(key) +
                      ": " + what};
  }

  template <typename T>
  void Read(const std::string& key, T& out) {
    seen_.insert(key);
    const toml::node* n = table_.get(key);
    if (!n) return;
    if constexpr (std::is_same_v<T, std::string>) {
      if (!n->is_string()) Fail(*n, key, "must be a string");
      out = n->as_string()->get();
    } else if constexpr (std::is_same_v<T, bool>) {
      if (!n->is_boolean()) Fail(*n, key, "must be true or false");
      out = n->as_boolean()->get();
    } else if constexpr (std::is_same_v<T, double>) {
      if (!n->is_number()) Fail(*n, key, "must be a number");
      out = n->value<double>().value();
      if (out < 0) Fail(*n, key, "must not be negative");
    } else {
      static_assert(std::is_integral_v<T>);
      if (!n->is_integer()) Fail(*n, key, "must be a whole number");
      const int64_t v = n->as_integer()->get();
      if (v < 0 || static_cast<uint64_t>(v) > static_cast<uint64_t>(std::numeric_limits<T>::max()))
        Fail(*n, key,
             "is out of range (0 to " + std::to_string(std::numeric_limits<T>::max()) + ")");
      out = static_cast<T>(v);
    }
  }

  // A number that may be negative (coordinates), left unset when absent.
  void ReadSigned(const std::string& key, std::optional<double>& out) {
    seen_.insert(key);
    const toml::node* n = table_.get(key);
    if (!n) return;
    if (!n->is_number()) Fail(*n, key, "must be a number");
    out = n->value<double>().value();
  }

  void ReadStrings(const std::string& key, std::vector<std::string>& out) {
    seen_.insert(key);
    const toml::node* n = table_.get(key);
    if (!n) return;
    if (!n->is_array()) Fail(*n, key, "must be a list of strings");
    out.clear();
    for (const auto& item : *n->as_array()) {
      if (!item.is_string()) Fail(item, key, "must be a list of strings");
      out.push_back(item.as_string()->get());
    }
  }

  // A sub-table, or nullptr when absent.
  const toml::table* Table(const std::string& key) {
    seen_.insert(key);
    const toml::node* n = table_.get(key);
    if (!n) return nullptr;
    if (!n->is_table()) Fail(*n, key, "must be a table");
    return n->as_table();
  }

  const toml::array* TableArray(const std::string& key) {
    seen_.insert(key);
    const toml::node* n = table_.get(key);
    if (!n) return nullptr;
    if (!n->is_array_of_tables()) Fail(*n, key, "must be an array of tables ([[" + key + "]])");
    return n->as_array();
  }

  // Call last: every key that no Read* asked for is an error.
  void RejectUnknown() const {
    for (const auto& [k, v] : table_)
      if (!seen_.count(std::string(k.str()))) Fail(v, std::string(k.str()), "unknown key");
  }

  // Fails with the key's line when a value that was read breaks a rule.
  void Require(bool ok, const std::string& key, const std::string& what) const {
    if (!ok) Fail(NodeOr(key), key, what);
  }

  const toml::node& NodeOr(const std::string& key) const {
    const toml::node* n = table_.get(key);
    return n ? *n : static_cast<const toml::node&>(table_);
  }

  std::string Dotted(const std::string& key) const {
    return "'" + (prefix_.empty() ? key : prefix_ + "." + key) + "'";
  }
  const std::string& source() const { return source_; }

 private:
  const toml::table& table_;
  std::string source_;
  std::string prefix_;
  std::set<std::string> seen_;
};

// 1-64 letters, digits, '_', '-' or '.': system, partition, project and user names.
bool ValidSystemName(const std::string& name);

}  // namespace sfapid::config_reading
