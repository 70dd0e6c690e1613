// The HTTP/2 client session against frames built byte by byte from RFC 9113: the edge cases real
// servers rarely produce (padding, CONTINUATION, split frames, flow control, GOAWAY, PING).
#include "loadgen/http2_session.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace firedrill::loadgen {
namespace {

struct Event {
  std::string what;
  uint32_t slot;
  int status = 0;
  uint64_t body = 0;
  ErrorKind kind = ErrorKind::kCount;
};

class Recorder : public SessionEvents {
 public:
  void on_response_start(uint32_t slot) override { events.push_back({"start", slot}); }
  void on_response(uint32_t slot, int status, uint64_t body_bytes) override {
    events.push_back({"response", slot, status, body_bytes});
  }
  void on_request_error(uint32_t slot, ErrorKind kind) override {
    events.push_back({"error", slot, 0, 0, kind});
  }
  void on_request_refused(uint32_t slot, ErrorKind kind) override {
    events.push_back({"refused", slot, 0, 0, kind});
  }
  void on_capacity() override { events.push_back({"capacity", 0}); }
  std::vector<Event> events;
};

std::string frame(uint8_t type, uint8_t flags, uint32_t stream, const std::string& payload) {
  std::string f;
  size_t n = payload.size();
  f += static_cast<char>(n >> 16);
  f += static_cast<char>(n >> 8);
  f += static_cast<char>(n);
  f += static_cast<char>(type);
  f += static_cast<char>(flags);
  for (int shift = 24; shift >= 0; shift -= 8) f += static_cast<char>(stream >> shift);
  return f + payload;
}

std::string u32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

// One parsed frame of what the session wrote.
struct Written {
  uint8_t type;
  uint8_t flags;
  uint32_t stream;
  std::string payload;
};

std::vector<Written> parse_frames(std::string out) {
  const std::string preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  if (out.rfind(preface, 0) == 0) out.erase(0, preface.size());
  std::vector<Written> frames;
  size_t at = 0;
  while (at + 9 <= out.size()) {
    auto b = [&](size_t i) { return static_cast<uint8_t>(out[at + i]); };
    size_t len = (size_t{b(0)} << 16) | (size_t{b(1)} << 8) | b(2);
    uint32_t stream = (uint32_t{b(5)} << 24 | uint32_t{b(6)} << 16 | uint32_t{b(7)} << 8 | b(8));
    frames.push_back({b(3), b(4), stream, out.substr(at + 9, len)});
    at += 9 + len;
  }
  EXPECT_EQ(at, out.size()) << "the output ends inside a frame";
  return frames;
}

constexpr uint8_t kData = 0, kHeaders = 1, kRst = 3, kSettings = 4, kPing = 6, kGoaway = 7,
                  kWindowUpdate = 8, kContinuation = 9;
const std::string kStatus200 = "\x88";                           // indexed static entry 8
const std::string kStatus404 = std::string("\x08\x03") + "404";  // literal, static name 8

class Http2SessionTest : public ::testing::Test {
 protected:
  Http2SessionTest() {
    get.h2_fields =
        hpack_prepare_request({{":method", "GET"}, {":scheme", "http"}, {":path", "/"}});
  }
  bool feed(const std::string& bytes) {
    return session.on_read(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::vector<Written> flushed() {
    std::string out;
    session.flush(out);
    return parse_frames(out);
  }
  RequestTemplate get;
  Recorder rec;
  Http2Session session{rec, 10};
};

TEST_F(Http2SessionTest, FirstRequestFollowsThePrefaceAndSettings) {
  std::string out;
  ASSERT_TRUE(session.submit(0, get, out));
  ASSERT_EQ(out.rfind("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 0), 0u);
  auto frames = parse_frames(out);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].type, kSettings);
  EXPECT_EQ(frames[1].type, kWindowUpdate);
  EXPECT_EQ(frames[2].type, kHeaders);
  EXPECT_EQ(frames[2].stream, 1u);
  EXPECT_EQ(frames[2].flags, 0x5);               // END_STREAM | END_HEADERS
  EXPECT_EQ(frames[2].payload, "\x82\x86\x84");  // all three in the static table
  std::string more;
  ASSERT_TRUE(session.submit(1, get, more));
  EXPECT_EQ(parse_frames(more).at(0).stream, 3u);
}

TEST_F(Http2SessionTest, ResponseWithBodyCountsStatusAndBytes) {
  std::string out;
  session.submit(4, get, out);
  ASSERT_TRUE(feed(frame(kHeaders, 0x4, 1, kStatus404) + frame(kData, 0, 1, "hello") +
                   frame(kData, 0x1, 1, "world!")));
  ASSERT_EQ(rec.events.size(), 2u);
  EXPECT_EQ(rec.events[0].what, "start");
  EXPECT_EQ(rec.events[1].what, "response");
  EXPECT_EQ(rec.events[1].slot, 4u);
  EXPECT_EQ(rec.events[1].status, 404);
  EXPECT_EQ(rec.events[1].body, 11u);
}

TEST_F(Http2SessionTest, FramesSplitAtEveryByteGiveTheSameResult) {
  std::string out;
  session.submit(0, get, out);
  session.submit(1, get, out);
  std::string bytes = frame(kSettings, 0, 0, "") + frame(kHeaders, 0x4, 3, kStatus200) +
                      frame(kHeaders, 0x4, 1, kStatus404) + frame(kData, 0x1, 1, "abc") +
                      frame(kData, 0x1, 3, std::string(300, 'x'));
  for (char c : bytes) ASSERT_TRUE(feed(std::string(1, c)));
  ASSERT_EQ(rec.events.size(), 4u);
  EXPECT_EQ(rec.events[2].slot, 0u);
  EXPECT_EQ(rec.events[2].status, 404);
  EXPECT_EQ(rec.events[2].body, 3u);
  EXPECT_EQ(rec.events[3].slot, 1u);
  EXPECT_EQ(rec.events[3].status, 200);
  EXPECT_EQ(rec.events[3].body, 300u);
}

TEST_F(Http2SessionTest, PaddingPriorityAndContinuationAreHandled) {
  std::string out;
  session.submit(0, get, out);
  // HEADERS: PADDED | PRIORITY, no END_HEADERS; pad length 3, 5 priority bytes, half a block.
  std::string block = kStatus404;
  std::string headers =
      std::string("\x03", 1) + std::string(5, '\0') + block.substr(0, 2) + std::string(3, '\0');
  std::string data = std::string("\x02", 1) + "body" + std::string(2, '\0');
  ASSERT_TRUE(feed(frame(kHeaders, 0x28, 1, headers) +
                   frame(kContinuation, 0x4, 1, block.substr(2)) + frame(kData, 0x9, 1, data)));
  ASSERT_EQ(rec.events.size(), 2u);
  EXPECT_EQ(rec.events[1].status, 404);
  EXPECT_EQ(rec.events[1].body, 4u);
}

TEST_F(Http2SessionTest, InterimResponsesDoNotCount) {
  std::string out;
  session.submit(0, get, out);
  ASSERT_TRUE(feed(frame(kHeaders, 0x4, 1, std::string("\x08\x03", 2) + "103") +
                   frame(kHeaders, 0x5, 1, kStatus200)));
  ASSERT_EQ(rec.events.back().what, "response");
  EXPECT_EQ(rec.events.back().status, 200);
}

TEST_F(Http2SessionTest, ResetStreamAndGoawayAreCountedByKind) {
  std::string out;
  for (uint32_t slot = 0; slot < 4; ++slot) session.submit(slot, get, out);  // streams 1, 3, 5, 7
  ASSERT_TRUE(feed(frame(kRst, 0, 3, u32(0x2))));                            // INTERNAL_ERROR
  ASSERT_TRUE(feed(frame(kRst, 0, 5, u32(0x7))));                            // REFUSED_STREAM
  ASSERT_TRUE(feed(frame(kGoaway, 0, 0, u32(1) + u32(0))));                  // last stream 1
  ASSERT_EQ(rec.events.size(), 3u);
  EXPECT_EQ(rec.events[0].what, "error");
  EXPECT_EQ(rec.events[0].slot, 1u);
  EXPECT_EQ(rec.events[0].kind, ErrorKind::StreamReset);
  // Refused streams were not processed (RFC 9113 section 8.7): the connection may send them again.
  EXPECT_EQ(rec.events[1].what, "refused");
  EXPECT_EQ(rec.events[1].slot, 2u);
  EXPECT_EQ(rec.events[1].kind, ErrorKind::StreamReset);
  EXPECT_EQ(rec.events[2].what, "refused");
  EXPECT_EQ(rec.events[2].slot, 3u);
  EXPECT_EQ(rec.events[2].kind, ErrorKind::Goaway);
  EXPECT_FALSE(session.accepting());
  EXPECT_FALSE(session.submit(3, get, out));
  // Stream 1 is below the last id and still completes.
  ASSERT_TRUE(feed(frame(kHeaders, 0x5, 1, kStatus200)));
  EXPECT_EQ(rec.events.back().what, "response");
}

TEST_F(Http2SessionTest, PingAndSettingsAreAcknowledged) {
  std::string out;
  session.submit(0, get, out);
  std::string settings = std::string("\x00\x03", 2) + u32(5);  // MAX_CONCURRENT_STREAMS 5
  ASSERT_TRUE(feed(frame(kSettings, 0, 0, settings) + frame(kPing, 0, 0, "12345678")));
  EXPECT_EQ(session.max_in_flight(), 5u);
  auto frames = flushed();
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].type, kSettings);
  EXPECT_EQ(frames[0].flags, 0x1);
  EXPECT_EQ(frames[1].type, kPing);
  EXPECT_EQ(frames[1].flags, 0x1);
  EXPECT_EQ(frames[1].payload, "12345678");
}

TEST_F(Http2SessionTest, ARaisedStreamLimitIsReportedAtOnce) {
  auto limit = [](uint32_t n) {
    return frame(kSettings, 0, 0, std::string("\x00\x03", 2) + u32(n));
  };
  ASSERT_TRUE(feed(limit(0)));
  EXPECT_EQ(session.max_in_flight(), 0u);
  EXPECT_TRUE(rec.events.empty());
  ASSERT_TRUE(feed(limit(4)));
  EXPECT_EQ(session.max_in_flight(), 4u);
  ASSERT_EQ(rec.events.size(), 1u);
  EXPECT_EQ(rec.events[0].what, "capacity");
  // Neither the same limit again nor a lower one gives room.
  ASSERT_TRUE(feed(limit(4) + limit(2)));
  EXPECT_EQ(rec.events.size(), 1u);
}

TEST_F(Http2SessionTest, AnAnswerBeforeTheWholeBodyEndsTheStreamWithResetNoError) {
  RequestTemplate post;
  post.h2_fields =
      hpack_prepare_request({{":method", "POST"}, {":scheme", "http"}, {":path", "/"}});
  post.body = std::string(70000, 'b');
  RequestTemplate small = post;
  small.body = "x";
  std::string out;
  ASSERT_TRUE(session.submit(0, post, out));
  ASSERT_TRUE(feed(frame(kHeaders, 0x5, 1, kStatus200)));
  ASSERT_EQ(rec.events.back().what, "response");
  // The rest of the body is not sent, even once the windows would allow it.
  ASSERT_TRUE(
      feed(frame(kWindowUpdate, 0, 0, u32(10000)) + frame(kWindowUpdate, 0, 1, u32(10000))));
  auto frames = flushed();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].type, kRst);
  EXPECT_EQ(frames[0].stream, 1u);
  EXPECT_EQ(frames[0].payload, u32(0));
  // A body that went out whole ended with END_STREAM: nothing to reset.
  out.clear();
  ASSERT_TRUE(session.submit(1, small, out));
  ASSERT_TRUE(feed(frame(kHeaders, 0x5, 3, kStatus200)));
  EXPECT_TRUE(flushed().empty());
}

