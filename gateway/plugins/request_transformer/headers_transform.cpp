// transform_headers in kong/plugins/request-transformer/access.lua. Kong works on a Lua table
// of the headers (lower-case names, Host taken out) and writes it back; we edit the header
// list in place, which keeps the order of untouched headers.
#include <algorithm>

#include "gateway/plugins/request_transformer/transforms.hpp"

namespace bazaar::gateway::request_transformer {

namespace {

bool is_host(std::string_view name) { return iequals(name, "host"); }

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

auto named(std::string_view name) {
  return [name](const Header& header) { return iequals(header.name, name); };
}

bool has_header(const std::vector<Header>& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(), named(name));
}

// Kong's set_header("host", v) also sets ngx.var.upstream_host.
void set_host(std::vector<Header>& headers, const std::string& value,
              std::optional<std::string>& upstream_host) {
  upstream_host = value;
  auto first = std::find_if(headers.begin(), headers.end(), named("host"));
  if (first == headers.end()) {
    headers.push_back({"Host", value});
    return;
  }
  first->value = value;
  headers.erase(std::remove_if(std::next(first), headers.end(), named("host")), headers.end());
}

void rename_header(std::vector<Header>& headers, const std::string& old_name,
                   const std::string& new_name, std::optional<std::string>& upstream_host) {
  if (is_host(old_name)) return;  // Host is not in Kong's table, so there is nothing to move
  if (iequals(old_name, new_name)) {
    // Only the spelling changes (Kong's special case for "same name, other case").
    if (old_name == new_name) return;
    for (Header& header : headers) {
      if (iequals(header.name, old_name)) header.name = new_name;
    }
    return;
  }
  auto first = std::find_if(headers.begin(), headers.end(), named(old_name));
  if (first == headers.end()) return;
  std::vector<std::string> values;
  for (const Header& header : headers) {
    if (iequals(header.name, old_name)) values.push_back(header.value);
  }
  // Kong writes the renamed header lower-cased and overwrites an existing one of that name.
  const std::string lowered = to_lower(new_name);
  if (is_host(lowered)) {
    headers.erase(std::remove_if(headers.begin(), headers.end(), named(old_name)), headers.end());
    set_host(headers, values.front(), upstream_host);
    return;
  }
  std::vector<Header> result;
  result.reserve(headers.size());
  for (Header& header : headers) {
    if (&header == &*first) {
      for (std::string& value : values) result.push_back({lowered, std::move(value)});
    } else if (!iequals(header.name, old_name) && !iequals(header.name, new_name)) {
      result.push_back(std::move(header));
    }
  }
  headers = std::move(result);
}

void replace_header(std::vector<Header>& headers, const std::string& name, const std::string& value,
                    std::optional<std::string>& upstream_host) {
  if (is_host(name)) {
    set_host(headers, value, upstream_host);  // Host is replaced even when absent
    return;
  }
  auto first = std::find_if(headers.begin(), headers.end(), named(name));
  if (first == headers.end()) return;
  first->value = value;  // one value replaces all of them; the client's spelling stays
  headers.erase(std::remove_if(std::next(first), headers.end(), named(name)), headers.end());
}

void append_header(std::vector<Header>& headers, const std::string& name, std::string value) {
  // Kong sends the values as repeated header lines; keep them next to each other.
  auto last = std::find_if(headers.rbegin(), headers.rend(), named(name));
  if (last == headers.rend()) {
    headers.push_back(Header{name, std::move(value)});
  } else {
    headers.insert(last.base(), Header{name, std::move(value)});
  }
}

}  // namespace

void transform_headers(const Config& config, Request& request, const TemplateContext& context,
                       std::optional<std::string>& upstream_host) {
  std::vector<Header>& headers = request.headers;

  for (const Entry& entry : config.remove.headers) {
    if (is_host(entry.name)) continue;
    headers.erase(std::remove_if(headers.begin(), headers.end(), named(entry.name)), headers.end());
  }
  for (const Entry& entry : config.rename.headers) {
    if (auto new_name = render_value(entry, context)) {
      rename_header(headers, entry.name, *new_name, upstream_host);
    }
  }
  for (const Entry& entry : config.replace.headers) {
    if (auto value = render_value(entry, context)) {
      replace_header(headers, entry.name, *value, upstream_host);
    }
  }
  for (const Entry& entry : config.add.headers) {
    auto value = render_value(entry, context);
    if (!value || is_host(entry.name) || has_header(headers, entry.name)) continue;
    headers.push_back({entry.name, *std::move(value)});  // the configured spelling
  }
  for (const Entry& entry : config.append.headers) {
    if (auto value = render_value(entry, context)) {
      append_header(headers, entry.name, *std::move(value));
    }
  }
}

}  // namespace bazaar::gateway::request_transformer
