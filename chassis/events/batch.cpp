#include "chassis/events/batch.hpp"

#include <map>
#include <unordered_map>

namespace bazaar::events {

std::vector<std::vector<std::size_t>> chains_by_key(const std::vector<Delivered>& batch) {
  std::vector<std::vector<std::size_t>> chains;
  std::unordered_map<std::string, std::size_t> chain_of;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto [it, fresh] = chain_of.try_emplace(batch[i].key, chains.size());
    if (fresh) chains.emplace_back();
    chains[it->second].push_back(i);
  }
  return chains;
}

std::vector<ResumePosition> resume_positions(const std::vector<Delivered>& batch,
                                             const std::vector<bool>& handled) {
  struct Progress {
    long long next = -1;
    bool blocked = false;
  };
  std::map<std::pair<std::string, int>, Progress> partitions;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto& p = partitions[{batch[i].topic, batch[i].partition}];
    if (p.blocked) continue;
    if (i < handled.size() && handled[i])
      p.next = batch[i].offset + 1;
    else
      p.blocked = true;
  }
  std::vector<ResumePosition> out;
  for (const auto& [where, p] : partitions)
    if (p.next >= 0) out.push_back({where.first, where.second, p.next});
  return out;
}

}  // namespace bazaar::events