TEST_F(Http2SessionTest, RequestBodiesWaitForFlowControlWindows) {
  RequestTemplate post;
  post.h2_fields =
      hpack_prepare_request({{":method", "POST"}, {":scheme", "http"}, {":path", "/"}});
  post.body = std::string(70000, 'b');
  std::string out;
  ASSERT_TRUE(session.submit(0, post, out));
  size_t sent = 0;
  for (const auto& f : parse_frames(out)) {
    if (f.type == kData) sent += f.payload.size();
  }
  EXPECT_EQ(sent, 65535u);  // the default initial window
  EXPECT_TRUE(flushed().empty());
  ASSERT_TRUE(feed(frame(kWindowUpdate, 0, 0, u32(10000)) + frame(kWindowUpdate, 0, 1, u32(3000))));
  auto frames = flushed();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].payload.size(), 3000u);
  EXPECT_EQ(frames[0].flags, 0);
  ASSERT_TRUE(feed(frame(kWindowUpdate, 0, 1, u32(10000))));
  frames = flushed();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].payload.size(), 70000u - 65535u - 3000u);
  EXPECT_EQ(frames[0].flags, 0x1);  // END_STREAM on the last piece
}

TEST_F(Http2SessionTest, CancelledStreamsResetAndTheirHeadersStillFeedTheTable) {
  std::string out;
  session.submit(0, get, out);
  session.submit(1, get, out);
  ASSERT_TRUE(session.cancel(0));
  auto frames = flushed();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].type, kRst);
  EXPECT_EQ(frames[0].stream, 1u);
  EXPECT_EQ(frames[0].payload, u32(0x8));  // CANCEL
  // The cancelled stream's answer adds ":status: 503" to the dynamic table (literal with
  // incremental indexing, static name 8); the next block refers to it as index 62.
  ASSERT_TRUE(feed(frame(kHeaders, 0x5, 1, std::string("\x48\x03", 2) + "503") +
                   frame(kHeaders, 0x5, 3, "\xbe")));
  ASSERT_EQ(rec.events.size(), 2u);
  EXPECT_EQ(rec.events[1].slot, 1u);
  EXPECT_EQ(rec.events[1].status, 503);
}

