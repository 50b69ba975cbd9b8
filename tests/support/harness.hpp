#pragma once
// What integration tests need to run the real thing: a throwaway PostgreSQL cluster
// (deploy/local/pg-cluster), a service binary as a child process, and raw sockets for
// speaking broken HTTP on purpose. Everything started here is stopped by its destructor.
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace bazaar::harness {

// A fresh directory under /tmp, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class PgCluster {
 public:
  // Starts a new cluster with the given databases.
  explicit PgCluster(std::string databases = "users");
  ~PgCluster();
  std::string url(const std::string& database) const { return base_url_ + "/" + database; }
  void stop();
  void start();  // same port as before

 private:
  TempDir dir_;
  std::string databases_;
  std::string base_url_;
};

// A single-node Kafka (KRaft) broker of its own (deploy/local/kafka-broker).
class KafkaBroker {
 public:
  KafkaBroker();
  ~KafkaBroker();
  const std::string& bootstrap() const { return bootstrap_; }  // "127.0.0.1:PORT"
  void stop();
  void start();  // same ports and data as before

 private:
  TempDir dir_;
  std::string bootstrap_;
};

// A real SMTP server (deploy/local/smtp-server, aiosmtpd) keeping mail in a maildir.
class SmtpServer {
 public:
  SmtpServer();
  ~SmtpServer();
  std::string url() const { return "smtp://" + address_; }
  std::vector<std::string> messages() const;  // every message received so far, as sent
  std::size_t message_count() const { return messages().size(); }
  void stop();
  void start();

 private:
  TempDir dir_;
  std::string address_;
};

// The database URL for tests that do not need to control the server: DB_URL when given,
// otherwise a cluster shared by the whole test binary.
std::string shared_database_url(const std::string& database = "users");

class Process {
 public:
  // Starts `binary` with the current environment plus `env`; output goes to a log file.
  Process(std::string binary, std::map<std::string, std::string> env);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int sig);
  // Waits for exit; returns the exit code (128+signal when killed), or -1 on timeout.
  int wait(std::chrono::milliseconds timeout);
  bool running();
  std::string output() const;  // everything written so far (stdout and stderr)

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

int free_port();
std::string source_dir();
// A 2048-bit RSA key written once per test binary; returns its path.
const std::string& test_jwt_key_file();

// Any service binary on a free port (PORT is set), ready (GET /health/ready is 200) when
// constructed; stopped (SIGKILL if still running) when destroyed.
class ServiceProcess {
 public:
  ServiceProcess(std::string binary, std::map<std::string, std::string> env);
  std::string url(const std::string& path = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int port() const { return port_; }
  Process& process() { return *process_; }
  // SIGKILL, as a crash would; returns once the process is gone.
  void kill();
  // Starts the binary again on the same port with the same environment plus `env` (a
  // variable given here wins); returns once it is ready.
  void restart(std::map<std::string, std::string> env = {});

 private:
  void start(std::map<std::string, std::string> env);
  std::string binary_;
  std::map<std::string, std::string> env_;
  int port_;
  std::unique_ptr<Process> process_;
};

// The first column of the first row `sql` returns on `db_url`, through psql; "" for none.
std::string psql(const std::string& db_url, const std::string& sql);

// user-service with a database and the test JWT key.
class UserService : public ServiceProcess {
 public:
  explicit UserService(std::string db_url, std::map<std::string, std::string> extra_env = {});
};

// Blocking loopback socket for hand-written requests.
class RawConnection {
 public:
  explicit RawConnection(int port);
  ~RawConnection();
  void send(const std::string& bytes);
  // Reads until the peer closes or `timeout` passes; returns what arrived. `closed` tells
  // which of the two ended it.
  std::string read_all(std::chrono::milliseconds timeout, bool* closed = nullptr);
  // Reads until "\r\n\r\n" plus Content-Length bytes arrived (one response).
  std::string read_response(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  std::string pending_;
};

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

}  // namespace bazaar::harness

namespace bazaar::harness {

// A real Redis (deploy/local/redis-server, Debian's redis-server) on loopback, without
// persistence: after stop() and start() it listens on the same port, with no keys.
class RedisServer {
 public:
  RedisServer();
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  std::string address() const { return address_; }  // "127.0.0.1:PORT"
  int port() const;
  void stop();
  void start();

 private:
  TempDir dir_;
  std::string address_;
};

}  // namespace bazaar::harness
