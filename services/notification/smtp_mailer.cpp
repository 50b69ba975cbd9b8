#include "services/notification/smtp_mailer.hpp"

#include <curl/curl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstring>

namespace bazaar::notification {
namespace asio = boost::asio;

struct SmtpMailer::Impl {
  explicit Impl(SmtpOptions o)
      : options(std::move(o)), pool(std::max<std::size_t>(1, options.threads)) {}
  SmtpOptions options;
  asio::thread_pool pool;
};

namespace {
struct Upload {
  std::string_view data;
  std::size_t offset = 0;
};

std::size_t read_message(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* up = static_cast<Upload*>(user);
  std::size_t n = std::min(size * count, up->data.size() - up->offset);
  std::memcpy(buffer, up->data.data() + up->offset, n);
  up->offset += n;
  return n;
}

using CurlPtr = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;

// Each sending thread keeps one curl handle, and with it its SMTP connection: the next
// message goes as MAIL FROM, RCPT TO, DATA on the same session instead of a new connection,
// greeting and EHLO every time. curl_easy_reset clears the options, not the connection.
CURL* thread_handle(bool fresh) {
  thread_local CurlPtr handle(nullptr, curl_easy_cleanup);
  if (fresh || !handle) handle.reset(curl_easy_init());
  if (handle) curl_easy_reset(handle.get());
  return handle.get();
}

// One message, blocking: MAIL FROM, RCPT TO, DATA (connecting first when needed).
void deliver_blocking(const SmtpOptions& options, const OutgoingMail& mail) {
  CURL* c = thread_handle(false);
  if (c == nullptr) throw SmtpError("smtp: curl_easy_init failed", false);
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> rcpt(
      curl_slist_append(nullptr, ("<" + mail.recipient + ">").c_str()), curl_slist_free_all);
  std::string from = "<" + mail.envelope_from + ">";
  Upload upload{mail.message};
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(c, CURLOPT_URL, options.url.c_str());
  // Only mail: a mistyped SMTP_URL must not turn into some other protocol.
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(mail.message.size()));
  // Timeouts by polling, not SIGALRM: signals and threads do not mix.
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  CURLcode rc = curl_easy_perform(c);
  if (rc == CURLE_OK) return;
  long reply = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
  std::string what = "smtp: ";
  what += error[0] != '\0' ? error : curl_easy_strerror(rc);
  if (reply != 0) what += " (reply " + std::to_string(reply) + ")";
  thread_handle(true);  // after a failure, the next message starts a new session
  throw SmtpError(what, reply >= 500 && reply < 600);
}

http::Task<void> deliver_on_pool(const SmtpOptions* options, OutgoingMail mail) {
  deliver_blocking(*options, mail);
  co_return;
}
}  // namespace

bool is_smtp_url(std::string_view url) {
  for (std::string_view scheme : {"smtp://", "smtps://"})
    if (url.size() > scheme.size() && url.substr(0, scheme.size()) == scheme) return true;
  return false;
}

SmtpMailer::SmtpMailer(SmtpOptions options) {
  // Once per process, before any thread uses curl.
  static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!initialised) throw std::runtime_error("smtp: curl_global_init failed");
  impl_ = std::make_unique<Impl>(std::move(options));
}

SmtpMailer::~SmtpMailer() { stop(); }

http::Task<void> SmtpMailer::send(OutgoingMail mail) {
  co_await asio::co_spawn(impl_->pool, deliver_on_pool(&impl_->options, std::move(mail)),
                          asio::use_awaitable);
}

void SmtpMailer::stop() { impl_->pool.join(); }

}  // namespace bazaar::notification