TEST_F(Http2SessionTest, ProtocolViolationsAreConnectionErrors) {
  std::string out;
  session.submit(0, get, out);
  EXPECT_FALSE(feed(frame(kData, 0, 1, std::string(16385, 'x'))));
  EXPECT_NE(session.error_message().find("FRAME_SIZE_ERROR"), std::string::npos);

  Recorder other;
  Http2Session fresh(other, 1);
  fresh.submit(0, get, out);
  EXPECT_FALSE(fresh.on_read(reinterpret_cast<const uint8_t*>("\0\0\1\x05\x04\0\0\0\1x"), 10));
  EXPECT_NE(fresh.error_message().find("PUSH_PROMISE"), std::string::npos);

  Http2Session broken(other, 1);
  broken.submit(0, get, out);
  std::string bad = frame(kHeaders, 0x4, 1, "\x80");  // HPACK index 0 is invalid
  EXPECT_FALSE(broken.on_read(reinterpret_cast<const uint8_t*>(bad.data()), bad.size()));
  EXPECT_NE(broken.error_message().find("COMPRESSION_ERROR"), std::string::npos);
}

TEST_F(Http2SessionTest, LargeResponsesReopenTheReceiveWindows) {
  std::string out;
  session.submit(0, get, out);
  ASSERT_TRUE(feed(frame(kHeaders, 0x4, 1, kStatus200)));
  std::string chunk = frame(kData, 0, 1, std::string(16384, 'x'));
  // Just over half of the 2^30-1 window the session advertised.
  for (int i = 0; i < 32769; ++i) ASSERT_TRUE(feed(chunk));
  auto frames = flushed();
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].type, kWindowUpdate);
  EXPECT_EQ(frames[0].stream, 0u);
  EXPECT_EQ(frames[1].type, kWindowUpdate);
  EXPECT_EQ(frames[1].stream, 1u);
}

