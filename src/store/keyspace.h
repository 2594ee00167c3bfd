// Internal building blocks shared by the SQLite store's parts: key ranges in etcd form, the
// in-memory map of live keys, and range evaluation over any ordered view of it.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "store/store.h"

namespace cluster::store {

// The latest value of every live key, ordered by key (bytewise).
using KeyMap = std::map<std::string, KeyValue, std::less<>>;

// [key, range_end) as etcd defines it. Views the request's strings: keep them alive.
struct KeyBounds {
  std::string_view lo;
  std::string_view hi;  // exclusive; unused when single or open
  bool single = false;  // empty range_end: exactly `lo`
  bool open = false;    // range_end "\0": every key >= lo

  static KeyBounds Of(const std::string& key, const std::string& range_end) {
    KeyBounds b;
    b.lo = key;
    if (range_end.empty()) {
      b.single = true;
    } else if (range_end.size() == 1 && range_end[0] == '\0') {
      b.open = true;
    } else {
      b.hi = range_end;
    }
    return b;
  }
  // True when k is at or past the end of the range (for keys >= lo).
  bool Past(std::string_view k) const {
    if (single) return k != lo;
    if (open) return false;
    return k >= hi;
  }
  bool Contains(std::string_view k) const { return k >= lo && !Past(k); }
};

// Calls fn(const KeyValue&) for each live key of `map` in bounds, in order, while fn is true.
template <typename Fn>
void ForEachInMap(const KeyMap& map, const KeyBounds& b, Fn&& fn) {
  if (b.single) {
    auto it = map.find(b.lo);
    if (it != map.end()) fn(it->second);
    return;
  }
  for (auto it = map.lower_bound(b.lo); it != map.end() && !b.Past(it->first); ++it) {
    if (!fn(it->second)) return;
  }
}

// Evaluates a range request over a view (anything with ForEach(bounds, fn)), at `revision`.
template <typename View>
RangeResponse RangeOver(const View& view, const RangeRequest& req, int64_t revision) {
  RangeResponse out;
  out.revision = revision;
  KeyBounds b = KeyBounds::Of(req.key, req.range_end);
  view.ForEach(b, [&](const KeyValue& kv) {
    ++out.count;
    if (req.count_only) return true;
    if (req.limit > 0 && static_cast<int64_t>(out.kvs.size()) >= req.limit) {
      out.more = true;
      return true;  // keep counting
    }
    if (!req.keys_only) {
      out.kvs.push_back(kv);
      return true;
    }
    KeyValue k;
    k.key = kv.key;
    k.create_revision = kv.create_revision;
    k.mod_revision = kv.mod_revision;
    k.version = kv.version;
    k.lease = kv.lease;
    out.kvs.push_back(std::move(k));
    return true;
  });
  return out;
}

// A view over the committed map alone (callers hold the map's lock).
struct MapView {
  const KeyMap& map;
  template <typename Fn>
  void ForEach(const KeyBounds& b, Fn&& fn) const {
    ForEachInMap(map, b, std::forward<Fn>(fn));
  }
};

}  // namespace cluster::store
