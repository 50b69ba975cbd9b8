#pragma once
// Sends a rendered message over SMTP with libcurl. curl_easy_perform blocks, so it runs on a
// small thread pool of the mailer's own, never on an event loop; the awaiting coroutine resumes
// on its own executor. libcurl's headers stay in the .cpp.
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include "chassis/http/message.hpp"

namespace bazaar::notification {

struct SmtpError : std::runtime_error {
  SmtpError(const std::string& what, bool permanent)
      : std::runtime_error(what), permanent(permanent) {}
  // The server refused for good (a 5xx reply): trying again cannot help.
  bool permanent;
};

struct OutgoingMail {
  std::string envelope_from;  // plain address, for MAIL FROM
  std::string recipient;      // plain address, for RCPT TO
  std::string message;        // the RFC 5322 text, CRLF line ends
};

struct SmtpOptions {
  std::string url;                            // SMTP_URL: smtp://host:port or smtps://host:port
  std::chrono::milliseconds timeout{10'000};  // connect to end of the dialogue
  std::size_t threads = 2;
};

class SmtpMailer {
 public:
  explicit SmtpMailer(SmtpOptions options);
  ~SmtpMailer();
  SmtpMailer(const SmtpMailer&) = delete;
  SmtpMailer& operator=(const SmtpMailer&) = delete;

  // Throws SmtpError when the server cannot be reached or does not accept the message.
  http::Task<void> send(OutgoingMail mail);
  // Waits for the sends in flight and ends the threads.
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// True for the schemes SMTP_URL may use (smtp://, smtps://) followed by a host.
bool is_smtp_url(std::string_view url);

}  // namespace bazaar::notification
