#include "tests/support/harness.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "chassis/auth/jwt.hpp"
#include "chassis/http/client.hpp"

namespace bazaar::harness {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {
std::string run_capture(const std::string& cmd) {
  std::array<char, 4096> buf{};
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> p(::popen(cmd.c_str(), "r"), ::pclose);
  if (!p) throw std::runtime_error("cannot run " + cmd);
  while (std::fgets(buf.data(), buf.size(), p.get()) != nullptr) out += buf.data();
  int status = ::pclose(p.release());
  if (status != 0)
    throw std::runtime_error("command failed (" + std::to_string(status) + "): " + cmd);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// `text` as one single-quoted shell word.
std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}
}  // namespace

std::string source_dir() { return BAZAAR_SOURCE_DIR; }

TempDir::TempDir() {
  std::string tmpl = "/tmp/bazaar-test.XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  // The postgres system user must be able to enter it when tests run as root.
  ::chmod(tmpl.c_str(), 0755);
  path_ = tmpl;
}

TempDir::~TempDir() {
  // BAZAAR_KEEP_TEST_DIRS=1 keeps the servers' data and logs for a post-mortem.
  if (const char* keep = std::getenv("BAZAAR_KEEP_TEST_DIRS"); keep != nullptr && *keep == '1')
    return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

ScriptedServer::ScriptedServer(std::string script, std::string start_args)
    : script_(source_dir() + "/deploy/local/" + script), start_args_(std::move(start_args)) {
  start();
  // The watchdog outlives us only until it has seen us go; after a normal stop its own
  // stop finds nothing running (and the directory already gone) and does nothing. After a
  // crash it stops the server and removes the directory our destructors did not.
  std::string watchdog = "while kill -0 " + std::to_string(::getpid()) +
                         " 2>/dev/null; do sleep 1; done; " + script_ + " stop " + dir_.path() +
                         "; rm -rf " + dir_.path();
  run_capture("setsid sh -c " + shell_quote(watchdog) + " </dev/null >/dev/null 2>&1 &");
}

ScriptedServer::~ScriptedServer() {
  try {
    stop();
  } catch (...) {
  }
}

void ScriptedServer::start() {
  printed_ = run_capture(script_ + " start " + dir_.path() +
                         (start_args_.empty() ? "" : " " + start_args_));
}

void ScriptedServer::stop() { run_capture(script_ + " stop " + dir_.path() + " 1>&2"); }

std::vector<std::string> SmtpServer::messages() const {
  std::vector<std::string> out;
  for (const char* sub : {"/mail/new", "/mail/cur"}) {
    std::error_code ec;
    for (auto it = fs::directory_iterator(dir() + sub, ec); !ec && it != fs::directory_iterator();
         ++it) {
      std::ifstream in(it->path());
      std::stringstream text;
      text << in.rdbuf();
      out.push_back(text.str());
    }
  }
  return out;
}

std::string shared_database_url(const std::string& database) {
  if (const char* given = std::getenv("DB_URL"); given != nullptr && *given != '\0') return given;
  static PgCluster cluster("users");
  return cluster.url(database);
}

Process::Process(std::string binary, std::map<std::string, std::string> env) {
  std::string log = dir_.path() + "/output.log";
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // A test binary that dies (a sanitizer abort, a crash) takes its services with it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::close(fd);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    ::execl(binary.c_str(), binary.c_str(), static_cast<char*>(nullptr));
    std::perror("exec");
    ::_exit(127);
  }
}

Process::~Process() {
  if (running()) {
    signal(SIGKILL);
    wait(5s);
  }
}

void Process::signal(int sig) {
  if (pid_ > 0 && exit_code_ < 0) ::kill(pid_, sig);
}

int Process::wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (exit_code_ < 0) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(10ms);
  }
  return exit_code_;
}

bool Process::running() { return exit_code_ < 0 && wait(0ms) < 0; }

