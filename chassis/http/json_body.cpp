#include "chassis/http/json_body.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

namespace bazaar::http {
namespace json = boost::json;

std::variant<json::object, Response> json_body(const Request& req) {
  auto type = req.header("content-type");
  if (!type.empty() && type.substr(0, 16) != "application/json")
    return problem(415, "Content-Type must be application/json");
  if (req.body.empty()) return problem(400, "a JSON request body is required");
  json::error_code ec;
  json::value v = json::parse(req.body, ec);
  if (ec) return problem(400, "malformed JSON: " + ec.message());
  if (!v.is_object()) return problem(400, "the request body must be a JSON object");
  return std::move(v.as_object());
}

Response field_errors(const FieldErrors& errors) {
  json::array list;
  for (const auto& e : errors)
    list.push_back(json::object{{"field", e.field}, {"reason", e.reason}});
  std::string detail = "invalid request: ";
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (i > 0) detail += "; ";
    detail += errors[i].field + " " + errors[i].reason;
  }
  return problem(422, detail, {{"errors", std::move(list)}});
}

}  // namespace bazaar::http
