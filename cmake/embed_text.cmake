# Writes OUT: a C++ file defining `std::string_view FUNCTION()` that returns IN's text.
file(READ "${IN}" text)
string(REGEX MATCH "^(.*)::([^:]+)$" _ "${FUNCTION}")
set(ns "${CMAKE_MATCH_1}")
set(fn "${CMAKE_MATCH_2}")
file(WRITE "${OUT}" "#include <string_view>\nnamespace ${ns} {\nstd::string_view ${fn}() {\n  static constexpr std::string_view text = R\"__bazaar__(${text})__bazaar__\";\n  return text;\n}\n}  // namespace ${ns}\n")
