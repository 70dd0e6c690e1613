// What one nghttp2 client session costs in memory before a single response arrives: every
// allocation nghttp2 makes through its allocator hook, for a session set up as firedrill's
// Http2Session sets it up (SETTINGS sent, one request submitted and serialised). Pages that
// calloc zeroes or that frames are written to are resident, so this is a floor under the RSS per
// HTTP/2 connection of any client built on nghttp2 sessions (h2load and firedrill alike).
//
//   g++ -O2 -std=c++20 bench/nghttp2_session_memory.cpp -lnghttp2 -o /tmp/nghttp2-memory
//   /tmp/nghttp2-memory
#include <malloc.h>
#include <nghttp2/nghttp2.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

struct Tally {
  long live = 0;
  std::vector<size_t> sizes;  // of the first session only
  bool recording = true;
};
Tally tally;

void* note(void* p, size_t asked) {
  tally.live += static_cast<long>(malloc_usable_size(p));
  if (tally.recording) tally.sizes.push_back(asked);
  return p;
}
void* hook_malloc(size_t n, void*) { return note(std::malloc(n), n); }
void* hook_calloc(size_t a, size_t b, void*) { return note(std::calloc(a, b), a * b); }
void hook_free(void* p, void*) {
  if (p) tally.live -= static_cast<long>(malloc_usable_size(p));
  std::free(p);
}
void* hook_realloc(void* p, size_t n, void*) {
  if (p) tally.live -= static_cast<long>(malloc_usable_size(p));
  return note(std::realloc(p, n), n);
}

nghttp2_nv header(const char* name, const char* value) {
  return {(uint8_t*)name, (uint8_t*)value, std::strlen(name), std::strlen(value),
          NGHTTP2_NV_FLAG_NONE};
}

}  // namespace

int main() {
  constexpr int kSessions = 1000;
  nghttp2_mem mem{nullptr, hook_malloc, hook_free, hook_calloc, hook_realloc};
  nghttp2_session_callbacks* callbacks;
  nghttp2_session_callbacks_new(&callbacks);
  std::vector<nghttp2_session*> sessions(kSessions);
  for (auto& session : sessions) {
    nghttp2_session_client_new3(&session, callbacks, nullptr, nullptr, &mem);
    nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
                                         {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1u << 30}};
    nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, settings, 2);
    nghttp2_nv request[] = {header(":method", "GET"), header(":path", "/index.html"),
                            header(":scheme", "http"), header(":authority", "127.0.0.1:8080")};
    nghttp2_submit_request(session, nullptr, request, 4, nullptr, nullptr);
    const uint8_t* data;
    while (nghttp2_session_mem_send(session, &data) > 0) {
    }
    tally.recording = false;
  }
  std::printf("allocations of one session (bytes asked):");
  for (size_t s : tally.sizes) std::printf(" %zu", s);
  std::printf("\nheap held per session: %.1f KiB\n", tally.live / 1024.0 / kSessions);
}
