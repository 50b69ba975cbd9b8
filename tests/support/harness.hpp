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

// A server one of the deploy/local scripts runs in a directory of its own: started when
// constructed, stopped when destroyed. Should the test binary die without destructors (a
// sanitizer abort), a watchdog stops the server once the binary's process is gone.
class ScriptedServer {
 public:
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;
  void stop();
  void start();  // same ports and data as before

 protected:
  // `script` under deploy/local/, and what follows DIR on its `start` line.
  explicit ScriptedServer(std::string script, std::string start_args = "");
  ~ScriptedServer();
  const std::string& printed() const { return printed_; }  // what `start` printed
  const std::string& dir() const { return dir_.path(); }

 private:
  TempDir dir_;
  std::string script_;
  std::string start_args_;
  std::string printed_;
};

class PgCluster : public ScriptedServer {
 public:
  // Starts a new cluster with the given databases.
  explicit PgCluster(std::string databases = "users") : ScriptedServer("pg-cluster", databases) {}
  std::string url(const std::string& database) const { return printed() + "/" + database; }
};

// A single-node Kafka (KRaft) broker of its own (deploy/local/kafka-broker).
class KafkaBroker : public ScriptedServer {
 public:
  KafkaBroker() : ScriptedServer("kafka-broker") {}
  const std::string& bootstrap() const { return printed(); }  // "127.0.0.1:PORT"
};

// A real SMTP server (deploy/local/smtp-server, aiosmtpd) keeping mail in a maildir.
class SmtpServer : public ScriptedServer {
 public:
  SmtpServer() : ScriptedServer("smtp-server") {}
  std::string url() const { return "smtp://" + printed(); }
  std::vector<std::string> messages() const;  // every message received so far, as sent
  std::size_t message_count() const { return messages().size(); }
};

// A real Redis (deploy/local/redis-server, Debian's redis-server) on loopback, without
// persistence: after stop() and start() it listens on the same port, with no keys.
class RedisServer : public ScriptedServer {
 public:
  RedisServer() : ScriptedServer("redis-server") {}
  const std::string& address() const { return printed(); }  // "127.0.0.1:PORT"
  int port() const;
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
