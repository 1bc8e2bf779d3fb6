// Registered buffers (IORING_REGISTER_BUFFERS): ranges of arenas that the
// kernel pins once, so that READ_FIXED, WRITE_FIXED and SEND_ZC with
// IORING_RECVSEND_FIXED_BUF skip the per-operation page lookup. As
// io_uring_register_buffers(3), with arena references where C has
// iov_base. The ring holds a reference to each arena named while the
// buffers are registered, and checks every fixed SQE against the buffer
// its buf_index names.
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "object.h"
#include "uring_check.h"

namespace ps {

namespace {

// IORING_MAX_REG_BUFFERS: the kernel refuses more.
constexpr uint32_t kMaxRegBuffers = 1u << 14;

}  // namespace

void RegBufsRelease(Ring* r) {
  // Not quiesced: the arenas stay mapped anyway (uring_ring.cc).
  if (r->quiesced)
    for (const RegBuf& b : r->reg_bufs) MemRelease(r->arenas[b.arena]);
  r->reg_bufs.clear();
}

bool Checker::Fixed(const io_uring_sqe& in, io_uring_sqe* out) {
  char msg[192];
  if (in.buf_index >= ring->reg_bufs.size()) {
    snprintf(msg, sizeof msg,
             "buf_index %u names no registered buffer (the ring has %zu)",
             in.buf_index, ring->reg_bufs.size());
    return Fail(msg);
  }
  if (!Buffer("addr", in.addr, in.len, false, &out->addr)) return false;
  const RegBuf& b = ring->reg_bufs[in.buf_index];
  uint32_t a = ArenaRefIndex(in.addr), off = ArenaRefOffset(in.addr);
  if (a != b.arena || off < b.offset ||
      uint64_t{off} + in.len > uint64_t{b.offset} + b.len) {
    snprintf(msg, sizeof msg,
             "addr: [%u, %llu) of arena %u is not inside registered buffer %u "
             "([%u, %llu) of arena %u)",
             off, static_cast<unsigned long long>(uint64_t{off} + in.len), a,
             in.buf_index, b.offset,
             static_cast<unsigned long long>(uint64_t{b.offset} + b.len),
             b.arena);
    return Fail(msg);
  }
  out->buf_index = in.buf_index;
  return true;
}

// uringRegisterBuffers(ring, iovecs) -> 0 or -errno. `iovecs` is an array
// of { iov_base, iov_len }, iov_base an arena reference; each must lie in
// its arena.
napi_value UringRegisterBuffers(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!Args(env, info, argv)) return nullptr;
  Ring* r = ArgRing(env, argv[0]);
  if (r == nullptr) return nullptr;
  bool is_array = false;
  napi_is_array(env, argv[1], &is_array);
  if (!is_array) {
    ThrowTypeError(env,
                   "Expected argument 'iovecs' to be an array of { iov_base, "
                   "iov_len }");
    return nullptr;
  }
  uint32_t n = 0;
  napi_get_array_length(env, argv[1], &n);
  if (n == 0 || n > kMaxRegBuffers) {
    ThrowRangeError(env,
                    "Argument 'iovecs' has %u buffers; 1 to %u are allowed", n,
                    kMaxRegBuffers);
    return nullptr;
  }
  if (r->closed) return Int(env, -EBADF);
  std::vector<RegBuf> bufs(n);
  std::vector<iovec> iov(n);
  for (uint32_t i = 0; i < n; i++) {
    napi_value e;
    int64_t base, len;
    char name[32];
    snprintf(name, sizeof name, "iovecs[%u]", i);
    if (napi_get_element(env, argv[1], i, &e) != napi_ok) return nullptr;
    if (!IsObject(env, e)) {
      ThrowTypeError(env, "Expected %s to be an object", name);
      return nullptr;
    }
    if (!IntField(env, e, name, "iov_base", 0, (int64_t{1} << 53) - 1, &base) ||
        !IntField(env, e, name, "iov_len", 1, UINT32_MAX, &len))
      return nullptr;
    uint64_t ref = static_cast<uint64_t>(base);
    uint32_t a = ArenaRefIndex(ref), off = ArenaRefOffset(ref);
    const Mem* m = base == 0 || a >= r->arenas.size() ? nullptr : r->arenas[a];
    if (m == nullptr || off > m->size ||
        static_cast<uint64_t>(len) > m->size - off) {
      ThrowRangeError(env,
                      "%s: iov_base and iov_len must lie inside an arena of "
                      "the ring (arena %u, [%u, %llu))",
                      name, a, off, static_cast<unsigned long long>(off + len));
      return nullptr;
    }
    bufs[i] = {a, off, static_cast<uint32_t>(len)};
    iov[i].iov_base = static_cast<uint8_t*>(m->base) + off;
    iov[i].iov_len = static_cast<size_t>(len);
  }
  long rc = syscall(__NR_io_uring_register, r->fd, IORING_REGISTER_BUFFERS,
                    iov.data(), n);
  if (rc < 0) return Int(env, -errno);
  for (const RegBuf& b : bufs) r->arenas[b.arena]->refs++;
  r->reg_bufs = bufs;
  return Int(env, 0);
}

// uringUnregisterBuffers(ring) -> 0 or -errno. Operations still in flight
// keep their own hold on the pages (the kernel's), and the arenas live as
// long as the ring anyway.
napi_value UringUnregisterBuffers(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!Args(env, info, argv)) return nullptr;
  Ring* r = ArgRing(env, argv[0]);
  if (r == nullptr) return nullptr;
  if (r->closed) return Int(env, -EBADF);
  long rc = syscall(__NR_io_uring_register, r->fd, IORING_UNREGISTER_BUFFERS,
                    nullptr, 0);
  if (rc < 0) return Int(env, -errno);
  RegBufsRelease(r);
  return Int(env, 0);
}

}  // namespace ps