// Every request ends exactly once, whatever the server sends: random mixes of mostly valid
// frames (responses, trailers, resets, window updates, SETTINGS, PING, GOAWAY, CONTINUATION),
// split at random, with cancels and new requests started between reads (as a connection refills).
class SlotLedger : public SessionEvents {
 public:
  SlotLedger(std::mt19937& rng, const RequestTemplate& request, uint32_t slots)
      : rng_(rng), request_(request), open_(slots) {}
  void start(Http2Session& session, uint32_t slot) {
    std::string out;
    if (session.submit(slot, request_, out)) open_[slot] = true;
  }
  void cancel(Http2Session& session, uint32_t slot) {
    if (open_[slot] && session.cancel(slot)) open_[slot] = false;
  }
  void on_response_start(uint32_t slot) override { EXPECT_TRUE(open_.at(slot)); }
  void on_response(uint32_t slot, int, uint64_t) override { end(slot); }
  void on_request_error(uint32_t slot, ErrorKind) override { end(slot); }
  // Starts again, in their slots, half of the requests that ended during the last read.
  void refill(Http2Session& session) {
    for (uint32_t slot : freed_) {
      if (rng_() % 2) start(session, slot);
    }
    freed_.clear();
  }
  uint64_t ended = 0;

 private:
  void end(uint32_t slot) {
    EXPECT_TRUE(open_.at(slot)) << "slot " << slot << " ended twice or never started";
    open_[slot] = false;
    ++ended;
    freed_.push_back(slot);
  }
  std::mt19937& rng_;
  const RequestTemplate& request_;
  std::vector<bool> open_;
  std::vector<uint32_t> freed_;
};

