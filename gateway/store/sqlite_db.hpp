// Thin RAII wrapper over one SQLite connection and its prepared statements. Every value goes
// through a bind (never into the SQL text); statements are cached per connection because
// preparing dominates the cost of the small statements the store runs on every webhook.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

struct sqlite3;
struct sqlite3_stmt;

namespace omnigate::store::sqlite {

// A prepared statement. `reset()` clears bindings and state so a cached statement can be
// reused; Query does that automatically when it goes out of scope.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void bind(int index, std::int64_t value);
  void bind(int index, int value) { bind(index, static_cast<std::int64_t>(value)); }
  void bind(int index, std::string_view value);  // bound as a transient copy
  // Bound without a copy: `value` must stay alive and unchanged until reset(). Query uses it
  // for the strings it is handed as lvalues, which outlive the Query that resets the statement.
  void bind_borrowed(int index, std::string_view value);
  void bind(int index, const std::string& value) { bind(index, std::string_view(value)); }
  void bind(int index, const char* value) { bind(index, std::string_view(value)); }
  void bind_blob(int index, std::string_view bytes);
  void bind(int index, std::nullopt_t);
  template <class T>
  void bind(int index, const std::optional<T>& value) {
    if (value)
      bind(index, *value);
    else
      bind(index, std::nullopt);
  }

  bool step();  // true: a row is available; false: done. Throws on error.
  void reset();

  bool is_null(int col) const;
  std::int64_t int64(int col) const;
  std::string text(int col) const;
  std::optional<std::string> optional_text(int col) const;
  std::optional<std::int64_t> optional_int64(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Borrowed use of a (cached) statement: binds the arguments in order and resets on scope exit,
// also when an exception unwinds, so the cache never holds a half-stepped statement.
// Strings passed as lvalues are bound without a copy (they outlive this Query, which resets the
// statement before they can go away); temporaries are copied, since they die with the
// declaration. The copies were ~20 allocations per stored webhook.
class Query {
 public:
  template <class... Args>
  Query(Statement& stmt, Args&&... args) : stmt_(stmt) {
    int index = 1;
    (bind_argument(index++, std::forward<Args>(args)), ...);
  }
  ~Query() { stmt_.reset(); }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  bool step() { return stmt_.step(); }
  Statement* operator->() { return &stmt_; }

 private:
  void bind_argument(int index, const std::string& borrowed) {
    stmt_.bind_borrowed(index, borrowed);
  }
  void bind_argument(int index, std::string& borrowed) { stmt_.bind_borrowed(index, borrowed); }
  void bind_argument(int index, const std::optional<std::string>& borrowed) {
    if (borrowed)
      stmt_.bind_borrowed(index, *borrowed);
    else
      stmt_.bind(index, std::nullopt);
  }
  void bind_argument(int index, std::optional<std::string>& borrowed) {
    bind_argument(index, std::as_const(borrowed));
  }
  template <class T>
  void bind_argument(int index, T&& copied) {
    stmt_.bind(index, copied);
  }

  Statement& stmt_;
};

class Connection {
 public:
  enum class Mode { read_write_create, read_only };
  Connection(const std::string& path, Mode mode);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void exec(const std::string& sql);   // scripts without values only (DDL, BEGIN, PRAGMA)
  Statement& cached(const char* sql);  // keyed by the literal's text
  std::int64_t last_insert_rowid() const;
  int changes() const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
  // Looked up by string_view (transparent hash): a lookup per statement per webhook must not
  // allocate a key.
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::unique_ptr<Statement>, TextHash, std::equal_to<>> cache_;
};

// A consistent snapshot for a read spanning several statements (BEGIN ... COMMIT).
class ReadTransaction {
 public:
  explicit ReadTransaction(Connection& c) : c_(c) { c_.exec("BEGIN"); }
  ~ReadTransaction();
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;

 private:
  Connection& c_;
};

}  // namespace omnigate::store::sqlite
