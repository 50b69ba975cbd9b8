#include "services/user/domain/user.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

using namespace bazaar::user;
namespace json = boost::json;

namespace {
json::object obj(std::string_view text) { return json::parse(text).as_object(); }

std::vector<std::string> fields_of(const FieldErrors& e) {
  std::vector<std::string> out;
  for (const auto& f : e) out.push_back(f.field);
  return out;
}
}  // namespace

TEST(NewUser, ValidRequestDefaultsToUserRole) {
  auto v = validate_new_user(
      obj(R"({"name":"Ada","email":"ada@example.com","password":"s3cret-pass"})"));
  ASSERT_TRUE(std::holds_alternative<NewUser>(v));
  EXPECT_EQ(std::get<NewUser>(v).role, Role::user);
  EXPECT_EQ(std::get<NewUser>(v).email, "ada@example.com");
}

TEST(NewUser, NamesEveryInvalidFieldAndWhy) {
  auto v = validate_new_user(obj(R"({"name":"","email":"nope","password":"short","role":"root"})"));
  ASSERT_TRUE(std::holds_alternative<FieldErrors>(v));
  auto& e = std::get<FieldErrors>(v);
  EXPECT_EQ(fields_of(e), (std::vector<std::string>{"name", "email", "password", "role"}));
  for (const auto& f : e) EXPECT_FALSE(f.reason.empty());
}

TEST(NewUser, MissingWrongTypeAndUnknownFields) {
  auto v = validate_new_user(obj(R"({"name":42,"password":["x"],"admin":true})"));
  auto& e = std::get<FieldErrors>(v);
  auto f = fields_of(e);
  EXPECT_NE(std::find(f.begin(), f.end(), "admin"), f.end());
  EXPECT_NE(std::find(f.begin(), f.end(), "email"), f.end());
  for (const auto& x : e) {
    if (x.field == "name") {
      EXPECT_EQ(x.reason, "must be a string");
    }
    if (x.field == "email") {
      EXPECT_EQ(x.reason, "is required");
    }
  }
}

TEST(NewUser, UnicodeNamesCountCharactersNotBytes) {
  std::string name;
  for (int i = 0; i < 200; ++i) name += "\xC3\xA9";  // 200 × é = 400 bytes
  EXPECT_EQ(check_name(name), "");
  EXPECT_NE(check_name(name + "x"), "");
  EXPECT_EQ(check_name("\xE5\xB1\xB1\xE7\x94\xB0 \xF0\x9F\x98\x80"), "");
  EXPECT_NE(check_name("a\nb"), "");
  EXPECT_NE(check_name("   "), "");
}

TEST(Email, Shapes) {
  EXPECT_EQ(check_email("a.b+tag@sub.example.org"), "");
  for (const char* bad :
       {"", "@x.com", "a@", "a@b", "a@@b.com", "a b@c.com", "a@.com", "a@b..com", "a@b.com."})
    EXPECT_NE(check_email(bad), "") << bad;
  EXPECT_NE(check_email(std::string(65, 'a') + "@x.com"), "");
}

TEST(Patch, NeedsAtLeastOneField) {
  EXPECT_TRUE(std::holds_alternative<FieldErrors>(validate_patch(obj("{}"))));
  auto v = validate_patch(obj(R"({"name":"New"})"));
  ASSERT_TRUE(std::holds_alternative<UserPatch>(v));
  EXPECT_EQ(*std::get<UserPatch>(v).name, "New");
  EXPECT_FALSE(std::get<UserPatch>(v).email);
}

TEST(Credentials, BothRequired) {
  EXPECT_TRUE(
      std::holds_alternative<FieldErrors>(validate_credentials(obj(R"({"email":"a@b.co"})"))));
  EXPECT_TRUE(std::holds_alternative<Credentials>(
      validate_credentials(obj(R"({"email":"a@b.co","password":"x"})"))));
}
