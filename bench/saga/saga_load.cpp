// saga-load: drives the saga through the running services and measures it from outside.
// It places orders at order-service, either as fast as CONNECTIONS concurrent clients can
// (closed loop, RATE=0) or at a steady offered RATE per second (open loop: each order is
// sent on its schedule whether or not earlier ones have been answered), and follows
// order.confirmed / order.cancelled on Kafka. An order reached its terminal state at the
// `ce_time` of that event, which order-service stamps in the transaction that moved it.
//
// Prints one line of `key=value` pairs on stdout (bench/saga.sh reads it), progress on
// stderr. Environment: ORDER_URL, USER_URL, KAFKA_BROKERS (required); RATE (0), DURATION
// (seconds, 10), CONNECTIONS (32), DRAIN_TIMEOUT (seconds, 120), PRICE_CENTS (1999).
#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "chassis/core/ids.hpp"
#include "chassis/events/kafka.hpp"
#include "chassis/http/client.hpp"

namespace asio = boost::asio;
namespace json = boost::json;
using namespace bazaar;
using namespace std::chrono;
using namespace std::chrono_literals;

namespace {
std::string env(const char* name, const char* fallback = nullptr) {
  const char* v = std::getenv(name);
  if (v && *v) return v;
  if (!fallback) {
    std::fprintf(stderr, "saga-load: %s is required\n", name);
    std::exit(2);
  }
  return fallback;
}

double epoch_ms(system_clock::time_point t) {
  return duration<double, std::milli>(t.time_since_epoch()).count();
}

// "2026-11-21T08:35:03.123Z" -> milliseconds since the epoch.
double parse_rfc3339_ms(const std::string& s) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) < 6)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<double>(timegm(&tm)) * 1000.0 + ms;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto i = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

struct Placed {
  double sent_ms = 0;  // when the POST left
};

struct Shared {
  std::mutex mu;
  std::unordered_map<std::string, Placed> placed;          // order id -> when placed
  std::unordered_map<std::string, double> terminal_at_ms;  // order id -> ce_time
  std::unordered_map<std::string, bool> confirmed;
  // ce_time of each order's earlier events: where the time between POST and CONFIRMED goes.
  std::unordered_map<std::string, double> created_at_ms;
  std::unordered_map<std::string, double> paid_at_ms;
  std::atomic<long> failures{0};
  std::atomic<long> in_flight{0};
};

struct Plan {
  std::string order_url;
  std::string user_id;
  long long price_cents;
};

asio::awaitable<void> place_one(http::Client* client, Shared* shared, Plan plan) {
  double sent = epoch_ms(system_clock::now());
  json::object body{
      {"user_id", plan.user_id},
      {"currency", "EUR"},
      {"items", json::array{json::object{
                    {"sku", "BENCH-1"}, {"quantity", 1}, {"unit_price_cents", plan.price_cents}}}}};
  auto request = http::json_request("POST", plan.order_url, body);
  try {
    auto r = co_await client->send(std::move(request), 10s);
    if (r.status != 201) {
      if (shared->failures++ < 5)
        std::fprintf(stderr, "POST /orders: %d %s\n", r.status, r.body.c_str());
    } else {
      std::string id(r.json().at("id").as_string());
      std::lock_guard lock(shared->mu);
      shared->placed[id] = Placed{sent};
    }
  } catch (const std::exception& e) {
    if (shared->failures++ < 5) std::fprintf(stderr, "POST /orders: %s\n", e.what());
  }
  --shared->in_flight;
}

asio::awaitable<void> closed_loop(http::Client* client, Shared* shared, Plan plan,
                                  steady_clock::time_point end) {
  while (steady_clock::now() < end) {
    ++shared->in_flight;
    co_await place_one(client, shared, plan);
  }
}

asio::awaitable<void> open_loop(http::Client* client, Shared* shared, Plan plan, double rate,
                                steady_clock::time_point end) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  auto interval = duration_cast<steady_clock::duration>(duration<double>(1.0 / rate));
  auto next = steady_clock::now();
  while (next < end) {
    timer.expires_at(next);
    co_await timer.async_wait(asio::use_awaitable);
    ++shared->in_flight;
    asio::co_spawn(co_await asio::this_coro::executor, place_one(client, shared, plan),
                   asio::detached);
    next += interval;
  }
}

std::string create_user(const std::string& user_url) {
  http::BlockingClient c;
  auto email = "bench-" + ids::uuid_v4() + "@example.com";
  auto r = c.post_json(
      user_url + "/users",
      json::object{{"name", "Saga Bench"}, {"email", email}, {"password", "bench-password-1"}});
  if (r.status != 201) {
    std::fprintf(stderr, "saga-load: POST /users answered %d: %s\n", r.status, r.body.c_str());
    std::exit(1);
  }
  return std::string(r.json().at("id").as_string());
}
}  // namespace

