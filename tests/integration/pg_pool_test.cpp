// chassis/pg against a real PostgreSQL: pipelined statements keep their meaning (a failure in
// a batch never loses or invents a write), transactions roll back when dropped, the pool
// bounds its connections and reconnects after a restart.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <set>
#include <thread>

#include "chassis/pg/migrations.hpp"
#include "chassis/pg/pool.hpp"
#include "tests/support/harness.hpp"

using namespace bazaar;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {
class PgPool : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { cluster_ = new harness::PgCluster("pooltest"); }
  static void TearDownTestSuite() { delete cluster_; }

  pg::PoolOptions options(std::size_t size = 4) {
    pg::PoolOptions o;
    o.conninfo = cluster_->url("pooltest");
    o.name = "test";
    o.max_size = size;
    return o;
  }

  // Runs `task` to completion on the test's own loop.
  template <class T>
  T run(pg::Task<T> task) {
    auto f = asio::co_spawn(ioc_, std::move(task), asio::use_future);
    ioc_.restart();
    ioc_.run();
    return f.get();
  }

  static harness::PgCluster* cluster_;
  asio::io_context ioc_;
};
harness::PgCluster* PgPool::cluster_ = nullptr;

constexpr pg::Statement kInsert{"t_insert", "INSERT INTO items (name) VALUES ($1)"};
constexpr pg::Statement kInsertReturning{"t_insert_returning",
                                         "INSERT INTO items (name) VALUES ($1) RETURNING name"};

struct Outcome {
  std::string name;
  bool ok = false;
  std::string sqlstate;
};

pg::Task<Outcome> insert(pg::Pool* pool, std::string name, int delay_us = 0) {
  if (delay_us > 0) {
    asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::microseconds(delay_us));
    co_await t.async_wait(asio::use_awaitable);
  }
  Outcome o{name, false, {}};
  try {
    pg::Params params{std::move(name)};
    co_await pool->query(kInsert, std::move(params));
    o.ok = true;
  } catch (const pg::PgError& e) {
    o.sqlstate = e.sqlstate;
  }
  co_return o;
}

// Many inserts at once, so that they share pipelined batches; some collide.
// `stagger_us` spreads the starts, so that statements also join while answers are read.
pg::Task<std::vector<Outcome>> insert_many(pg::Pool* pool, std::vector<std::string> names,
                                           int stagger_us = 0) {
  std::vector<std::future<Outcome>> futures;
  auto ex = co_await asio::this_coro::executor;
  int i = 0;
  for (auto& n : names)
    futures.push_back(
        asio::co_spawn(ex, insert(pool, n, (i++ % 7) * stagger_us), asio::use_future));
  // Give them all a turn on this loop before collecting.
  asio::steady_timer t(ex, 0ms);
  std::vector<Outcome> out;
  for (auto& f : futures) {
    while (f.wait_for(0s) != std::future_status::ready) {
      t.expires_after(1ms);
      co_await t.async_wait(asio::use_awaitable);
    }
    out.push_back(f.get());
  }
  co_return out;
}

pg::Task<std::set<std::string>> stored_names(pg::Pool* pool) {
  auto r = co_await pool->query_sql("SELECT name FROM items");
  std::set<std::string> names;
  for (int i = 0; i < r.rows(); ++i) names.insert(std::string(r.get(i, 0)));
  co_return names;
}

pg::Task<void> exec(pg::Pool* pool, std::string sql) { co_await pool->query_sql(std::move(sql)); }
}  // namespace

TEST_F(PgPool, AFailureInsideAPipelinedBatchLosesAndInventsNothing) {
  pg::Pool pool(ioc_.get_executor(), options(1));  // one connection: every insert shares it
  run(exec(&pool, "DROP TABLE IF EXISTS items"));
  run(exec(&pool, "CREATE TABLE items (name text PRIMARY KEY)"));
  std::vector<std::string> names;
  for (int i = 0; i < 60; ++i) names.push_back("item-" + std::to_string(i % 40));  // 20 duplicates
  auto outcomes = run(insert_many(&pool, names));
  auto stored = run(stored_names(&pool));

  std::set<std::string> succeeded;
  int duplicates = 0;
  for (const auto& o : outcomes) {
    if (o.ok) {
      EXPECT_TRUE(succeeded.insert(o.name).second) << o.name << " reported inserted twice";
    } else {
      EXPECT_EQ(o.sqlstate, pg::kUniqueViolation) << o.name;
      ++duplicates;
    }
  }
  EXPECT_EQ(succeeded, stored);  // every success is stored, nothing stored unreported
  EXPECT_EQ(stored.size(), 40u);
  EXPECT_EQ(duplicates, 20);
}

