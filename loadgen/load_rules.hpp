#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "loadgen/load_config.hpp"
#include "loadgen/url.hpp"

namespace firedrill::loadgen {

// The rules of one load, whoever describes it: `firedrill load` flags (cli/load_options), a drill's
// load profile (scenarios/load_profiles) or a LoadConfig handed to the Engine. Callers parse their
// input, put what was given into LoadValues, and report each violation in their own terms: the
// field as a flag (--connections) or at the place of a drill key (file:line:col).

// What a rule is about.
enum class LoadField : uint8_t {
  Connections,
  Streams,
  Threads,
  MaxRequests,  // closed loop: how many requests in all
  Duration,
  Warmup,
  Timeout,
  ConnectTimeout,
  Rate,  // open loop: the (start) rate
  Stages,
  MaxQueue,
  Arrival,
  Pacer,
  Requests,  // the request list (URLs, one origin)
  Protocol,
  Shard,  // one part of a load split over several processes
};

// The limits of the whole-number fields.
inline constexpr uint64_t kMaxConnections = 1'000'000;
inline constexpr uint64_t kMaxStreams = 100'000;
inline constexpr uint64_t kMaxThreads = 1024;
inline constexpr uint64_t kMaxQueueLimit = 100'000'000;

// One load as its user gave it. Unset (nullopt, false) is "not given": the default applies.
struct LoadValues {
  // The requests' URLs, in order. One that does not parse is skipped: its reader reports it.
  std::vector<std::string> urls;
  Protocol protocol = Protocol::Auto;
  std::optional<uint64_t> connections;
  std::optional<uint64_t> streams;
  std::optional<uint64_t> threads;
  std::optional<uint64_t> max_requests;
  std::optional<Duration> duration;
  std::optional<Duration> warmup;
  std::optional<Duration> timeout;
  std::optional<Duration> connect_timeout;
  std::optional<double> rate;
  bool stages = false;  // given (their parser has checked each stage)
  std::optional<uint64_t> max_queue;
  bool arrival = false;  // given
  bool pacer = false;    // given
  std::optional<Shard> shard;
  // Given, but their reader could not read them and has said why: no rule judges them, and each
  // still counts as given (an unreadable rate still makes the load open loop).
  std::set<LoadField> unreadable;
  // A drill profile is completed by its load step, which gives the duration: a closed loop with
  // neither a count nor a duration is not unbounded yet.
  bool duration_to_come = false;
};

// The values of a whole run as the Engine is given it: 0 is "not given" where the engine's
// config has a default for 0 (threads, max_requests, duration, warmup, max_queue).
LoadValues values_of(const LoadConfig& config);

enum class ViolationKind : uint8_t {
  Value,        // the value itself is not valid; `message` names a valid one
  Combination,  // missing, or not valid with the rest: `message` says what would be
};

struct LoadViolation {
  LoadField field;
  ViolationKind kind;
  // What is valid. Value: a noun phrase for callers to complete ("expected " + message + ", got
  // `0`"). Combination: the text to follow the field's name ("--max-queue: " + message). For
  // LoadField::Requests with `request` set, its subject is that request ("this request " +
  // message).
  std::string message;
  std::optional<size_t> request;  // the index in LoadValues::urls of the request it is about
};

// How a caller's users write the fields other fields' messages refer to.
struct LoadTerms {
  std::function<std::string(LoadField)> name;  // default: field_name
  std::string load = "run";                    // one load: "run", "profile"
};

// LoadConfig's member names ("connections", "max_queue", "start_rate"...).
std::string_view field_name(LoadField field);

// What a valid whole number for `field` is, like "a whole number from 1 to 1000000": also the
// message for a value that is not a whole number at all.
std::string expected_count(LoadField field);

// What a valid shard is, like expected_count.
std::string expected_shard();

// Every violation, in the order of the fields above (a caller that stops at the first reports
// the first field's).
std::vector<LoadViolation> check_load(const LoadValues& values, const LoadTerms& terms = {});

// h2 on an http:// origin means HTTP/2 cleartext with prior knowledge: h2c.
Protocol effective_protocol(Protocol requested, const Origin& origin);

// Puts valid `values` into `config`; what was not given keeps config's value. Stages ramp from 0
// unless a rate is given, as k6's ramping arrival rate does; the protocol is the effective one at
// the first URL's origin. The stages, arrival and pacer themselves and the requests are the
// caller's to set.
void apply(const LoadValues& values, LoadConfig& config);

}  // namespace firedrill::loadgen
