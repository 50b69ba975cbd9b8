#include "gateway/plugins/request_transformer/template.hpp"

#include <cctype>

namespace bazaar::gateway::request_transformer {

namespace {

using Reference = Template::Reference;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// ngx.req.get_headers() keys are lower-case and its lookup turns '_' into '-'.
bool same_header(std::string_view stored, std::string_view wanted) {
  if (stored.size() != wanted.size()) return false;
  for (std::size_t i = 0; i < stored.size(); ++i) {
    const char a = stored[i] == '_' ? '-' : lower(stored[i]);
    const char b = wanted[i] == '_' ? '-' : lower(wanted[i]);
    if (a != b) return false;
  }
  return true;
}

bool is_identifier_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Recursive-descent parser for the expression grammar described in template.hpp.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  std::variant<Template::Expression, std::string> parse() {
    Template::Expression alternatives;
    while (true) {
      auto operand = parse_operand();
      if (auto* error = std::get_if<std::string>(&operand)) return *error;
      alternatives.push_back(std::get<Template::Operand>(std::move(operand)));
      skip_space();
      if (at_end()) return alternatives;
      if (!consume_keyword("or")) return unexpected();
    }
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }

  void skip_space() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  bool consume(char c) {
    skip_space();
    if (at_end() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  bool consume_keyword(std::string_view word) {
    skip_space();
    if (text_.substr(pos_, word.size()) != word) return false;
    const std::size_t end = pos_ + word.size();
    if (end < text_.size() && is_identifier_char(text_[end])) return false;
    pos_ = end;
    return true;
  }

  std::string unexpected() const {
    if (at_end()) return "unexpected end of expression '" + std::string(text_) + "'";
    return "unexpected '" + std::string(text_.substr(pos_)) + "' in expression '" +
           std::string(text_) + "'";
  }

  std::optional<std::string> parse_identifier() {
    skip_space();
    if (at_end() || !is_identifier_start(text_[pos_])) return std::nullopt;
    const std::size_t start = pos_;
    while (!at_end() && is_identifier_char(text_[pos_])) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  // A Lua short string: '...' or "..." with backslash escapes.
  std::variant<std::string, std::monostate> parse_string(std::string& error) {
    skip_space();
    const char quote = text_[pos_++];
    std::string value;
    while (!at_end() && text_[pos_] != quote) {
      char c = text_[pos_++];
      if (c == '\\') {
        if (at_end()) break;
        c = text_[pos_++];
        if (c == 'n') c = '\n';
        if (c == 't') c = '\t';
      }
      value += c;
    }
    if (at_end()) {
      error = "unfinished string in expression '" + std::string(text_) + "'";
      return std::monostate{};
    }
    ++pos_;
    return value;
  }

  std::variant<Template::Operand, std::string> parse_operand() {
    skip_space();
    if (at_end()) return unexpected();
    if (text_[pos_] == '\'' || text_[pos_] == '"') {
      std::string error;
      auto literal = parse_string(error);
      if (!error.empty()) return error;
      return Template::Operand{std::get<std::string>(std::move(literal))};
    }
    const std::size_t start = pos_;
    const std::optional<std::string> root_name = parse_identifier();
    if (!root_name) return unexpected();
    Reference reference{Reference::Root::headers, std::string()};
    if (*root_name == "headers") {
      reference.root = Reference::Root::headers;
    } else if (*root_name == "query_params") {
      reference.root = Reference::Root::query_params;
    } else if (*root_name == "uri_captures") {
      reference.root = Reference::Root::uri_captures;
    } else if (*root_name == "consumer") {
      reference.root = Reference::Root::consumer;
    } else {
      pos_ = start;
      return "unsupported name '" + *root_name +
             "' (use headers, query_params, uri_captures or consumer)";
    }
    if (consume('.')) {
      auto field = parse_identifier();
      if (!field) return unexpected();
      reference.key = *field;
    } else if (consume('[')) {
      skip_space();
      if (!at_end() && (text_[pos_] == '\'' || text_[pos_] == '"')) {
        std::string error;
        auto key = parse_string(error);
        if (!error.empty()) return error;
        reference.key = std::get<std::string>(std::move(key));
      } else if (!at_end() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
        long long index = 0;
        while (!at_end() && std::isdigit(static_cast<unsigned char>(text_[pos_])) &&
               index < 1000000) {
          index = index * 10 + (text_[pos_++] - '0');
        }
        reference.key = index;
      } else {
        return unexpected();
      }
      if (!consume(']')) return unexpected();
    } else {
      return "'" + *root_name + "' needs a field, as in " + *root_name + ".name";
    }
    if (reference.root == Reference::Root::consumer) {
      const auto* field = std::get_if<std::string>(&reference.key);
      if (field == nullptr || (*field != "id" && *field != "username" && *field != "custom_id")) {
        return std::string("consumer has only id, username and custom_id");
      }
    }
    return Template::Operand{std::move(reference)};
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

std::optional<std::string> lookup(const Reference& reference, const TemplateContext& context) {
  const auto* name = std::get_if<std::string>(&reference.key);
  switch (reference.root) {
    case Reference::Root::headers:
      if (name == nullptr) return std::nullopt;
      for (const Header& header : context.headers) {
        if (same_header(header.name, *name)) return header.value;
      }
      return std::nullopt;
    case Reference::Root::query_params: {
      if (name == nullptr) return std::nullopt;
      const Arg* arg = find_arg(context.query_params, *name);
      if (arg == nullptr || arg->values.empty()) return std::nullopt;
      return arg->values.front().value_or("true");  // tostring(true)
    }
    case Reference::Root::uri_captures: {
      if (name != nullptr) {
        const auto found = context.uri_captures.named.find(*name);
        if (found == context.uri_captures.named.end()) return std::nullopt;
        return found->second;
      }
      const long long index = std::get<long long>(reference.key);
      const auto& positional = context.uri_captures.positional;
      if (index < 0 || static_cast<std::size_t>(index) >= positional.size()) return std::nullopt;
      return positional[static_cast<std::size_t>(index)];
    }
    case Reference::Root::consumer:
      if (!context.consumer || name == nullptr) return std::nullopt;
      if (*name == "id") return context.consumer->id;
      if (*name == "username") return context.consumer->username;
      return context.consumer->custom_id;
  }
  return std::nullopt;
}

std::string evaluate(const Template::Expression& expression, const TemplateContext& context) {
  for (const Template::Operand& operand : expression) {
    if (const auto* literal = std::get_if<std::string>(&operand)) return *literal;
    if (auto value = lookup(std::get<Reference>(operand), context)) return *std::move(value);
  }
  return "";
}

// Penlight finds `$` followed by a balanced `(...)` (Lua's %b(), blind to quotes).
std::size_t balanced_end(std::string_view text, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open; i < text.size(); ++i) {
    if (text[i] == '(') ++depth;
    if (text[i] == ')' && --depth == 0) return i;
  }
  return std::string_view::npos;
}

}  // namespace

std::variant<Template, std::string> Template::compile(std::string_view source) {
  Template compiled;
  compiled.source_ = std::string(source);
  std::string text;
  std::size_t pos = 0;
  while (pos < source.size()) {
    const std::size_t dollar = source.find("$(", pos);
    const std::size_t close = dollar == std::string_view::npos ? std::string_view::npos
                                                               : balanced_end(source, dollar + 1);
    if (close == std::string_view::npos) {
      text += source.substr(pos);
      break;
    }
    text += source.substr(pos, dollar - pos);
    auto expression = Parser(source.substr(dollar + 2, close - dollar - 2)).parse();
    if (auto* error = std::get_if<std::string>(&expression)) return *error;
    if (!text.empty()) compiled.parts_.emplace_back(std::move(text));
    text.clear();
    compiled.parts_.emplace_back(std::get<Expression>(std::move(expression)));
    pos = close + 1;
  }
  if (!text.empty()) compiled.parts_.emplace_back(std::move(text));
  return compiled;
}

std::string Template::render(const TemplateContext& context) const {
  std::string out;
  for (const Part& part : parts_) {
    if (const auto* text = std::get_if<std::string>(&part)) {
      out += *text;
    } else {
      out += evaluate(std::get<Expression>(part), context);
    }
  }
  return out;
}

bool Template::reads(Reference::Root root) const {
  for (const Part& part : parts_) {
    const auto* expression = std::get_if<Expression>(&part);
    if (expression == nullptr) continue;
    for (const Operand& operand : *expression) {
      const auto* reference = std::get_if<Reference>(&operand);
      if (reference != nullptr && reference->root == root) return true;
    }
  }
  return false;
}

}  // namespace bazaar::gateway::request_transformer
