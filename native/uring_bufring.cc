// Provided-buffer rings (IORING_REGISTER_PBUF_RING, Linux 5.19), as
// io_uring_register_buf_ring(3) describes them, owned by the ring.
//
// The kernel reads addresses from a buffer ring, so JS never sees it: JS
// writes a staging ring of the same layout with arena offsets, and
// uringBufRingAdvance checks and copies the new entries across.
#include <sys/syscall.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>

#include "uring.h"

namespace ps {

namespace {

BufRing* FindBufRing(Ring* r, int64_t bgid) {
  for (BufRing& b : r->buf_rings)
    if (b.bgid == bgid) return &b;
  return nullptr;
}

}  // namespace

// uringBufRing(ring, bgid, entries, arena, flags) -> the staging ArrayBuffer
// (16 bytes an entry, struct io_uring_buf with addr an offset into `arena`),
// or -errno from IORING_REGISTER_PBUF_RING. `flags` is 0 or
// IOU_PBUF_RING_INC (Linux 6.12: the kernel takes each buffer a piece at a
// time, moving its entry's addr and len on in the ring only it reads).
// IOU_PBUF_RING_MMAP, a ring the kernel allocates, is refused.
napi_value UringBufRing(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!Args(env, info, argv)) return nullptr;
  Ring* r = ArgRing(env, argv[0]);
  int64_t bgid, entries, arena, flags;
  if (r == nullptr || !ArgInteger(env, argv[1], "bgid", 0, UINT16_MAX, &bgid) ||
      !ArgInteger(env, argv[2], "entries", 1, 32768, &entries) ||
      !ArgInteger(env, argv[3], "arena", 0, UINT32_MAX, &arena) ||
      !ArgInteger(env, argv[4], "flags", 0, UINT16_MAX, &flags))
    return nullptr;
  if (flags & ~int64_t{IOU_PBUF_RING_INC}) {
    ThrowRangeError(env,
                    "Argument 'flags' is 0x%llx; only IOU_PBUF_RING_INC (0x%x) "
                    "is allowed",
                    static_cast<unsigned long long>(flags), IOU_PBUF_RING_INC);
    return nullptr;
  }
  if (r->closed) return Int(env, -EBADF);
  if (arena >= static_cast<int64_t>(r->arenas.size())) {
    ThrowRangeError(env, "Argument 'arena' is %lld; the ring has %zu arenas",
                    static_cast<long long>(arena), r->arenas.size());
    return nullptr;
  }
  size_t bytes = static_cast<size_t>(entries) * sizeof(io_uring_buf);
  BufRing b;
  b.bgid = static_cast<uint16_t>(bgid);
  b.entries = static_cast<uint32_t>(entries);
  b.arena = static_cast<uint32_t>(arena);
  b.ring = MemMap(bytes);
  b.staging = MemMap(bytes);
  if (b.ring == nullptr || b.staging == nullptr) {
    MemRelease(b.ring);
    MemRelease(b.staging);
    return Int(env, -ENOMEM);
  }
  io_uring_buf_reg reg = {};
  reg.ring_addr = reinterpret_cast<uintptr_t>(b.ring->base);
  reg.ring_entries = b.entries;
  reg.bgid = b.bgid;
  // The u16 after bgid: `pad` in the 6.1 headers, `flags` since 6.4.
  uint16_t f16 = static_cast<uint16_t>(flags);
  memcpy(reinterpret_cast<uint8_t*>(&reg) + offsetof(io_uring_buf_reg, bgid) +
             sizeof reg.bgid,
         &f16, sizeof f16);
  long rc = syscall(__NR_io_uring_register, r->fd, IORING_REGISTER_PBUF_RING,
                    &reg, 1);
  if (rc < 0) {
    int e = errno;
    MemRelease(b.ring);
    MemRelease(b.staging);
    return Int(env, -e);
  }
  r->buf_rings.push_back(b);
  return KeptView(r, b.staging, 0, bytes);
}

// uringBufRingAdvance(ring, bgid, count) -> the new tail. Checks the
// `count` staged entries after the tail, copies them into the kernel's ring
// with real addresses, then publishes the tail (a release store, as
// io_uring_buf_ring_advance(3)). An entry outside its arena is a
// RangeError and publishes nothing.
napi_value UringBufRingAdvance(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!Args(env, info, argv)) return nullptr;
  Ring* r = ArgRing(env, argv[0]);
  int64_t bgid, count;
  if (r == nullptr || !ArgInteger(env, argv[1], "bgid", 0, UINT16_MAX, &bgid) ||
      !ArgInteger(env, argv[2], "count", 0, 32768, &count))
    return nullptr;
  if (r->closed) return Int(env, -EBADF);
  BufRing* b = FindBufRing(r, bgid);
  if (b == nullptr) return Int(env, -ENOENT);
  if (count > b->entries) {
    ThrowRangeError(env, "Argument 'count' is %lld; the ring has %u entries",
                    static_cast<long long>(count), b->entries);
    return nullptr;
  }
  Mem* arena = r->arenas[b->arena];
  auto* staged = static_cast<const io_uring_buf*>(b->staging->base);
  auto* ring = static_cast<io_uring_buf*>(b->ring->base);
  unsigned mask = b->entries - 1;
  for (int64_t i = 0; i < count; i++) {
    const io_uring_buf& s = staged[(b->tail + i) & mask];
    if (s.addr > arena->size || s.len > arena->size - s.addr) {
      ThrowRangeError(env,
                      "Buffer ring %lld entry %u: [addr, addr + len) = [%llu, "
                      "%llu) passes the end of arena %u (%zu bytes)",
                      static_cast<long long>(bgid),
                      static_cast<unsigned>((b->tail + i) & mask),
                      static_cast<unsigned long long>(s.addr),
                      static_cast<unsigned long long>(s.addr + s.len), b->arena,
                      arena->size);
      return nullptr;
    }
  }
  for (int64_t i = 0; i < count; i++) {
    unsigned slot = (b->tail + i) & mask;
    const io_uring_buf& s = staged[slot];
    // Field by field: bufs[0].resv is the ring's tail.
    ring[slot].addr = reinterpret_cast<uintptr_t>(
        static_cast<uint8_t*>(arena->base) + s.addr);
    ring[slot].len = s.len;
    ring[slot].bid = s.bid;
  }
  b->tail = static_cast<uint16_t>(b->tail + count);
  __atomic_store_n(&ring[0].resv, b->tail, __ATOMIC_RELEASE);
  return Int(env, b->tail);
}

}  // namespace ps
