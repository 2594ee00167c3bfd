// Records core/v1 Events about objects, as client-go's record.EventRecorder: what `kubectl
// describe` shows under "Events:" ("Scheduled", "SuccessfulCreate", "Pulled", ...).
//
// Recording never blocks the caller: events go to a bounded queue written by one thread.
// Repeats of the same event (same object, type, reason, message and source) within the cache's
// memory update the first Event's count and lastTimestamp instead of creating a new one, and a
// per-object token bucket (burst 25, one more every 5 minutes, as upstream's spam filter) drops
// floods. Events about cluster-scoped objects go to the "default" namespace, as upstream.
//
// Thread-safe. Destruction writes what is queued (bounded by a short deadline), then stops.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <list>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "client/client.h"

namespace cluster::client {

class EventRecorder {
 public:
  // `component` is source.component ("default-scheduler", "replicaset-controller", "kubelet");
  // `host` is source.host (the node name for the kubelet, else empty).
  EventRecorder(Client client, std::string component, std::string host = "");
  ~EventRecorder();

  // type: "Normal" or "Warning". `obj` is the involved object (its kind, apiVersion and metadata
  // are read now; the object may change afterwards). field_path: e.g. "spec.containers{web}".
  void Record(const json::Value& obj, const std::string& type, const std::string& reason,
              const std::string& message, const std::string& field_path = "");
  // As Record, with the component overridden (one recorder shared by many controllers).
  void RecordAs(const std::string& component, const json::Value& obj, const std::string& type,
                const std::string& reason, const std::string& message,
                const std::string& field_path = "");

  // Waits until everything queued so far has been written (tests).
  void FlushForTest();
  uint64_t dropped() const;

 private:
  struct Pending {
    std::string component;
    std::string kind, api_version, ns, name, uid, resource_version, field_path;
    std::string type, reason, message;
    std::chrono::system_clock::time_point at;
  };
  struct Seen {
    std::string event_ns, event_name;
    int64_t count = 0;
    std::list<std::string>::iterator lru;
  };
  struct Bucket {
    double tokens = 25;
    std::chrono::steady_clock::time_point refilled;
  };

  void Run();
  void Write(const Pending& p);
  bool Allow(const std::string& object_key);

  Client client_;
  const std::string component_;
  const std::string host_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;                        // GUARDED_BY(mu_)
  bool writing_ = false;                             // GUARDED_BY(mu_)
  bool stopping_ = false;                            // GUARDED_BY(mu_)
  uint64_t dropped_ = 0;                             // GUARDED_BY(mu_)
  std::unordered_map<std::string, Bucket> buckets_;  // GUARDED_BY(mu_)

  // Writer thread only.
  std::unordered_map<std::string, Seen> seen_;
  std::list<std::string> lru_;
  std::thread thread_;
};

}  // namespace cluster::client
