// HTTP/2 situations that servers reach by their own rules or timing: a stream limit of 0 raised
// later, an answer before the request body is sent, streams refused unprocessed. The servers are
// nghttpd (Debian) where it shows the situation, and otherwise a server written here frame by
// frame, whose every move is fixed so the situation happens on each run.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>

#include "tests/integration/support.hpp"

namespace firedrill::testing {
namespace {

constexpr uint8_t kData = 0x0;
constexpr uint8_t kHeaders = 0x1;
constexpr uint8_t kRstStream = 0x3;
constexpr uint8_t kSettings = 0x4;
constexpr uint8_t kPing = 0x6;
constexpr uint8_t kWindowUpdate = 0x8;
constexpr uint8_t kEndStream = 0x1;
constexpr uint8_t kAck = 0x1;
constexpr uint8_t kEndHeaders = 0x4;
constexpr uint32_t kNoError = 0x0;
constexpr uint32_t kRefusedStream = 0x7;
constexpr uint16_t kMaxConcurrentStreams = 0x3;
constexpr char kStatus200 = static_cast<char>(0x88);  // HPACK static table entry 8: ":status 200"

std::string u32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

std::string frame(uint8_t type, uint8_t flags, uint32_t stream, const std::string& payload) {
  size_t n = payload.size();
  std::string f = {static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n),
                   static_cast<char>(type), static_cast<char>(flags)};
  return f + u32(stream) + payload;
}

std::string max_streams_settings(uint32_t limit) {
  return frame(kSettings, 0, 0, std::string{0, kMaxConcurrentStreams} + u32(limit));
}

// Serves one connection at a time on a loopback port, on its own thread, answering requests with
// an empty 200; what it does at its stream limit is the mode's.
class FrameServer {
 public:
  enum class Mode {
    // Announces a limit of 0 and answers the streams that were sent before the client read it
    // only once the client acknowledged it; then raises the limit to 4.
    ZeroThenRaise,
    // Limit 2; answers at a request's HEADERS, before its body; a stream stays open until the
    // client ends it (END_STREAM or RST_STREAM).
    EarlyResponse,
    // Limit 100, and refuses every stream all the same, as an overloaded server may.
    RefuseAll,
  };
  static constexpr uint32_t kRaisedLimit = 4;
  static constexpr uint32_t kEarlyLimit = 2;

  explicit FrameServer(Mode mode) : mode_(mode) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (listener_ < 0 || bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        listen(listener_, 8) != 0 ||
        getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error(std::string("frame server: ") + std::strerror(errno));
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { accept_loop(); });
  }
  ~FrameServer() {
    stop_ = true;
    thread_.join();
    close(listener_);
  }
  FrameServer(const FrameServer&) = delete;
  FrameServer& operator=(const FrameServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

  std::atomic<uint64_t> answered{0};
  std::atomic<uint64_t> refused{0};
  std::atomic<uint64_t> client_no_error_resets{0};
  std::atomic<uint64_t> over_limit{0};  // streams opened beyond a limit the client had read

 private:
  struct Stream {
    bool request_ended = false;  // the client sent END_STREAM
    bool answered = false;
  };

  // Waits up to 100 ms for `fd` to be readable, so that the thread sees stop_ in time.
  bool readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return poll(&p, 1, 100) > 0;
  }

  void accept_loop() {
    while (!stop_) {
      if (!readable(listener_)) continue;
      int fd = accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      serve(fd);
      close(fd);
    }
  }

  void send_all(int fd, const std::string& bytes) {
    for (size_t at = 0; at < bytes.size();) {
      ssize_t n = send(fd, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
      if (n <= 0) return;
      at += static_cast<size_t>(n);
    }
  }

  void answer(std::string& out, uint32_t id, Stream& s) {
    out += frame(kHeaders, kEndHeaders | kEndStream, id, std::string(1, kStatus200));
    s.answered = true;
    ++answered;
  }

  void serve(int fd) {
    uint32_t limit = 0;
    switch (mode_) {
      case Mode::ZeroThenRaise:
        limit = 0;
        break;
      case Mode::EarlyResponse:
        limit = kEarlyLimit;
        break;
      case Mode::RefuseAll:
        limit = 100;
        break;
    }
    send_all(fd, max_streams_settings(limit));
    bool acked = false;
    std::map<uint32_t, Stream> open;
    std::string in;
    size_t preface = 24;
    char buf[65536];
    while (!stop_) {
      if (!readable(fd)) continue;
      ssize_t n = recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) return;
      in.append(buf, static_cast<size_t>(n));
      std::string out;
      size_t at = 0;
      if (preface > 0) {
        size_t skip = std::min(preface, in.size());
        preface -= skip;
        at = skip;
      }
      while (in.size() - at >= 9) {
        auto b = [&](size_t i) { return static_cast<uint8_t>(in[at + i]); };
        uint32_t len = (uint32_t{b(0)} << 16) | (uint32_t{b(1)} << 8) | b(2);
        if (in.size() - at < 9 + len) break;
        uint8_t type = b(3), flags = b(4);
        uint32_t id =
            ((uint32_t{b(5)} << 24) | (uint32_t{b(6)} << 16) | (uint32_t{b(7)} << 8) | b(8)) &
            0x7fffffff;
        std::string payload = in.substr(at + 9, len);
        at += 9 + len;
        if (type == kSettings && !(flags & kAck)) {
          out += frame(kSettings, kAck, 0, "");
        } else if (type == kSettings) {
          if (mode_ == Mode::ZeroThenRaise && !acked) {
            // The client now holds to 0: answer what it sent before, then raise the limit while
            // none of its streams is open.
            for (auto& [stream, s] : open) {
              if (s.request_ended) answer(out, stream, s);
            }
            limit = kRaisedLimit;
            out += max_streams_settings(limit);
          }
          acked = true;
        } else if (type == kPing && !(flags & kAck)) {
          out += frame(kPing, kAck, 0, payload);
        } else if (type == kHeaders) {
          // Before the client acknowledged the limit it may not have read it: such streams are
          // the client's right, and this server answers them (ZeroThenRaise) or refuses them.
          bool over = open.size() >= limit;
          if (over && acked) ++over_limit;
          if (mode_ == Mode::RefuseAll || (over && mode_ == Mode::EarlyResponse)) {
            out += frame(kRstStream, 0, id, u32(kRefusedStream));
            ++refused;
            continue;
          }
          Stream& s = open[id];
          s.request_ended = flags & kEndStream;
          if (mode_ == Mode::EarlyResponse || (s.request_ended && acked)) answer(out, id, s);
        } else if (type == kData) {
          if (!payload.empty()) out += frame(kWindowUpdate, 0, 0, u32(len));
          auto s = open.find(id);
          if (s != open.end() && (flags & kEndStream)) s->second.request_ended = true;
        } else if (type == kRstStream) {
          if (payload.size() == 4 && payload == u32(kNoError)) ++client_no_error_resets;
          open.erase(id);
        }
        // A stream ends when both sides have ended it.
        for (auto s = open.begin(); s != open.end();) {
          s = s->second.request_ended && s->second.answered ? open.erase(s) : std::next(s);
        }
      }
      in.erase(0, at);
      send_all(fd, out);
    }
  }

