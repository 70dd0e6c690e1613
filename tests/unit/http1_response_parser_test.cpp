#include "loadgen/http1_response_parser.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace firedrill::loadgen {
namespace {

using State = Http1ResponseParser::State;
using ::testing::HasSubstr;

// What one parse of one response produced. `consumed` is the total of feed()'s return values,
// compared only for completed responses: on an error the caller drops the connection anyway.
struct Outcome {
  State state = State::InProgress;
  int status = 0;
  bool keep_alive = false;
  uint64_t body_bytes = 0;
  size_t consumed = 0;
  std::string error;

  bool operator==(const Outcome&) const = default;
};

void PrintTo(const Outcome& o, std::ostream* os) {
  const char* state = o.state == State::Complete ? "Complete"
                      : o.state == State::Error  ? "Error"
                                                 : "InProgress";
  *os << "{" << state << " status=" << o.status << " keep_alive=" << o.keep_alive
      << " body_bytes=" << o.body_bytes << " consumed=" << o.consumed << " error=\"" << o.error
      << "\"}";
}

Outcome complete(int status, bool keep_alive, uint64_t body_bytes, size_t consumed) {
  return {State::Complete, status, keep_alive, body_bytes, consumed, ""};
}

struct Options {
  bool head = false;
  // Call on_eof() if the response is still in progress after all bytes were fed.
  bool eof = false;
};

Outcome snapshot(const Http1ResponseParser& p, size_t consumed) {
  Outcome o{p.state(), p.status(), p.keep_alive(), p.body_bytes(), consumed, ""};
  if (p.state() == State::Error) {
    o.error = p.error() ? p.error() : "(null)";
    o.consumed = 0;
  } else {
    EXPECT_EQ(p.error(), nullptr);
  }
  return o;
}

// Feeds `input` cut at `cuts` (ascending offsets), checking feed()'s contract on every call: it
// takes everything while the response is in progress and stops once it is not.
Outcome feed_pieces(Http1ResponseParser& p, std::string_view input, const std::vector<size_t>& cuts,
                    Options options = {}) {
  if (options.head) p.set_head_request(true);
  size_t consumed = 0;
  size_t start = 0;
  for (size_t i = 0; i <= cuts.size(); ++i) {
    const size_t end = i < cuts.size() ? cuts[i] : input.size();
    const size_t n = p.feed(input.data() + start, end - start);
    EXPECT_LE(n, end - start);
    consumed += n;
    if (p.state() != State::InProgress) break;
    EXPECT_EQ(n, end - start) << "stopped early while still in progress";
    start = end;
  }
  if (options.eof) p.on_eof();
  return snapshot(p, consumed);
}

Outcome parse(std::string_view input, Options options = {}) {
  Http1ResponseParser p;
  return feed_pieces(p, input, {}, options);
}

// Every way of splitting the input into one or two reads, and one byte per read, must give the
// same outcome as a single read.
void expect_split_invariant(std::string_view input, const Outcome& expected, Options options = {}) {
  ASSERT_EQ(parse(input, options), expected);
  {
    std::vector<size_t> cuts;
    for (size_t i = 1; i < input.size(); ++i) cuts.push_back(i);
    Http1ResponseParser p;
    EXPECT_EQ(feed_pieces(p, input, cuts, options), expected) << "one byte per read";
  }
  for (size_t cut = 0; cut <= input.size(); ++cut) {
    Http1ResponseParser p;
    EXPECT_EQ(feed_pieces(p, input, {cut}, options), expected) << "split at " << cut;
  }
}

const std::string kContentLength =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 13\r\n"
    "\r\n"
    "Hello, world!";

const std::string kChunked =
    "HTTP/1.1 200 OK\r\n"
    "Transfer-Encoding: chunked\r\n"
    "\r\n"
    "5;name=value;flag\r\n"
    "Hello\r\n"
    "1A ; ext=\"quoted;value\"\r\n"
    "abcdefghijklmnopqrstuvwxyz\r\n"
    "000\r\n"
    "Expires: never\r\n"
    "X-Checksum: 1234\r\n"
    "\r\n";

const std::string kNextResponse = "HTTP/1.1 204 No Content\r\n\r\n";

TEST(Http1ResponseParser, ContentLengthBody) {
  EXPECT_EQ(parse(kContentLength), complete(200, true, 13, kContentLength.size()));
}

TEST(Http1ResponseParser, ChunkedBodySkipsExtensionsAndTrailers) {
  EXPECT_EQ(parse(kChunked), complete(200, true, 5 + 26, kChunked.size()));
}

TEST(Http1ResponseParser, LargeContentLengthBodyAcrossManyReads) {
  const std::string body(100000, 'x');
  const std::string input =
      "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  std::vector<size_t> cuts;
  for (size_t at = 7; at < input.size(); at += 4093) cuts.push_back(at);
  Http1ResponseParser p;
  EXPECT_EQ(feed_pieces(p, input, cuts), complete(200, true, body.size(), input.size()));
}

TEST(Http1ResponseParser, HeaderNamesAreCaseInsensitive) {
  const std::string length = "HTTP/1.1 200 OK\r\ncontent-LENGTH: 2\r\n\r\nhi";
  EXPECT_EQ(parse(length + kNextResponse), complete(200, true, 2, length.size()));
  const std::string chunked =
      "HTTP/1.1 200 OK\r\nTRANSFER-encoding: Chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n";
  EXPECT_EQ(parse(chunked + kNextResponse), complete(200, true, 2, chunked.size()));
  const std::string close = "HTTP/1.1 200 OK\r\nCONNECTION: Close\r\nContent-Length: 0\r\n\r\n";
  EXPECT_EQ(parse(close + kNextResponse), complete(200, false, 0, close.size()));
}

TEST(Http1ResponseParser, SimilarHeaderNamesAreNotFraming) {
  const std::string input =
      "HTTP/1.1 200 OK\r\n"
      "X-Content-Length: 99\r\n"
      "Content-Length-Hint: 99\r\n"
      "Transfer-Encodings: chunked\r\n"
      "Proxy-Connection: close\r\n"
      "Content-Length: 1\r\n"
      "\r\n"
      "z";
  EXPECT_EQ(parse(input), complete(200, true, 1, input.size()));
}

TEST(Http1ResponseParser, ReasonPhraseIsOptional) {
  for (const char* input : {"HTTP/1.1 204\r\n\r\n", "HTTP/1.1 204 \r\n\r\n",
                            "HTTP/1.1 204 No Content At All\r\n\r\n"}) {
    EXPECT_EQ(parse(input), complete(204, true, 0, std::strlen(input))) << input;
  }
}

TEST(Http1ResponseParser, BareLineFeedsEndLines) {
  const std::string input = "HTTP/1.1 200 OK\nContent-Length: 3\n\nabc";
  EXPECT_EQ(parse(input), complete(200, true, 3, input.size()));
  const std::string chunked = "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n";
  EXPECT_EQ(parse(chunked), complete(200, true, 3, chunked.size()));
}

TEST(Http1ResponseParser, SplitAtEveryByteBoundaryGivesTheSameResult) {
  struct Case {
    const char* name;
    std::string input;
    Outcome expected;
    Options options = {};
  };
  const std::string continue_then_ok =
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n" +
      kContentLength;
  const std::string until_close = "HTTP/1.0 200 OK\r\nServer: old\r\n\r\nstreamed until close";
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
  const std::string long_header =
      "HTTP/1.1 200 OK\r\nX-Big: " + std::string(9000, 'a') + "\r\nContent-Length: 0\r\n\r\n";
  const std::vector<Case> cases = {
      // Trailing bytes of a pipelined response check that parsing stops exactly at the end.
      {"content-length", kContentLength + kNextResponse,
       complete(200, true, 13, kContentLength.size())},
      {"chunked", kChunked + kNextResponse, complete(200, true, 31, kChunked.size())},
      {"100 continue", continue_then_ok + kNextResponse,
       complete(200, true, 13, continue_then_ok.size())},
      {"head", head + kNextResponse, complete(200, true, 0, head.size()), {.head = true}},
      {"until close", until_close, complete(200, false, 20, until_close.size()), {.eof = true}},
      {"long header line", long_header, {State::Error, 200, true, 0, 0, "header line too long"}},
      {"bad chunk size",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5x\r\nHello",
       {State::Error, 200, true, 0, 0, "bad chunk size"}},
      {"eof in body",
       kContentLength.substr(0, kContentLength.size() - 1),
       {State::Error, 200, true, 12, 0, "connection closed in the middle of a response"},
       {.eof = true}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    expect_split_invariant(c.input, c.expected, c.options);
  }
}

TEST(Http1ResponseParser, PipelinedResponsesParsedInALoop) {
  const std::string first = kContentLength;
  const std::string second = kChunked;
  const std::string third = "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found";
  const std::string buffer = first + second + third;

  const std::vector<Outcome> expected = {
      complete(200, true, 13, first.size()),
      complete(200, true, 31, second.size()),
      complete(404, true, 9, third.size()),
  };
  std::vector<Outcome> got;
  Http1ResponseParser p;
  size_t offset = 0;
  while (offset < buffer.size()) {
    p.reset();
    const size_t n = p.feed(buffer.data() + offset, buffer.size() - offset);
    ASSERT_EQ(p.state(), State::Complete) << "at offset " << offset;
    ASSERT_GT(n, 0u);
    got.push_back(snapshot(p, n));
    offset += n;
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(offset, buffer.size());
}

TEST(Http1ResponseParser, HeadResponseHasNoBody) {
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
  EXPECT_EQ(parse(head + kNextResponse, {.head = true}), complete(200, true, 0, head.size()));
  const std::string chunked_head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  EXPECT_EQ(parse(chunked_head + kNextResponse, {.head = true}),
            complete(200, true, 0, chunked_head.size()));
  // The same bytes without the HEAD flag announce a body, which has not arrived yet.
  Http1ResponseParser p;
  EXPECT_EQ(p.feed(head.data(), head.size()), head.size());
  EXPECT_EQ(p.state(), State::InProgress);
}

TEST(Http1ResponseParser, NoBodyFor204And304EvenWithFramingHeaders) {
  const std::string no_content = "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n";
  EXPECT_EQ(parse(no_content + kContentLength), complete(204, true, 0, no_content.size()));
  const std::string not_modified =
      "HTTP/1.1 304 Not Modified\r\nContent-Length: 1234\r\nETag: \"x\"\r\n\r\n";
  EXPECT_EQ(parse(not_modified + kContentLength), complete(304, true, 0, not_modified.size()));
  const std::string chunked_304 = "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n";
  EXPECT_EQ(parse(chunked_304 + kContentLength), complete(304, true, 0, chunked_304.size()));
  // Without a body there is nothing for a bad Content-Length to frame.
  const std::string bad_length = "HTTP/1.1 304 Not Modified\r\nContent-Length: x\r\n\r\n";
  EXPECT_EQ(parse(bad_length), complete(304, true, 0, bad_length.size()));
}

TEST(Http1ResponseParser, InterimResponsesAreSkipped) {
  const std::string input =
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 102 Processing\r\nConnection: close\r\nContent-Length: 7\r\n\r\n"
      "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok";
  // The interim response's Connection and Content-Length belong to it alone.
  EXPECT_EQ(parse(input + kNextResponse), complete(201, true, 2, input.size()));
}

TEST(Http1ResponseParser, InterimResponseAloneIsNotComplete) {
  const std::string input = "HTTP/1.1 100 Continue\r\n\r\n";
  Http1ResponseParser p;
  EXPECT_EQ(p.feed(input.data(), input.size()), input.size());
  EXPECT_EQ(p.state(), State::InProgress);
  p.on_eof();
  EXPECT_EQ(p.state(), State::Error);
  EXPECT_STREQ(p.error(), "connection closed in the middle of a response");
}

TEST(Http1ResponseParser, SwitchingProtocolsEndsHttp1OnTheConnection) {
  const std::string input =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
  EXPECT_EQ(parse(input + "\x81\x05hello"), complete(101, false, 0, input.size()));
}

TEST(Http1ResponseParser, Http10BodyDelimitedByCloseCompletesOnEof) {
  const std::string input = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nfirst part ";
  const std::string more = "and the rest";
  Http1ResponseParser p;
  EXPECT_EQ(p.feed(input.data(), input.size()), input.size());
  EXPECT_EQ(p.feed(more.data(), more.size()), more.size());
  EXPECT_EQ(p.state(), State::InProgress);
  EXPECT_FALSE(p.keep_alive());
  p.on_eof();
  EXPECT_EQ(snapshot(p, input.size() + more.size()),
            complete(200, false, 23, input.size() + more.size()));
}

TEST(Http1ResponseParser, Http11WithoutFramingReadsUntilClose) {
  const std::string input = "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\nno length";
  EXPECT_EQ(parse(input, {.eof = true}), complete(200, false, 9, input.size()));
}

// The keep-alive decision for each Connection header (empty: none) of a response with a
// Content-Length, which on its own would not end the connection.
struct KeepAliveCase {
  const char* version;
  const char* connection;
  bool keep_alive;
};

TEST(Http1ResponseParser, KeepAliveFollowsVersionAndConnection) {
  for (const KeepAliveCase& c : std::vector<KeepAliveCase>{
           {"HTTP/1.1", "", true},
           {"HTTP/1.1", "Connection: keep-alive\r\n", true},
           {"HTTP/1.1", "Connection: close\r\n", false},
           {"HTTP/1.1", "Connection: CLOSE\r\n", false},
           {"HTTP/1.1", "Connection: Upgrade ,  Close\t\r\n", false},
           {"HTTP/1.1", "Connection: te\r\nConnection: close\r\n", false},
           // "closed" is a different token.
           {"HTTP/1.1", "Connection: closed\r\n", true},
           {"HTTP/1.0", "", false},
           {"HTTP/1.0", "Connection: Keep-Alive\r\n", true},
           {"HTTP/1.0", "Connection: keep-alive, close\r\n", false},
       }) {
    const std::string input =
        std::string(c.version) + " 200 OK\r\n" + c.connection + "Content-Length: 2\r\n\r\nok";
    EXPECT_EQ(parse(input + kNextResponse), complete(200, c.keep_alive, 2, input.size())) << input;
  }
}

TEST(Http1ResponseParser, ConnectionClose) {
  const std::string close = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok";
  EXPECT_EQ(parse(close + kNextResponse), complete(200, false, 2, close.size()));
  const std::string close_chunked =
      "HTTP/1.1 200 OK\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2\r\nok\r\n0\r\n\r\n";
  EXPECT_EQ(parse(close_chunked + kNextResponse), complete(200, false, 2, close_chunked.size()));
}

TEST(Http1ResponseParser, LastTransferCodingDecidesChunked) {
  const std::string body = "3\r\nabc\r\n0\r\n\r\n";
  const std::string gzip_chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n";
  EXPECT_EQ(parse(gzip_chunked + body), complete(200, true, 3, gzip_chunked.size() + body.size()));
  const std::string two_lines =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n";
  EXPECT_EQ(parse(two_lines + body), complete(200, true, 3, two_lines.size() + body.size()));
  // Not chunked last: only the close can end the body.
  const std::string chunked_gzip = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n";
  EXPECT_EQ(parse(chunked_gzip + body, {.eof = true}),
            complete(200, false, body.size(), chunked_gzip.size() + body.size()));
}

TEST(Http1ResponseParser, ChunkedIgnoresContentLength) {
  const std::string input =
      "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\n\r\n";
  EXPECT_EQ(parse(input + kNextResponse), complete(200, true, 3, input.size()));
  const std::string invalid_length =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: nope\r\n"
      "Content-Length: 7\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  EXPECT_EQ(parse(invalid_length), complete(200, true, 3, invalid_length.size()));
}

TEST(Http1ResponseParser, ObsFoldContinuesTheFieldValue) {
  const std::string folded_te =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip,\r\n chunked\r\nX-Other: a\r\n\tb\r\n\r\n"
      "1\r\nx\r\n0\r\n\r\n";
  EXPECT_EQ(parse(folded_te), complete(200, true, 1, folded_te.size()));
  const std::string folded_connection =
      "HTTP/1.1 200 OK\r\nConnection: upgrade,\r\n close\r\nContent-Length: 0\r\n\r\n";
  EXPECT_EQ(parse(folded_connection), complete(200, false, 0, folded_connection.size()));
}

TEST(Http1ResponseParser, RepeatedIdenticalContentLengthIsAccepted) {
  const std::string list = "HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc";
  EXPECT_EQ(parse(list), complete(200, true, 3, list.size()));
  const std::string lines =
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 003\r\n\r\nabc";
  EXPECT_EQ(parse(lines), complete(200, true, 3, lines.size()));
}

TEST(Http1ResponseParser, ZeroContentLengthCompletesAtTheHeaders) {
  const std::string input = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  EXPECT_EQ(parse(input + kNextResponse), complete(200, true, 0, input.size()));
}

TEST(Http1ResponseParser, MaximumContentLengthIsAccepted) {
  const std::string input = "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\nab";
  Http1ResponseParser p;
  EXPECT_EQ(p.feed(input.data(), input.size()), input.size());
  EXPECT_EQ(p.state(), State::InProgress);
  EXPECT_EQ(p.body_bytes(), 2u);
}

Outcome error_outcome(std::string_view input, Options options = {}) {
  const Outcome o = parse(input, options);
  EXPECT_EQ(o.state, State::Error) << input;
  return o;
}

TEST(Http1ResponseParser, MalformedStatusLineIsAnError) {
  for (const char* line : {
           "HTTP/2 200 OK\r\n",
           "HTTP/2.0 200 OK\r\n",
           "HTTP/1.1 20 OK\r\n",
           "HTTP/1.1 2000 OK\r\n",
           "HTTP/1.1 099 Low\r\n",
           "HTTP/1.1  200 OK\r\n",
           "HTTP/1.1 2x0 OK\r\n",
           "HTTP/1.x 200 OK\r\n",
           "http/1.1 200 OK\r\n",
           "ICY 200 OK\r\n",
           "\r\n",
       }) {
    SCOPED_TRACE(line);
    EXPECT_EQ(error_outcome(line).error, "malformed status line");
  }
}

TEST(Http1ResponseParser, MalformedHeaderLineIsAnError) {
  for (const char* input : {
           "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
           "HTTP/1.1 200 OK\r\n: no name\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello",
       }) {
    SCOPED_TRACE(input);
    EXPECT_EQ(error_outcome(input).error, "malformed header line");
  }
}

TEST(Http1ResponseParser, HeaderLineLongerThanTheBufferIsAnError) {
  const std::string input = "HTTP/1.1 200 OK\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
  EXPECT_EQ(error_outcome(input).error, "header line too long");
  // The limit is for one line, not for all the headers together.
  std::string many = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 10; ++i) many += "X-Big: " + std::string(4000, 'a') + "\r\n";
  many += "Content-Length: 0\r\n\r\n";
  EXPECT_EQ(parse(many), complete(200, true, 0, many.size()));
}

TEST(Http1ResponseParser, ChunkSizeLineLongerThanTheBufferIsAnError) {
  const std::string input =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;ext=" + std::string(20000, 'e') +
      "\r\nx\r\n0\r\n\r\n";
  EXPECT_EQ(error_outcome(input).error, "chunk size line too long");
}

TEST(Http1ResponseParser, BadChunkSizeIsAnError) {
  for (const char* size_line : {
           "\r\n",
           "x\r\n",
           "-1\r\n",
           "+1\r\n",
           " 1\r\n",
           "1 2\r\n",
           "0x10\r\n",
           "10000000000000000\r\n",
       }) {
    SCOPED_TRACE(size_line);
    const std::string input =
        std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") + size_line;
    EXPECT_EQ(error_outcome(input).error, "bad chunk size");
  }
  // Sixteen hex digits still fit.
  const std::string largest =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nabc";
  EXPECT_EQ(parse(largest).state, State::InProgress);
}

TEST(Http1ResponseParser, ChunkDataLongerThanItsSizeIsAnError) {
  EXPECT_EQ(
      error_outcome("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n")
          .error,
      "chunk data longer than its size");
}

TEST(Http1ResponseParser, InvalidContentLengthIsAnError) {
  for (const char* value : {"abc", "-1", "+1", "", "1 2", "0x10", "1,", "18446744073709551616",
                            "99999999999999999999999"}) {
    SCOPED_TRACE(value);
    const std::string input =
        std::string("HTTP/1.1 200 OK\r\nContent-Length: ") + value + "\r\n\r\n12345";
    EXPECT_EQ(error_outcome(input).error, "invalid Content-Length");
  }
  EXPECT_EQ(error_outcome("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n continued\r\n\r\n12345").error,
            "invalid Content-Length");
}

TEST(Http1ResponseParser, ConflictingContentLengthIsAnError) {
  EXPECT_EQ(error_outcome("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n123456")
                .error,
            "conflicting Content-Length values");
  EXPECT_EQ(error_outcome("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n123456").error,
            "conflicting Content-Length values");
}

TEST(Http1ResponseParser, TransferEncodingInHttp10IsAnError) {
  EXPECT_THAT(error_outcome("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").error,
              HasSubstr("HTTP/1.0"));
}

TEST(Http1ResponseParser, EofInTheMiddleOfAFramedResponseIsAnError) {
  const std::string mid = "connection closed in the middle of a response";
  const std::string chunked_prefix = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const std::string& input : {
           std::string("HTTP/1.1 20"),
           std::string("HTTP/1.1 200 OK\r\nContent-Le"),
           std::string("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"),
           std::string("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n1234"),
           chunked_prefix,
           chunked_prefix + "5\r\nab",
           chunked_prefix + "5\r\nabcde",
           chunked_prefix + "5\r\nabcde\r\n",
           chunked_prefix + "0\r\n",
           chunked_prefix + "0\r\nTrailer: x\r\n",
       }) {
    SCOPED_TRACE(input);
    EXPECT_EQ(error_outcome(input, {.eof = true}).error, mid);
  }
  EXPECT_EQ(error_outcome("", {.eof = true}).error, "connection closed before a response");
}

TEST(Http1ResponseParser, EofAfterCompletionChangesNothing) {
  Http1ResponseParser p;
  EXPECT_EQ(feed_pieces(p, kContentLength, {}, {.eof = true}),
            complete(200, true, 13, kContentLength.size()));
}

TEST(Http1ResponseParser, FeedAfterTheEndConsumesNothing) {
  Http1ResponseParser p;
  ASSERT_EQ(p.feed(kContentLength.data(), kContentLength.size()), kContentLength.size());
  ASSERT_EQ(p.state(), State::Complete);
  EXPECT_EQ(p.feed(kNextResponse.data(), kNextResponse.size()), 0u);
  EXPECT_EQ(p.status(), 200);

  Http1ResponseParser bad;
  const std::string garbage = "garbage\r\n";
  bad.feed(garbage.data(), garbage.size());
  ASSERT_EQ(bad.state(), State::Error);
  EXPECT_EQ(bad.feed(kNextResponse.data(), kNextResponse.size()), 0u);
  EXPECT_STREQ(bad.error(), "malformed status line");
}

TEST(Http1ResponseParser, ResetReusesTheParser) {
  Http1ResponseParser p;
  // An error in the middle of a header line leaves a partial line behind.
  const std::string partial = "HTTP/1.1 200 OK\r\nContent-Le";
  p.feed(partial.data(), partial.size());
  p.on_eof();
  ASSERT_EQ(p.state(), State::Error);

  p.reset();
  EXPECT_EQ(p.state(), State::InProgress);
  EXPECT_EQ(p.error(), nullptr);
  EXPECT_EQ(p.status(), 0);
  EXPECT_EQ(p.body_bytes(), 0u);
  EXPECT_EQ(feed_pieces(p, kChunked, {20}), complete(200, true, 31, kChunked.size()));

  const std::string close = "HTTP/1.1 500 Oops\r\nConnection: close\r\nContent-Length: 1\r\n\r\n!";
  p.reset();
  EXPECT_EQ(feed_pieces(p, close, {}), complete(500, false, 1, close.size()));

  // Nothing carries over: not the close, not the body count, not the HEAD flag.
  p.reset();
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";
  EXPECT_EQ(feed_pieces(p, head, {}, {.head = true}), complete(200, true, 0, head.size()));
  p.reset();
  EXPECT_EQ(feed_pieces(p, kContentLength, {}), complete(200, true, 13, kContentLength.size()));
}

TEST(Http1ResponseParser, ResetClearsTheHeadRequestFlag) {
  Http1ResponseParser p;
  p.set_head_request(true);
  p.reset();
  const size_t n = p.feed(kContentLength.data(), kContentLength.size());
  EXPECT_EQ(snapshot(p, n), complete(200, true, 13, kContentLength.size()));
}

}  // namespace
}  // namespace firedrill::loadgen
