#pragma once
// The user bounded context's rules, free of I/O: what a valid user is and how requests map
// onto it. Every rule a client can break comes back as a FieldError naming the field.
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>
#include "chassis/core/field_error.hpp"

namespace bazaar::user {

enum class Role { user, admin };
std::optional<Role> parse_role(std::string_view text);
std::string_view to_string(Role role);

using bazaar::FieldError;
using bazaar::FieldErrors;

struct NewUser {
  std::string name;
  std::string email;
  std::string password;
  Role role = Role::user;
};

struct UserPatch {
  std::optional<std::string> name;
  std::optional<std::string> email;
  std::optional<std::string> password;
  std::optional<Role> role;
  bool empty() const { return !name && !email && !password && !role; }
};

struct Credentials {
  std::string email;
  std::string password;
};

// `body` is the parsed request object. Unknown fields are errors too: a typo must not be
// silently ignored.
std::variant<NewUser, FieldErrors> validate_new_user(const boost::json::object& body);
std::variant<UserPatch, FieldErrors> validate_patch(const boost::json::object& body);
std::variant<Credentials, FieldErrors> validate_credentials(const boost::json::object& body);

// Single-field checks, empty when valid.
std::string check_name(std::string_view name);
std::string check_email(std::string_view email);
std::string check_password(std::string_view password);

inline constexpr std::size_t kMaxNameChars = 200;
inline constexpr std::size_t kMaxEmailBytes = 254;
inline constexpr std::size_t kMinPasswordChars = 8;
inline constexpr std::size_t kMaxPasswordBytes = 1024;

}  // namespace bazaar::user
