#include "services/notification/domain/mail_message.hpp"

#include <cstdio>
#include <vector>

namespace bazaar::notification {
namespace {
constexpr std::size_t kMaxLine = 78;
// UTF-8 bytes per encoded word: 48 base64 characters, so "=?UTF-8?B?…?=" is 60 long and a
// header's first line stays within 78 even after "Subject: ".
constexpr std::size_t kBytesPerEncodedWord = 36;

bool is_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

std::string base64(std::string_view in) {
  static constexpr char table[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16 |
                 static_cast<unsigned char>(in[i + 1]) << 8 | static_cast<unsigned char>(in[i + 2]);
    out += table[v >> 18 & 63];
    out += table[v >> 12 & 63];
    out += table[v >> 6 & 63];
    out += table[v & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += table[v >> 18 & 63];
    out += table[v >> 12 & 63];
    out += i + 1 < in.size() ? table[v >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

// RFC 2047 encoded words for `text`, each holding whole UTF-8 characters.
std::vector<std::string> encoded_words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = std::min(text.size(), start + kBytesPerEncodedWord);
    while (end < text.size() && end > start + 1 &&
           is_continuation(static_cast<unsigned char>(text[end])))
      --end;
    words.push_back("=?UTF-8?B?" + base64(text.substr(start, end - start)) + "?=");
    start = end;
  }
  return words;
}

std::vector<std::string_view> split_spaces(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    std::size_t j = i;
    while (j < text.size() && text[j] != ' ') ++j;
    if (j > i) words.push_back(text.substr(i, j - i));
    i = j;
  }
  return words;
}

// Joins `words` after "Name: ", starting a continuation line (CRLF, space) before a word
// that would make the line longer than 78.
template <class Words>
std::string fold(std::string_view name, const Words& words) {
  std::string out(name);
  out += ':';
  std::size_t line = out.size();
  for (const auto& w : words) {
    if (line > name.size() + 1 && line + 1 + w.size() > kMaxLine) {
      out += "\r\n";
      line = 0;
    }
    out += ' ';
    out += w;
    line += 1 + w.size();
  }
  out += "\r\n";
  return out;
}

bool is_atext_phrase(std::string_view name) {
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("!#$%&'*+-/=?^_`{|}~ ").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
}  // namespace

bool is_plain_address(std::string_view a) {
  auto at = a.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == a.size()) return false;
  if (a.find('@', at + 1) != std::string_view::npos) return false;
  for (unsigned char c : a) {
    if (c <= 0x20 || c >= 0x7F) return false;
    if (std::string_view("<>()[]\\,;:\"").find(static_cast<char>(c)) != std::string_view::npos)
      return false;
  }
  return true;
}

std::string_view domain_of(std::string_view address) {
  auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string_view() : address.substr(at + 1);
}

std::optional<Mailbox> parse_mailbox(std::string_view text) {
  text = trim(text);
  Mailbox m;
  auto open = text.rfind('<');
  if (open == std::string_view::npos) {
    m.address = std::string(text);
  } else {
    if (text.back() != '>') return std::nullopt;
    m.address = std::string(text.substr(open + 1, text.size() - open - 2));
    std::string_view name = trim(text.substr(0, open));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
      name = name.substr(1, name.size() - 2);
      for (std::size_t i = 0; i < name.size(); ++i) {
        if (name[i] == '\\' && i + 1 < name.size()) ++i;
        m.name += name[i];
      }
    } else {
      m.name = std::string(name);
    }
  }
  if (!is_plain_address(m.address)) return std::nullopt;
  for (unsigned char c : m.name)
    if (c < 0x20 || c == 0x7F) return std::nullopt;
  return m;
}

std::string format_mailbox(const Mailbox& m) {
  std::string out;
  if (!m.name.empty()) {
    if (!is_ascii(m.name)) {
      for (const auto& w : encoded_words(m.name)) out += w + " ";
    } else if (is_atext_phrase(m.name)) {
      out = m.name + " ";
    } else {
      out = "\"";
      for (char c : m.name) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      out += "\" ";
    }
  }
  return out + "<" + m.address + ">";
}

std::string format_date(std::time_t t) {
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday],
                tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string header_line(std::string_view name, std::string_view value) {
  if (is_ascii(value)) return fold(name, split_spaces(value));
  return fold(name, encoded_words(value));
}

std::string wrap_text(std::string_view text, std::size_t width) {
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    bool last = end == std::string_view::npos;
    std::string_view line = text.substr(start, last ? std::string_view::npos : end - start);
    if (line.size() <= width) {
      out += line;
    } else {
      std::size_t column = 0;
      for (auto w : split_spaces(line)) {
        if (column > 0 && column + 1 + w.size() > width) {
          out += '\n';
          column = 0;
        }
        if (column > 0) {
          out += ' ';
          ++column;
        }
        out += w;
        column += w.size();
      }
    }
    if (last) break;
    out += '\n';
    start = end + 1;
  }
  return out;
}

std::string render(const MailMessage& m) {
  std::string out;
  out += header_line("Date", format_date(m.date));
  // Addresses are never folded inside: "Name <addr>" stays on the first line.
  out += "From: " + format_mailbox(m.from) + "\r\n";
  out += "To: <" + m.to + ">\r\n";
  out += header_line("Subject", m.subject);
  out += "Message-ID: <" + m.message_id + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  out += std::string("Content-Transfer-Encoding: ") + (is_ascii(m.body) ? "7bit" : "8bit") + "\r\n";
  out += "\r\n";
  std::string body = wrap_text(m.body, 76);
  for (char c : body) {
    if (c == '\n') {
      out += "\r\n";
    } else if (c != '\r') {
      out += c;
    }
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out;
}

}  // namespace bazaar::notification