TEST_F(PgPool, ABadStatementFailsAloneAndTheConnectionCarriesOn) {
  pg::Pool pool(ioc_.get_executor(), options(1));
  constexpr pg::Statement kBad{"t_bad", "SELEC nothing"};
  EXPECT_THROW(run([](pg::Pool* p) -> pg::Task<void> { co_await p->query(kBad); }(&pool)),
               pg::PgError);
  auto r = run([](pg::Pool* p) -> pg::Task<pg::Result> {
    co_return co_await p->query_sql("SELECT 41 + 1");
  }(&pool));
  EXPECT_EQ(r.get(0, 0), "42");
}

TEST_F(PgPool, ADroppedTransactionRollsBackAndACommittedOneStays) {
  pg::Pool pool(ioc_.get_executor(), options(2));
  run(exec(&pool, "DROP TABLE IF EXISTS items"));
  run(exec(&pool, "CREATE TABLE items (name text PRIMARY KEY)"));
  run([](pg::Pool* p) -> pg::Task<void> {
    auto tx = co_await p->begin();
    pg::Params params{std::string("kept")};
    co_await tx.exec(kInsert, std::move(params));
    co_await tx.commit();
  }(&pool));
  run([](pg::Pool* p) -> pg::Task<void> {
    auto tx = co_await p->begin();
    pg::Params params{std::string("dropped")};
    co_await tx.exec(kInsert, std::move(params));
    // no commit: leaving the scope must roll back
  }(&pool));
  EXPECT_EQ(run(stored_names(&pool)), (std::set<std::string>{"kept"}));
}

// BEGIN travels with the first statement and deferred writes with the next statement or
// COMMIT: the transaction must still be one (invisible until commit, all or nothing).
TEST_F(PgPool, DeferredWritesCommitWithTheTransactionOrNotAtAll) {
  pg::Pool pool(ioc_.get_executor(), options(2));
  run(exec(&pool, "DROP TABLE IF EXISTS items"));
  run(exec(&pool, "CREATE TABLE items (name text PRIMARY KEY)"));
  auto seen = run([](pg::Pool* p) -> pg::Task<std::string> {
    auto tx = co_await p->begin();
    pg::Params a{std::string("a")};
    tx.defer(kInsert, std::move(a));
    // The deferred insert goes out before this statement, in the same transaction.
    auto inside = co_await tx.exec_sql("SELECT count(*) FROM items");
    auto outside = co_await stored_names(p);  // another connection: not committed yet
    pg::Params b{std::string("b")};
    tx.defer(kInsert, std::move(b));
    co_await tx.commit();
    co_return std::string(inside.get(0, 0)) + "/" + std::to_string(outside.size());
  }(&pool));
  EXPECT_EQ(seen, "1/0");
  EXPECT_EQ(run(stored_names(&pool)), (std::set<std::string>{"a", "b"}));

  // A deferred write that fails fails the commit, and nothing of the transaction stays.
  auto failure = run([](pg::Pool* p) -> pg::Task<std::string> {
    auto tx = co_await p->begin();
    pg::Params c{std::string("c")};
    co_await tx.exec(kInsert, std::move(c));
    pg::Params dup{std::string("a")};
    tx.defer(kInsert, std::move(dup));
    pg::Params d{std::string("d")};
    tx.defer(kInsert, std::move(d));
    try {
      co_await tx.commit();
    } catch (const pg::PgError& e) {
      co_return e.sqlstate;
    }
    co_return "committed";
  }(&pool));
  EXPECT_EQ(failure, pg::kUniqueViolation);
  EXPECT_EQ(run(stored_names(&pool)), (std::set<std::string>{"a", "b"}));
  // The pool still works afterwards (the failed transaction's connection was dropped).
  run([](pg::Pool* p) -> pg::Task<void> {
    auto tx = co_await p->begin();
    pg::Params e{std::string("e")};
    tx.defer(kInsert, std::move(e));
    co_await tx.commit();
  }(&pool));
  EXPECT_EQ(run(stored_names(&pool)), (std::set<std::string>{"a", "b", "e"}));

  // The last statement and COMMIT in one round trip: its own result comes back, not COMMIT's.
  auto returned = run([](pg::Pool* p) -> pg::Task<std::string> {
    auto tx = co_await p->begin();
    pg::Params f{std::string("f")};
    tx.defer(kInsert, std::move(f));
    pg::Params g{std::string("g")};
    auto r = co_await tx.exec_and_commit(kInsertReturning, std::move(g));
    co_return std::string(r.get(0, 0));
  }(&pool));
  EXPECT_EQ(returned, "g");
  EXPECT_EQ(run(stored_names(&pool)), (std::set<std::string>{"a", "b", "e", "f", "g"}));
}

