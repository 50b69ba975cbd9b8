#pragma once
// Writes an HTTP message head ("Name: value\r\n" lines) into one buffer sized up front, so a
// field costs one bounds check and two copies; std::string::append checked and grew the
// string for each of a field's four pieces, which showed in the proxy's profile.
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace bazaar::gateway::proxy {

class HeadWriter {
 public:
  // `capacity`: the expected size; the buffer grows beyond it when needed.
  explicit HeadWriter(std::size_t capacity) { text_.resize(capacity); }

  HeadWriter& add(std::string_view text) {
    make_room(text.size());
    copy(text);
    return *this;
  }
  HeadWriter& add(char c) {
    make_room(1);
    text_[used_++] = c;
    return *this;
  }
  // "Name: value\r\n"
  HeadWriter& field(std::string_view name, std::string_view value) {
    make_room(name.size() + value.size() + 4);
    copy(name);
    text_[used_++] = ':';
    text_[used_++] = ' ';
    copy(value);
    text_[used_++] = '\r';
    text_[used_++] = '\n';
    return *this;
  }

  std::string_view view() const { return {text_.data(), used_}; }
  // The head written so far; the writer is empty afterwards.
  std::string take() {
    text_.resize(used_);
    used_ = 0;
    return std::move(text_);
  }

 private:
  void make_room(std::size_t n) {
    if (text_.size() - used_ < n) text_.resize(std::max(text_.size() * 2, used_ + n));
  }
  void copy(std::string_view text) {
    if (!text.empty()) std::memcpy(text_.data() + used_, text.data(), text.size());
    used_ += text.size();
  }

  std::string text_;  // [0, used_) written, the rest is room
  std::size_t used_ = 0;
};

}  // namespace bazaar::gateway::proxy
