#pragma once
// How a consumer works through what one poll brought: events of one key (one order) are
// handled one after another, in the order Kafka delivered them; different keys are handled
// side by side. Afterwards each partition resumes right after the last event that was handled
// before the first one that was not. Pure: no I/O, unit-tested.
#include <cstddef>
#include <string>
#include <vector>

namespace bazaar::events {

struct Delivered {
  std::string topic;
  int partition = 0;
  long long offset = 0;
  std::string key;
};

// Indices into `batch`, one chain per key in the order of each key's first event, each chain
// in delivery order.
std::vector<std::vector<std::size_t>> chains_by_key(const std::vector<Delivered>& batch);

struct ResumePosition {
  std::string topic;
  int partition = 0;
  long long next_offset = 0;  // the offset the group should read next
};

// For each partition with at least one handled event at the front: where to resume. Events
// handled after an unhandled one in the same partition are not counted; they come again and
// the consumers' inbox makes the second time harmless.
std::vector<ResumePosition> resume_positions(const std::vector<Delivered>& batch,
                                             const std::vector<bool>& handled);

}  // namespace bazaar::events
