#pragma once
// Request bodies as JSON objects, and the answers for those that are not, shared by every
// service's handlers.
#include <boost/json/object.hpp>
#include <variant>

#include "chassis/core/field_error.hpp"
#include "chassis/http/message.hpp"

namespace bazaar::http {

// The body as a JSON object, or the answer explaining why not: 415 for another
// Content-Type, 400 for an empty body, malformed JSON or a non-object.
std::variant<boost::json::object, Response> json_body(const Request& req);

// 422 problem details naming each field and why, as `errors: [{field, reason}]`.
Response field_errors(const FieldErrors& errors);

}  // namespace bazaar::http