std::string Process::output() const {
  std::ifstream in(dir_.path() + "/output.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

const std::string& test_jwt_key_file() {
  static TempDir dir;
  static std::string path = [] {
    std::string p = dir.path() + "/jwt.pem";
    std::ofstream(p) << auth::RsaKey::generate(2048).private_pem();
    return p;
  }();
  return path;
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return condition();
}

ServiceProcess::ServiceProcess(std::string binary, std::map<std::string, std::string> env)
    : binary_(std::move(binary)), env_(std::move(env)), port_(free_port()) {
  env_["PORT"] = std::to_string(port_);
  if (!env_.contains("LOG_LEVEL")) env_["LOG_LEVEL"] = "info";
  start(env_);
}

void ServiceProcess::kill() {
  process_->signal(SIGKILL);
  process_->wait(10s);
}

void ServiceProcess::restart(std::map<std::string, std::string> env) {
  if (process_->running()) kill();
  for (const auto& [k, v] : env_) env.emplace(k, v);
  env["PORT"] = std::to_string(port_);
  start(std::move(env));
}

void ServiceProcess::start(std::map<std::string, std::string> env) {
  process_ = std::make_unique<Process>(binary_, std::move(env));
  http::BlockingClient client;
  bool ready = wait_until(
      [&] {
        if (!process_->running()) return true;
        try {
          // Connection: close, so that the probe does not hold one of the service's
          // connections (tests of the connection cap count them).
          return client.get(url("/health/ready"), {{"Connection", "close"}}).status == 200;
        } catch (const std::exception&) {
          return false;
        }
      },
      30s);
  if (!ready || !process_->running())
    throw std::runtime_error(binary_ + " did not become ready:\n" + process_->output());
}

std::string psql(const std::string& db_url, const std::string& sql) {
  auto out = run_capture("psql -X -q -A -t -v ON_ERROR_STOP=1 -d " + shell_quote(db_url) + " -c " +
                         shell_quote(sql));
  auto newline = out.find('\n');
  return newline == std::string::npos ? out : out.substr(0, newline);
}

namespace {
std::map<std::string, std::string> user_env(std::string db_url,
                                            std::map<std::string, std::string> extra) {
  extra.emplace("DB_URL", std::move(db_url));
  extra.emplace("JWT_PRIVATE_KEY_FILE", test_jwt_key_file());
  return extra;
}
}  // namespace

UserService::UserService(std::string db_url, std::map<std::string, std::string> extra_env)
    : ServiceProcess(BAZAAR_USER_SERVICE_BIN, user_env(std::move(db_url), std::move(extra_env))) {}

RawConnection::RawConnection(int port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
    throw std::runtime_error("connect failed");
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

void RawConnection::send(const std::string& bytes) {
  std::size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;  // the server may close early on purpose (limits)
    off += static_cast<std::size_t>(n);
  }
}

std::string RawConnection::read_all(std::chrono::milliseconds timeout, bool* closed) {
  if (closed != nullptr) *closed = false;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string out = std::move(pending_);
  pending_.clear();
  char buf[65536];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) break;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) break;
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      if (closed != nullptr) *closed = true;
      break;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

std::string RawConnection::read_response(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string& data = pending_;
  char buf[65536];
  for (;;) {
    auto end = data.find("\r\n\r\n");
    if (end != std::string::npos) {
      std::size_t length = 0;
      auto cl = data.find("Content-Length: ");
      if (cl != std::string::npos && cl < end) length = std::stoul(data.substr(cl + 16));
      if (data.size() >= end + 4 + length) {
        std::string one = data.substr(0, end + 4 + length);
        data.erase(0, end + 4 + length);
        return one;
      }
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) return std::exchange(data, {});
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return std::exchange(data, {});
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return std::exchange(data, {});
    data.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace bazaar::harness

namespace bazaar::harness {

int RedisServer::port() const { return std::stoi(printed().substr(printed().rfind(':') + 1)); }

}  // namespace bazaar::harness