int main() {
  std::string order_url = env("ORDER_URL") + "/orders";
  std::string user_url = env("USER_URL");
  std::string brokers = env("KAFKA_BROKERS");
  double rate = std::atof(env("RATE", "0").c_str());
  auto seconds_ = std::atoi(env("DURATION", "10").c_str());
  auto connections = std::atoi(env("CONNECTIONS", "32").c_str());
  auto drain = std::atoi(env("DRAIN_TIMEOUT", "120").c_str());
  long long price = std::atoll(env("PRICE_CENTS", "1999").c_str());

  Plan plan{order_url, create_user(user_url), price};
  Shared shared;

  // Terminal events arrive on the consumer's executor: a context of their own.
  asio::io_context events_io;
  auto events_guard = asio::make_work_guard(events_io);
  std::thread events_thread([&] { events_io.run(); });
  events::KafkaOptions kafka{brokers, "saga-load"};
  events::Producer dead_letters(kafka);
  // The latency run also follows the earlier hops, to show where the time goes; the
  // throughput run reads only what it counts, so as not to load Kafka more than it must.
  std::vector<std::string> topics{"order.confirmed", "order.cancelled"};
  if (rate > 0) topics.insert(topics.end(), {"order.created", "payment.succeeded"});
  events::Consumer consumer(kafka, "saga-load-" + ids::uuid_v4(), topics, dead_letters);
  Shared* s = &shared;
  consumer.start(events_io.get_executor(), [s](events::Event e) -> events::Task<void> {
    double at = parse_rfc3339_ms(e.time);
    std::lock_guard lock(s->mu);
    if (e.topic == "order.created") {
      s->created_at_ms[e.key] = at;
    } else if (e.topic == "payment.succeeded") {
      s->paid_at_ms[e.key] = at;
    } else {
      s->terminal_at_ms[e.key] = at;
      s->confirmed[e.key] = e.topic == "order.confirmed";
    }
    co_return;
  });

  asio::io_context io;
  http::Client client(io.get_executor(),
                      {.max_idle_per_host = static_cast<std::size_t>(std::max(connections, 64))});
  auto start = steady_clock::now();
  auto start_ms = epoch_ms(system_clock::now());
  auto end = start + seconds(seconds_);
  if (rate > 0) {
    asio::co_spawn(io, open_loop(&client, &shared, plan, rate, end), asio::detached);
  } else {
    for (int i = 0; i < connections; ++i)
      asio::co_spawn(io, closed_loop(&client, &shared, plan, end), asio::detached);
  }
  std::fprintf(stderr, "saga-load: placing orders for %ds (%s)\n", seconds_,
               rate > 0 ? ("open loop, " + std::to_string(static_cast<int>(rate)) + "/s").c_str()
                        : ("closed loop, " + std::to_string(connections) + " connections").c_str());
  io.run();
  double placing_s = duration<double>(steady_clock::now() - start).count();

  // Wait for every placed order's terminal event.
  std::size_t placed = 0;
  auto drain_end = steady_clock::now() + seconds(drain);
  for (;;) {
    std::size_t done = 0;
    {
      std::lock_guard lock(shared.mu);
      placed = shared.placed.size();
      for (const auto& [id, p] : shared.placed) done += shared.terminal_at_ms.contains(id);
    }
    if (done == placed || steady_clock::now() > drain_end) break;
    std::this_thread::sleep_for(100ms);
  }
  consumer.stop();
  events_guard.reset();
  events_io.stop();
  events_thread.join();

  std::vector<double> confirm_latency, to_created, created_to_paid, paid_to_confirmed;
  std::size_t terminal = 0, confirmed = 0;
  double last_ms = start_ms;
  for (const auto& [id, p] : shared.placed) {
    auto t = shared.terminal_at_ms.find(id);
    if (t == shared.terminal_at_ms.end()) continue;
    ++terminal;
    last_ms = std::max(last_ms, t->second);
    if (shared.confirmed[id]) {
      ++confirmed;
      confirm_latency.push_back(std::max(0.0, t->second - p.sent_ms));
      auto c = shared.created_at_ms.find(id);
      auto d = shared.paid_at_ms.find(id);
      if (c != shared.created_at_ms.end() && d != shared.paid_at_ms.end()) {
        to_created.push_back(c->second - p.sent_ms);
        created_to_paid.push_back(d->second - c->second);
        paid_to_confirmed.push_back(t->second - d->second);
      }
    }
  }
  double span_s = std::max(placing_s, (last_ms - start_ms) / 1000.0);
  std::printf(
      "placed=%zu terminal=%zu confirmed=%zu failed_posts=%ld placing_s=%.2f span_s=%.2f "
      "placed_per_s=%.0f terminal_per_s=%.0f p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f "
      "post_to_created_p50_ms=%.1f created_to_paid_p50_ms=%.1f paid_to_confirmed_p50_ms=%.1f "
      "post_to_created_p99_ms=%.1f created_to_paid_p99_ms=%.1f paid_to_confirmed_p99_ms=%.1f\n",
      placed, terminal, confirmed, shared.failures.load(), placing_s, span_s,
      static_cast<double>(placed) / placing_s, static_cast<double>(terminal) / span_s,
      percentile(confirm_latency, 50), percentile(confirm_latency, 90),
      percentile(confirm_latency, 99), percentile(confirm_latency, 100), percentile(to_created, 50),
      percentile(created_to_paid, 50), percentile(paid_to_confirmed, 50),
      percentile(to_created, 99), percentile(created_to_paid, 99),
      percentile(paid_to_confirmed, 99));
  return terminal == placed && shared.failures == 0 ? 0 : 1;
}