  const Mode mode_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// A run that stalls is cut off by its --duration: the counts then show how far it got.
std::vector<std::string> bounded_run(const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"load",       "-q", "--protocol", "h2c",
                                   "--duration", "5s", "--timeout",  "2s"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(H2Interop, ARaisedStreamLimitIsUsedWithNoStreamOpen) {
  FrameServer server(FrameServer::Mode::ZeroThenRaise);
  CommandResult r = run_firedrill(bounded_run({"-n", "40", "-c", "1", "-m", "4", server.url()}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.json.at("requests").at("succeeded"), 40u);
  EXPECT_EQ(r.json.at("requests").at("errored"), 0u);
  EXPECT_EQ(server.answered.load(), 40u);
  EXPECT_EQ(server.over_limit.load(), 0u);
}

TEST(H2Interop, AnEarlyResponseEndsTheRequestWithResetNoError) {
  FrameServer server(FrameServer::Mode::EarlyResponse);
  TempDir dir;
  fs::path body = dir.path() / "body";
  std::ofstream(body) << std::string(200 * 1024, 'x');
  CommandResult r = run_firedrill(bounded_run({"-n", "100", "-c", "1", "-m", "2", "-X", "POST",
                                               "--body-file", body.string(), server.url()}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.json.at("requests").at("succeeded"), 100u);
  EXPECT_EQ(r.json.at("requests").at("errored"), 0u);
  // The body cannot fit the server's 64 KiB stream window, so each stream ends with a reset.
  EXPECT_EQ(server.client_no_error_resets.load(), 100u);
  EXPECT_EQ(server.refused.load(), 0u);
}

TEST(H2Interop, StreamsRefusedByNghttpdAreSentAgain) {
  TempDir dir;
  fs::create_directories(dir.path() / "www");
  std::ofstream(dir.path() / "www" / "index.html") << std::string(100, 'x');
  uint16_t port = free_port();
  Process nghttpd({"nghttpd", "--no-tls", "--max-concurrent-streams=1", "-d",
                   (dir.path() / "www").string(), std::to_string(port)},
                  dir.path() / "nghttpd.log");
  ASSERT_TRUE(wait_for_port(port));
  // The first flight of 10 streams goes out before nghttpd's SETTINGS say 1.
  CommandResult r =
      run_firedrill(bounded_run({"-n", "200", "-c", "2", "-m", "10",
                                 "http://127.0.0.1:" + std::to_string(port) + "/index.html"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.json.at("requests").at("started"), 200u);
  EXPECT_EQ(r.json.at("requests").at("succeeded"), 200u);
  EXPECT_EQ(r.json.at("requests").at("errored"), 0u);
  EXPECT_GT(r.json.at("requests").at("retried"), 0u);
  EXPECT_EQ(r.json.at("bytes").at("body").get<uint64_t>(), 200u * 100);
}

TEST(H2Interop, AServerRefusingEverythingEndsTheRetries) {
  FrameServer server(FrameServer::Mode::RefuseAll);
  CommandResult r = run_firedrill(bounded_run({"-n", "20", "-c", "1", "-m", "2", server.url()}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.json.at("requests").at("errored"), 20u);
  EXPECT_EQ(r.json.at("errors").at("stream_reset"), 20u);
  // Each request is sent at most four times: once, then three retries.
  EXPECT_EQ(r.json.at("requests").at("retried"), 60u);
  EXPECT_EQ(server.refused.load(), 80u);
}

}  // namespace
}  // namespace firedrill::testing
