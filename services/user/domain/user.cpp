#include "services/user/domain/user.hpp"

#include "chassis/core/text.hpp"

#include <algorithm>

namespace bazaar::user {
namespace {
using text::has_control;
using text::utf8_length;

// Reads `key` as a string into `out`; records an error when present with another type.
bool read_string(const boost::json::object& o, std::string_view key,
                 std::optional<std::string>& out, FieldErrors& errors) {
  auto it = o.find(key);
  if (it == o.end()) return false;
  if (!it->value().is_string()) {
    errors.push_back({std::string(key), "must be a string"});
    return false;
  }
  out = std::string(it->value().get_string());
  return true;
}

void reject_unknown(const boost::json::object& o, std::initializer_list<std::string_view> known,
                    FieldErrors& errors) {
  for (const auto& kv : o) {
    if (std::find(known.begin(), known.end(), kv.key()) == known.end())
      errors.push_back({std::string(kv.key()), "is not a known field"});
  }
}

void check_into(std::string_view field, const std::string& reason, FieldErrors& errors) {
  if (!reason.empty()) errors.push_back({std::string(field), reason});
}
}  // namespace

std::optional<Role> parse_role(std::string_view t) {
  if (t == "user") return Role::user;
  if (t == "admin") return Role::admin;
  return std::nullopt;
}

std::string_view to_string(Role r) { return r == Role::admin ? "admin" : "user"; }

std::string check_name(std::string_view name) {
  auto first = name.find_first_not_of(' ');
  if (first == std::string_view::npos) return "must not be empty";
  if (utf8_length(name) > kMaxNameChars)
    return "must be at most " + std::to_string(kMaxNameChars) + " characters";
  if (has_control(name)) return "must not contain control characters";
  return {};
}

std::string check_email(std::string_view email) {
  if (email.size() > kMaxEmailBytes)
    return "must be at most " + std::to_string(kMaxEmailBytes) + " bytes";
  auto at = email.find('@');
  if (at == std::string_view::npos || at == 0 || email.find('@', at + 1) != std::string_view::npos)
    return "must be an address of the form name@domain";
  auto local = email.substr(0, at), domain = email.substr(at + 1);
  if (local.size() > 64) return "must have at most 64 characters before the @";
  auto dot = domain.find('.');
  if (domain.empty() || dot == 0 || dot == std::string_view::npos || domain.back() == '.' ||
      domain.find("..") != std::string_view::npos)
    return "must have a domain such as example.com after the @";
  if (has_control(email) || email.find(' ') != std::string_view::npos)
    return "must not contain spaces or control characters";
  return {};
}

std::string check_password(std::string_view password) {
  if (utf8_length(password) < kMinPasswordChars)
    return "must be at least " + std::to_string(kMinPasswordChars) + " characters";
  if (password.size() > kMaxPasswordBytes)
    return "must be at most " + std::to_string(kMaxPasswordBytes) + " bytes";
  return {};
}

std::variant<NewUser, FieldErrors> validate_new_user(const boost::json::object& o) {
  FieldErrors errors;
  reject_unknown(o, {"name", "email", "password", "role"}, errors);
  std::optional<std::string> name, email, password, role;
  if (!read_string(o, "name", name, errors) && !o.contains("name"))
    errors.push_back({"name", "is required"});
  if (!read_string(o, "email", email, errors) && !o.contains("email"))
    errors.push_back({"email", "is required"});
  if (!read_string(o, "password", password, errors) && !o.contains("password"))
    errors.push_back({"password", "is required"});
  read_string(o, "role", role, errors);
  if (name) check_into("name", check_name(*name), errors);
  if (email) check_into("email", check_email(*email), errors);
  if (password) check_into("password", check_password(*password), errors);
  std::optional<Role> parsed_role = Role::user;
  if (role) {
    parsed_role = parse_role(*role);
    if (!parsed_role) errors.push_back({"role", "must be one of user, admin"});
  }
  if (!errors.empty()) return errors;
  return NewUser{std::move(*name), std::move(*email), std::move(*password), *parsed_role};
}

std::variant<UserPatch, FieldErrors> validate_patch(const boost::json::object& o) {
  FieldErrors errors;
  reject_unknown(o, {"name", "email", "password", "role"}, errors);
  UserPatch p;
  std::optional<std::string> role;
  read_string(o, "name", p.name, errors);
  read_string(o, "email", p.email, errors);
  read_string(o, "password", p.password, errors);
  read_string(o, "role", role, errors);
  if (p.name) check_into("name", check_name(*p.name), errors);
  if (p.email) check_into("email", check_email(*p.email), errors);
  if (p.password) check_into("password", check_password(*p.password), errors);
  if (role) {
    p.role = parse_role(*role);
    if (!p.role) errors.push_back({"role", "must be one of user, admin"});
  }
  if (errors.empty() && p.empty())
    errors.push_back({"body", "must change at least one of name, email, password, role"});
  if (!errors.empty()) return errors;
  return p;
}

std::variant<Credentials, FieldErrors> validate_credentials(const boost::json::object& o) {
  FieldErrors errors;
  std::optional<std::string> email, password;
  if (!read_string(o, "email", email, errors) && !o.contains("email"))
    errors.push_back({"email", "is required"});
  if (!read_string(o, "password", password, errors) && !o.contains("password"))
    errors.push_back({"password", "is required"});
  if (!errors.empty()) return errors;
  return Credentials{std::move(*email), std::move(*password)};
}

}  // namespace bazaar::user