TEST_F(PgPool, WaitingForAConnectionEndsAtTheDeadline) {
  auto o = options(1);
  o.acquire_timeout = 200ms;
  pg::Pool pool(ioc_.get_executor(), o);
  auto outcome = run([](pg::Pool* p) -> pg::Task<std::string> {
    auto held = co_await p->begin();  // the only connection
    try {
      auto second = co_await p->begin();
    } catch (const pg::PgError& e) {
      co_return e.kind == pg::PgError::Kind::timeout ? "timeout" : e.what();
    }
    co_return "got a second connection";
  }(&pool));
  EXPECT_EQ(outcome, "timeout");
}

TEST(PgPoolRestart, ReconnectsAfterTheServerRestarts) {
  harness::PgCluster cluster("restart");
  asio::io_context ioc;
  pg::PoolOptions o;
  o.conninfo = cluster.url("restart");
  pg::Pool pool(ioc.get_executor(), o);
  auto ping = [&] {
    auto f = asio::co_spawn(ioc, pool.ping(), asio::use_future);
    ioc.restart();
    ioc.run();
    return f.get();
  };
  EXPECT_TRUE(ping());
  cluster.stop();
  EXPECT_FALSE(ping());
  cluster.start();
  EXPECT_TRUE(ping());
}

TEST_F(PgPool, RacingWritesOfOneKeyAllGetAnAnswer) {
  auto o = options(2);
  o.query_timeout = 3s;
  pg::Pool pool(ioc_.get_executor(), o);
  run(exec(&pool, "DROP TABLE IF EXISTS items"));
  run(exec(&pool, "CREATE TABLE items (name text PRIMARY KEY)"));
  for (int round = 0; round < 40; ++round) {
    std::vector<std::string> names(16, "key-" + std::to_string(round));
    names.push_back("other-" + std::to_string(round));
    auto outcomes = run(insert_many(&pool, names, round % 2 == 0 ? 0 : 150));
    int ok = 0, duplicate = 0;
    std::string seen;
    for (const auto& x : outcomes) {
      ok += x.ok ? 1 : 0;
      duplicate += x.sqlstate == pg::kUniqueViolation ? 1 : 0;
      seen += (x.ok ? "ok" : x.sqlstate.empty() ? "?" : x.sqlstate) + " ";
    }
    ASSERT_EQ(ok, 2) << "round " << round << ": " << seen;
    ASSERT_EQ(duplicate, 15) << "round " << round << ": " << seen;
  }
}

TEST_F(PgPool, ReplicasMigratingTogetherApplyEachMigrationOnce) {
  std::string url = cluster_->url("pooltest");
  const std::vector<pg::Migration> migrations{
      {1, "create_counter", "CREATE TABLE counter (n integer NOT NULL)"},
      {2, "seed_counter", "INSERT INTO counter VALUES (1)"},
  };
  std::vector<std::thread> replicas;
  std::atomic<int> failures{0};
  for (int i = 0; i < 4; ++i) {
    replicas.emplace_back([&] {
      try {
        pg::migrate(url, migrations, "pool-test", 10s);
      } catch (const std::exception&) {
        ++failures;
      }
    });
  }
  for (auto& t : replicas) t.join();
  EXPECT_EQ(failures.load(), 0);
  pg::Pool pool(ioc_.get_executor(), options(1));
  auto rows = run([](pg::Pool* p) -> pg::Task<pg::Result> {
    co_return co_await p->query_sql("SELECT count(*) FROM counter");
  }(&pool));
  EXPECT_EQ(rows.get(0, 0), "1");  // the seed ran once
  auto versions = run([](pg::Pool* p) -> pg::Task<pg::Result> {
    co_return co_await p->query_sql("SELECT count(*) FROM schema_migrations");
  }(&pool));
  EXPECT_EQ(versions.get(0, 0), "2");
}
