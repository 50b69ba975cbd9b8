#include "services/notification/domain/mail_message.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

using namespace bazaar::notification;

namespace {
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    auto end = text.find("\r\n", start);
    if (end == std::string::npos) break;
    out.push_back(text.substr(start, end - start));
    start = end + 2;
  }
  return out;
}

MailMessage sample() {
  MailMessage m;
  m.from = {"Bazaar", "orders@bazaar.local"};
  m.to = "ada@example.com";
  m.subject = "Your order 6f1c2a9e-3b4d-4e5f-8a9b-0c1d2e3f4a5b was cancelled: card declined";
  m.body = "Hello,\n\nYour order was cancelled.\n\n-- \nBazaar\n";
  m.message_id = "1b4e28ba-2fa1-11d2-883f-0016d3cca427@bazaar.local";
  m.date = 1795250103;  // 2026-11-21 08:35:03 UTC
  return m;
}
}  // namespace

TEST(MailMessage, AddressesAreParsedFromTheUsualForms) {
  auto a = parse_mailbox("Bazaar <orders@bazaar.local>");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->name, "Bazaar");
  EXPECT_EQ(a->address, "orders@bazaar.local");
  auto b = parse_mailbox("orders@bazaar.local");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->name, "");
  auto c = parse_mailbox(R"("Bazaar, the \"shop\"" <orders@bazaar.local>)");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, R"(Bazaar, the "shop")");
  EXPECT_EQ(format_mailbox(*c), R"("Bazaar, the \"shop\"" <orders@bazaar.local>)");
  EXPECT_FALSE(parse_mailbox("Bazaar"));
  EXPECT_FALSE(parse_mailbox("Bazaar <orders@bazaar.local"));
  EXPECT_FALSE(parse_mailbox("a <b@c@d>"));
}

TEST(MailMessage, OnlyPlainAddressesAreDeliverable) {
  EXPECT_TRUE(is_plain_address("ada.lovelace+shop@example.co.uk"));
  EXPECT_FALSE(is_plain_address("ada@"));
  EXPECT_FALSE(is_plain_address("@example.com"));
  EXPECT_FALSE(is_plain_address("ada example@example.com"));
  EXPECT_FALSE(is_plain_address("ada@example.com>\r\nBcc: x@y.z"));
  EXPECT_FALSE(is_plain_address("adä@example.com"));
  EXPECT_EQ(domain_of("orders@bazaar.local"), "bazaar.local");
}

TEST(MailMessage, DatesAreRfc5322InUtc) {
  EXPECT_EQ(format_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(format_date(1795250103), "Sat, 21 Nov 2026 08:35:03 +0000");
}

TEST(MailMessage, TheMessageHasTheHeadersMailClientsExpect) {
  auto text = render(sample());
  auto lines = lines_of(text);
  ASSERT_GE(lines.size(), 10u);
  EXPECT_EQ(lines[0], "Date: Sat, 21 Nov 2026 08:35:03 +0000");
  EXPECT_EQ(lines[1], "From: Bazaar <orders@bazaar.local>");
  EXPECT_EQ(lines[2], "To: <ada@example.com>");
  // 85 characters: folded once, at the last space that keeps the line within 78.
  EXPECT_EQ(lines[3],
            "Subject: Your order 6f1c2a9e-3b4d-4e5f-8a9b-0c1d2e3f4a5b was cancelled: card");
  EXPECT_EQ(lines[4], " declined");
  EXPECT_EQ(lines[5], "Message-ID: <1b4e28ba-2fa1-11d2-883f-0016d3cca427@bazaar.local>");
  EXPECT_EQ(lines[6], "MIME-Version: 1.0");
  EXPECT_EQ(lines[7], "Content-Type: text/plain; charset=utf-8");
  EXPECT_EQ(lines[8], "Content-Transfer-Encoding: 7bit");
  EXPECT_EQ(lines[9], "");
  EXPECT_EQ(lines[10], "Hello,");
  EXPECT_EQ(lines.back(), "Bazaar");
  // Every line ends in CRLF: no bare LF anywhere.
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      ASSERT_TRUE(i > 0 && text[i - 1] == '\r') << "bare LF at " << i;
    }
  }
  for (const auto& l : lines) EXPECT_LE(l.size(), 78u) << l;
}

TEST(MailMessage, NonAsciiSubjectsAreEncodedWordsAndBodiesEightBit) {
  auto m = sample();
  m.subject = "Ihre Bestellung wurde storniert: Zahlung abgelehnt – Kartenprüfung fehlgeschlagen";
  m.body = "Grüße\n";
  auto text = render(m);
  auto lines = lines_of(text);
  EXPECT_EQ(lines[3].rfind("Subject: =?UTF-8?B?", 0), 0u) << lines[3];
  // Decoded, the encoded words give the subject back.
  EXPECT_NE(text.find("Content-Transfer-Encoding: 8bit"), std::string::npos);
  for (const auto& l : lines) {
    if (l.empty()) break;
    EXPECT_LE(l.size(), 78u) << l;
    for (unsigned char c : l) EXPECT_LT(c, 0x80) << "non-ASCII in header " << l;
  }
}

TEST(MailMessage, EncodedWordsDecodeToTheSubject) {
  // A small base64 decoder, to check what a mail client would show.
  auto decode = [](std::string_view in) {
    std::string out;
    int bits = 0;
    unsigned value = 0;
    const std::string table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (char c : in) {
      auto p = table.find(c);
      if (p == std::string::npos) break;
      value = value << 6 | static_cast<unsigned>(p);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out += static_cast<char>(value >> bits & 0xFF);
      }
    }
    return out;
  };
  std::string subject = "Zahlung abgelehnt – Kartenprüfung fehlgeschlagen, bitte erneut versuchen";
  auto header = header_line("Subject", subject);
  std::string decoded;
  std::size_t pos = 0;
  while ((pos = header.find("=?UTF-8?B?", pos)) != std::string::npos) {
    auto end = header.find("?=", pos + 10);
    decoded += decode(header.substr(pos + 10, end - pos - 10));
    pos = end + 2;
  }
  EXPECT_EQ(decoded, subject);
}

TEST(MailMessage, LongBodyLinesAreWrappedAtSpaces) {
  std::string line;
  for (int i = 0; i < 40; ++i) line += "word ";
  auto wrapped = wrap_text(line + "\nshort\n", 76);
  std::istringstream in(wrapped);
  std::string l;
  int count = 0;
  while (std::getline(in, l)) {
    EXPECT_LE(l.size(), 76u);
    ++count;
  }
  EXPECT_EQ(count, 4);  // 200 characters over three lines, then "short"
  EXPECT_EQ(wrap_text("-- \nsig\n", 76), "-- \nsig\n");
}