TEST(Http2SessionRandomFrames, EveryRequestEndsAtMostOnce) {
  std::mt19937 rng(9113);
  RequestTemplate post;
  post.h2_fields = hpack_prepare_request(
      {{":method", "POST"}, {":scheme", "http"}, {":authority", "a.test"}, {":path", "/x"}});
  post.body = std::string(70000, 'b');
  uint64_t ended = 0;
  for (int session_no = 0; session_no < 3000; ++session_no) {
    uint32_t slots = 1 + rng() % 6;
    SlotLedger ledger(rng, post, slots);
    Http2Session session(ledger, slots);
    for (uint32_t i = 0; i < slots; ++i) ledger.start(session, i);
    std::string in;
    for (int f = rng() % 30; f > 0; --f) {
      uint32_t stream = 1 + 2 * (rng() % (2 * slots + 2));
      std::string status = rng() % 3 ? "\x88" : std::string("\x48\x03", 2) + "503";
      switch (rng() % 9) {
        case 0:
        case 1:
          in += frame(kHeaders, static_cast<uint8_t>(0x4 | rng() % 2), stream, status);
          break;
        case 2:
        case 3:
          in +=
              frame(kData, static_cast<uint8_t>(rng() % 2), stream, std::string(rng() % 500, 'd'));
          break;
        case 4:
          in += frame(kRst, 0, stream, u32(rng() % 12));
          break;
        case 5:
          in += frame(kWindowUpdate, 0, rng() % 3 ? stream : 0, u32(1 + rng() % 100000));
          break;
        case 6:
          in +=
              frame(kSettings, 0, 0,
                    std::string("\x00\x04", 2) + u32(rng() % 200000) + std::string("\x00\x03", 2) +
                        u32(rng() % 10) + std::string("\x00\x01", 2) + u32(rng() % 5000));
          break;
        case 7:
          in += rng() % 6 ? frame(kPing, 0, 0, "12345678")
                          : frame(kGoaway, 0, 0, u32(rng() % 10) + u32(0));
          break;
        case 8:
          in += frame(kHeaders, static_cast<uint8_t>(rng() % 2), stream, "") +
                frame(kContinuation, 0x4, stream, status);
          break;
      }
    }
    for (size_t at = 0; at < in.size();) {
      size_t n = std::min<size_t>(in.size() - at, 1 + rng() % 128);
      if (!session.on_read(reinterpret_cast<const uint8_t*>(in.data() + at), n)) {
        EXPECT_FALSE(session.error_message().empty());
        break;
      }
      at += n;
      ledger.refill(session);
      if (rng() % 7 == 0) ledger.cancel(session, static_cast<uint32_t>(rng() % slots));
      std::string out;
      session.flush(out);
    }
    ended += ledger.ended;
  }
  EXPECT_GT(ended, 2000u);  // the mix does complete requests, not only fail connections
}

}  // namespace
}  // namespace firedrill::loadgen
